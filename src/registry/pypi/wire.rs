//! PyPI's documents as served, private to the client: the JSON API's project document
//! (files, `info`, `ownership`, `project-status`), the Simple API's files (PEP 691/700/792)
//! and the Integrity API's provenance (PEP 740). Only the fields deptrust reads; everything else
//! (download counts among them) is dropped here, when the response is decoded.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::registry::decode::Object;

#[derive(Debug, Deserialize)]
pub(super) struct JsonFile {
    pub(super) filename: String,
    #[serde(default)]
    pub(super) upload_time_iso_8601: Option<String>,
    #[serde(default)]
    pub(super) yanked: Option<bool>,
    #[serde(default)]
    pub(super) yanked_reason: Option<String>,
    #[serde(default)]
    pub(super) digests: Option<Object<Digests>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Digests {
    #[serde(default)]
    pub(super) sha256: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Info {
    #[serde(default)]
    pub(super) project_urls: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    pub(super) home_page: Option<String>,
    #[serde(default)]
    pub(super) download_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Ownership {
    #[serde(default)]
    pub(super) roles: Option<Vec<Object<Role>>>,
    #[serde(default)]
    pub(super) organization: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Role {
    #[serde(default)]
    pub(super) role: Option<String>,
    pub(super) user: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct SimpleFile {
    pub(super) filename: String,
    #[serde(default, rename = "upload-time")]
    pub(super) upload_time: Option<String>,
    #[serde(default)]
    pub(super) yanked: Option<Yanked>,
    #[serde(default)]
    pub(super) provenance: Option<String>,
    #[serde(default)]
    pub(super) hashes: Option<Object<Digests>>,
}

/// PEP 592/691: `false | true | "reason"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Yanked {
    Flag(bool),
    Reason(String),
}

#[derive(Debug, Deserialize)]
pub(super) struct ProjectStatus {
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ProvenanceWire {
    pub(super) attestation_bundles: Vec<BundleWire>,
}

#[derive(Debug, Deserialize)]
pub(super) struct BundleWire {
    #[serde(default)]
    pub(super) publisher: Option<PublisherWire>,
}

#[derive(Debug, Deserialize)]
pub(super) struct PublisherWire {
    pub(super) kind: String,
    #[serde(default)]
    pub(super) repository: Option<String>,
    #[serde(default)]
    pub(super) workflow: Option<String>,
    #[serde(default)]
    pub(super) workflow_filepath: Option<String>,
    #[serde(default)]
    pub(super) email: Option<String>,
}
