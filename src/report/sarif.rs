//! `deptrust scan --format sarif`: SARIF 2.1.0 for GitHub code scanning (and any other SARIF
//! consumer). Spec: <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>;
//! GitHub's subset: <https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning>.
//!
//! One run. `tool.driver.rules` holds, sorted by id, every rule that has a result, with its
//! catalog text (a rule missing from the catalog gets its id as title and nothing else).
//! One result per finding at level deny (`error`) or warn (`warning`). Findings at level allow
//! are left out: they were accepted by policy or by an exception with a reason, and as
//! results GitHub would open them as alerts to be dismissed by hand on every branch. The JSON
//! format still lists them.
//!
//! A result points at its package's entry in the lockfile (its `line`, or line 1 when the
//! parser did not record one). The lockfile path is written as a relative URI reference with
//! forward slashes, no leading `./`, and percent-encoding where a URI needs it; GitHub resolves
//! it against the repository root, so the CLI should give paths relative to that root.
//!
//! Results are deterministic: no timestamps, no run ids, packages in weighted-risk order.
//! `partialFingerprints["deptrustFinding/v1"]` identifies a finding across runs: FNV-1a-64
//! over the lockfile URI, the rule id and the package id (see [`fingerprint`]).
//!
//! Own serde structs rather than `serde-sarif`: the format is frozen, we write a small part of
//! it, and `serde-sarif` generates its types at build time (~30 s). A test validates the output
//! against the official schema (`tests/data/sarif-schema-2.1.0.json`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::{findings_by_severity, packages_by_weighted_risk, sanitize_line};
use crate::rules::{Catalog, Level, Severity};
use crate::scan::ScanReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of our fingerprint in `partialFingerprints`; bump the version if its input changes.
const FINGERPRINT_KEY: &str = "deptrustFinding/v1";

/// Writes the scan report as a SARIF 2.1.0 log, rule text from [`crate::rules::catalog`].
pub fn render_scan_sarif(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    render(report, crate::rules::catalog(), out)
}

/// [`render_scan_sarif`] with the catalog as an input, so tests do not depend on rule prose.
fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    super::write_terminal_safe_json(&log(report, catalog), out)
}

fn log<'a>(report: &'a ScanReport, catalog: &'a Catalog) -> Log<'a> {
    let mut results = Vec::new();
    // With a baseline in play, every result says whether the baseline had it (`unchanged`,
    // shown but not gating) or not (`new`).
    let compared = report
        .projects
        .iter()
        .flat_map(|project| &project.packages)
        .flat_map(|package| &package.findings)
        .any(|finding| finding.baseline);
    for project in &report.projects {
        let uri = artifact_uri(&project.lockfile);
        for package in packages_by_weighted_risk(project) {
            for finding in findings_by_severity(package) {
                let level = match finding.level {
                    Level::Deny => "error",
                    Level::Warn => "warning",
                    Level::Allow => continue,
                };
                results.push(SarifResult {
                    rule_id: &finding.rule,
                    rule_index: 0,
                    level,
                    message: Message {
                        text: sanitize_line(&format!(
                            "{}: {}{}",
                            package.id,
                            finding.message,
                            if finding.baseline {
                                " (in the baseline: not gating)"
                            } else {
                                ""
                            }
                        )),
                    },
                    baseline_state: compared.then_some(if finding.baseline {
                        "unchanged"
                    } else {
                        "new"
                    }),
                    locations: [Location {
                        physical_location: PhysicalLocation {
                            artifact_location: ArtifactLocation { uri: uri.clone() },
                            region: Region {
                                start_line: package.line.unwrap_or(1).max(1),
                            },
                        },
                    }],
                    partial_fingerprints: BTreeMap::from([(
                        FINGERPRINT_KEY,
                        fingerprint(&uri, &finding.rule, &package.id),
                    )]),
                    properties: ResultProperties {
                        package: sanitize_line(&package.id),
                        severity: finding.severity,
                    },
                });
            }
        }
    }

    // Rules with a result, sorted by id; each result points at its rule by index. For a rule
    // the catalog does not know, the most severe of its findings stands for the rule's.
    let mut severities: BTreeMap<&str, Severity> = BTreeMap::new();
    for result in &results {
        let severity = severities
            .entry(result.rule_id)
            .or_insert(result.properties.severity);
        *severity = (*severity).max(result.properties.severity);
    }
    let rules: Vec<ReportingDescriptor<'_>> = severities
        .iter()
        .map(|(id, severity)| descriptor(id, *severity, catalog))
        .collect();
    for result in &mut results {
        result.rule_index = rules
            .iter()
            .position(|rule| rule.id == result.rule_id)
            .unwrap_or_default();
    }

    let notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|error| Notification {
            level: "error",
            message: Message {
                text: sanitize_line(&format!("{}: {}", error.lockfile, error.message)),
            },
        })
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "deptrust",
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    }
}

