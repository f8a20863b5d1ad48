//! PEP 508 environment markers, decided for the whole range of Pythons a project supports.
//!
//! Spec: [environment markers](https://packaging.python.org/en/latest/specifications/dependency-specifiers/#environment-markers).
//! The algebra (conjunction, disjunction, "can never hold") is `pep508_rs`'s `MarkerTree`, a
//! decision diagram over the marker variables; nothing here evaluates a marker against one
//! environment.
//!
//! What is decided:
//! - a marker **can never hold** when its conjunction with the project's `requires-python`
//!   range (and, where a lockfile says so, with the markers of the package that declares the
//!   dependency) is unsatisfiable: `python_version < "3.8"` in a project for `>=3.9`. The
//!   Python range is the only part of the environment that is fixed: the graph covers every
//!   platform, so `sys_platform`, `platform_machine`, `implementation_name`, … never make a
//!   marker impossible on their own (only a marker that contradicts itself, such as
//!   `sys_platform == "linux" and sys_platform == "win32"`, which no tool writes, is false
//!   everywhere). `extra == "x"` is a free variable: it never makes a marker impossible;
//! - two markers **can hold together** unless their conjunction (with the Python range) is
//!   unsatisfiable: how a dependency is matched to the locked versions of a name that a
//!   lockfile forks by markers.
//!
//! The algebra may fail to see that a complex marker never holds (`pep508_rs` says so of
//! `is_false`); such a marker is kept, which is the safe side. What is not decided:
//! - a marker that does not parse, or that `pep508_rs` parses only by ignoring part of it
//!   (`os_name ~= "nt"`, a version it cannot read), is **unknown**: it is treated as one that
//!   may hold, and the caller says so in a warning (unknown is not impossible);
//! - a marker that is too large or too deeply nested for the algebra (more than
//!   [`MAX_MARKER_LEN`] bytes, [`MAX_DEPTH`] levels of parentheses, [`MAX_FREE_VARIABLES`]
//!   `extra` or `in` comparisons, a number longer than any version has) is refused before it
//!   reaches `pep508_rs` and is unknown too: the algebra's size can grow exponentially with
//!   the number of free variables, and its parser recurses once per parenthesis;
//! - `requires-python` that does not parse (or uses `===`) leaves the Python range open.
//!
//! Panics: `pep508_rs` 0.9.2 keeps its decision diagram behind a process-wide mutex, so a
//! panic inside it would poison every later marker and requirement of the process. Markers
//! are therefore checked before they reach it (ASCII only, as in [`super::parse_requirement`];
//! the limits above; no number of more than [`MAX_DIGITS`] digits, whose `+ 1` overflows in
//! `pep508_rs`'s `python_version` arithmetic), and the parse is still wrapped in
//! `catch_unwind` so that an unforeseen panic is an unknown marker, not the end of the run.

use std::str::FromStr;

use pep508_rs::{MarkerTree, MarkerWarningKind};

/// Longest marker handed to `pep508_rs`, in bytes (uv's longest `resolution-markers` entries
/// are a few hundred bytes).
pub(crate) const MAX_MARKER_LEN: usize = 16 * 1024;
/// Deepest nesting of parentheses handed to `pep508_rs` (its parser recurses per level).
pub(crate) const MAX_DEPTH: usize = 32;
/// Most `extra` and `in`/`not in` comparisons in one marker: each is a variable of its own in
/// the decision diagram, whose size can double with each.
pub(crate) const MAX_FREE_VARIABLES: usize = 24;
/// Longest run of digits in a marker: a version segment of 19 digits still fits `u64` after
/// `+ 1`.
pub(crate) const MAX_DIGITS: usize = 18;

/// A marker as read from a lockfile or requirement: known, or unknown with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Parsed completely.
    Known(MarkerTree),
    /// Not understood (the reason): treated as a marker that may hold.
    Unknown(String),
}

impl Marker {
    /// No marker: always holds.
    pub(crate) const TRUE: Marker = Marker::Known(MarkerTree::TRUE);

    /// Why the marker is not understood, when it is not.
    pub(crate) fn unknown(&self) -> Option<&str> {
        match self {
            Marker::Known(_) => None,
            Marker::Unknown(reason) => Some(reason),
        }
    }

    /// The disjunction of several markers (`resolution-markers`, Poetry's per-group markers);
    /// unknown when any is.
    pub(crate) fn any(markers: impl IntoIterator<Item = Marker>) -> Marker {
        let mut out: Option<MarkerTree> = None;
        for marker in markers {
            match marker {
                Marker::Known(tree) => match &mut out {
                    Some(acc) => acc.or(tree),
                    None => out = Some(tree),
                },
                unknown @ Marker::Unknown(_) => return unknown,
            }
        }
        Marker::Known(out.unwrap_or(MarkerTree::TRUE))
    }
}

