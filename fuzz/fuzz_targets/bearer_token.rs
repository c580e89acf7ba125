//! The bearer-token path of every request: the `Authorization` header is read
//! (`auth::authenticate::bearer`), then the token is checked as `Tokens::verify` does it
//! (header, `kid`, signature, claims) against a fixed Ed25519 key. Arbitrary headers get an
//! answer and are never accepted; tokens we signed are accepted with their claims, and any
//! one-character change of them is refused.
#![no_main]

use std::sync::OnceLock;

use actix_web::http::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use consultation_hub::auth::authenticate::bearer;
use consultation_hub::auth::tokens::{check, header_kid, sign, Claims};
use consultation_hub::domain::{clock, OrgKind};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use libfuzzer_sys::fuzz_target;

const KID: &str = "0196c0de5eed7000a000000000000001";
const ISSUER: &str = "urn:consultation-hub";
const AUDIENCE: &str = "consultation-hub";
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    other: DecodingKey,
}

fn pair(seed: u8) -> (EncodingKey, DecodingKey) {
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let der = signing.to_pkcs8_der().expect("PKCS#8");
    let public = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
    (EncodingKey::from_ed_der(der.as_bytes()), DecodingKey::from_ed_components(&public).expect("public key"))
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (encoding, decoding) = pair(7);
        let (_, other) = pair(8);
        Keys { encoding, decoding, other }
    })
}

/// `Tokens::verify` without the key store: our `kid`, then signature and claims.
fn verify(token: &str, key: &DecodingKey) -> Option<Claims> {
    if header_kid(token).ok()? != KID {
        return None;
    }
    check(token, key, ISSUER, AUDIENCE).ok()
}

fn authorization(value: HeaderValue) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    headers
}

fuzz_target!(|input: (&[u8], &str, &str, u16, u8)| {
    let (header, subject, scope, position, replacement) = input;
    let keys = keys();

    // Arbitrary header bytes: a token is taken only after `Bearer ` (any case), trimmed and
    // non-empty, and nobody without the key gets one accepted.
    if let Ok(value) = HeaderValue::from_bytes(header) {
        let headers = authorization(value);
        if let Some(token) = bearer(&headers) {
            assert!(!token.is_empty() && token == token.trim());
            let text = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert!(text.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer ")), "{text:?}");
            assert!(verify(token, &keys.decoding).is_none(), "a token nobody signed was accepted: {token}");
        }
    }

    // A token we signed, for arbitrary subject and scope text, goes through the header path and
    // verifies with its claims intact; not with another key; not after any one-character change.
    let now = clock::now().unix_timestamp();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: subject.into(),
        org: "0196c0de-5eed-7000-a000-000000000002".into(),
        org_kind: OrgKind::Ngo,
        scope: scope.into(),
        iat: now,
        nbf: now,
        exp: now + 600,
        jti: "0196c0de-5eed-7000-a000-000000000003".into(),
    };
    let token = sign(&claims, KID, &keys.encoding).expect("sign");
    let headers = authorization(HeaderValue::from_str(&format!("Bearer {token}")).expect("a JWT is ASCII"));
    assert_eq!(bearer(&headers), Some(token.as_str()));
    let verified = verify(&token, &keys.decoding).expect("a token we signed verifies");
    assert_eq!((verified.sub.as_str(), verified.scope.as_str()), (subject, scope));
    assert!(verify(&token, &keys.other).is_none(), "verified with another key");

    let mut damaged = token.clone().into_bytes();
    let i = usize::from(position) % damaged.len();
    let c = TOKEN_ALPHABET[usize::from(replacement) % TOKEN_ALPHABET.len()];
    if damaged[i] != c {
        damaged[i] = c;
        let damaged = String::from_utf8(damaged).expect("ASCII");
        assert!(verify(&damaged, &keys.decoding).is_none(), "a changed token verified: {damaged}");
    }
});
