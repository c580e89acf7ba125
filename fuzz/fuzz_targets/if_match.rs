//! `If-Match` arrives from clients on every conditional write. Any text gets an answer (never
//! a panic); a version is accepted only from the ETag the server sends for it (`"7"`, or the
//! weak form `W/"7"`), since entity tags compare character by character (RFC 9110 §8.8.3.2).
#![no_main]

use consultation_hub::http::etag::parse_if_match;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, i32)| {
    let (text, n) = input;
    match parse_if_match(text) {
        Ok(Some(version)) => {
            let tag = text.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            assert_eq!(tag, format!("\"{version}\""), "{text:?} taken for version {version}");
        }
        Ok(None) => assert_eq!(text.trim(), "*"),
        Err(_) => {}
    }

    // The ETags the server sends parse back to their version; lists of tags are refused.
    for etag in [format!("\"{n}\""), format!("W/\"{n}\""), format!(" \"{n}\"\t")] {
        assert_eq!(parse_if_match(&etag).ok(), Some(Some(n)), "{etag}");
    }
    assert!(parse_if_match(&format!("\"{n}\", \"{n}\"")).is_err());
});
