//! Webhook rules that need no I/O: which targets are allowed, how a delivery is signed
//! (Standard Webhooks), how long to wait before the next attempt.

use std::net::IpAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::contribution::Event;

/// The subscription pattern that matches every event.
pub const ALL_EVENTS: &str = "*";

/// Whether a subscription's event list includes an event.
pub fn wants(events: &[String], event: Event) -> bool {
    events.iter().any(|e| e == ALL_EVENTS || e == event.as_str())
}

/// Whether an address is on the public internet. Loopback, private, link-local, unique-local,
/// shared (CGNAT), unspecified, multicast, broadcast and documentation ranges are not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b))
        }
    }
}

/// The key bytes of a `whsec_…` secret.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix("whsec_")?).ok().filter(|k| k.len() >= 16)
}

/// HMAC-SHA256 keyed with `key`, fed with `id.timestamp.body`.
fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// `v1,BASE64` of HMAC-SHA256 over `id.timestamp.body` (Standard Webhooks).
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let Some(mac) = mac(key, id, timestamp, body) else { return String::new() };
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether a `webhook-signature` header holds a valid signature of this delivery, as a
/// receiver checks it (Standard Webhooks): the header is a list of `version,BASE64` entries
/// separated by single spaces (several during a secret rotation); an entry counts when its
/// version is `v1` and its MAC matches, compared in constant time. Entries of other versions
/// or that do not decode are skipped. Whether `timestamp` is recent is the caller's check.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(mac) = mac(key, id, timestamp, body) else { return false };
    header.split(' ').any(|entry| {
        let Some(("v1", encoded)) = entry.split_once(',') else { return false };
        // A SHA-256 MAC is 44 base64 characters; longer entries are not decoded at all.
        encoded.len() == 44
            && STANDARD.decode(encoded).is_ok_and(|signature| mac.clone().verify_slice(&signature).is_ok())
    })
}

/// The wait before attempt `attempt + 1`: `base × 2^(attempt-1)`, at most an hour, times a
/// random factor in [0.8, 1.2) so that many failing receivers do not retry in step.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(Duration::from_secs(3600));
    capped.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_targets_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "151.101.1.1", "2a00:1450:4007:80e::200e"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("key");
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn verify_accepts_what_sign_made_and_nothing_else() {
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("key");
        let (id, ts, body) = ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#.as_slice());
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert!(verify(&key, id, ts, body, good));
        assert!(verify(&key, id, ts, body, &sign(&key, id, ts, body)));
        // During a rotation the header carries one entry per secret, in any order.
        let other = sign(b"another secret of sixteen bytes+", id, ts, body);
        assert!(verify(&key, id, ts, body, &format!("{other} {good}")));
        assert!(verify(&key, id, ts, body, &format!("v2,whatever {good}")));
        // Anything else is refused: another message, key, id or time; other versions; damage.
        assert!(!verify(&key, id, ts, b"{\"test\": 2432232315}", good));
        assert!(!verify(&key, id, ts + 1, body, good));
        assert!(!verify(&key, "msg_other", ts, body, good));
        assert!(!verify(b"another secret of sixteen bytes+", id, ts, body, good));
        for bad in [
            "",
            " ",
            "v1,",
            "v1",
            &other,
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=",
            "v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1, g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n",
        ] {
            assert!(!verify(&key, id, ts, body, bad), "{bad:?}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        assert_eq!(backoff(base, 1, 0.5), Duration::from_millis(100));
        assert_eq!(backoff(base, 4, 0.5), Duration::from_millis(800));
        assert!(backoff(base, 60, 1.0) <= Duration::from_secs(4320));
        assert!(backoff(base, 3, 0.0) < backoff(base, 3, 1.0));
    }
}
