//! `--baseline FILE`: the findings of an earlier scan JSON report (e.g. of the base branch),
//! as (package id, rule) pairs. Read through typed wire structs: only what is needed, every
//! other field of the public document ignored, so reports of later deptrust versions with new
//! fields still read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The (package id, rule) pairs a baseline already has.
pub type Baseline = BTreeSet<(String, String)>;

/// Why a baseline report could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// It could not be read (missing, not a regular file, over the size limit).
    #[error("cannot read the --baseline report: {0}")]
    Read(#[source] crate::lockfile::ReadError),
    /// It is not UTF-8.
    #[error("--baseline `{}` is not UTF-8 text", .0.display())]
    NotUtf8(PathBuf),
    /// It is not a scan report of this schema version.
    #[error("--baseline `{path}` is not a deptrust scan JSON report with schema_version {expected}: {detail}", path = .path.display())]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// The schema version this deptrust writes.
        expected: u32,
        /// What did not match.
        detail: String,
    },
}

#[derive(Deserialize)]
struct WireReport {
    schema_version: u32,
    #[serde(default)]
    projects: Vec<WireProject>,
}

#[derive(Deserialize)]
struct WireProject {
    #[serde(default)]
    packages: Vec<WirePackage>,
}

#[derive(Deserialize)]
struct WirePackage {
    id: String,
    #[serde(default)]
    findings: Vec<WireFinding>,
}

#[derive(Deserialize)]
struct WireFinding {
    rule: String,
}

/// Reads a baseline report (a regular file of at most `max_file_bytes`).
pub fn read(path: &Path, max_file_bytes: u64) -> Result<Baseline, BaselineError> {
    let bytes =
        crate::lockfile::read_bounded(path, max_file_bytes, None).map_err(BaselineError::Read)?;
    let text = String::from_utf8(bytes).map_err(|_| BaselineError::NotUtf8(path.into()))?;
    parse(&text, path)
}

/// Parses a baseline report's text (`path` names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
    let expected = crate::scan::SCHEMA_VERSION;
    let not_a_report = |detail: String| BaselineError::NotAReport {
        path: path.into(),
        expected,
        detail,
    };
    let report: WireReport =
        serde_json::from_str(text).map_err(|error| not_a_report(error.to_string()))?;
    if report.schema_version != expected {
        return Err(not_a_report(format!(
            "it has schema_version {}",
            report.schema_version
        )));
    }
    Ok(report
        .projects
        .into_iter()
        .flat_map(|project| project.packages)
        .flat_map(|package| {
            let id = package.id;
            package
                .findings
                .into_iter()
                .map(move |finding| (id.clone(), finding.rule))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_every_project_and_later_fields_ignored() {
        let text = r#"{"schema_version": 1, "future": true, "projects": [
            {"lockfile": "a", "packages": [
                {"id": "npm:a@1.0.0", "findings": [{"rule": "too-new", "level": "warn"}, {"rule": "install-script"}]},
                {"id": "npm:b@1.0.0"}]},
            {"packages": [{"id": "pypi:c@2.0", "findings": [{"rule": "yanked"}]}]}]}"#;
        let baseline = parse(text, Path::new("base.json")).expect("baseline");
        let pairs: Vec<(&str, &str)> = baseline
            .iter()
            .map(|(id, rule)| (id.as_str(), rule.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("npm:a@1.0.0", "install-script"),
                ("npm:a@1.0.0", "too-new"),
                ("pypi:c@2.0", "yanked")
            ]
        );
    }

    #[test]
    fn other_documents_are_named_errors() {
        for (text, detail) in [
            ("{\"schema_version\": 2}", "it has schema_version 2"),
            ("[1, 2]", "invalid type"),
            ("{\"projects\": []}", "missing field `schema_version`"),
            (
                "{\"schema_version\": 1, \"projects\": [{\"packages\": [{\"findings\": []}]}]}",
                "missing field `id`",
            ),
        ] {
            let error = parse(text, Path::new("base.json"))
                .expect_err(text)
                .to_string();
            assert!(
                error.starts_with("--baseline `base.json` is not a deptrust scan JSON report with schema_version 1: "),
                "{error}"
            );
            assert!(error.contains(detail), "{error}");
        }
    }
}
