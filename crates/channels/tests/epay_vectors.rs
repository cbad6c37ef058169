//! Every case of `shared/vectors/epay-v1.json`, reproduced byte for byte:
//! the string to sign and the signature, for each variant.

use std::path::PathBuf;

use serde_json::Value;
use trigate_channels::epay::{Variant, sign, string_to_sign};

fn vectors() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/epay-v1.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_epay_vector_signs_byte_for_byte() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 5, "{} cases", cases.len());
    for case in cases {
        let what = case["what"].as_str().unwrap();
        let variant = match case["variant"].as_str().unwrap() {
            "plain" => Variant::Plain,
            "amp_key" => Variant::AmpKey,
            "urlencoded" => Variant::Urlencoded,
            other => panic!("{what}: unknown variant {other}"),
        };
        let key = case["key"].as_str().unwrap();
        let params: Vec<(&str, &str)> = case["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        assert_eq!(
            string_to_sign(params.iter().copied(), key, variant),
            case["string_to_sign"].as_str().unwrap(),
            "{what}"
        );
        assert_eq!(
            sign(params.iter().copied(), key, variant),
            case["sign"].as_str().unwrap(),
            "{what}"
        );
    }
}

#[test]
fn the_copy_of_the_vectors_is_the_shared_file() {
    // The project's shared vectors sit beside the repository when it is
    // checked out in its workspace; a lone clone has only the copy.
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/epay-v1.json");
    let copy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/epay-v1.json");
    match std::fs::read(&shared) {
        Ok(original) => assert_eq!(original, std::fs::read(copy).unwrap(), "the copy is stale"),
        Err(_) => eprintln!(
            "notice: {} is not here; the copy alone is checked",
            shared.display()
        ),
    }
}
