//! `deptrust.toml`: settings that belong to a project rather than to one run. Read from
//! `--config FILE` (or `DEPTRUST_CONFIG`), else `deptrust.toml` in the current directory when
//! it exists. Unknown keys are errors, so a typo never silently falls back to a default.
//!
//! The file holds the policy (`crate::policy`: `version`, `unknown`, `ecosystems`, `dev`,
//! `[rules.<id>]`, `[[exceptions]]`) and the service URLs:
//!
//! ```toml
//! version = 1                  # required
//!
//! [registries]                 # each also settable by flag and environment variable
//! npm = "https://npm.example.com/repository/npm/"      # --npm-registry, DEPTRUST_NPM_REGISTRY
//! pypi = "https://devpi.example.com/root/pypi/"        # --pypi-url, DEPTRUST_PYPI_URL
//! crates-index = "https://index.crates.io/"           # --crates-index, DEPTRUST_CRATES_INDEX
//! crates-api = "https://crates.io/"                   # --crates-api, DEPTRUST_CRATES_API
//! github-api = "https://api.github.com/"              # --github-api, DEPTRUST_GITHUB_API
//! ```
//!
//! Precedence: flag, then environment variable, then this file, then the public services.
//!
//! `exclude = ["fixtures", "**/testdata"]` (top level): glob patterns of directories and
//! lockfiles that directory searches leave out, relative to the searched directory (see
//! [`crate::lockfile::Exclude`]); `--exclude` adds to them.
//!
//! The file is read like a lockfile ([`crate::lockfile::read_bounded`]): a regular file of at
//! most [`MAX_CONFIG_BYTES`] (32 MiB); a `deptrust.toml` found in the scanned tree must resolve
//! inside it.
//!
//! The file is parsed once, keeping positions ([`toml::de::DeTable`]), and every problem of
//! both parts is reported together, each at its line and column (see
//! `crate::policy::PolicyErrors`).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use url::Url;

use crate::lockfile::{ReadError, read_bounded};
use crate::policy::{self, Policy, PolicyErrorKind, PolicyErrors, Problems};
use crate::registry::{Endpoints, ServiceId};
use crate::rules::{Catalog, catalog};

/// The parsed configuration file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Base URLs of the services.
    pub registries: RegistriesConfig,
    /// The policy (`crate::policy`).
    pub policy: Policy,
    /// `exclude`: glob patterns left out of directory searches, each checked to be a valid
    /// glob.
    pub exclude: Vec<String>,
    /// `[report]`: when `deptrust report` raises an alert.
    pub report: ReportConfig,
}

/// `[report]`: the thresholds at which `deptrust report` raises an alert (exit 1, and a line at
/// the top of the page), for a scheduled job that opens an issue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReportConfig {
    /// `alert-score`: alert when the headline score is at or above this (0–100).
    pub alert_score: Option<f64>,
    /// `alert-rise`: alert when the headline score rose by at least this since the previous
    /// month.
    pub alert_rise: Option<f64>,
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

impl RegistriesConfig {
    /// The base URL given for `service`, if any.
    pub fn get(&self, service: ServiceId) -> Option<&Url> {
        match service {
            ServiceId::Npm => self.npm.as_ref(),
            ServiceId::Pypi => self.pypi.as_ref(),
            ServiceId::CratesIndex => self.crates_index.as_ref(),
            ServiceId::CratesApi => self.crates_api.as_ref(),
            ServiceId::GithubApi => self.github_api.as_ref(),
        }
    }

    /// The base URL given for `service`, to set.
    pub fn get_mut(&mut self, service: ServiceId) -> &mut Option<Url> {
        match service {
            ServiceId::Npm => &mut self.npm,
            ServiceId::Pypi => &mut self.pypi,
            ServiceId::CratesIndex => &mut self.crates_index,
            ServiceId::CratesApi => &mut self.crates_api,
            ServiceId::GithubApi => &mut self.github_api,
        }
    }
}

/// The largest configuration file read: real ones are a few kilobytes; 100,000 exceptions take
/// about 11 MB.
pub const MAX_CONFIG_BYTES: u64 = 32 * 1024 * 1024;

