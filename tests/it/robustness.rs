//! Hostile input never panics: every fixture lockfile, truncated at many points and with bytes
//! replaced by structural characters, gives a graph or a clean error, never a panic.

use std::path::{Path, PathBuf};

use deptrust::lockfile::{self, LockfileInput, ReadOptions};

fn fixture_lockfiles() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lockfiles");
    let mut found = Vec::new();
    for format in std::fs::read_dir(base).unwrap() {
        for case in std::fs::read_dir(format.unwrap().path()).unwrap() {
            let case = case.unwrap().path();
            if !case.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&case).unwrap() {
                let file = file.unwrap().path();
                if file.is_file() && lockfile::is_lockfile(&file) {
                    found.push(file);
                }
            }
        }
    }
    found.sort();
    found
}

/// Parses `contents` as if it were the file at `path` (manifests beside it are still read).
fn parse_as(path: &Path, contents: &str) {
    let Some(parser) = lockfile::parser_for(path, contents) else {
        return;
    };
    let input = LockfileInput::new(path, contents, parser.id(), ReadOptions::default());
    if let Ok(parsed) = lockfile::parse_input(parser, &input) {
        deptrust::graph::build(parsed);
    }
}

fn char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[test]
fn truncated_and_mangled_fixtures_never_panic() {
    let files = fixture_lockfiles();
    assert!(files.len() > 10);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        // Big fixtures get few cuts: the point is the shapes, not the volume (debug builds).
        let (cuts, replacements): (usize, &[&str]) = if text.len() > 100_000 {
            (3, &["\"", ""])
        } else {
            (40, &["\"", "{", "]", "\n", ":", "@", "(", "#", "=", ""])
        };
        for n in 1..cuts {
            let at = char_boundary(&text, text.len() * n / cuts);
            parse_as(&path, &text[..at]);
            for replacement in replacements {
                let end = char_boundary(&text, (at + 1).min(text.len()));
                let mangled = format!("{}{replacement}{}", &text[..at], &text[end..]);
                parse_as(&path, &mangled);
            }
        }
    }
}
