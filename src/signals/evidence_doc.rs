//! Keeps `docs/evidence.md` honest: every rule has a section there, in rule-id order, and
//! every key its evidence can have is a row of that section's tables (or of a shared shape a
//! row links to).
//!
//! The evidence comes two ways: real findings of the signals over test facts (the packages the
//! signal tests use), and each evidence type built with every optional part present (every
//! variant of the untagged and tagged shapes), so that a field added to a type fails here until
//! it is documented (a struct literal names every field).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::support::{AgeEvidence, Weight, evidence};
use super::test_support::{
    NOW, attested, build, busy_package, evaluate_with, facts_with, owner, release, release_mut,
    user,
};
use super::{Outcome, Params, SIGNALS};
use crate::model::facts::{Fact, PackageFacts, Status};
use crate::model::verification::{ProvenanceCheck, SignatureCheck};

/// The document under test.
const DOC: &str = include_str!("../../docs/evidence.md");

/// A section of the document: its table rows (the first cell, without backticks, and the
/// whole line).
#[derive(Debug, Default)]
struct Section {
    rows: BTreeMap<String, String>,
}

impl Section {
    /// The row whose first cell is `` `name` ``.
    fn row(&self, name: &str) -> Option<&str> {
        self.rows.get(name).map(String::as_str)
    }
}

/// The document: rule sections (`` ## `id` ``) in order, and the shared shapes (`### Title`)
/// by their anchor.
struct Doc {
    rules: Vec<(String, Section)>,
    shared: BTreeMap<String, Section>,
}

/// GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped,
/// spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn parse(doc: &str) -> Doc {
    enum Current {
        None,
        Rule(usize),
        Shared(String),
    }
    let mut parsed = Doc {
        rules: Vec::new(),
        shared: BTreeMap::new(),
    };
    let mut current = Current::None;
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            current = match heading
                .strip_prefix('`')
                .and_then(|rest| rest.strip_suffix('`'))
            {
                Some(id) => {
                    parsed.rules.push((id.to_string(), Section::default()));
                    Current::Rule(parsed.rules.len() - 1)
                }
                None => Current::None,
            };
        } else if let Some(heading) = line.strip_prefix("### ") {
            let key = anchor(heading);
            parsed.shared.insert(key.clone(), Section::default());
            current = Current::Shared(key);
        } else if let Some(rest) = line.strip_prefix("| `")
            && let Some((name, _)) = rest.split_once("` |")
        {
            let section = match &current {
                Current::Rule(index) => Some(&mut parsed.rules[*index].1),
                Current::Shared(key) => parsed.shared.get_mut(key),
                Current::None => None,
            };
            if let Some(section) = section {
                section.rows.insert(name.to_string(), line.to_string());
            }
        }
    }
    parsed
}

/// The anchor a row links to (`[age](#age)`), if any.
fn link(row: &str) -> Option<&str> {
    let start = row.find("](#")? + 3;
    let end = row[start..].find(')')? + start;
    Some(&row[start..end])
}

/// Whether `path` is documented in `section`: a row of its own, or under a row that links to
/// a shared shape documenting the rest, or under a row that is a map (whose keys are data).
fn documented(doc: &Doc, section: &Section, path: &str) -> bool {
    if section.row(path).is_some() {
        return true;
    }
    path.match_indices('.').rev().any(|(at, _)| {
        let (prefix, rest) = (&path[..at], &path[at + 1..]);
        let name = prefix.strip_suffix("[]").unwrap_or(prefix);
        match section.row(name) {
            Some(row) if row.contains("map of") => true,
            Some(row) => link(row)
                .and_then(|anchor| doc.shared.get(anchor))
                .is_some_and(|shared| documented(doc, shared, rest)),
            None => false,
        }
    })
}

/// Every key path of a JSON object: `a`, `a.b`, `a[].c` (arrays as `[]`).
fn paths(value: &Value, prefix: &str, found: &mut BTreeSet<String>) {
    let Value::Object(fields) = value else {
        return;
    };
    for (key, value) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(_) => paths(value, &path, found),
            Value::Array(items) => {
                for item in items {
                    paths(item, &format!("{path}[]"), found);
                }
            }
            _ => {}
        }
        found.insert(path);
    }
}

