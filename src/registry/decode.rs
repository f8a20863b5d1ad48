//! What the clients share when turning responses into facts: endpoint URLs built from a base,
//! lenient timestamps, and JSON read section by section so one malformed section makes only
//! its own facts unknown.

use std::str::FromStr;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value;
use url::Url;

use crate::model::facts::Fact;
pub(crate) use crate::verify::json_type;

/// `base` + path segments (each percent-encoded as one segment), without query or fragment.
pub(crate) fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, String> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| format!("`{base}` cannot be a base URL"))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// A timestamp the registry wrote, if it parses (RFC 3339 with `Z` or an offset).
pub(crate) fn timestamp(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|text| Timestamp::from_str(text.trim()).ok())
}

/// One section of a JSON document: `Ok(None)` when absent or null, an error naming the URL and
/// the key when it has an unexpected shape.
pub(crate) fn section<T: DeserializeOwned>(
    document: &Value,
    key: &str,
    url: &Url,
) -> Result<Option<T>, String> {
    match document.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::deserialize(value)
            .map(Some)
            .map_err(|error| format!("`{url}`: `{key}` has an unexpected shape: {error}")),
    }
}

/// A wire struct read only from a JSON object. Serde reads a struct from a list too (field by
/// position), so `["mallory", "Owner"]` would be a role and `["x.tar.gz", …]` a file: a
/// registry fault taken for data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if !value.is_object() {
            return Err(D::Error::custom(format!(
                "found {} where an object is expected",
                json_type(&value)
            )));
        }
        T::deserialize(value).map(Object).map_err(D::Error::custom)
    }
}

/// The body served at `label` as a JSON object, or why it is not one (naming `label`).
pub(crate) fn json_object(label: &str, body: &[u8]) -> Result<Value, String> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|error| format!("`{label}` did not answer valid JSON: {error}"))?;
    if !document.is_object() {
        return Err(format!("`{label}` did not answer a JSON object"));
    }
    Ok(document)
}

/// A result as a fact: the error is the reason it is unknown.
pub(crate) fn fact<T>(result: Result<T, String>) -> Fact<T> {
    match result {
        Ok(value) => Fact::Known(value),
        Err(reason) => Fact::Unknown(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_escape_each_segment() {
        let base = Url::parse("https://mirror.example/pypi/?x=1#y").unwrap();
        let url = endpoint(&base, &["simple", "a/b", "c d"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://mirror.example/pypi/simple/a%2Fb/c%20d"
        );
    }

    #[test]
    fn sections_and_timestamps() {
        let document: Value = serde_json::json!({"a": [1, 2], "b": "x", "c": null});
        let url = Url::parse("https://r.example/doc").unwrap();
        assert_eq!(
            section::<Vec<u8>>(&document, "a", &url),
            Ok(Some(vec![1, 2]))
        );
        assert_eq!(section::<Vec<u8>>(&document, "c", &url), Ok(None));
        assert_eq!(section::<Vec<u8>>(&document, "missing", &url), Ok(None));
        let error = section::<Vec<u8>>(&document, "b", &url).unwrap_err();
        assert!(error.contains("`b` has an unexpected shape"), "{error}");
        assert!(timestamp(Some(" 2024-04-30T23:16:40Z ")).is_some());
        assert!(timestamp(Some("2015-01-28T22:55:43.062952+00:00")).is_some());
        assert!(timestamp(Some("yesterday")).is_none());
        assert_eq!(fact::<u8>(Err("why".into())), Fact::Unknown("why".into()));
    }
}
