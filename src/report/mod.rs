//! Renderers: the only code that writes what users read. Each renderer is one file and writes
//! to a `Write` it is given; the library never prints.
//!
//! Text that came from a lockfile or manifest (names, versions, paths) is hostile input: the
//! text renderers pass it through [`sanitize`] so escape sequences never reach a terminal. JSON
//! escapes control characters itself.
//!
//! Every renderer also masks credential-shaped text (`crate::redact`): [`sanitize`] for
//! text, `write_terminal_safe_json` for every string of a JSON document (SARIF included), so
//! a token quoted by a warning never reaches a log or a PR comment.

use std::io::{self, Write};

use crate::graph::{Failure, Project};

pub use diff::{render_diff_json, render_diff_markdown, render_diff_table};
pub use explain::render_explain;
pub use facts::{render_facts_json, render_facts_table};
pub use markdown::render_scan_markdown;
pub use sarif::render_scan_sarif;
pub use scan_json::render_scan_json;
pub use scan_table::{DEFAULT_TOP, TableOptions, render_scan_gate, render_scan_table};

mod diff;
mod dot;
mod explain;
mod facts;
mod json;
mod markdown;
pub mod monthly_html;
pub mod monthly_md;
pub mod progress;
mod sarif;
#[cfg(test)]
mod scan_fixture;
mod scan_json;
mod scan_table;
mod table;
mod tree;
mod trend_chart;

/// Output formats of `deptrust graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Public JSON, `schema_version: 1`.
    Json,
    /// An indented tree per root, like `cargo tree`.
    Tree,
    /// Graphviz.
    Dot,
    /// A summary table per project.
    Table,
}

/// Writes the graphs of every project in one format.
pub fn render_graphs(
    format: GraphFormat,
    projects: &[Project],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        GraphFormat::Json => json::render(projects, failures, out),
        GraphFormat::Tree => tree::render(projects, out),
        GraphFormat::Dot => dot::render(projects, out),
        GraphFormat::Table => table::render(projects, out),
    }
}

/// ` (previous run 2026-10-28: 28.0, +4.1)` when there is a previous score, else nothing.
pub(crate) fn trend(now: f64, previous: Option<&crate::history::Previous>) -> String {
    match previous {
        None => String::new(),
        Some(previous) => format!(
            " (previous run {}: {:.1}, {:+.1})",
            previous.at.strftime("%Y-%m-%d"),
            previous.exposure_score,
            now - previous.exposure_score
        ),
    }
}

/// Removes control characters (ANSI escape sequences, C0/C1 controls, bidi overrides) from
/// text bound for a terminal; an escape sequence's printable tail stays visible but inert. Then
/// masks credentials (`crate::redact::redact`); in that order, so a control character cannot
/// split a token to hide it.
pub fn sanitize(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter(|c| !interpreted_by_terminals(*c))
        .collect();
    crate::redact::redact(&visible)
}

/// [`sanitize`] for text shown on one line (a message, a table cell): line breaks and tabs
/// become spaces first, so the words they separated stay apart.
fn sanitize_line(text: &str) -> String {
    sanitize(&text.replace(['\r', '\n', '\t'], " "))
}

/// What a terminal (or a reader) may act on instead of seeing: every character of
/// [`is_unsafe_char`]. One name for the callers above; the class itself lives there.
fn interpreted_by_terminals(c: char) -> bool {
    is_unsafe_char(c)
}

/// Characters never shown as they are:
/// - C0 and C1 controls and DEL (escape sequences, the one-byte CSI U+009B); callers that keep
///   `\n` or `\t` replace or allow them before asking;
/// - every Unicode `Bidi_Control` character: U+061C (Arabic letter mark), U+200E/U+200F,
///   U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates), which reorder what
///   follows them ("Trojan Source");
/// - invisible format characters that can hide text or make two names look alike: U+200B
///   (zero width space), U+2060–U+2064 (word joiner, invisible operators), U+206A–U+206F
///   (deprecated shaping controls), U+FEFF (byte order mark), U+FFF9–U+FFFB (interlinear
///   annotation), the tag characters U+E0000–U+E007F (invisible ASCII), and U+2028/U+2029
///   (line and paragraph separators, which some terminals and editors break lines on).
///
/// Kept: U+200C/U+200D (zero width non-joiner and joiner), which Persian, Indic scripts and
/// emoji sequences need to render correctly and which reorder nothing.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Writes a value as pretty JSON that is also safe to print on a terminal: serde_json escapes
/// C0 controls, and this escapes what it leaves raw (DEL, C1 controls such as the one-byte CSI,
/// bidi and invisible format characters) as `\uXXXX` (a surrogate pair above U+FFFF), which
/// parses back to the same strings. Every string value is redacted
/// ([`crate::redact::redact`]).
///
/// The document is escaped as serde_json writes it, never held whole: a million-package graph
/// is hundreds of megabytes of JSON. Only one string literal at a time is buffered.
pub(crate) fn write_terminal_safe_json(
    value: &impl serde::Serialize,
    out: &mut dyn Write,
) -> io::Result<()> {
    // serde_json writes a few bytes at a time: escape in 64 KiB blocks.
    let mut buffered = io::BufWriter::with_capacity(
        64 * 1024,
        TerminalSafe {
            out: &mut *out,
            partial: Vec::new(),
            literal: None,
        },
    );
    serde_json::to_writer_pretty(&mut buffered, value)?;
    let mut safe = buffered
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    // serde_json closes every string; an unclosed one is written as it came.
    if let Some((literal, _)) = safe.literal.take() {
        safe.escape(&literal)?;
    }
    if !safe.partial.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "JSON output ended inside a UTF-8 sequence",
        ));
    }
    writeln!(out)
}