/// The evidence of every risk the signals find in `facts` (with an earlier run's facts).
fn findings(facts: &PackageFacts, previous: Option<&PackageFacts>) -> Vec<(&'static str, Value)> {
    SIGNALS
        .iter()
        .filter_map(|signal| {
            let params = Params::defaults(signal.id());
            match evaluate_with(*signal, facts, previous, &params) {
                Outcome::Risk { evidence, .. } => Some((signal.id(), evidence)),
                _ => None,
            }
        })
        .collect()
}

/// Real findings over test facts.
fn real_evidence() -> Vec<(&'static str, Value)> {
    let mut all = Vec::new();
    let busy = busy_package();
    let mut previous = busy.clone();
    previous.owners = Fact::Known(vec![owner("alice")]);
    all.extend(findings(&busy, Some(&previous)));

    // Yanked, deprecated, archived (as the signals' pinning test has it).
    let mut withdrawn = busy_package();
    let in_use = release_mut(&mut withdrawn, "2.0.1");
    in_use.yanked = true;
    in_use.yank_reason = Some("broken build".into());
    withdrawn.status = Fact::Known(Status {
        deprecated: Some("use bar".into()),
        ..Status::default()
    });
    if let Fact::Known(repository) = &mut withdrawn.repository_facts {
        repository.archived = true;
        repository.pushed_at = Some("2025-06-01T00:00:00Z".parse().expect("a time"));
    }
    withdrawn.repository = Fact::Known(Some("https://example.com/home".into()));
    all.extend(findings(&withdrawn, None));

    // Quiet for years, the repository archived.
    let mut quiet = facts_with(
        "npm",
        "1.1.0",
        vec![
            release("1.0.0", "2019-01-01T00:00:00Z"),
            release("1.1.0", "2019-06-01T00:00:00Z"),
        ],
    );
    if let Fact::Known(repository) = &mut quiet.repository_facts {
        repository.archived = true;
    }
    all.extend(findings(&quiet, None));

    // Provenance dropped after an attested release, and the version in use follows the drop.
    let dropped = facts_with(
        "npm",
        "1.2.0",
        vec![
            attested(
                release("1.0.0", "2025-06-01T00:00:00Z"),
                build("owner/repo", "1", "ci.yml"),
            ),
            release("1.1.0", "2025-12-01T00:00:00Z"),
            release("1.2.0", "2025-12-20T00:00:00Z"),
        ],
    );
    all.extend(findings(&dropped, None));

    // Built from another repository than its predecessor, with provenance that does not
    // verify on the next release.
    let mut rebuilt = facts_with(
        "npm",
        "1.1.0",
        vec![
            attested(
                release("1.0.0", "2025-06-01T00:00:00Z"),
                build("owner/repo", "1", "ci.yml"),
            ),
            attested(
                release("1.1.0", "2025-12-20T00:00:00Z"),
                build("fork/repo", "2", "release.yml"),
            ),
        ],
    );
    all.extend(findings(&rebuilt, None));
    release_mut(&mut rebuilt, "1.1.0")
        .verification
        .as_mut()
        .expect("verified")
        .provenance = ProvenanceCheck::Invalid {
        reason: "the signature does not verify".into(),
    };
    all.extend(findings(&rebuilt, None));
    all
}

fn age() -> AgeEvidence<'static> {
    AgeEvidence {
        version: "1.0.0",
        published: NOW.to_string(),
        age_days: 0,
        weight: Weight::Full,
        fresh_days: 90,
        expire_days: 365,
    }
}

