//! `deptrust.toml`: settings that belong to a project rather than to one run. Read from
//! `--config FILE` (or `DEPTRUST_CONFIG`), else `deptrust.toml` in the current directory when
//! it exists. Unknown keys are errors, so a typo never silently falls back to a default.
//!
//! ```toml
//! [registries]                 # each also settable by flag and environment variable
//! npm = "https://npm.example.com/repository/npm/"      # --npm-registry, DEPTRUST_NPM_REGISTRY
//! pypi = "https://devpi.example.com/root/pypi/"        # --pypi-url, DEPTRUST_PYPI_URL
//! crates-index = "https://index.crates.io/"           # --crates-index, DEPTRUST_CRATES_INDEX
//! crates-api = "https://crates.io/"                   # --crates-api, DEPTRUST_CRATES_API
//! github-api = "https://api.github.com/"              # --github-api, DEPTRUST_GITHUB_API
//! ```
//!
//! Precedence: flag, then environment variable, then this file, then the public services.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::registry::Endpoints;

/// The parsed configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Base URLs of the services.
    #[serde(default)]
    pub registries: RegistriesConfig,
}

/// `[registries]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistriesConfig {
    /// npm registry.
    pub npm: Option<Url>,
    /// PyPI.
    pub pypi: Option<Url>,
    /// crates.io sparse index.
    pub crates_index: Option<Url>,
    /// crates.io API.
    pub crates_api: Option<Url>,
    /// GitHub API.
    pub github_api: Option<Url>,
}

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// It could not be read.
    #[error("failed to read config `{path}`: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// It is not valid.
    #[error("invalid config `{path}`{at}: {message}", path = .path.display(), at = .line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads a configuration file.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses configuration text (`path` only names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|error: toml::de::Error| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: error
                .span()
                .map(|span| crate::lockfile::line_of(text, span.start)),
            message: error.message().trim_end().to_string(),
        })
    }

    /// The endpoints: these overrides, else the file's, else the public services.
    pub fn endpoints(&self, overrides: &RegistriesConfig) -> Endpoints {
        let defaults = Endpoints::default();
        let pick = |flag: &Option<Url>, file: &Option<Url>, default: Url| {
            with_trailing_slash(flag.clone().or_else(|| file.clone()).unwrap_or(default))
        };
        let file = &self.registries;
        Endpoints {
            npm: pick(&overrides.npm, &file.npm, defaults.npm),
            pypi: pick(&overrides.pypi, &file.pypi, defaults.pypi),
            crates_index: pick(
                &overrides.crates_index,
                &file.crates_index,
                defaults.crates_index,
            ),
            crates_api: pick(&overrides.crates_api, &file.crates_api, defaults.crates_api),
            github_api: pick(&overrides.github_api, &file.github_api, defaults.github_api),
        }
    }
}

/// Base URLs are joined with relative paths: `https://host/npm` must act as `https://host/npm/`.
fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_flag_then_file_then_default() {
        let config = Config::parse(
            "[registries]\nnpm = \"https://file.example/npm\"\npypi = \"https://file.example/pypi/\"\n",
            Path::new("deptrust.toml"),
        )
        .unwrap();
        let overrides = RegistriesConfig {
            npm: Some(Url::parse("http://127.0.0.1:9/flag").unwrap()),
            ..RegistriesConfig::default()
        };
        let endpoints = config.endpoints(&overrides);
        assert_eq!(endpoints.npm.as_str(), "http://127.0.0.1:9/flag/");
        assert_eq!(endpoints.pypi.as_str(), "https://file.example/pypi/");
        assert_eq!(endpoints.github_api.as_str(), "https://api.github.com/");
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_errors_with_lines() {
        let error = Config::parse("[registries]\nnmp = \"https://x/\"\n", Path::new("d.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("d.toml") && error.contains("line 2") && error.contains("nmp"),
            "{error}"
        );
        let error = Config::parse("[registries]\nnpm = \"not a url\"\n", Path::new("d.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 2"), "{error}");
    }
}
