//! What the clients share when turning responses into facts: endpoint URLs built from a base,
//! timestamps (strict RFC 3339 with [`timestamp`], or leniently without offset with
//! [`parse_time`]), JSON read section by section so one malformed section makes only its own
//! facts unknown, documents read only from a JSON object ([`decode_object`], [`Object`]), and
//! registry text cut down for a reason ([`excerpt`]). One copy each: a client that needs one
//! of these uses it from here.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::Value;
use url::Url;

use crate::model::facts::{Fact, Unknown};
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

/// An RFC 3339 time; leniently, a time without offset is taken as UTC.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    civil_utc(text)
}

/// A date and time without offset (`2020-10-09T05:53:58.693`, `2015-01-28 22:55:43`), as UTC.
pub(crate) fn civil_utc(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// Longest excerpt of registry text kept in a reason (decoding errors can quote it).
const MAX_EXCERPT: usize = 200;

/// Registry text for a reason: control characters escaped, at most [`MAX_EXCERPT`] characters.
pub(crate) fn excerpt(text: &str) -> String {
    let escaped: String = text
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    match escaped.char_indices().nth(MAX_EXCERPT) {
        Some((end, _)) => format!("{}…", &escaped[..end]),
        None => escaped,
    }
}

/// A decoding error, shortened: serde quotes the offending registry text.
pub(crate) fn detail(error: &dyn fmt::Display) -> String {
    excerpt(&error.to_string())
}

/// A JSON object decoded as `T`. Serde would also take an array for a struct (field by
/// position): only an object is a document here.
pub(crate) fn decode_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(match serde_json::from_slice::<Value>(body) {
            Ok(value) => format!("the body is {}, not an object", json_type(&value)),
            Err(error) => detail(&error),
        });
    }
    serde_json::from_slice(body).map_err(|error| detail(&error))
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
pub(crate) fn fact<T>(result: Result<T, Unknown>) -> Fact<T> {
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
        assert_eq!(
            fact::<u8>(Err(Unknown::malformed("why"))),
            Fact::Unknown(Unknown::malformed("why"))
        );
    }

    fn utc(text: &str) -> Option<Timestamp> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn times_parse_leniently() {
        assert_eq!(
            parse_time("2020-10-09T05:53:58.693Z"),
            utc("2020-10-09T05:53:58.693Z")
        );
        assert_eq!(
            parse_time("2020-10-09T07:53:58+02:00"),
            utc("2020-10-09T05:53:58Z")
        );
        assert_eq!(
            parse_time("2020-10-09T05:53:58.693"),
            utc("2020-10-09T05:53:58.693Z")
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn registry_text_in_reasons_is_short_and_inert() {
        let long = "x".repeat(1000);
        let short = excerpt(&long);
        assert_eq!(short.chars().count(), MAX_EXCERPT + 1);
        assert!(short.ends_with('…'));
        assert_eq!(excerpt("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
    }
}
