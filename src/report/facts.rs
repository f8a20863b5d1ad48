//! `deptrust facts` output: the JSON document (the same shape as a `--snapshot` file, so it can
//! be replayed) and a table with one row per package.

use std::io::{self, Write};

use comfy_table::{Cell, ContentArrangement, Table, presets};
use serde::Serialize;

use super::{Failure, sanitize};
use crate::model::facts::{Fact, PackageFacts, Provenance, Release};
use crate::verify::{ProvenanceCheck, SignatureCheck};

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    now: jiff::Timestamp,
    facts: &'a [PackageFacts],
    errors: Vec<ErrorJson<'a>>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    lockfile: &'a str,
    message: &'a str,
}

/// Writes the facts as JSON (snapshot shape, plus the lockfiles that could not be read).
pub fn render_facts_json(
    now: jiff::Timestamp,
    facts: &[PackageFacts],
    failures: &[Failure],
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = Document {
        schema_version: crate::registry::snapshot::FACTS_DOCUMENT_VERSION,
        now,
        facts,
        errors: failures
            .iter()
            .map(|f| ErrorJson {
                lockfile: &f.lockfile,
                message: &f.message,
            })
            .collect(),
    };
    super::write_terminal_safe_json(&document, out)
}

/// Writes one row per package; unknown facts show as `?` and are explained below the table.
pub fn render_facts_table(facts: &[PackageFacts], out: &mut dyn Write) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header([
            "package",
            "published",
            "publisher",
            "owners",
            "repository",
            "provenance",
            "signature",
            "notes",
        ]);
    let mut unknowns = Vec::new();
    let mut verifications = Vec::new();
    for package in facts {
        let release = package.releases.known().and_then(|releases| {
            releases
                .iter()
                .find(|release| release.version == package.version)
        });
        let published = match (&package.releases, release) {
            (Fact::Unknown(_), _) => "?".to_string(),
            (
                _,
                Some(Release {
                    published: Some(at),
                    ..
                }),
            ) => at.strftime("%Y-%m-%d").to_string(),
            _ => "-".to_string(),
        };
        let publisher = match (&package.releases, release.map(|r| &r.publisher)) {
            (Fact::Known(_), Some(Fact::Known(Some(who)))) => who.display.clone(),
            (Fact::Known(_), Some(Fact::Known(None))) | (Fact::Known(_), None) => "-".to_string(),
            _ => "?".to_string(),
        };
        let owners = match &package.owners {
            Fact::Known(owners) if owners.is_empty() => "-".to_string(),
            Fact::Known(owners) => {
                let mut names: Vec<&str> =
                    owners.iter().map(|o| o.identity.display.as_str()).collect();
                names.truncate(3);
                let more = owners.len().saturating_sub(3);
                if more > 0 {
                    format!("{} +{more}", names.join(", "))
                } else {
                    names.join(", ")
                }
            }
            Fact::Unknown(_) => "?".to_string(),
        };
        let repository = match &package.repository {
            Fact::Known(Some(url)) => url.trim_start_matches("https://").to_string(),
            Fact::Known(None) => "-".to_string(),
            Fact::Unknown(_) => "?".to_string(),
        };
        let provenance = match release.and_then(|r| r.verification.as_ref()) {
            Some(verification) => match &verification.provenance {
                ProvenanceCheck::Verified { .. } => "verified".to_string(),
                ProvenanceCheck::RegistryAsserted { provider, .. } => {
                    format!("asserted ({provider})")
                }
                ProvenanceCheck::Absent => "-".to_string(),
                ProvenanceCheck::Invalid { .. } => "INVALID".to_string(),
                ProvenanceCheck::Unknown { .. } => "?".to_string(),
            },
            None => match release.map(|r| &r.provenance) {
                Some(Fact::Known(Provenance::TrustedPublishing { provider, .. })) => {
                    format!("trusted ({provider})")
                }
                Some(Fact::Known(Provenance::Attested { .. })) => "attested".to_string(),
                Some(Fact::Known(Provenance::None)) => "-".to_string(),
                Some(Fact::Unknown(_)) | None => "?".to_string(),
            },
        };
        let signature = match release.and_then(|r| r.verification.as_ref()) {
            Some(verification) => match &verification.registry_signature {
                SignatureCheck::Verified { .. } => "verified",
                SignatureCheck::Invalid { .. } => "INVALID",
                SignatureCheck::Missing => "missing",
                SignatureCheck::NotApplicable { .. } => "n/a",
                SignatureCheck::Unknown { .. } => "?",
            },
            None => "?",
        };
        if let Some(release) = release {
            verifications.extend(verification_lines(package, release));
        }
        if let Fact::Known(releases) = &package.releases {
            for earlier in releases
                .iter()
                .filter(|r| r.version != package.version && r.verification.is_some())
            {
                verifications.extend(verification_lines(package, earlier));
            }
        }
        let mut notes = Vec::new();
        if let Some(release) = release
            && release.yanked
        {
            notes.push("yanked".to_string());
        }
        if let Fact::Known(status) = &package.status {
            if status.deprecated.is_some() {
                notes.push("deprecated".into());
            }
            if status.archived {
                notes.push("project archived".into());
            }
            if status.quarantined {
                notes.push("quarantined".into());
            }
        }
        if let Fact::Known(repo) = &package.repository_facts {
            if repo.archived {
                notes.push("repo archived".into());
            }
            if let Some(from) = &repo.moved_from {
                notes.push(format!("repo moved from {from} to {}", repo.full_name));
            }
        }
        if let Fact::Known(scripts) = &package.install_scripts
            && !scripts.is_empty()
        {
            let names: Vec<&str> = scripts.keys().map(String::as_str).collect();
            notes.push(format!("install scripts: {}", names.join(", ")));
        }
        if let Some(release) = release {
            for (label, fact) in [
                ("publisher", reason(&release.publisher)),
                ("provenance", reason(&release.provenance)),
            ] {
                if let Some(why) = fact {
                    unknowns.push(format!("{} {label}: {why}", package.id));
                }
            }
        }
        for (label, reason) in unknown_reasons(package) {
            unknowns.push(format!("{} {label}: {reason}", package.id));
        }
        table.add_row(vec![
            Cell::new(sanitize(&package.id.to_string())),
            Cell::new(published),
            Cell::new(sanitize(&publisher)),
            Cell::new(sanitize(&owners)),
            Cell::new(sanitize(&repository)),
            Cell::new(provenance),
            Cell::new(signature),
            Cell::new(sanitize(&notes.join("; "))),
        ]);
    }
    writeln!(out, "{table}")?;
    if !verifications.is_empty() {
        writeln!(out, "\nverification (releases looked at):")?;
        for line in verifications {
            writeln!(out, "  {}", sanitize(&line))?;
        }
    }
    if !unknowns.is_empty() {
        writeln!(out, "\nunknown facts (? above):")?;
        for line in unknowns {
            writeln!(out, "  {}", sanitize(&line))?;
        }
    }
    Ok(())
}

