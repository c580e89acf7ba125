//! Webhook signatures (Standard Webhooks) as a receiver checks them: `verify` accepts what
//! `sign` made, alone or among other entries, and nothing else.
#![no_main]

use consultation_hub::domain::webhook::{secret_key, sign, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &str, i64, &[u8], &str, &[u8])| {
    let (key, id, timestamp, body, header, other_key) = input;
    let _ = secret_key(header);
    let expected = sign(key, id, timestamp, body);

    // Arbitrary header text: accepted exactly when one of its space-separated entries is the signature.
    assert_eq!(
        verify(key, id, timestamp, body, header),
        header.split(' ').any(|entry| entry == expected),
        "{header:?}"
    );

    // What `sign` produced is accepted, alone or next to other entries (a secret rotation).
    assert!(verify(key, id, timestamp, body, &expected));
    assert!(verify(key, id, timestamp, body, &format!("{header} {expected}")));
    assert!(verify(key, id, timestamp, body, &format!("{expected} {header}")));

    // ... and refused for another key of the same length, another body or another time.
    // (HMAC pads keys with zeros, so keys of different lengths can be equivalent.)
    if other_key.len() == key.len() && other_key != key {
        assert!(!verify(other_key, id, timestamp, body, &expected));
    }
    let mut longer = body.to_vec();
    longer.push(b'x');
    assert!(!verify(key, id, timestamp, &longer, &expected));
    if let Some(later) = timestamp.checked_add(1) {
        assert!(!verify(key, id, later, body, &expected));
    }
    // A damaged signature is refused.
    assert!(!verify(key, id, timestamp, body, &expected[..expected.len() - 1]));
    assert!(!verify(key, id, timestamp, body, &expected.replacen("v1,", "v2,", 1)));
});
