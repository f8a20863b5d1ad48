//! Registry and source-host clients: raw facts, no judgement. One folder per service: `mod.rs`
//! the client and its requests, `wire.rs` the responses as served (private), `decoding.rs`
//! where turning them into facts is a concern of its own (PyPI, crates.io), `tests.rs`. Each
//! turns the responses of one service into [`facts`](crate::model::facts) values, and a failed
//! request into an *unknown* fact with the reason. Helpers they share (URLs, times, JSON
//! sections, documents read only from an object, error excerpts) are in `decode.rs`, once.

pub mod crates_io;
mod decode;
pub mod gather;
pub mod github;
pub mod npm;
pub mod pypi;
pub mod snapshot;
#[cfg(test)]
mod test_support;
pub mod verification;

use url::Url;

/// The base URL of every service deptrust asks. Each can be overridden by flag, environment
/// variable or config file (private registries, mirrors, and loopback mocks in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// npm registry (`--npm-registry`, `DEPTRUST_NPM_REGISTRY`).
    pub npm: Url,
    /// PyPI (`--pypi-url`, `DEPTRUST_PYPI_URL`): JSON API, Simple API, Integrity API.
    pub pypi: Url,
    /// crates.io sparse index (`--crates-index`, `DEPTRUST_CRATES_INDEX`).
    pub crates_index: Url,
    /// crates.io API (`--crates-api`, `DEPTRUST_CRATES_API`).
    pub crates_api: Url,
    /// GitHub REST API (`--github-api`, `DEPTRUST_GITHUB_API`).
    pub github_api: Url,
}

impl Endpoints {
    /// Each base URL as a network service ([`crate::net::Service`]) with its own pace (the
    /// crates.io API: one request per second, its data-access policy, kept with a margin:
    /// [`crate::net::CRATES_API_INTERVAL`]), deadline and give-up
    /// state, even when one mirror serves several of them by path prefix.
    pub fn services(&self, deadline: Option<std::time::Duration>) -> Vec<crate::net::Service> {
        let service =
            |name: &str, base: &Url, pace: Option<std::time::Duration>| crate::net::Service {
                min_interval: pace,
                deadline,
                ..crate::net::Service::new(name, base.clone())
            };
        vec![
            service("npm registry", &self.npm, None),
            service("PyPI", &self.pypi, None),
            service("crates.io index", &self.crates_index, None),
            service(
                "crates.io API",
                &self.crates_api,
                Some(crate::net::CRATES_API_INTERVAL),
            ),
            service("GitHub API", &self.github_api, None),
        ]
    }
}

impl Default for Endpoints {
    fn default() -> Self {
        let parse = |text: &str| Url::parse(text).unwrap_or_else(|_| unreachable!("constant URL"));
        Endpoints {
            npm: parse("https://registry.npmjs.org/"),
            pypi: parse("https://pypi.org/"),
            crates_index: parse("https://index.crates.io/"),
            crates_api: parse("https://crates.io/"),
            github_api: parse("https://api.github.com/"),
        }
    }
}