/// A writer that redacts every string literal of UTF-8 JSON text and escapes every character a
/// terminal may act on.
struct TerminalSafe<'a> {
    out: &'a mut dyn Write,
    /// The start of a character split between two writes.
    partial: Vec<u8>,
    /// The string literal being read (from its opening quote), and whether its last character
    /// was an unfinished backslash escape.
    literal: Option<(String, bool)>,
}

impl TerminalSafe<'_> {
    /// Splits `text` into string literals (buffered until they close, then redacted) and the
    /// structure between them.
    fn redact_and_escape(&mut self, text: &str) -> io::Result<()> {
        let mut start = 0;
        for (at, c) in text.char_indices() {
            match &mut self.literal {
                None => {
                    if c == '"' {
                        self.escape(&text[start..at])?;
                        self.literal = Some((String::from('"'), false));
                        start = at + 1;
                    }
                }
                Some((literal, escaped)) => {
                    literal.push(c);
                    if *escaped {
                        *escaped = false;
                    } else if c == '\\' {
                        *escaped = true;
                    } else if c == '"' {
                        let literal = std::mem::take(literal);
                        self.literal = None;
                        let redacted = serde_json::from_str::<String>(&literal)
                            .ok()
                            .map(|value| (crate::redact::redact(&value), value))
                            .filter(|(redacted, value)| redacted != value)
                            .and_then(|(redacted, _)| serde_json::to_string(&redacted).ok());
                        self.escape(redacted.as_deref().unwrap_or(&literal))?;
                        start = at + 1;
                    }
                }
            }
        }
        if self.literal.is_none() {
            self.escape(&text[start..])?;
        }
        Ok(())
    }

    fn escape(&mut self, text: &str) -> io::Result<()> {
        let bytes = text.as_bytes();
        let mut clean = 0;
        let mut at = 0;
        while at < bytes.len() {
            let c = if bytes[at].is_ascii() {
                char::from(bytes[at])
            } else {
                text[at..].chars().next().unwrap_or_default()
            };
            let next = at + c.len_utf8();
            // Structural whitespace stays; inside strings serde_json already escaped it.
            if matches!(c, '\n' | '\r' | '\t') || !interpreted_by_terminals(c) {
                at = next;
                continue;
            }
            self.out.write_all(&bytes[clean..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(self.out, "\\u{unit:04x}")?;
            }
            clean = next;
            at = next;
        }
        self.out.write_all(&bytes[clean..])
    }
}

impl Write for TerminalSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let joined;
        let bytes = if self.partial.is_empty() {
            buf
        } else {
            let mut partial = std::mem::take(&mut self.partial);
            partial.extend_from_slice(buf);
            joined = partial;
            &joined[..]
        };
        let valid = match std::str::from_utf8(bytes) {
            Ok(_) => bytes.len(),
            // A character cut at the end of this write: keep its start for the next one.
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        };
        let (text, rest) = bytes.split_at(valid);
        let rest = rest.to_vec();
        // `valid` bytes were just checked.
        self.redact_and_escape(std::str::from_utf8(text).unwrap_or_default())?;
        self.partial = rest;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A project's packages in the order every `deptrust scan` renderer shows them: highest
/// weighted risk first, then by id, so equal scores never reorder between runs.
fn packages_by_weighted_risk(
    project: &crate::scan::ProjectResult,
) -> Vec<&crate::scan::PackageResult> {
    let mut packages: Vec<_> = project.packages.iter().collect();
    packages.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(b.weighted_risk.total_cmp(&a.weighted_risk))
            .then_with(|| a.id.cmp(&b.id))
    });
    packages
}

