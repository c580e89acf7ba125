//! List cursors come back from clients as `?cursor=` / `after:`: any string must get an
//! answer (never a panic), and what the server hands out must decode to what it encoded.
#![no_main]

use consultation_hub::service::page::Cursor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &str, Vec<String>)| {
    let (arity, raw, values) = input;
    let arity = usize::from(arity % 5);

    // A client's string: accepted only with the asked number of values, and stable when re-encoded.
    if let Ok(cursor) = Cursor::decode(raw, arity) {
        assert_eq!(cursor.0.len(), arity);
        assert_eq!(Cursor::decode(&cursor.encode(), arity).ok(), Some(cursor));
    }

    // decode ∘ encode is the identity, the text is URL-safe, and another arity is refused.
    let cursor = Cursor(values);
    let encoded = cursor.encode();
    assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{encoded}");
    let n = cursor.0.len();
    assert_eq!(Cursor::decode(&encoded, n).ok(), Some(cursor));
    assert!(Cursor::decode(&encoded, n + 1).is_err());
});