/// Every evidence type, built with every optional part present (and each variant of the
/// shapes with several).
fn typed_evidence() -> Vec<(&'static str, Value)> {
    use super::{
        archived, deprecated, dormant_revival, install_script, new_publisher, no_provenance,
        no_source_repo, owners_changed, provenance_dropped, provenance_invalid,
        publisher_identity_changed, repo_moved, single_owner, too_new, unmaintained, yanked,
    };
    let time = || NOW.to_string();
    let mut all = vec![
        (
            "archived",
            evidence(&archived::Evidence {
                status_archived: Some(true),
                repository: Some("owner/repo"),
                repository_archived: Some(true),
                repository_disabled: Some(false),
                pushed_at: Some(time()),
            }),
        ),
        (
            "deprecated",
            evidence(&deprecated::Evidence {
                version: "1.0.0",
                deprecated: Some("use bar"),
                quarantined: true,
            }),
        ),
        (
            "no-provenance",
            evidence(&no_provenance::Evidence {
                version: "1.0.0",
                provenance: "absent",
            }),
        ),
        (
            "no-source-repo",
            evidence(&no_source_repo::Evidence {
                version: "1.0.0",
                repository: Some("https://example.com"),
            }),
        ),
        (
            "single-owner",
            evidence(&single_owner::Evidence {
                owners: [single_owner::OwnerEvidence {
                    id: "npm:user:alice",
                    display: "alice",
                    role: Some("maintainer"),
                }],
            }),
        ),
        (
            "too-new",
            evidence(&too_new::Evidence {
                version: "1.0.0",
                published: time(),
                now: time(),
                age_hours: 1,
                hours: 72,
            }),
        ),
        (
            "yanked",
            evidence(&yanked::Evidence {
                version: "1.0.0",
                yanked: true,
                yank_reason: Some("broken"),
                all_yanked: true,
                latest_not_yanked: Some("1.0.1"),
            }),
        ),
        (
            "unmaintained",
            evidence(&unmaintained::Evidence {
                latest_release: unmaintained::LatestRelease {
                    version: "1.0.0",
                    published: time(),
                },
                months_without_release: 30,
                release_months: 24,
                push_months: 12,
                repository: unmaintained::RepositoryState {
                    archived: true,
                    pushed_at: Some(Some(time())),
                },
            }),
        ),
    ];

    let scripts: BTreeMap<String, String> = [("postinstall".into(), "node x.js".into())].into();
    all.push((
        "install-script",
        evidence(&install_script::Evidence::Scripts {
            version: "1.0.0",
            scripts: &scripts,
        }),
    ));
    all.push((
        "install-script",
        evidence(&install_script::Evidence::SourceOnly {
            version: "1.0.0",
            files: vec!["pkg-1.0.tar.gz"],
        }),
    ));

    let account = new_publisher::PublisherEvidence::Account {
        id: "npm:user:mallory",
        display: "mallory",
    };
    let trusted = new_publisher::PublisherEvidence::TrustedPublisher {
        id: Some("trusted-publisher:github:owner/repo"),
        display: Some("owner/repo"),
        repository: Some("https://github.com/owner/repo"),
        repository_id: Some("1"),
    };
    let found = |publisher: new_publisher::PublisherEvidence<'static>, aged: bool| {
        new_publisher::FoundEvidence {
            version: "1.0.0",
            published: Some(NOW.to_string()),
            in_use: true,
            publisher,
            earlier_releases_compared: 1,
            earlier_publishers_unknown: 0,
            age: aged.then(age),
        }
    };
    all.push((
        "new-publisher",
        evidence(&new_publisher::Evidence {
            version: "1.0.0",
            window_days: 30,
            new_publishers: vec![found(account.clone(), true), found(trusted.clone(), true)],
        }),
    ));
    let (mallory, alice) = (user("mallory"), user("alice"));
    all.push((
        "new-publisher",
        evidence(&new_publisher::LedgerEvidence {
            version: "1.0.0",
            publisher: &mallory,
            ledger_publishers: vec![&alice],
        }),
    ));
    let release_evidence = || dormant_revival::ReleaseEvidence {
        version: "1.0.0",
        published: NOW.to_string(),
    };
    all.push((
        "dormant-revival",
        evidence(&dormant_revival::Evidence {
            version: "1.0.0",
            silence_months: 24,
            silent_months: 30,
            previous_release: release_evidence(),
            revival: release_evidence(),
            new_publishers: vec![found(account, false), found(trusted, false)],
            publisher_unknown: Some("unknown".into()),
            age: age(),
        }),
    ));

    let owner_evidence = || owners_changed::OwnerEvidence {
        id: "npm:user:alice",
        display: "alice",
    };
    all.push((
        "owners-changed",
        evidence(&owners_changed::Evidence {
            version: "1.0.0",
            since_previous_version: Some(owners_changed::SincePreviousVersion {
                previous_version: "0.9.0",
                published: Some(time()),
                added: vec![owner_evidence()],
                removed: vec![owner_evidence()],
                order: "version order, same release line".into(),
                age: age(),
            }),
            since_earlier_run: Some(owners_changed::SinceEarlierRun {
                earlier_run_version: "0.9.0",
                added: vec![owner_evidence()],
                removed: vec![owner_evidence()],
            }),
        }),
    ));

    let files = vec!["pkg-1.0.tar.gz".to_string()];
    all.push((
        "provenance-dropped",
        evidence(&provenance_dropped::FilesEvidence {
            version: "1.0.0",
            provenance: "absent",
            files_without_provenance: &files,
            files_with_provenance: &files,
            files_basis: "verified",
        }),
    ));
    all.push((
        "provenance-dropped",
        evidence(&provenance_dropped::Evidence {
            version: "1.0.0",
            provenance: "absent",
            last_with_provenance: provenance_dropped::LastWithProvenance {
                version: "0.9.0",
                published: Some(time()),
                kind: "verified",
            },
            earlier_with_provenance: 1,
            releases_without_since: 1,
            earlier_provenance_unknown: 0,
            order: "version order, same release line".into(),
            drop: Some(age()),
        }),
    ));

    let mut identity = build("owner/repo", "1", "ci.yml");
    identity.environment = Some("release".into());
    identity.run = Some("https://github.com/owner/repo/actions/runs/1".into());
    let checks = [
        ProvenanceCheck::Verified {
            identity: Box::new(identity),
        },
        ProvenanceCheck::RegistryAsserted {
            provider: "github".into(),
            repository: Some("owner/repo".into()),
            run: Some("1".into()),
            commit: Some("0123".into()),
            trusted_publishing_only: Some(true),
        },
        ProvenanceCheck::Absent,
        ProvenanceCheck::Invalid {
            reason: "bad".into(),
        },
        ProvenanceCheck::Unknown {
            reason: "offline".into(),
        },
    ];
    let signatures = [
        SignatureCheck::Verified {
            keyid: "SHA256:key".into(),
        },
        SignatureCheck::Invalid {
            reason: "bad".into(),
        },
        SignatureCheck::Missing,
        SignatureCheck::NotApplicable {
            reason: "no keys".into(),
        },
        SignatureCheck::Unknown {
            reason: "offline".into(),
        },
    ];
    for (provenance, registry_signature) in checks.iter().zip(&signatures) {
        all.push((
            "provenance-invalid",
            evidence(&provenance_invalid::Evidence {
                version: "1.0.0",
                integrity: Some("sha512-abc"),
                provenance,
                registry_signature,
                failed_attestations: vec![provenance_invalid::FailedAttestation {
                    subject: "provenance",
                    failure: Some("bad"),
                }],
            }),
        ));
    }

    let source = || publisher_identity_changed::SourceEvidence {
        basis: "verified",
        repository: Some("https://github.com/owner/repo"),
        repository_id: Some("1"),
        workflow: Some("ci.yml"),
    };
    all.push((
        "publisher-identity-changed",
        evidence(&publisher_identity_changed::Evidence {
            version: "1.0.0",
            built_from: source(),
            compared_with: publisher_identity_changed::ComparedWith {
                version: "0.9.0",
                built_from: source(),
                order: "version order, same release line".into(),
            },
            age: Some(age()),
        }),
    ));
    all.push((
        "publisher-identity-changed",
        evidence(&publisher_identity_changed::LedgerEvidence {
            version: "1.0.0",
            built_by: source(),
            ledger_builders: vec![source()],
        }),
    ));

    all.push((
        "repo-moved",
        evidence(&repo_moved::Evidence {
            declared: "https://github.com/owner/old",
            moved_from: Some("owner/old"),
            now: Some("owner/repo"),
            repository_id: Some(1),
            declaration_changed: Some(repo_moved::DeclarationChanged {
                version: "1.0.0",
                declares: "https://github.com/owner/repo",
                previous_version: "0.9.0",
                previously_declared: "https://github.com/owner/old",
                order: "version order, same release line".into(),
            }),
            built_from: Some(repo_moved::BuiltFrom {
                version: "1.0.0",
                basis: "verified",
                repository: "https://github.com/owner/repo",
            }),
            age: age(),
        }),
    ));
    all
}