/// Refuses what `pep508_rs` must not see (see the module docs); `Err` with the reason.
pub(crate) fn check_marker_text(text: &str) -> Result<(), String> {
    if !text.is_ascii() {
        return Err("it holds characters outside ASCII, which no marker has".into());
    }
    if text.len() > MAX_MARKER_LEN {
        return Err(format!(
            "it is longer than {MAX_MARKER_LEN} bytes, more than is read"
        ));
    }
    let mut depth = 0usize;
    let mut digits = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "it nests parentheses deeper than {MAX_DEPTH} levels, more than is read"
                    ));
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c.is_ascii_digit() {
            digits += 1;
            if digits > MAX_DIGITS {
                return Err(format!(
                    "it holds a number of more than {MAX_DIGITS} digits, which no version has"
                ));
            }
        } else {
            digits = 0;
        }
    }
    // `extra` comparisons and `in` / `not in` (each a variable of its own), counted as words.
    let free = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| *word == "extra" || *word == "in")
        .count();
    if free > MAX_FREE_VARIABLES {
        return Err(format!(
            "it has more than {MAX_FREE_VARIABLES} `extra` or `in` comparisons, more than is read"
        ));
    }
    Ok(())
}

/// Parses a PEP 508 marker (`python_version < "3.8" and sys_platform == "win32"`); an empty
/// text is `true`. Never panics: see the module docs.
pub(crate) fn parse_marker(text: &str) -> Marker {
    let text = text.trim();
    if text.is_empty() {
        return Marker::TRUE;
    }
    if let Err(reason) = check_marker_text(text) {
        return Marker::Unknown(reason);
    }
    let parsed = std::panic::catch_unwind(|| {
        let mut ignored: Vec<String> = Vec::new();
        let mut reporter = |_: MarkerWarningKind, warning: String| ignored.push(warning);
        let tree = MarkerTree::parse_reporter(text, &mut reporter);
        (tree, ignored)
    });
    match parsed {
        Err(_) => Marker::Unknown("the PEP 508 parser failed on it".into()),
        // Only the message: the error's own `Display` underlines the input.
        Ok((Err(error), _)) => Marker::Unknown(
            error
                .message
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid marker")
                .to_string(),
        ),
        // `pep508_rs` drops a comparison it cannot read, which in an `or` would make the
        // marker narrower than written: the whole marker is unknown instead.
        Ok((Ok(_), ignored)) if !ignored.is_empty() => Marker::Unknown(format!(
            "the PEP 508 parser would ignore part of it: {}",
            ignored
                .iter()
                .map(|warning| warning.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Ok((Ok(tree), _)) => Marker::Known(tree),
    }
}

/// The marker text of a PEP 508 requirement string (after its `;`), if it has one. A direct
/// reference's URL may hold `;`: it ends at whitespace, and the marker's `;` follows it.
pub(crate) fn requirement_marker_text(requirement: &str) -> Option<(&str, &str)> {
    let first = requirement.find(';')?;
    let at = if requirement[..first].contains('@') {
        requirement
            .match_indices(';')
            .map(|(i, _)| i)
            .find(|&i| requirement[..i].ends_with(char::is_whitespace))?
    } else {
        first
    };
    Some((&requirement[..at], &requirement[at + 1..]))
}

/// The Python versions a project supports, as a marker on `python_full_version`: the union
/// of one or more PEP 440 specifier sets (`>=3.9`, `>=3.8,<4.0`; several for Poetry's `||` and
/// PDM's lock targets). `None` when any does not parse, or uses `===` (the range stays open).
pub(crate) fn python_range(branches: &[&str]) -> Option<MarkerTree> {
    if branches.is_empty() {
        return None;
    }
    let mut range: Option<MarkerTree> = None;
    for branch in branches {
        let specifiers = pep440_rs::VersionSpecifiers::from_str(branch.trim()).ok()?;
        let clauses: Vec<String> = specifiers
            .iter()
            .map(|specifier| {
                let text = specifier.to_string();
                let split = text
                    .find(|c: char| !"<>=!~".contains(c))
                    .unwrap_or(text.len());
                let (operator, version) = text.split_at(split);
                (operator != "===").then(|| format!("python_full_version {operator} '{version}'"))
            })
            .collect::<Option<Vec<String>>>()?;
        let marker = match parse_marker(&clauses.join(" and ")) {
            Marker::Known(tree) => tree,
            Marker::Unknown(_) => return None,
        };
        match &mut range {
            Some(acc) => acc.or(marker),
            None => range = Some(marker),
        }
    }
    range
}

/// What every marker of one lockfile is decided against: the project's Python range.
#[derive(Debug, Clone)]
pub(crate) struct MarkerScope {
    python: MarkerTree,
}

impl Default for MarkerScope {
    fn default() -> Self {
        MarkerScope {
            python: MarkerTree::TRUE,
        }
    }
}

impl MarkerScope {
    /// Decides against `python` (`None`: every Python).
    pub(crate) fn new(python: Option<MarkerTree>) -> Self {
        MarkerScope {
            python: python.unwrap_or(MarkerTree::TRUE),
        }
    }

    /// Whether all `markers` can hold at once, in some environment of the Python range.
    /// Unknown markers may hold.
    pub(crate) fn can_hold(&self, markers: &[&Marker]) -> bool {
        let mut all = self.python.clone();
        for marker in markers {
            if let Marker::Known(tree) = marker {
                all.and(tree.clone());
                if all.is_false() {
                    return false;
                }
            }
        }
        !all.is_false()
    }

    /// Of the locked `candidates` of one name (each with its own marker), those whose marker
    /// can hold together with `edge` (the dependency's marker, and the declaring package's);
    /// `None` when none can: the caller keeps them all and says so.
    pub(crate) fn pick<T: Clone>(
        &self,
        edge: &[&Marker],
        candidates: &[(T, &Marker)],
    ) -> Option<Vec<T>> {
        let picked: Vec<T> = candidates
            .iter()
            .filter(|(_, marker)| {
                let mut all: Vec<&Marker> = edge.to_vec();
                all.push(marker);
                self.can_hold(&all)
            })
            .map(|(item, _)| item.clone())
            .collect();
        (!picked.is_empty()).then_some(picked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> Marker {
        let marker = parse_marker(text);
        assert!(marker.unknown().is_none(), "{text}: {marker:?}");
        marker
    }

    fn scope(requires_python: &str) -> MarkerScope {
        MarkerScope::new(python_range(&[requires_python]))
    }

    #[test]
    fn impossible_possible_and_unknown() {
        let py39 = scope(">=3.9");
        // Impossible against the Python range.
        for text in [
            "python_version < \"3.8\"",
            "python_version < '3.9'",
            "python_full_version < '3.8.1'",
            "python_version <= '3.8' and sys_platform == 'win32'",
            "python_version == '2.7'",
            "(python_version < '3.7' or python_version == '3.8') and extra == 'socks'",
        ] {
            assert!(!py39.can_hold(&[&known(text)]), "{text}");
        }
        // Possible: in range, platform-only, extras, unions with a possible branch.
        for text in [
            "",
            "python_version >= '3.9'",
            "python_version < '3.10'",
            "python_full_version >= '3.8.1'",
            "sys_platform == 'win32'",
            "platform_machine == 'aarch64' and implementation_name == 'pypy'",
            "extra == 'socks'",
            "python_version < '3.8' or sys_platform == 'win32'",
            "python_version > '3.8'",
        ] {
            assert!(py39.can_hold(&[&known(text)]), "{text}");
        }
        // Without a Python range only self-contradictions are impossible.
        let open = MarkerScope::default();
        assert!(open.can_hold(&[&known("python_version < '3.8'")]));
        assert!(!open.can_hold(&[&known("python_version < '3.8' and python_version > '3.9'")]));
        // Unknown markers may hold, and say why.
        for text in [
            "python_version < ",
            "os_name ~= 'nt'",
            "python_version < '3.x'",
            "python_version < '3.8' or os_name ~= 'nt'",
            "nonsense == 'x'",
        ] {
            let marker = parse_marker(text);
            assert!(marker.unknown().is_some(), "{text}: {marker:?}");
            assert!(py39.can_hold(&[&marker]), "{text}");
        }
    }

    #[test]
    fn python_ranges() {
        let range = |branches: &[&str]| MarkerScope::new(python_range(branches));
        let py = |text: &str| known(&format!("python_full_version == '{text}'"));
        let s = range(&[">=3.8,<4.0"]);
        assert!(s.can_hold(&[&py("3.8.0")]) && !s.can_hold(&[&py("3.7.9")]));
        assert!(!s.can_hold(&[&py("4.0")]));
        // Poetry's `||`, PDM's targets: a union.
        let s = range(&["==3.9.*", ">=3.11"]);
        assert!(s.can_hold(&[&py("3.9.2")]) && s.can_hold(&[&py("3.12.0")]));
        assert!(!s.can_hold(&[&py("3.10.4")]));
        let s = range(&["~=3.10"]);
        assert!(!s.can_hold(&[&py("3.9")]) && s.can_hold(&[&py("3.13")]));
        // Unreadable ranges stay open.
        assert!(python_range(&["not a range"]).is_none());
        assert!(python_range(&["===3.9"]).is_none());
        assert!(python_range(&[]).is_none());
    }

    #[test]
    fn forks_pick_the_versions_whose_markers_agree() {
        let s = scope(">=3.10");
        let old = known("python_version == \"3.10\"");
        let new = known("python_version >= \"3.11\"");
        let any = Marker::TRUE;
        let candidates = [("2.2.6", &old), ("2.4.6", &new)];
        // The declaring package's own marker decides.
        assert_eq!(s.pick(&[&any, &old], &candidates), Some(vec!["2.2.6"]));
        assert_eq!(s.pick(&[&any, &new], &candidates), Some(vec!["2.4.6"]));
        // As does the dependency's.
        let edge = known("python_full_version >= '3.12'");
        assert_eq!(s.pick(&[&edge], &candidates), Some(vec!["2.4.6"]));
        // No marker: both.
        assert_eq!(s.pick(&[&any], &candidates), Some(vec!["2.2.6", "2.4.6"]));
        // Unknown markers agree with everything.
        let unknown = parse_marker("python_version < '3.x'");
        assert_eq!(
            s.pick(&[&unknown, &old], &[("a", &unknown), ("b", &new)]),
            Some(vec!["a"])
        );
        // None agrees: undecided.
        let win = known("sys_platform == 'win32'");
        let linux = known("sys_platform == 'linux'");
        assert_eq!(s.pick(&[&win], &[("x", &linux)]), None);
        // Disjunctions of markers.
        let either = Marker::any([old.clone(), known("python_version == '3.12'")]);
        assert!(s.can_hold(&[&either, &known("python_version == '3.12'")]));
        assert!(!s.can_hold(&[&either, &known("python_version == '3.11'")]));
        assert!(Marker::any([old, parse_marker("(")]).unknown().is_some());
        assert_eq!(Marker::any([]), Marker::TRUE);
    }

    #[test]
    fn hostile_markers_never_panic() {
        let deep = format!(
            "{}python_version < '3'{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let long = vec!["sys_platform == 'linux'"; 2_000].join(" or ");
        let extras = (0..40)
            .map(|i| format!("(extra == 'a{i}' and extra == 'b{i}')"))
            .collect::<Vec<_>>()
            .join(" or ");
        let ins = (0..40)
            .map(|i| format!("'x{i}' in platform_release"))
            .collect::<Vec<_>>()
            .join(" or ");
        let huge = [
            "python_version > '3.18446744073709551615'",
            "python_version <= '18446744073709551615.18446744073709551615'",
            "python_full_version >= '99999999999999999999999'",
        ];
        for text in [deep.as_str(), long.as_str(), extras.as_str(), ins.as_str()]
            .into_iter()
            .chain(huge)
        {
            let marker = parse_marker(text);
            assert!(
                marker.unknown().is_some(),
                "{}",
                &text[..40.min(text.len())]
            );
        }
        for text in [
            "python_version < 'é'",
            "sys_platform == \u{1F600}",
            ")",
            "((",
            "'",
            "\"",
            "python_version",
            "python_version <",
            "and",
            "or or or",
            "extra == ",
            "python_version ~= '3'",
            "python_full_version == '3.*.1'",
            "python_version == '3.10.*.*'",
            "python_version in '3.8 3.9 x'",
            "python_full_version not in '3.8 3.9'",
            "platform_release ~= '5'",
            "implementation_name === 'cpython'",
            "python_version === '3.9'",
            "python_full_version < '3.9+local'",
            "python_full_version == '3.9.0a1'",
            "'3.9' < python_version",
            "extra == 'a-' and extra == '_b'",
            "python_version >= '0' and python_version < '0'",
            "python_version < '18446744073709551'",
        ] {
            let marker = parse_marker(text);
            let _ = MarkerScope::new(python_range(&[">=3.9"])).can_hold(&[&marker]);
        }
        // The process-wide algebra still works afterwards.
        assert!(!scope(">=3.9").can_hold(&[&known("python_version < '3.8'")]));
    }

    #[test]
    fn requirement_markers_are_found() {
        assert_eq!(
            requirement_marker_text("a>=1; python_version < '3.8'"),
            Some(("a>=1", " python_version < '3.8'"))
        );
        assert_eq!(requirement_marker_text("a>=1"), None);
        assert_eq!(
            requirement_marker_text("a @ https://x/a;b.whl ; os_name == 'nt'"),
            Some(("a @ https://x/a;b.whl ", " os_name == 'nt'"))
        );
        assert_eq!(requirement_marker_text("a @ https://x/a;b.whl"), None);
    }
}
