//! Which secret goes to which service: the token rule, a security boundary kept as one pure
//! function so it is tested without a process or an environment.
//!
//! - Credentials written in a base URL (`https://user:pass@mirror/`) are moved into a `Basic`
//!   token for that URL's host and removed from the URL, so they never reach a message, a log or
//!   the cache.
//! - `GITHUB_TOKEN` goes to the GitHub API, `DEPTRUST_NPM_TOKEN` to the npm registry, each as
//!   `Authorization: Bearer …`, only when that endpoint is the service's public default or was
//!   named by the operator (a flag or an environment variable), never when only a
//!   `deptrust.toml` names it: the file is part of the scanned project, which a pull request can
//!   change. Never over plain `http` except to a loopback address.
//! - A token refused for these reasons is a [`Refusal`] for `main` to warn about; its value is in
//!   no message.

use crate::config::RegistriesConfig;
use crate::net::{HostToken, redact_userinfo, scope_of, split_userinfo};
use crate::registry::{Endpoints, ServiceId};

/// A token from the environment that was not sent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The environment variable.
    pub variable: &'static str,
    /// The endpoint it would have gone to, without credentials.
    pub url: String,
    /// `not https` or `set only in deptrust.toml`.
    pub reason: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not sent to `{}` ({}); name it with a flag or environment variable to use a token there",
            self.variable, self.url, self.reason
        )
    }
}

/// The environment variables that hold tokens, and the service each is for.
const TOKEN_VARIABLES: [(&str, ServiceId); 2] = [
    ("GITHUB_TOKEN", ServiceId::GithubApi),
    ("DEPTRUST_NPM_TOKEN", ServiceId::Npm),
];

/// Moves credentials out of `endpoints` and decides where each token of the environment may
/// go. `operator` holds the base URLs named by flag or environment variable; `env` reads one
/// variable (main passes `std::env::var`).
pub fn scoped_tokens(
    endpoints: &mut Endpoints,
    operator: &RegistriesConfig,
    env: impl Fn(&str) -> Option<String>,
) -> (Vec<HostToken>, Vec<Refusal>) {
    let mut tokens = Vec::new();
    for id in ServiceId::ALL {
        let url = endpoints.get_mut(id);
        let (clean, token) = split_userinfo(url);
        *url = clean;
        tokens.extend(token);
    }
    let defaults = Endpoints::default();
    let mut refusals = Vec::new();
    for (variable, service) in TOKEN_VARIABLES {
        let (url, named, default) = (
            endpoints.get(service),
            operator.get(service),
            defaults.get(service),
        );
        let Some(value) = env(variable).filter(|value| !value.trim().is_empty()) else {
            continue;
        };
        let named_by_operator = named.is_some() || url.origin() == default.origin();
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if !named_by_operator || (url.scheme() != "https" && !loopback) {
            refusals.push(Refusal {
                variable,
                url: redact_userinfo(url),
                reason: if named_by_operator {
                    "not https"
                } else {
                    "set only in deptrust.toml"
                },
            });
            continue;
        }
        if let Some(scope) = scope_of(url) {
            tokens.push(HostToken {
                host: scope,
                header: "Authorization".into(),
                value: format!("Bearer {}", value.trim()),
            });
        }
    }
    (tokens, refusals)
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::config::Config;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    /// The endpoints a config file and the operator's overrides give, and where tokens go.
    fn run(
        file: Option<&str>,
        operator: RegistriesConfig,
        env: &[(&str, &str)],
    ) -> (Endpoints, Vec<HostToken>, Vec<Refusal>) {
        let config = match file {
            Some(text) => {
                Config::parse(text, std::path::Path::new("deptrust.toml")).expect("config")
            }
            None => Config::default(),
        };
        let mut endpoints = config.endpoints(&operator);
        let (tokens, refusals) = scoped_tokens(&mut endpoints, &operator, |name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        });
        (endpoints, tokens, refusals)
    }

    #[test]
    fn tokens_go_to_the_public_services() {
        let (_, tokens, refusals) = run(
            None,
            RegistriesConfig::default(),
            &[("GITHUB_TOKEN", " ghp_x "), ("DEPTRUST_NPM_TOKEN", "npm_y")],
        );
        assert!(refusals.is_empty(), "{refusals:?}");
        let sent: Vec<(&str, &str)> = tokens
            .iter()
            .map(|t| (t.host.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(
            sent,
            [
                ("api.github.com:443", "Bearer ghp_x"),
                ("registry.npmjs.org:443", "Bearer npm_y")
            ]
        );
    }

    #[test]
    fn a_url_only_the_project_file_names_gets_no_token() {
        let file = "version = 1\n[registries]\ngithub-api = \"https://evil.example/\"\nnpm = \"https://evil.example/npm/\"\n";
        let (_, tokens, refusals) = run(
            Some(file),
            RegistriesConfig::default(),
            &[("GITHUB_TOKEN", "ghp_x"), ("DEPTRUST_NPM_TOKEN", "npm_y")],
        );
        assert!(tokens.is_empty(), "{tokens:?}");
        assert_eq!(refusals.len(), 2);
        assert!(
            refusals
                .iter()
                .all(|r| r.reason == "set only in deptrust.toml")
        );
        let message = refusals[0].to_string();
        assert!(message.starts_with("GITHUB_TOKEN is not sent to `https://evil.example/`"));
        assert!(!message.contains("ghp_x"));
    }

    #[test]
    fn the_operator_may_name_a_mirror_but_not_over_plain_http() {
        let operator = RegistriesConfig {
            github_api: Some(url("https://ghe.example/api/v3/")),
            npm: Some(url("http://npm.internal/")),
            ..RegistriesConfig::default()
        };
        let (_, tokens, refusals) = run(
            None,
            operator,
            &[("GITHUB_TOKEN", "ghp_x"), ("DEPTRUST_NPM_TOKEN", "npm_y")],
        );
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].host, "ghe.example:443");
        assert_eq!(
            refusals,
            [Refusal {
                variable: "DEPTRUST_NPM_TOKEN",
                url: "http://npm.internal/".into(),
                reason: "not https",
            }]
        );
        // Loopback over http is fine (a local mirror, the tests' mock servers).
        let operator = RegistriesConfig {
            npm: Some(url("http://127.0.0.1:4873/")),
            ..RegistriesConfig::default()
        };
        let (_, tokens, refusals) = run(None, operator, &[("DEPTRUST_NPM_TOKEN", "npm_y")]);
        assert!(refusals.is_empty());
        assert_eq!(tokens[0].host, "127.0.0.1:4873");
    }

    #[test]
    fn credentials_in_urls_become_basic_tokens_for_that_host_only() {
        let operator = RegistriesConfig {
            pypi: Some(url("https://me:s%40cret@devpi.example/root/pypi/")),
            ..RegistriesConfig::default()
        };
        let (endpoints, tokens, refusals) = run(None, operator, &[("GITHUB_TOKEN", "")]);
        assert!(refusals.is_empty());
        assert_eq!(endpoints.pypi.as_str(), "https://devpi.example/root/pypi/");
        assert_eq!(tokens.len(), 1, "an empty GITHUB_TOKEN is no token");
        assert_eq!(tokens[0].host, "devpi.example:443");
        assert!(tokens[0].value.starts_with("Basic "));
        assert!(!format!("{:?}", tokens[0]).contains(&tokens[0].value));
    }
}
