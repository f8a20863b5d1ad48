//! The npm registry's documents as served (packument, signing keys), private to the client.
//! Unknown fields (readme, downloads, stars…) are skipped; each field is decoded on its own
//! ([`Field`]) so one malformed field makes only the facts drawn from it unknown.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::Value;

use crate::registry::decode::{Object, detail, json_type};

/// A field decoded on its own: absent (or `null`), decoded, or present with the wrong shape.
#[derive(Debug, Default)]
pub(super) enum Field<T> {
    #[default]
    Absent,
    Valid(T),
    Invalid(String),
}

impl<T> Field<T> {
    pub(super) fn valid(&self) -> Option<&T> {
        match self {
            Field::Valid(value) => Some(value),
            Field::Absent | Field::Invalid(_) => None,
        }
    }
}

impl<'de, T: DeserializeOwned + Shape> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Absent);
        }
        // Serde reads a struct from a list too (field by position): `[]` would be a version
        // document with nothing in it, "no install scripts, not deprecated".
        if T::OBJECT && !value.is_object() {
            return Ok(Field::Invalid(format!(
                "found {} where an object is expected",
                json_type(&value)
            )));
        }
        Ok(match serde_json::from_value(value) {
            Ok(decoded) => Field::Valid(decoded),
            Err(error) => Field::Invalid(detail(&error)),
        })
    }
}

/// The JSON shape a wire type is read from: the wire structs only from an object.
pub(super) trait Shape {
    /// Only a JSON object is this type.
    const OBJECT: bool = false;
}

impl Shape for String {}
impl Shape for Value {}
impl<T> Shape for Vec<T> {}
impl<K, V> Shape for BTreeMap<K, V> {}
impl Shape for VersionWire {
    const OBJECT: bool = true;
}
impl Shape for NpmUserWire {
    const OBJECT: bool = true;
}
impl Shape for TrustedPublisherWire {
    const OBJECT: bool = true;
}
impl Shape for DistWire {
    const OBJECT: bool = true;
}
impl Shape for SignatureWire {
    const OBJECT: bool = true;
}
impl Shape for AttestationsWire {
    const OBJECT: bool = true;
}
impl Shape for AttestationProvenanceWire {
    const OBJECT: bool = true;
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PackumentWire {
    pub(super) name: Field<String>,
    pub(super) versions: Field<BTreeMap<String, Field<VersionWire>>>,
    pub(super) time: Field<BTreeMap<String, Value>>,
    pub(super) maintainers: Field<Vec<Value>>,
    pub(super) repository: Field<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct VersionWire {
    #[serde(rename = "_npmUser")]
    pub(super) npm_user: Field<NpmUserWire>,
    pub(super) dist: Field<DistWire>,
    pub(super) deprecated: Field<Value>,
    pub(super) scripts: Field<BTreeMap<String, Value>>,
    pub(super) repository: Field<Value>,
    pub(super) maintainers: Field<Vec<Value>>,
    pub(super) dependencies: Field<BTreeMap<String, Value>>,
    #[serde(rename = "optionalDependencies")]
    pub(super) optional_dependencies: Field<BTreeMap<String, Value>>,
    #[serde(rename = "peerDependencies")]
    pub(super) peer_dependencies: Field<BTreeMap<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NpmUserWire {
    pub(super) name: Field<String>,
    #[serde(rename = "trustedPublisher")]
    pub(super) trusted_publisher: Field<TrustedPublisherWire>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TrustedPublisherWire {
    pub(super) id: Field<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DistWire {
    pub(super) integrity: Field<String>,
    pub(super) signatures: Field<Vec<Field<SignatureWire>>>,
    pub(super) attestations: Field<AttestationsWire>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SignatureWire {
    pub(super) keyid: String,
    pub(super) sig: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AttestationsWire {
    pub(super) url: Field<String>,
    pub(super) provenance: Field<AttestationProvenanceWire>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AttestationProvenanceWire {
    #[serde(rename = "predicateType")]
    pub(super) predicate_type: Field<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct KeysWire {
    pub(super) keys: Vec<Object<KeyWire>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct KeyWire {
    pub(super) keyid: String,
    pub(super) keytype: String,
    pub(super) scheme: String,
    pub(super) key: String,
    #[serde(default)]
    pub(super) expires: Option<String>,
}