fn descriptor<'a>(
    id: &'a str,
    severity: Severity,
    catalog: &'a Catalog,
) -> ReportingDescriptor<'a> {
    let tags = vec!["security", "supply-chain"];
    let Some(rule) = catalog.rule(id) else {
        return ReportingDescriptor {
            id,
            name: pascal_case(id),
            short_description: Message {
                text: id.to_string(),
            },
            full_description: None,
            help: None,
            default_configuration: None,
            properties: RuleProperties {
                tags,
                security_severity: security_severity(severity),
            },
        };
    };
    let markdown = format!(
        "**{}**\n\n{}\n\n**What it checks.** {}\n\n**Remediation.** {}",
        rule.title.trim(),
        rule.why.trim(),
        rule.checks.trim(),
        rule.remediation.trim()
    );
    ReportingDescriptor {
        id,
        name: pascal_case(id),
        short_description: Message {
            text: rule.title.trim().to_string(),
        },
        full_description: Some(Message {
            text: rule.why.trim().to_string(),
        }),
        help: Some(Help {
            text: rule.remediation.trim().to_string(),
            markdown,
        }),
        default_configuration: Some(Configuration {
            level: match rule.level {
                Level::Deny => "error",
                Level::Warn => "warning",
                Level::Allow => "note",
            },
        }),
        properties: RuleProperties {
            tags,
            security_severity: security_severity(rule.severity),
        },
    }
}

/// GitHub ranks alerts by this score (a string holding a number from 0.0 to 10.0): over 9.0
/// is critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> String {
    let score = match severity {
        Severity::Critical => 9.5,
        Severity::High => 7.5,
        Severity::Medium => 5.0,
        Severity::Low => 3.0,
        Severity::Info => 0.0,
    };
    format!("{score:.1}")
}

/// `new-publisher` → `NewPublisher`: the SARIF `name`, an identifier readable by people.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// Characters kept as they are in a relative URI reference path: RFC 3986 unreserved and
/// sub-delims, `@` and `/`. `:` is encoded, since in a first segment it would read as a
/// scheme (`C:/…`).
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@')
    .remove(b'/');

/// The lockfile path as a relative URI reference: `\` → `/`, leading `./` removed,
/// percent-encoded where a URI needs it (`services\api\poetry.lock` →
/// `services/api/poetry.lock`, `my app/yarn.lock` → `my%20app/yarn.lock`).
fn artifact_uri(lockfile: &str) -> String {
    let slashed = lockfile.replace('\\', "/");
    let mut path = slashed.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    utf8_percent_encode(path, PATH).to_string()
}

