//! `deptrust report`: reads scan JSON reports and history files (given one by one, or folders
//! of them, as a scheduled job downloads each repository's CI artifacts) and builds the monthly
//! view ([`crate::monthly`]). Nothing here prints.
//!
//! Naming: `NAME=PATH` names the repository; otherwise a file's stem names it, unless the stem
//! is a generic one (`deptrust`, `report`, `history`, `exposure`, `scan`, …), in which case its
//! folder's name does (`reports/api/deptrust.json` → `api`), also with a date or run number
//! after it (`reports/api/deptrust-2026-11.json` → `api`). With one repository among the
//! reports, history files attach to it whatever their names. A `.json` file in a folder is a
//! history when it has `schema_version` and `runs`, a scan report when it has `now`,
//! `exposure_score`, `gate` and `projects`; other JSON files there (the facts snapshot, a diff
//! report) are left out with a note. A file named on the command line must be one of the two.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::monthly::{
    BuildError, BuildOptions, DocumentKind, InputError, MonthlyReport, RepositoryInput,
    document_kind, parse_history, parse_report,
};

/// Stems that say what a file is, not whose: the folder names the repository instead.
const GENERIC_STEMS: &[&str] = &[
    "deptrust",
    "deptrust-report",
    "deptrust-scan",
    "deptrust-history",
    "report",
    "scan",
    "history",
    "exposure",
    "exposure-history",
    "results",
];

/// Files read from one folder at most (a folder of artifacts, not a file system).
pub const MAX_FILES: usize = 100_000;

/// What `deptrust report` reads.
#[derive(Debug, Clone)]
pub struct ReportRequest<'a> {
    /// Scan reports, history files or folders of them, each optionally `NAME=PATH`.
    pub inputs: &'a [String],
    /// History files, each optionally `NAME=PATH`.
    pub histories: &'a [String],
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// How to build the view.
    pub options: BuildOptions,
}

/// Why the report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// An input could not be read.
    #[error("cannot read `{}`: {source}", .path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: crate::lockfile::ReadError,
    },
    /// A folder could not be listed.
    #[error("cannot list the folder `{}`: {source}", .path.display())]
    List {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A folder holds more files than [`MAX_FILES`].
    #[error("the folder `{}` holds more than {MAX_FILES} files", .0.display())]
    TooManyFiles(PathBuf),
    /// A file is not UTF-8.
    #[error("`{}` is not UTF-8 text", .0.display())]
    NotUtf8(PathBuf),
    /// A file is not a report or a history.
    #[error(transparent)]
    Input(#[from] InputError),
    /// `NAME=` with an empty name.
    #[error("`{0}`: the name before `=` is empty")]
    EmptyName(String),
    /// Nothing to build from.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Reads every input and builds the monthly view.
pub fn run(request: &ReportRequest<'_>) -> Result<MonthlyReport, ReportError> {
    let mut reports: BTreeMap<String, RepositoryInput> = BTreeMap::new();
    // Histories whose repository is settled after the reports are known.
    let mut histories: Vec<(String, bool, crate::monthly::ParsedHistory)> = Vec::new();
    let mut add = |file: File, reports: &mut BTreeMap<String, RepositoryInput>| match file.content {
        Content::Report(report) => reports
            .entry(file.name.clone())
            .or_insert_with(|| RepositoryInput {
                name: file.name,
                ..RepositoryInput::default()
            })
            .reports
            .push(*report),
        Content::History(history) => histories.push((file.name, file.named, history)),
    };
    let mut skipped = Vec::new();
    for input in request.inputs {
        for file in read_input(input, request.max_file_bytes, None, &mut skipped)? {
            add(file, &mut reports);
        }
    }
    for input in request.histories {
        for file in read_input(input, request.max_file_bytes, Some(true), &mut skipped)? {
            add(file, &mut reports);
        }
    }
    let only = (reports.len() == 1)
        .then(|| reports.keys().next().cloned())
        .flatten();
    for (name, named, history) in histories {
        let target = match &only {
            Some(only) if !named => only.clone(),
            _ => name,
        };
        reports
            .entry(target.clone())
            .or_insert_with(|| RepositoryInput {
                name: target,
                ..RepositoryInput::default()
            })
            .histories
            .push(history);
    }
    let mut report = crate::monthly::build(reports.into_values().collect(), &request.options)?;
    if !skipped.is_empty() {
        report.notes.push(format!(
            "{} JSON file(s) in the folders given are neither scan reports nor history files and were left out (e.g. {})",
            skipped.len(),
            skipped[0].display()
        ));
    }
    Ok(report)
}

enum Content {
    Report(Box<crate::monthly::ParsedReport>),
    History(crate::monthly::ParsedHistory),
}

struct File {
    name: String,
    /// Named by `NAME=`.
    named: bool,
    content: Content,
}

/// `NAME=PATH` or `PATH` (a path that exists as given wins over a split at `=`).
fn split_name(input: &str) -> Result<(Option<String>, PathBuf), ReportError> {
    if Path::new(input).exists() {
        return Ok((None, PathBuf::from(input)));
    }
    match input.split_once('=') {
        Some(("", _)) => Err(ReportError::EmptyName(input.to_string())),
        Some((name, path)) => Ok((Some(name.to_string()), PathBuf::from(path))),
        None => Ok((None, PathBuf::from(input))),
    }
}

/// The repository a file belongs to, by its stem or its folder.
fn name_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generic = is_generic(&stem);
    if generic && let Some(folder) = path.parent().and_then(Path::file_name) {
        return folder.to_string_lossy().into_owned();
    }
    if generic && let Ok(cwd) = std::env::current_dir() {
        let absolute = cwd.join(path);
        if let Some(folder) = absolute.parent().and_then(Path::file_name) {
            return folder.to_string_lossy().into_owned();
        }
    }
    stem
}

/// A generic stem, alone or followed by a date or a run number (`deptrust-2026-11`,
/// `report_42`).
fn is_generic(stem: &str) -> bool {
    let stem = stem.to_ascii_lowercase();
    GENERIC_STEMS.iter().any(|generic| {
        stem.strip_prefix(generic).is_some_and(|rest| {
            rest.is_empty()
                || (rest.starts_with(['-', '_', '.'])
                    && rest[1..].starts_with(|c: char| c.is_ascii_digit())
                    && rest[1..]
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | 't' | 'z')))
        })
    })
}