/// A package's findings, most severe first: by level (deny, warn, allow), then severity, then
/// rule id.
fn findings_by_severity(package: &crate::scan::PackageResult) -> Vec<&crate::scan::Finding> {
    let mut findings: Vec<_> = package.findings.iter().collect();
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_escapes_what_a_terminal_would_interpret() {
        let value = serde_json::json!({"name": "a\u{9b}31m\u{7f}b\u{202e}c\n"});
        let mut out = Vec::new();
        write_terminal_safe_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\\u009b") && text.contains("\\u007f") && text.contains("\\u202e"));
        assert_eq!(sanitize(&text), text.replace('\n', ""));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    /// Characters above U+FFFF are escaped as surrogate pairs (JSON has no longer `\\u`), and
    /// a character split between two writes is escaped whole.
    #[test]
    fn json_escapes_round_trip_above_the_basic_plane() {
        let value = serde_json::json!({"tag": "a\u{e0041}b\u{61c}c\u{1f600}"});
        let mut out = Vec::new();
        write_terminal_safe_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("a\\udb40\\udc41b\\u061cc\u{1f600}"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
        let mut out = Vec::new();
        let mut safe = TerminalSafe {
            out: &mut out,
            partial: Vec::new(),
            literal: None,
        };
        let bytes = "x\u{202e}y".as_bytes();
        for byte in bytes {
            safe.write_all(std::slice::from_ref(byte)).unwrap();
        }
        assert!(safe.partial.is_empty());
        assert_eq!(String::from_utf8(out).unwrap(), "x\\u202ey");
        // String literals are redacted even when serde_json's writes split them.
        let mut out = Vec::new();
        let mut safe = TerminalSafe {
            out: &mut out,
            partial: Vec::new(),
            literal: None,
        };
        let json = r#"{"url": "https://ci:s3cr3t-value@registry.example/x", "n": "a\"b"}"#;
        for byte in json.as_bytes() {
            safe.write_all(std::slice::from_ref(byte)).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("s3cr3t"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["n"], "a\"b");
    }

    /// The character class, one row per kind of character.
    #[test]
    fn unsafe_characters() {
        let table: &[(char, bool, &str)] = &[
            ('a', false, "letter"),
            (' ', false, "space"),
            ('é', false, "accented letter"),
            ('\u{627}', false, "Arabic letter alef"),
            ('\u{200c}', false, "zero width non-joiner (Persian, Indic)"),
            ('\u{200d}', false, "zero width joiner (emoji sequences)"),
            ('\u{00a0}', false, "no-break space"),
            ('\u{fffd}', false, "replacement character"),
            ('\u{0}', true, "NUL"),
            ('\n', true, "line feed (callers keep it explicitly)"),
            ('\t', true, "tab (callers keep it explicitly)"),
            ('\u{1b}', true, "ESC"),
            ('\u{7f}', true, "DEL"),
            ('\u{80}', true, "C1 start"),
            ('\u{9b}', true, "C1 CSI"),
            ('\u{9f}', true, "C1 end"),
            ('\u{61c}', true, "Arabic letter mark"),
            ('\u{200b}', true, "zero width space"),
            ('\u{200e}', true, "left-to-right mark"),
            ('\u{200f}', true, "right-to-left mark"),
            ('\u{2028}', true, "line separator"),
            ('\u{2029}', true, "paragraph separator"),
            ('\u{202a}', true, "left-to-right embedding"),
            ('\u{202b}', true, "right-to-left embedding"),
            ('\u{202c}', true, "pop directional formatting"),
            ('\u{202d}', true, "left-to-right override"),
            ('\u{202e}', true, "right-to-left override"),
            ('\u{202f}', false, "narrow no-break space"),
            ('\u{2060}', true, "word joiner"),
            ('\u{2064}', true, "invisible plus"),
            ('\u{2065}', false, "unassigned"),
            ('\u{2066}', true, "left-to-right isolate"),
            ('\u{2067}', true, "right-to-left isolate"),
            ('\u{2068}', true, "first strong isolate"),
            ('\u{2069}', true, "pop directional isolate"),
            ('\u{206a}', true, "inhibit symmetric swapping"),
            ('\u{206f}', true, "nominal digit shapes"),
            ('\u{feff}', true, "byte order mark"),
            ('\u{fff9}', true, "interlinear annotation anchor"),
            ('\u{e0041}', true, "tag latin capital A"),
            ('\u{e007f}', true, "cancel tag"),
        ];
        for &(c, unsafe_char, name) in table {
            assert_eq!(
                is_unsafe_char(c),
                unsafe_char,
                "U+{:04X} {name}",
                u32::from(c)
            );
        }
        assert_eq!(sanitize("a\u{61c}b\u{2067}c\u{feff}d"), "abcd");
        let mut out = Vec::new();
        write_terminal_safe_json(&serde_json::json!(["x\u{61c}y"]), &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("x\\u061cy"));
    }

    #[test]
    fn renderers_redact_credentials() {
        let secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
        let text = format!("`-r x` line 2: https://u:p@h/x, {secret}");
        assert_eq!(sanitize(&text), "`-r x` line 2: https://***@h/x, ***");
        // A control character inside the token does not hide it.
        assert_eq!(sanitize(&format!("ghp_\u{1b}{}", &secret[4..])), "***");
        assert_eq!(
            sanitize_line("extraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\nnext"),
            "extraheader = AUTHORIZATION: ***"
        );
        let value = serde_json::json!({"warnings": [format!("token={secret}")], "n": 1});
        let mut out = Vec::new();
        write_terminal_safe_json(&value, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(secret), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["warnings"][0], "token=***");
    }

    #[test]
    fn sanitize_strips_escapes_and_controls() {
        assert_eq!(
            sanitize("evil\u{1b}[31mred\u{7}\u{9b}x\u{202e}"),
            "evil[31mredx"
        );
        assert_eq!(sanitize("plain @scope/pkg 1.0.0"), "plain @scope/pkg 1.0.0");
    }
}
