//! A notification's parameters as they arrived — a query string, a form
//! body or a JSON object — held as text exactly as sent (signatures are
//! over that text). Refused outright: a key given twice, array-style keys
//! (`money[]`), and JSON values that are not scalars, so no parameter can
//! mean two things to two readers.

use std::collections::BTreeMap;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("parameter {0:?} is given more than once")]
    Duplicate(String),
    #[error("parameter {0:?} is not a single value")]
    NotScalar(String),
    #[error("the parameters are not a form or a JSON object")]
    Malformed,
}

/// Parameters by name, each once, as text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

/// Values may include a signature; only names are shown.
impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Params {
    /// From `k=v&…` (a query string or an urlencoded form body).
    pub fn from_form(bytes: &[u8]) -> Result<Self, ParamsError> {
        Self::from_pairs(
            form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())),
        )
    }

    /// From a JSON object whose values are strings, numbers (kept as
    /// written) or booleans.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ParamsError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let pairs = de
            .deserialize_map(PairsVisitor)
            .map_err(|_| ParamsError::Malformed)?;
        de.end().map_err(|_| ParamsError::Malformed)?;
        let mut out = Vec::with_capacity(pairs.len());
        for (key, raw) in pairs {
            let text = raw.get();
            let value = match text.as_bytes().first() {
                Some(b'"') => {
                    serde_json::from_str::<String>(text).map_err(|_| ParamsError::Malformed)?
                }
                Some(b'-' | b'0'..=b'9') | Some(b't' | b'f') => text.to_string(),
                _ => return Err(ParamsError::NotScalar(key)),
            };
            out.push((key, value));
        }
        Self::from_pairs(out)
    }

    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ParamsError> {
        let mut map = BTreeMap::new();
        for (key, value) in pairs {
            if key.contains('[') || key.contains(']') {
                return Err(ParamsError::NotScalar(key));
            }
            if map.contains_key(&key) {
                return Err(ParamsError::Duplicate(key));
            }
            map.insert(key, value);
        }
        Ok(Self(map))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every parameter, sorted by name (byte order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
            out.push((k, v));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_as_sent() {
        let p = Params::from_form(b"money=50.00&name=Steam+%E9%92%B1%E5%8C%85&param=").unwrap();
        assert_eq!(p.get("money"), Some("50.00"));
        assert_eq!(p.get("name"), Some("Steam 钱包"));
        assert_eq!(p.get("param"), Some(""));
    }

    #[test]
    fn repeated_and_array_keys_are_refused() {
        assert_eq!(
            Params::from_form(b"money=1&money=2"),
            Err(ParamsError::Duplicate("money".into()))
        );
        assert_eq!(
            Params::from_form(b"money[]=1"),
            Err(ParamsError::NotScalar("money[]".into()))
        );
        assert_eq!(
            Params::from_json(br#"{"money": "1", "money": "2"}"#),
            Err(ParamsError::Duplicate("money".into()))
        );
    }

    #[test]
    fn json_scalars_keep_their_text_and_the_rest_is_refused() {
        let p = Params::from_json(br#"{"money": 50.00, "ok": true, "name": "a\"b"}"#).unwrap();
        assert_eq!(p.get("money"), Some("50.00"));
        assert_eq!(p.get("ok"), Some("true"));
        assert_eq!(p.get("name"), Some("a\"b"));
        for bad in [
            r#"{"money": ["50.00"]}"#,
            r#"{"money": {"v": 1}}"#,
            r#"{"money": null}"#,
        ] {
            assert!(
                matches!(
                    Params::from_json(bad.as_bytes()),
                    Err(ParamsError::NotScalar(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(Params::from_json(b"[1]"), Err(ParamsError::Malformed));
        assert_eq!(Params::from_json(b"{} x"), Err(ParamsError::Malformed));
    }
}
