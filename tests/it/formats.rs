//! The supported lockfile formats are declared once, by the parsers (`deptrust::lockfile::
//! formats()`: id, ecosystem, tool, file names, versions). The texts written by hand are checked
//! against them here, so a format added, renamed or dropped in one place only fails with the
//! format named: the table of `docs/formats.md` and of the `lockfile` module's documentation,
//! the README's list of tools, the list in `deptrust graph --help`, the cache key of
//! `action.yml`, the fuzz targets and `deptrust::fuzz::LOCKFILE_NAMES`, the fixtures and the
//! fixture directories `fixtures/EXPECTED.md` names.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use deptrust::lockfile::{self, Format};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of the rows of the first Markdown table whose header starts with `header`, with
/// `prefix` (such as `//! `) removed from each line first.
fn table_rows(text: &str, prefix: &str, header: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.strip_prefix(prefix).unwrap_or(line).trim())
        .collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with(header))
        .unwrap_or_else(|| panic!("no table starting with {header:?}"));
    lines[start + 2..]
        .iter()
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// `` `a`, `b` ``: a format's file names as the tables show them.
fn files_cell(format: &Format) -> String {
    let names: Vec<String> = format
        .files
        .iter()
        .map(|name| format!("`{name}`"))
        .collect();
    names.join(", ")
}

/// Checks a table of formats: one row per format id, whose file cell is the format's file names
/// (then, optionally, a note: `with __metadata`, `(+ package.json files)`) and whose versions
/// cell is the format's versions. Returns every difference.
fn check_table(
    what: &str,
    rows: &[Vec<String>],
    files_column: usize,
    versions_column: usize,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for row in rows {
        let id = row[0].trim_matches('`');
        seen.insert(id.to_string());
        let Some(format) = lockfile::formats().find(|format| format.id == id) else {
            problems.push(format!(
                "{what}: row `{id}` is not a supported format (extra)"
            ));
            continue;
        };
        let files = files_cell(format);
        let cell = &row[files_column];
        if *cell != files && !cell.starts_with(&format!("{files} ")) {
            problems.push(format!(
                "{what}: `{id}` files are {cell:?}, the parser reads {files:?}"
            ));
        }
        if row[versions_column] != format.versions {
            problems.push(format!(
                "{what}: `{id}` versions are {:?}, the parser declares {:?}",
                row[versions_column], format.versions
            ));
        }
    }
    for format in lockfile::formats() {
        if !seen.contains(format.id) {
            problems.push(format!("{what}: no row for `{}` (missing)", format.id));
        }
    }
    problems
}

#[test]
fn docs_formats_table_lists_every_format() {
    let rows = table_rows(
        &read("docs/formats.md"),
        "",
        "| format id | file | versions |",
    );
    let problems = check_table("docs/formats.md", &rows, 1, 2);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn module_docs_table_lists_every_format() {
    let rows = table_rows(
        &read("src/lockfile/mod.rs"),
        "//! ",
        "| id | file | versions |",
    );
    let problems = check_table("src/lockfile/mod.rs", &rows, 1, 2);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn readme_names_every_tool() {
    let readme = read("README.md");
    let start = "It reads your lockfiles (";
    let at = readme.find(start).expect("the README's list of tools") + start.len();
    let end = at + readme[at..].find(')').expect("closing parenthesis");
    let listed: BTreeSet<String> = readme[at..end]
        .split(',')
        .map(|tool| tool.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let declared: BTreeSet<String> = lockfile::formats()
        .map(|format| format.tool.to_string())
        .collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README.md: tools missing {missing:?}, extra {extra:?}"
    );
}

#[test]
fn graph_help_lists_every_file_name() {
    let output = Command::cargo_bin("deptrust")
        .unwrap()
        .args(["graph", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let start = help
        .find("Supported lockfiles:")
        .expect("a list of supported lockfiles in `graph --help`");
    let paragraph = help[start..].split("\n\n").next().unwrap_or_default();
    // Words that name files: what is left of a word once punctuation is cut, ending in a
    // lockfile's extension.
    let listed: BTreeSet<&str> = paragraph
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| ",.():".contains(c)))
        .filter(|word| {
            [".lock", ".json", ".yaml", ".yml", ".txt", ".toml"]
                .iter()
                .any(|extension| word.ends_with(extension))
        })
        .collect();
    let declared: BTreeSet<&str> = lockfile::formats()
        .flat_map(|format| format.files.iter().copied())
        .collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "deptrust graph --help: file names missing {missing:?}, extra {extra:?}\n{paragraph}"
    );
}

/// The cache of the action is keyed on the lockfiles: every file name of every format must be
/// covered by a `hashFiles` pattern, and every pattern must cover a format's file.
#[test]
fn action_cache_key_covers_every_file_name() {
    let action = read("action.yml");
    let call = action
        .lines()
        .find(|line| line.contains("hashFiles("))
        .expect("the cache key of action.yml");
    let arguments = &call[call.find("hashFiles(").unwrap_or_default()..];
    let globs: Vec<&str> = arguments
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|glob| !glob.starts_with('!'))
        .collect();
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let compiled: Vec<(&str, glob::Pattern)> = globs
        .iter()
        .map(|glob| (*glob, glob::Pattern::new(glob).expect(glob)))
        .collect();
    let examples: Vec<(&str, String)> = lockfile::formats()
        .flat_map(|format| {
            format
                .example_paths()
                .map(move |example| (format.id, format!("some/dir/{example}")))
        })
        .collect();
    let mut problems = Vec::new();
    for (id, example) in &examples {
        if !compiled
            .iter()
            .any(|(_, pattern)| pattern.matches_with(example, options))
        {
            problems.push(format!("`{id}`: no hashFiles pattern covers `{example}`"));
        }
    }
    for (glob, pattern) in &compiled {
        if !examples
            .iter()
            .any(|(_, example)| pattern.matches_with(example, options))
        {
            problems.push(format!(
                "hashFiles pattern `{glob}` covers no lockfile (extra)"
            ));
        }
    }
    assert!(problems.is_empty(), "action.yml: {problems:#?}");
}