#[test]
fn every_rule_has_a_section_in_rule_id_order() {
    let doc = parse(DOC);
    let sections: Vec<&str> = doc.rules.iter().map(|(id, _)| id.as_str()).collect();
    let ids: Vec<&str> = SIGNALS.iter().map(|signal| signal.id()).collect();
    for id in &ids {
        assert!(
            sections.contains(id),
            "docs/evidence.md has no section `## \\`{id}\\``"
        );
    }
    assert_eq!(
        sections, ids,
        "docs/evidence.md: one section per rule, in rule-id order"
    );
    for (id, section) in &doc.rules {
        assert!(
            !section.rows.is_empty(),
            "docs/evidence.md: `{id}` has no table"
        );
    }
}

#[test]
fn every_link_to_a_shared_shape_resolves() {
    let doc = parse(DOC);
    let sections = doc
        .rules
        .iter()
        .map(|(id, section)| (id.as_str(), section))
        .chain(
            doc.shared
                .iter()
                .map(|(key, section)| (key.as_str(), section)),
        );
    for (name, section) in sections {
        for (field, row) in &section.rows {
            if let Some(anchor) = link(row) {
                assert!(
                    doc.shared.contains_key(anchor),
                    "docs/evidence.md: `{name}`, field `{field}` links to #{anchor}, which is no shared shape"
                );
            }
        }
    }
}

