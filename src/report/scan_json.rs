//! `deptrust scan --format json`: the public, versioned document (`schema_version` 1, `docs/json.md`
//! "Scan output"), the [`ScanReport`] as it is, every package included. Fields are only ever
//! added within a schema version.
//!
//! `packages[].build_time` (added within version 1): why the package runs its own code when the
//! project is built, `["build-script"]`, `["proc-macro"]` or both, known in Cargo's exact mode
//! (`cargo metadata`) only; omitted when empty. It changes neither the blast radius nor the
//! score.
//!
//! Registry text is kept as it came (a consumer may need the exact bytes) and written by
//! [`write_terminal_safe_json`](super::write_terminal_safe_json), so escape sequences and bidi
//! overrides are `\uXXXX` escapes even when the document is printed on a terminal.

use std::io::{self, Write};

use crate::scan::ScanReport;

/// Writes the scan report as pretty JSON with a trailing newline.
pub fn render_scan_json(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    super::write_terminal_safe_json(report, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{sanitize, scan_fixture};

    #[test]
    fn scenario() {
        let mut out = Vec::new();
        render_scan_json(&scan_fixture::scan_report(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("}\n"));
        // Nothing a terminal would interpret, yet the strings parse back unchanged.
        assert_eq!(sanitize(&text), text.replace('\n', ""));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["schema_version"], 1);
        assert_eq!(
            value["projects"][0]["packages"][0]["findings"][0]["message"],
            scan_fixture::scan_report().projects[0].packages[0].findings[0].message
        );
        insta::assert_snapshot!(text);
    }
}
