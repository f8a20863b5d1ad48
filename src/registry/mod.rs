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

use std::time::Duration;

use url::Url;

/// A service deptrust asks. Everything the rest of the program needs to know about one is here,
/// in exhaustive matches: its `[registries]` key, flag, environment variable, public default,
/// name in reports and pace. A service added here is a compile error at each place that must
/// handle it (the [`Endpoints`] and [`crate::config::RegistriesConfig`] accessors, the command
/// line of `main`), and tests check the flag, variable and key against the CLI and the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceId {
    /// The npm registry.
    Npm,
    /// PyPI: JSON, Simple and Integrity APIs.
    Pypi,
    /// The crates.io sparse index.
    CratesIndex,
    /// The crates.io API.
    CratesApi,
    /// The GitHub REST API.
    GithubApi,
}

impl ServiceId {
    /// Every service, in the order the reports and the config template list them.
    pub const ALL: [ServiceId; 5] = [
        ServiceId::Npm,
        ServiceId::Pypi,
        ServiceId::CratesIndex,
        ServiceId::CratesApi,
        ServiceId::GithubApi,
    ];

    /// Its key in `[registries]` of `deptrust.toml`.
    pub fn key(self) -> &'static str {
        match self {
            ServiceId::Npm => "npm",
            ServiceId::Pypi => "pypi",
            ServiceId::CratesIndex => "crates-index",
            ServiceId::CratesApi => "crates-api",
            ServiceId::GithubApi => "github-api",
        }
    }

    /// The command-line flag that names its base URL.
    pub fn flag(self) -> &'static str {
        match self {
            ServiceId::Npm => "--npm-registry",
            ServiceId::Pypi => "--pypi-url",
            ServiceId::CratesIndex => "--crates-index",
            ServiceId::CratesApi => "--crates-api",
            ServiceId::GithubApi => "--github-api",
        }
    }

    /// The environment variable that names its base URL.
    pub fn variable(self) -> &'static str {
        match self {
            ServiceId::Npm => "DEPTRUST_NPM_REGISTRY",
            ServiceId::Pypi => "DEPTRUST_PYPI_URL",
            ServiceId::CratesIndex => "DEPTRUST_CRATES_INDEX",
            ServiceId::CratesApi => "DEPTRUST_CRATES_API",
            ServiceId::GithubApi => "DEPTRUST_GITHUB_API",
        }
    }

    /// Its name in reports and progress lines.
    pub fn label(self) -> &'static str {
        match self {
            ServiceId::Npm => "npm registry",
            ServiceId::Pypi => "PyPI",
            ServiceId::CratesIndex => "crates.io index",
            ServiceId::CratesApi => "crates.io API",
            ServiceId::GithubApi => "GitHub API",
        }
    }

    /// The public service's base URL.
    pub fn default_url(self) -> &'static str {
        match self {
            ServiceId::Npm => "https://registry.npmjs.org/",
            ServiceId::Pypi => "https://pypi.org/",
            ServiceId::CratesIndex => "https://index.crates.io/",
            ServiceId::CratesApi => "https://crates.io/",
            ServiceId::GithubApi => "https://api.github.com/",
        }
    }

    /// The least time between two requests to it, when its policy sets one (the crates.io
    /// API: one request per second, kept with a margin: [`crate::net::CRATES_API_INTERVAL`]).
    pub fn pace(self) -> Option<Duration> {
        match self {
            ServiceId::CratesApi => Some(crate::net::CRATES_API_INTERVAL),
            ServiceId::Npm | ServiceId::Pypi | ServiceId::CratesIndex | ServiceId::GithubApi => {
                None
            }
        }
    }
}

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
    /// The base URL of `service`.
    pub fn get(&self, service: ServiceId) -> &Url {
        match service {
            ServiceId::Npm => &self.npm,
            ServiceId::Pypi => &self.pypi,
            ServiceId::CratesIndex => &self.crates_index,
            ServiceId::CratesApi => &self.crates_api,
            ServiceId::GithubApi => &self.github_api,
        }
    }

    /// The base URL of `service`, to change.
    pub fn get_mut(&mut self, service: ServiceId) -> &mut Url {
        match service {
            ServiceId::Npm => &mut self.npm,
            ServiceId::Pypi => &mut self.pypi,
            ServiceId::CratesIndex => &mut self.crates_index,
            ServiceId::CratesApi => &mut self.crates_api,
            ServiceId::GithubApi => &mut self.github_api,
        }
    }

    /// Each base URL as a network service ([`crate::net::Service`]) with its own pace
    /// ([`ServiceId::pace`]), deadline and give-up state, even when one mirror serves several
    /// of them by path prefix.
    pub fn services(&self, deadline: Option<Duration>) -> Vec<crate::net::Service> {
        ServiceId::ALL
            .iter()
            .map(|&id| crate::net::Service {
                min_interval: id.pace(),
                deadline,
                ..crate::net::Service::new(id.label(), self.get(id).clone())
            })
            .collect()
    }
}

impl Default for Endpoints {
    fn default() -> Self {
        let parse = |id: ServiceId| {
            Url::parse(id.default_url()).unwrap_or_else(|_| unreachable!("constant URL"))
        };
        Endpoints {
            npm: parse(ServiceId::Npm),
            pypi: parse(ServiceId::Pypi),
            crates_index: parse(ServiceId::CratesIndex),
            crates_api: parse(ServiceId::CratesApi),
            github_api: parse(ServiceId::GithubApi),
        }
    }
}