/// A stable fingerprint of one finding: 16 hex digits of FNV-1a-64 over the lockfile URI,
/// the rule id and the package id, each followed by a NUL byte so no two inputs run together.
///
/// The lockfile is part of it so that the same package in two lockfiles of a monorepo makes
/// two alerts (each is fixed on its own); the version is part of the package id, so upgrading
/// to a version with the same finding opens a new alert. The message and evidence are not:
/// they may be reworded without the finding changing. FNV-1a rather than SHA-256: the value
/// only needs to be stable and well spread (GitHub uses it to match alerts between runs; it
/// protects nothing), and it needs no dependency. FNV-1a-64: offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3 (<http://www.isthe.com/chongo/tech/comp/fnv/>).
fn fingerprint(uri: &str, rule: &str, package: &str) -> String {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    for part in [uri, rule, package] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity")]
    security_severity: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct ResultProperties {
    /// The package id, also in the message: a consumer can group results by package.
    package: String,
    /// The finding's own severity, which a signal may raise above its rule's.
    severity: Severity,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::report::{sanitize, scan_fixture};

    fn render_value(report: &ScanReport) -> (String, Value) {
        let mut out = Vec::new();
        render(report, &scan_fixture::catalog(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let value = serde_json::from_str(&text).unwrap();
        (text, value)
    }

    #[test]
    fn scenario() {
        let (text, _) = render_value(&scan_fixture::scan_report());
        insta::assert_snapshot!(text);
    }

    #[test]
    fn baseline_findings_are_unchanged_and_the_others_new() {
        let (_, value) = render_value(&scan_fixture::baseline_report());
        validate(&value);
        let results = value["runs"][0]["results"].as_array().expect("results");
        let state = |rule: &str| {
            results
                .iter()
                .find(|result| result["ruleId"] == rule)
                .map(|result| result["baselineState"].clone())
        };
        assert_eq!(state("new-publisher"), Some("unchanged".into()));
        assert_eq!(state("install-script"), Some("new".into()));
        let message = results
            .iter()
            .find(|result| result["ruleId"] == "new-publisher")
            .and_then(|result| result["message"]["text"].as_str())
            .unwrap_or_default();
        assert!(
            message.ends_with("(in the baseline: not gating)"),
            "{message}"
        );
        // Without a baseline, no result says anything about one.
        let (_, value) = render_value(&scan_fixture::scan_report());
        assert!(
            value["runs"][0]["results"]
                .as_array()
                .expect("results")
                .iter()
                .all(|result| result.get("baselineState").is_none())
        );
    }

    /// The official SARIF 2.1.0 schema (see `tests/data/README.md`), format assertions on.
    fn validate(value: &Value) {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        );
        let schema: Value = serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
        let url = schema["$id"].as_str().unwrap().to_string();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.add_resource(&url, schema).unwrap();
        let mut schemas = boon::Schemas::new();
        let index = compiler.compile(&url, &mut schemas).unwrap();
        if let Err(error) = schemas.validate(value, index) {
            panic!("not valid SARIF 2.1.0: {error:#}");
        }
    }

    #[test]
    fn output_is_valid_sarif_2_1_0() {
        for report in [
            scan_fixture::scan_report(),
            scan_fixture::quiet_report(),
            scan_fixture::large_report(20),
        ] {
            validate(&render_value(&report).1);
        }
        // With the real catalog too, whatever rules it holds by now.
        let mut out = Vec::new();
        render_scan_sarif(&scan_fixture::scan_report(), &mut out).unwrap();
        validate(&serde_json::from_slice(&out).unwrap());
    }

    #[test]
    fn the_validator_rejects_what_the_schema_forbids() {
        let (_, mut value) = render_value(&scan_fixture::scan_report());
        value["runs"][0]["results"][0]["level"] = "fatal".into();
        let result = std::panic::catch_unwind(|| validate(&value));
        assert!(result.is_err(), "an invalid level passed validation");
    }

    /// What GitHub code scanning needs beyond the schema: its upload rejects or degrades a log
    /// without these.
    #[test]
    fn github_code_scanning_fields() {
        let (_, value) = render_value(&scan_fixture::scan_report());
        assert_eq!(value["$schema"], SCHEMA);
        assert_eq!(value["version"], "2.1.0");
        let runs = value["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let driver = &runs[0]["tool"]["driver"];
        assert_eq!(driver["name"], "deptrust");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "install-script",
                "new-publisher",
                "no-provenance",
                "unmaintained"
            ]
        );
        for rule in rules {
            let score: f64 = rule["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((0.0..=10.0).contains(&score));
            assert!(
                rule["properties"]["tags"]
                    .as_array()
                    .unwrap()
                    .contains(&"security".into())
            );
            assert!(
                !rule["shortDescription"]["text"]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
        }
        // A rule the catalog does not know: its id as title, nothing invented.
        let unknown_rule = &rules[2];
        assert_eq!(unknown_rule["shortDescription"]["text"], "no-provenance");
        assert!(unknown_rule.get("help").is_none());
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "error");
        assert_eq!(rules[1]["properties"]["security-severity"], "7.5");

        let results = runs[0]["results"].as_array().unwrap();
        // deny + warn: new-publisher, unmaintained (foo), install-script, no-provenance;
        // the allowed left-pad finding is not a result.
        assert_eq!(results.len(), 4);
        for result in results {
            let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(result["ruleId"], rules[rule_index]["id"]);
            assert!(["error", "warning"].contains(&result["level"].as_str().unwrap()));
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with("./") && !uri.starts_with('/') && !uri.contains('\\'));
            assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
            let fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
                .as_str()
                .unwrap();
            assert_eq!(fingerprint.len(), 16);
            let text = result["message"]["text"].as_str().unwrap();
            assert_eq!(sanitize(text), text);
        }
        assert_eq!(results[0]["ruleId"], "new-publisher");
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            12
        );
        let idna = &results[3];
        assert_eq!(
            idna["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/api/poetry.lock"
        );
        assert!(
            results
                .iter()
                .all(|result| result["properties"]["package"] != "npm:left-pad@1.3.0")
        );
    }

    #[test]
    fn results_are_empty_when_nothing_warns() {
        let (_, value) = render_value(&scan_fixture::quiet_report());
        assert_eq!(value["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(
            value["runs"][0]["tool"]["driver"]["rules"],
            serde_json::json!([])
        );
        assert_eq!(
            value["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let first = render_value(&scan_fixture::scan_report()).0;
        let second = render_value(&scan_fixture::scan_report()).0;
        assert_eq!(first, second, "two renders of one report differ");

        let (_, value) = render_value(&scan_fixture::large_report(500));
        let fingerprints: Vec<&str> = value["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|result| {
                result["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
            })
            .collect();
        let distinct: BTreeSet<&str> = fingerprints.iter().copied().collect();
        assert_eq!(distinct.len(), fingerprints.len());

        // Pinned: a change here breaks alert tracking for every user; bump the key instead.
        assert_eq!(
            fingerprint("package-lock.json", "new-publisher", "npm:foo@1.2.3"),
            "fa13a036624d05f5"
        );
        // Each part counts, and parts do not run together.
        assert_ne!(fingerprint("a", "bc", "d"), fingerprint("ab", "c", "d"));
        assert_ne!(
            fingerprint("package-lock.json", "new-publisher", "npm:foo@1.2.3"),
            fingerprint("web/package-lock.json", "new-publisher", "npm:foo@1.2.3")
        );
    }

    #[test]
    fn fnv1a_64_matches_the_reference_vectors() {
        // From the FNV reference test suite: fnv1a64("") and fnv1a64("a").
        let raw = |bytes: &[u8]| {
            bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
            })
        };
        assert_eq!(raw(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(raw(b"a"), 0xaf63_dc4c_8601_ec8c);
        // `fingerprint` is that function over "uri\0rule\0package\0".
        assert_eq!(
            fingerprint("u", "r", "p"),
            format!("{:016x}", raw(b"u\0r\0p\0"))
        );
    }

    #[test]
    fn artifact_uris_are_relative_references() {
        assert_eq!(
            artifact_uri("./services/api/poetry.lock"),
            "services/api/poetry.lock"
        );
        assert_eq!(
            artifact_uri(".\\web\\package-lock.json"),
            "web/package-lock.json"
        );
        assert_eq!(artifact_uri("././/Cargo.lock"), "Cargo.lock");
        assert_eq!(artifact_uri("my app/yarn.lock"), "my%20app/yarn.lock");
        assert_eq!(artifact_uri("C:/repo/uv.lock"), "C%3A/repo/uv.lock");
        assert_eq!(
            artifact_uri("@scope/a#b?c%d.lock"),
            "@scope/a%23b%3Fc%25d.lock"
        );
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("new-publisher"), "NewPublisher");
        assert_eq!(pascal_case("install-script"), "InstallScript");
    }
}