/// What verifying a release established, one line per fact worth reading.
fn verification_lines(package: &PackageFacts, release: &Release) -> Vec<String> {
    let Some(verification) = &release.verification else {
        return Vec::new();
    };
    let at = format!("{}:{}@{}", package.ecosystem, package.name, release.version);
    let mut lines = Vec::new();
    match &verification.provenance {
        ProvenanceCheck::Verified { identity } => {
            let mut parts = vec![format!("{at} provenance verified:")];
            let mut push = |label: &str, value: &Option<String>| {
                if let Some(value) = value {
                    parts.push(format!("{label} {value}"));
                }
            };
            push("repository", &identity.repository);
            push("id", &identity.repository_id);
            push("workflow", &identity.workflow);
            push("ref", &identity.workflow_ref);
            push("builder", &identity.builder);
            push("trigger", &identity.trigger);
            push("environment", &identity.environment);
            push("issuer", &identity.issuer);
            lines.push(parts.join(" "));
        }
        ProvenanceCheck::RegistryAsserted {
            provider,
            repository,
            run,
            commit,
            trusted_publishing_only,
        } => {
            let mut line =
                format!("{at} trusted publishing asserted by the registry (unsigned): {provider}");
            for (label, value) in [("repository", repository), ("run", run), ("commit", commit)] {
                if let Some(value) = value {
                    line.push_str(&format!(" {label} {value}"));
                }
            }
            if *trusted_publishing_only == Some(true) {
                line.push_str(" (trusted publishing only)");
            }
            lines.push(line);
        }
        ProvenanceCheck::Absent => lines.push(format!("{at} provenance absent")),
        ProvenanceCheck::Invalid { reason } => {
            lines.push(format!("{at} provenance INVALID: {reason}"))
        }
        ProvenanceCheck::Unknown { reason } => {
            lines.push(format!("{at} provenance unknown: {reason}"))
        }
    }
    match &verification.registry_signature {
        SignatureCheck::Verified { keyid } => {
            lines.push(format!("{at} registry signature verified (key {keyid})"))
        }
        SignatureCheck::Invalid { reason } => {
            lines.push(format!("{at} registry signature INVALID: {reason}"))
        }
        SignatureCheck::Missing => lines.push(format!(
            "{at} registry signature missing (the registry signs releases)"
        )),
        SignatureCheck::Unknown { reason } => {
            lines.push(format!("{at} registry signature unknown: {reason}"))
        }
        SignatureCheck::NotApplicable { .. } => {}
    }
    lines
}

/// The unknown facts of a package with their reasons; a reason shared by every fact (one
/// failed request) is listed once.
fn unknown_reasons(package: &PackageFacts) -> Vec<(&'static str, String)> {
    let reasons: [(&'static str, Option<&str>); 6] = [
        ("releases", reason(&package.releases)),
        ("owners", reason(&package.owners)),
        ("repository", reason(&package.repository)),
        ("repository facts", reason(&package.repository_facts)),
        ("status", reason(&package.status)),
        ("install scripts", reason(&package.install_scripts)),
    ];
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (label, reason) in reasons {
        if let Some(reason) = reason {
            match out.iter_mut().find(|(_, existing)| existing == reason) {
                Some(_) => {}
                None => out.push((label, reason.to_string())),
            }
        }
    }
    out
}

fn reason<T>(fact: &Fact<T>) -> Option<&str> {
    match fact {
        Fact::Known(_) => None,
        Fact::Unknown(reason) => Some(reason),
    }
}