/// Every format is fuzzed: a target of `fuzz/fuzz_targets/` parses a name that selects it, and
/// `deptrust::fuzz::LOCKFILE_NAMES` lists such a name.
#[test]
fn every_format_is_fuzzed() {
    let call = "deptrust::fuzz::lockfile(\"";
    let mut targeted: Vec<String> = Vec::new();
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for target in std::fs::read_dir(&targets).unwrap() {
        let source = std::fs::read_to_string(target.unwrap().path()).unwrap();
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            targeted.extend(rest.split('"').next().map(str::to_string));
        }
    }
    let mut problems = Vec::new();
    for format in lockfile::formats() {
        if !targeted.iter().any(|name| format.matches(Path::new(name))) {
            problems.push(format!("`{}`: no fuzz target parses its file", format.id));
        }
        if !deptrust::fuzz::LOCKFILE_NAMES
            .iter()
            .any(|name| format.matches(Path::new(name)))
        {
            problems.push(format!(
                "`{}`: no name of deptrust::fuzz::LOCKFILE_NAMES selects it",
                format.id
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every format has a fixture under `fixtures/lockfiles/` graphed against the tool's listing.
#[test]
fn every_format_has_a_fixture() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles");
    let mut covered = BTreeSet::new();
    for format_dir in std::fs::read_dir(&base).unwrap() {
        for case in std::fs::read_dir(format_dir.unwrap().path()).unwrap() {
            let case = case.unwrap().path();
            if !case.join("expected.json").is_file() {
                continue;
            }
            for file in std::fs::read_dir(&case).unwrap() {
                let file = file.unwrap().path();
                if !file.is_file() || !lockfile::is_lockfile(&file) {
                    continue;
                }
                let contents = std::fs::read_to_string(&file).unwrap();
                if let Some(parser) = lockfile::parser_for(&file, &contents) {
                    covered.insert(parser.id());
                }
            }
        }
    }
    let missing: Vec<&str> = lockfile::formats()
        .map(|format| format.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "formats without a fixture: {missing:?}");
}

/// `fixtures/EXPECTED.md` names the fixture directories (`<format>` is one of …) and a lockfile
/// name of every format.
#[test]
fn expected_md_names_every_fixture_directory_and_format() {
    let text = read("fixtures/EXPECTED.md");
    let start = "`<format>` is one of ";
    let at = text.find(start).expect("the list of fixture directories") + start.len();
    let end = at + text[at..].find('.').expect("end of the list");
    let listed: BTreeSet<String> = text[at..end]
        .split(',')
        .map(|name| name.trim().trim_matches('`').to_string())
        .collect();
    let dirs: BTreeSet<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    let missing: Vec<_> = dirs.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&dirs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "fixtures/EXPECTED.md: directories missing {missing:?}, extra {extra:?}"
    );
    // The names of the lockfiles a fixture holds.
    let names = text
        .lines()
        .skip_while(|line| !line.contains("<the lockfile under its real name>"))
        .take_while(|line| !line.contains("<the manifests"))
        .collect::<Vec<_>>()
        .join(" ");
    let unnamed: Vec<&str> = lockfile::formats()
        .filter(|format| {
            !names
                .split([' ', ','])
                .any(|name| !name.is_empty() && format.matches(Path::new(name)))
        })
        .map(|format| format.id)
        .collect();
    assert!(
        unnamed.is_empty(),
        "fixtures/EXPECTED.md names no lockfile of {unnamed:?}"
    );
}