#[test]
fn every_evidence_key_is_documented_in_its_rule_section() {
    let doc = parse(DOC);
    let real = real_evidence();
    let mut seen = BTreeSet::new();
    for (id, _) in &real {
        seen.insert(*id);
    }
    for signal in SIGNALS {
        assert!(
            seen.contains(signal.id()),
            "no real finding of `{}` in this test's facts",
            signal.id()
        );
    }
    let mut problems = Vec::new();
    for (id, value) in real.into_iter().chain(typed_evidence()) {
        assert!(value.is_object(), "{id}: evidence {value}");
        let Some((_, section)) = doc.rules.iter().find(|(rule, _)| rule == id) else {
            problems.push(format!("rule `{id}` has no section"));
            continue;
        };
        let mut found = BTreeSet::new();
        paths(&value, "", &mut found);
        for path in found {
            if !documented(&doc, section, &path) {
                problems.push(format!("rule `{id}`: key `{path}` is not documented"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "docs/evidence.md is missing:\n{}",
        problems.join("\n")
    );
}

/// The checker itself: it finds a missing key, follows links and maps, and names the rule.
#[test]
fn the_check_catches_what_is_missing() {
    let doc = parse(
        "## `r`\n\n| field | type |\n|---|---|\n| `a` | object: [age](#age) |\n| `m` | object: map of x to y |\n| `l` | array of objects |\n| `l[].x` | string |\n\n### Age\n\n| `version` | string |\n",
    );
    let section = &doc.rules[0].1;
    for path in ["a", "a.version", "m.anything", "l", "l[].x"] {
        assert!(documented(&doc, section, path), "{path}");
    }
    for path in ["b", "a.other", "l[].y", "x.version"] {
        assert!(!documented(&doc, section, path), "{path}");
    }
    let mut found = BTreeSet::new();
    paths(
        &serde_json::json!({"a": {"b": 1}, "l": [{"x": 1}], "n": null}),
        "",
        &mut found,
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["a", "a.b", "l", "l[].x", "n"]
    );
}
