//! crates.io's documents as served, private to the client: a sparse-index line, the API's
//! crate document and its owners. Only the fields deptrust reads; everything else (download
//! counts among them) is dropped here, when the response is decoded.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct IndexLine {
    pub(super) name: String,
    pub(super) vers: String,
    /// Read leniently ([`declared`](super::decoding::declared)): a malformed `deps` costs the declared dependencies, not
    /// the release.
    #[serde(default)]
    pub(super) deps: Option<serde_json::Value>,
    #[serde(default)]
    pub(super) cksum: Option<String>,
    #[serde(default)]
    pub(super) yanked: Option<bool>,
    #[serde(default)]
    pub(super) pubtime: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct CrateWire {
    #[serde(default)]
    pub(super) repository: Option<String>,
    #[serde(default)]
    pub(super) trustpub_only: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub(super) struct VersionWire {
    pub(super) num: String,
    #[serde(default)]
    pub(super) created_at: Option<String>,
    #[serde(default)]
    pub(super) yanked: Option<bool>,
    #[serde(default)]
    pub(super) yank_message: Option<String>,
    #[serde(default)]
    pub(super) checksum: Option<String>,
    #[serde(default)]
    pub(super) published_by: Option<UserWire>,
    #[serde(default)]
    pub(super) trustpub_data: Option<TrustpubWire>,
}

#[derive(Debug, Deserialize)]
pub(super) struct UserWire {
    pub(super) id: u64,
    pub(super) login: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct TrustpubWire {
    pub(super) provider: String,
    #[serde(default)]
    pub(super) repository: Option<String>,
    #[serde(default)]
    pub(super) project_path: Option<String>,
    #[serde(default)]
    pub(super) run_id: Option<String>,
    #[serde(default)]
    pub(super) job_id: Option<String>,
    #[serde(default)]
    pub(super) sha: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct OwnerWire {
    pub(super) id: u64,
    pub(super) login: String,
    #[serde(default)]
    pub(super) kind: Option<String>,
}
