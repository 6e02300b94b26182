//! RFC 8785 canonical JSON (JCS).

use serde::Serialize;

/// The RFC 8785 canonical form of `value`: sorted keys, no whitespace, ES6 number and string forms.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, super::Error> {
    serde_json_canonicalizer::to_vec(value).map_err(super::Error::Canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_as_rfc8785() {
        let v = json!({"b": [1, "x\u{1}\n"], "a": {"z": null, "é": true}, "c": "Өмүр"});
        let out = String::from_utf8(canonical_json(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\"a\":{\"z\":null,\"é\":true},\"b\":[1,\"x\\u0001\\n\"],\"c\":\"Өмүр\"}"
        );
    }
}
