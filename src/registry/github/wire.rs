//! GitHub's repository document as served (`GET /repos/{owner}/{repo}`), private to the client.
//! The facts a signal needs are required; a document without them is not a repository
//! document. Everything else (stars, forks, watchers…) is skipped unread.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct RepositoryWire {
    pub(super) id: u64,
    pub(super) full_name: String,
    #[serde(default, deserialize_with = "lenient")]
    pub(super) owner: Option<OwnerWire>,
    pub(super) archived: bool,
    pub(super) disabled: bool,
    #[serde(default, deserialize_with = "lenient")]
    pub(super) pushed_at: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(super) default_branch: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct OwnerWire {
    pub(super) login: String,
}

/// An optional field of the wrong type reads as absent.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}