/// The text of a config file, or where its first invalid UTF-8 byte is (`path` only names it).
fn utf8_text(bytes: Vec<u8>, path: &Path) -> Result<String, ConfigError> {
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        // The prefix is valid UTF-8 by definition of `valid_up_to`.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        ConfigError::NotUtf8 {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            byte: bytes[valid],
        }
    })
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
    /// It is not a regular file, resolves outside the scanned tree, or is over
    /// [`MAX_CONFIG_BYTES`].
    #[error("cannot use config: {0}")]
    Refused(ReadError),
    /// It is not UTF-8 text: the position of the first invalid byte (column in characters).
    #[error(
        "{path}:{line}:{column}: invalid UTF-8 (byte 0x{byte:02x}): the config must be UTF-8 text",
        path = .path.display()
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in characters) of the first invalid byte.
        column: usize,
        /// The first invalid byte.
        byte: u8,
    },
    /// It is not valid: every problem, one per line, each with its file, line and column.
    #[error("{errors}")]
    Invalid {
        /// The problems.
        errors: PolicyErrors,
    },
}

impl Config {
    /// Reads a configuration file named by the operator (symbolic links are followed).
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        Self::read_within(path, None)
    }

    /// Reads a configuration file that must resolve inside `root` (the scanned tree), when
    /// given.
    pub fn read_within(path: &Path, root: Option<&Path>) -> Result<Self, ConfigError> {
        let bytes = read_bounded(path, MAX_CONFIG_BYTES, root).map_err(|error| match error {
            ReadError::Io { path, source } => ConfigError::Io { path, source },
            other => ConfigError::Refused(other),
        })?;
        let text = utf8_text(bytes, path)?;
        Self::parse(&text, path)
    }

    /// Parses configuration text (`path` only names it in errors), reporting every problem of
    /// `[registries]` and of the policy at once.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        Self::parse_with(text, path, catalog()).map_err(|errors| ConfigError::Invalid { errors })
    }

    /// [`Config::parse`] against a given rule catalog.
    pub(crate) fn parse_with(
        text: &str,
        path: &Path,
        catalog: &Catalog,
    ) -> Result<Self, PolicyErrors> {
        let root = policy::parse_toml(text, path)?;
        let root = root.get_ref();
        let mut problems = Problems::new(path, text);
        if !policy::check_version(root, &mut problems) {
            // Only the version is reported: the rest follows a format this deptrust does not
            // know.
            return Err(problems.into_errors());
        }
        let mut registries = RegistriesConfig::default();
        let mut exclude = Vec::new();
        let mut report = ReportConfig::default();
        for (key, value) in root {
            let name = key.get_ref().as_ref();
            if name == "registries" {
                registries = read_registries(value, &mut problems);
            } else if name == "exclude" {
                exclude = read_exclude(value, &mut problems);
            } else if name == "report" {
                report = read_report(value, &mut problems);
            } else if !policy::POLICY_KEYS.contains(&name) {
                let expected = policy::POLICY_KEYS
                    .iter()
                    .chain(["registries", "exclude", "report"].iter())
                    .map(|key| key.to_string())
                    .collect();
                problems.push(
                    key.span(),
                    PolicyErrorKind::UnknownKey {
                        key: name.to_string(),
                        table: policy::TOP_LEVEL.to_string(),
                        expected,
                    },
                );
            }
        }
        let policy = Policy::from_document(root, catalog, &mut problems);
        problems.finish()?;
        Ok(Config {
            registries,
            policy,
            exclude,
            report,
        })
    }

    /// The endpoints: these overrides, else the file's, else the public services.
    pub fn endpoints(&self, overrides: &RegistriesConfig) -> Endpoints {
        let mut endpoints = Endpoints::default();
        for id in ServiceId::ALL {
            let named = overrides.get(id).or_else(|| self.registries.get(id));
            let url = endpoints.get_mut(id);
            *url = with_trailing_slash(named.cloned().unwrap_or_else(|| url.clone()));
        }
        endpoints
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

/// `[registries]`.
fn read_registries(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> RegistriesConfig {
    const TABLE: &str = "[registries]";
    let mut registries = RegistriesConfig::default();
    let Some(table) = value.get_ref().as_table() else {
        problems.wrong_type("registries", policy::TOP_LEVEL, value, "a table of URLs");
        return registries;
    };
    let keys: Vec<&str> = ServiceId::ALL.iter().map(|id| id.key()).collect();
    problems.unknown_keys(table, TABLE, &keys);
    for id in ServiceId::ALL {
        *registries.get_mut(id) = read_url(table, id.key(), problems);
    }
    registries
}

/// `[report]`: `alert-score` (0–100) and `alert-rise` (≥ 0), numbers.
fn read_report(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> ReportConfig {
    const TABLE: &str = "[report]";
    let mut report = ReportConfig::default();
    let Some(table) = value.get_ref().as_table() else {
        problems.wrong_type("report", policy::TOP_LEVEL, value, "a table");
        return report;
    };
    problems.unknown_keys(table, TABLE, &["alert-score", "alert-rise"]);
    let mut number = |key: &str, range: std::ops::RangeInclusive<f64>, expected: &str| {
        let value = table.get(key)?;
        let number = match value.get_ref() {
            DeValue::Integer(integer) => integer.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Float(float) => float.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(number) if number.is_finite() && range.contains(&number) => Some(number),
            Some(_) => {
                problems.invalid(key, TABLE, value, expected);
                None
            }
            None => {
                problems.wrong_type(key, TABLE, value, expected);
                None
            }
        }
    };
    report.alert_score = number("alert-score", 0.0..=100.0, "a score from 0 to 100");
    report.alert_rise = number(
        "alert-rise",
        0.0..=100.0,
        "a number of points from 0 to 100",
    );
    report
}

/// `exclude = [...]`: the valid glob patterns (each invalid one is a problem at its position).
fn read_exclude(value: &Spanned<DeValue<'_>>, problems: &mut Problems<'_>) -> Vec<String> {
    const EXPECTED: &str = "an array of glob patterns (strings)";
    let Some(items) = value.get_ref().as_array() else {
        problems.wrong_type("exclude", policy::TOP_LEVEL, value, EXPECTED);
        return Vec::new();
    };
    let mut patterns = Vec::new();
    for item in items.iter() {
        let Some(text) = problems.string("exclude", policy::TOP_LEVEL, item, "a glob pattern")
        else {
            continue;
        };
        match crate::lockfile::Exclude::new(&[text]) {
            Ok(_) => patterns.push(text.to_string()),
            Err(error) => problems.invalid(
                "exclude",
                policy::TOP_LEVEL,
                item,
                &format!("a valid glob pattern ({})", error.message),
            ),
        }
    }
    patterns
}

/// The absolute URL at `key` of `[registries]`, if present and valid.
fn read_url(table: &DeTable<'_>, key: &str, problems: &mut Problems<'_>) -> Option<Url> {
    const TABLE: &str = "[registries]";
    let value = table.get(key)?;
    let text = problems.string(key, TABLE, value, "a URL string")?;
    match Url::parse(text) {
        Ok(url) => Some(url),
        Err(error) => {
            problems.invalid(key, TABLE, value, &format!("an absolute URL ({error})"));
            None
        }
    }
}

/// The commented `deptrust.toml` that `deptrust init` writes: the policy with every option and
/// rule (`crate::policy`), with this file's own sections (`[registries]`, `[report]`). As
/// written it parses to the defaults.
pub fn template() -> String {
    crate::policy::template_for(catalog(), &settings_template())
}

/// The sections of the template that belong to this module.
pub(crate) fn settings_template() -> String {
    [registries_template(), String::new(), report_template()].join("\n")
}

/// The commented `[report]` section of [`template`].
pub(crate) fn report_template() -> String {
    [
        "# `deptrust report` (the monthly view) raises an alert, exit status 1 and a line at the",
        "# top of the page, when the headline exposure score is at or above alert-score, or rose",
        "# by at least alert-rise points since the previous month. No alert when unset.",
        "# [report]",
        "# alert-score = 50",
        "# alert-rise = 10",
    ]
    .join("\n")
}

/// The commented `[registries]` section of [`template`], with the public services
/// as defaults.
pub(crate) fn registries_template() -> String {
    let defaults = Endpoints::default();
    let mut lines = vec![
        "# Base URLs of the services; a flag or an environment variable takes precedence."
            .to_string(),
        "# [registries]".to_string(),
    ];
    for id in ServiceId::ALL {
        lines.push(format!(
            "# {} = \"{}\"  # {}, {}",
            id.key(),
            defaults.get(id),
            id.flag(),
            id.variable()
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_read_from_its_key_and_listed_in_the_template() {
        let mut text = String::from("version = 1\n[registries]\n");
        for (n, id) in ServiceId::ALL.iter().enumerate() {
            text.push_str(&format!("{} = \"https://mirror.example/{n}\"\n", id.key()));
        }
        let config = Config::parse(&text, Path::new("deptrust.toml")).unwrap();
        let endpoints = config.endpoints(&RegistriesConfig::default());
        let template = registries_template();
        for (n, id) in ServiceId::ALL.iter().enumerate() {
            let url = format!("https://mirror.example/{n}/");
            assert_eq!(endpoints.get(*id).as_str(), url, "{}", id.key());
            let line = format!(
                "# {} = \"{}\"  # {}, {}",
                id.key(),
                id.default_url(),
                id.flag(),
                id.variable()
            );
            assert!(template.contains(&line), "{line}\n{template}");
        }
        // A flag or variable beats the file.
        let mut operator = RegistriesConfig::default();
        *operator.get_mut(ServiceId::CratesApi) =
            Some(Url::parse("https://op.example/api").unwrap());
        let endpoints = config.endpoints(&operator);
        assert_eq!(endpoints.crates_api.as_str(), "https://op.example/api/");
    }

    #[test]
    fn invalid_utf8_names_file_line_and_column_of_the_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deptrust.toml");
        std::fs::write(&path, b"version = 1\n# \xc3\xa9t\xc3\xa9 \xff\xfe\n").unwrap();
        let message = Config::read(&path).unwrap_err().to_string();
        assert_eq!(
            message,
            format!(
                "{}:2:7: invalid UTF-8 (byte 0xff): the config must be UTF-8 text",
                path.display()
            )
        );
        // A truncated sequence at the very end, on line 1.
        std::fs::write(&path, b"version = 1 \xe2\x82").unwrap();
        let message = Config::read(&path).unwrap_err().to_string();
        assert!(
            message.ends_with(":1:13: invalid UTF-8 (byte 0xe2): the config must be UTF-8 text"),
            "{message}"
        );
    }

    #[test]
    fn exclude_patterns_are_read_and_checked() {
        let config = Config::parse(
            "version = 1\nexclude = [\"fixtures\", \"**/testdata\"]\n",
            Path::new("deptrust.toml"),
        )
        .expect("valid");
        assert_eq!(config.exclude, ["fixtures", "**/testdata"]);
        let error = Config::parse(
            "version = 1\nexclude = [\"ok\", \"a/[b\", 3]\n",
            Path::new("deptrust.toml"),
        )
        .expect_err("invalid")
        .to_string();
        let lines: Vec<&str> = error.lines().collect();
        assert_eq!(lines.len(), 2, "{error}");
        assert!(lines[0].starts_with("deptrust.toml:2:18:"), "{error}");
        assert!(lines[0].contains("a valid glob pattern"), "{error}");
        assert!(lines[1].starts_with("deptrust.toml:2:26:"), "{error}");
        let error = Config::parse("version = 1\nexclude = \"fixtures\"\n", Path::new("d.toml"))
            .expect_err("not an array")
            .to_string();
        assert!(error.contains("an array of glob patterns"), "{error}");
    }

    #[test]
    fn precedence_flag_then_file_then_default() {
        let config = Config::parse(
            "version = 1\n[registries]\nnpm = \"https://file.example/npm\"\npypi = \"https://file.example/pypi/\"\n",
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
        let error = Config::parse(
            "version = 1\n[registries]\nnmp = \"https://x/\"\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "d.toml:3:1: unknown key `nmp` in [registries] (expected one of: npm, "
            ),
            "{error}"
        );
        let error = Config::parse(
            "version = 1\n[registries]\nnpm = \"not a url\"\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "d.toml:3:7: invalid value for `npm` in [registries]: `\"not a url\"` \
             (expected an absolute URL (relative URL without a base))"
        );
    }

    #[test]
    fn registry_and_policy_errors_are_reported_together() {
        let error = Config::parse(
            "version = 1\ndev = 1\n[registries]\npypi = 3\n",
            Path::new("d.toml"),
        )
        .unwrap_err();
        let ConfigError::Invalid { errors } = error else {
            panic!("{error}");
        };
        let lines: Vec<usize> = errors.errors.iter().map(|error| error.line).collect();
        assert_eq!(lines, [2, 4], "{errors}");
    }
}