/// Reads one input: a file, or every `.json` file under a folder (sorted, so runs are
/// repeatable). `history`: `Some(true)` when it must be a history file.
fn read_input(
    input: &str,
    max_file_bytes: u64,
    history: Option<bool>,
    skipped: &mut Vec<PathBuf>,
) -> Result<Vec<File>, ReportError> {
    let (name, path) = split_name(input)?;
    if path.is_dir() {
        let mut found = Vec::new();
        walk(&path, &mut found)?;
        found.sort();
        let mut files = Vec::with_capacity(found.len());
        for file in found {
            let name = name.clone().unwrap_or_else(|| name_of(&file));
            match read_file(&file, name, input, max_file_bytes, history, true)? {
                Some(read) => files.push(read),
                None => skipped.push(file),
            }
        }
        return Ok(files);
    }
    let named = name.clone();
    let name = name.unwrap_or_else(|| name_of(&path));
    let mut files = Vec::new();
    if let Some(mut file) = read_file(&path, name, input, max_file_bytes, history, false)? {
        file.named = named.is_some();
        files.push(file);
    }
    Ok(files)
}

fn walk(folder: &Path, found: &mut Vec<PathBuf>) -> Result<(), ReportError> {
    let list = |source| ReportError::List {
        path: folder.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(folder).map_err(list)? {
        let entry = entry.map_err(list)?;
        let kind = entry.file_type().map_err(list)?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, found)?;
        } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "json") {
            if found.len() >= MAX_FILES {
                return Err(ReportError::TooManyFiles(folder.to_path_buf()));
            }
            found.push(path);
        }
    }
    Ok(())
}

fn read_file(
    path: &Path,
    name: String,
    input: &str,
    max_file_bytes: u64,
    history: Option<bool>,
    in_folder: bool,
) -> Result<Option<File>, ReportError> {
    let bytes = crate::lockfile::read_bounded(path, max_file_bytes, None).map_err(|source| {
        ReportError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ReportError::NotUtf8(path.to_path_buf()))?;
    let label = path.display().to_string();
    let kind = document_kind(&text);
    let content = if history == Some(true) || kind == DocumentKind::History {
        Content::History(parse_history(&text, &label)?)
    } else if in_folder && kind == DocumentKind::Other {
        // A facts snapshot, a diff report or another tool's file beside the reports.
        return Ok(None);
    } else {
        Content::Report(Box::new(parse_report(&text, &label)?))
    };
    Ok(Some(File {
        name,
        named: input.contains('=') && !Path::new(input).exists(),
        content,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_their_stem_or_their_folder() {
        for (path, name) in [
            ("reports/api/deptrust.json", "api"),
            ("reports/api/history.json", "api"),
            ("reports/api/deptrust-2026-11.json", "api"),
            ("reports/api/report_42.json", "api"),
            ("reports/api/Exposure.json", "api"),
            ("reports/payments.json", "payments"),
            ("reports/deptrust-service.json", "deptrust-service"),
            ("reports/reporting.json", "reporting"),
        ] {
            assert_eq!(name_of(Path::new(path)), name, "{path}");
        }
    }

    #[test]
    fn name_equals_path_names_the_repository() {
        assert_eq!(
            split_name("api=reports/x.json").unwrap(),
            (Some("api".to_string()), PathBuf::from("reports/x.json"))
        );
        assert_eq!(
            split_name("reports/x.json").unwrap(),
            (None, PathBuf::from("reports/x.json"))
        );
        assert!(matches!(
            split_name("=x.json"),
            Err(ReportError::EmptyName(_))
        ));
    }

    #[test]
    fn a_folder_leaves_out_other_json_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("svc");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(
            repo.join("deptrust.json"),
            r#"{"schema_version": 1, "now": "2026-12-01T00:00:00Z", "exposure_score": 3.5,
                "gate": {"passed": true}, "projects": []}"#,
        )
        .unwrap();
        std::fs::write(
            repo.join("facts.json"),
            r#"{"schema_version": 2, "now": "2026-12-01T00:00:00Z", "strings": [], "facts": []}"#,
        )
        .unwrap();
        std::fs::write(repo.join("notes.txt"), "not json").unwrap();
        let inputs = [dir.path().display().to_string()];
        let request = ReportRequest {
            inputs: &inputs,
            histories: &[],
            max_file_bytes: 1 << 20,
            options: BuildOptions {
                title: "t".into(),
                now: None,
                since: None,
                top: 10,
                alerts: Default::default(),
            },
        };
        let report = run(&request).unwrap();
        assert_eq!(report.repositories[0].name, "svc");
        assert_eq!(report.exposure_score, 3.5);
        assert!(
            report
                .notes
                .iter()
                .any(|note| note.contains("1 JSON file(s)")),
            "{:?}",
            report.notes
        );
        // Named on the command line, the same file is an error naming it.
        let inputs = [repo.join("facts.json").display().to_string()];
        let error = run(&ReportRequest {
            inputs: &inputs,
            ..request.clone()
        })
        .unwrap_err();
        assert!(error.to_string().contains("facts.json"), "{error}");
    }
}
