//! `deptrust explain`: one package's facts, every signal's verdict (clear ones included), and
//! the arithmetic of its risk, blast radius and weighted risk (what it alone adds to its
//! project's exposure score), so a score can be checked by hand. Plain text; registry text
//! sanitized.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::sanitize;
use crate::app::explain::Occurrence;
use crate::graph::{self, Node};
use crate::model::PackageId;
use crate::model::facts::PackageFacts;
use crate::rules::Level;
use crate::scan::{self, Options, Verdict};
use crate::signals::Outcome;

/// Writes the explanation of `ids` (every version found), using `occurrences` for placement.
pub fn render_explain(
    occurrences: &[Occurrence],
    ids: &[PackageId],
    facts: &BTreeMap<String, PackageFacts>,
    previous: &BTreeMap<String, PackageFacts>,
    options: Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for id in ids {
        let key = id.to_string();
        let fallback;
        let package = match facts.get(&key) {
            Some(found) => found,
            None => {
                fallback = crate::model::facts::PackageFacts::all_unknown(
                    id,
                    crate::model::facts::Unknown::new(
                        crate::model::facts::UnknownKind::NothingGathered,
                        "no facts were gathered for it",
                    ),
                );
                &fallback
            }
        };
        writeln!(out, "{}", sanitize(&key))?;
        writeln!(out, "{}", "=".repeat(key.chars().count().min(80)))?;
        writeln!(out, "\nfacts:")?;
        let mut table = Vec::new();
        super::render_facts_table(std::slice::from_ref(package), &mut table)?;
        for line in String::from_utf8_lossy(&table).lines() {
            writeln!(out, "  {line}")?;
        }
        let previous = previous.get(&format!("{}:{}", id.ecosystem, id.name));
        let here: Vec<&Occurrence> = occurrences
            .iter()
            .filter(|o| &o.node.package.id == id)
            .collect();
        // Where it sits: lockfile, blast radius, and the arithmetic of that blast radius.
        let placements: Vec<(String, f64, String)> = if here.is_empty() {
            vec![(
                "(no lockfile)".to_string(),
                0.0,
                "blast radius 0: the package was not found in a lockfile, so nothing is known to depend on it".to_string(),
            )]
        } else {
            here.iter()
                .map(|o| (o.lockfile.clone(), o.node.blast_radius, blast_arithmetic(o)))
                .collect()
        };
        // The verdicts do not depend on where the package sits; judge once.
        let verdicts = scan::judge(package, previous, options);
        writeln!(out, "\nsignals:")?;
        for verdict in &verdicts {
            writeln!(out, "  {}", sanitize(&verdict_line(verdict)))?;
        }
        let risk = scan::risk_of(&verdicts);
        let counted: Vec<String> = scan::counted(&verdicts)
            .map(|v| {
                format!(
                    "{} ({} {}, {})",
                    v.severity.weight(),
                    v.rule,
                    v.severity,
                    v.level
                )
            })
            .collect();
        writeln!(out, "\nscore:")?;
        match scan::counted_severity(&verdicts) {
            None => writeln!(
                out,
                "  risk = 0 (no finding at level warn or deny; unknown signals add nothing and are listed above)"
            )?,
            Some(severity) => writeln!(
                out,
                "  risk = the risk of its most severe finding = max({}) = {risk}  (severity {severity}; rules/severity.toml)",
                counted.join(", ")
            )?,
        }
        for (lockfile, blast_radius, arithmetic) in &placements {
            writeln!(out, "  in {}:", sanitize(lockfile))?;
            writeln!(out, "    {arithmetic}")?;
            let weighted = scan::weighted(risk, *blast_radius);
            writeln!(
                out,
                "    weighted risk = risk × blast radius = {risk} × {:.3} = {weighted:.1}",
                blast_radius,
            )?;
            let score = here
                .iter()
                .find(|o| &o.lockfile == lockfile)
                .and_then(|o| o.score);
            match score {
                Some((contribution, exposure)) => writeln!(
                    out,
                    "    contribution to the project's exposure score: {contribution:.1} of {exposure:.1} (at most its weighted risk {weighted:.1}: packages with larger reach fill the same severity bands first)"
                )?,
                None if risk > 0.0 => writeln!(
                    out,
                    "    contribution to the project's exposure score: none (not evaluated in this project)"
                )?,
                None => {}
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The blast radius formula of [`crate::graph`] with its numbers, and whether the package runs
/// at build time.
fn blast_arithmetic(occurrence: &Occurrence) -> String {
    let line = blast_formula(occurrence);
    match build_time_note(&occurrence.node) {
        Some(note) => format!("{line}; {note}"),
        None => line,
    }
}

fn blast_formula(occurrence: &Occurrence) -> String {
    let terms = graph::blast_terms(&occurrence.node, occurrence.packages, occurrence.roots);
    let weight = if terms.weight < 1.0 {
        "½ (dev-only)"
    } else {
        "1"
    };
    if terms.structure_unknown {
        return format!(
            "blast radius = {weight} × 1 × (0.2 + 0.8 × ½) = {:.3}  (no root reaches it in the lockfile's edges: structure unknown, counted as a direct dependency)",
            terms.value
        );
    }
    let (dependents, others) = (terms.dependents, terms.others);
    let centrality = format!(
        "min(1, ln(1 + {dependents}) / ln(1 + min({others}/2, 100))){}",
        if terms.direct {
            ", at least ½ as a direct dependency"
        } else {
            ""
        }
    );
    format!(
        "blast radius = weight {weight} × roots (½ + ½ × {}/{}) × (0.2 + 0.8 × centrality) = {:.3}  (centrality = {centrality}; {dependents} of {others} other packages depend on it)",
        terms.reached,
        terms.roots.max(1),
        terms.value,
    )
}

/// What a package that runs code at build time exposes, said next to its blast radius (the
/// number itself does not change: calibration).
fn build_time_note(node: &Node) -> Option<String> {
    let build_time = node.package.build_time;
    let what = match (build_time.build_script, build_time.proc_macro) {
        (true, true) => "it has a build script and is a proc macro",
        (true, false) => "it has a build script",
        (false, true) => "it is a proc macro",
        (false, false) => return None,
    };
    Some(format!(
        "it runs at build time: {what}, so its code runs on every developer machine and CI runner that builds the project, even where it is not shipped (not counted in the blast radius)"
    ))
}

fn verdict_line(verdict: &Verdict) -> String {
    let exception = verdict
        .exception
        .as_ref()
        .map(|(_, reason)| format!(" — accepted by exception: {reason}"))
        .unwrap_or_default();
    match &verdict.outcome {
        Outcome::Clear => format!("{:<27} clear", verdict.rule),
        Outcome::Risk { message, .. } => format!(
            "{:<27} RISK {} ({}): {message}{exception}",
            verdict.rule,
            if verdict.exception.is_some() {
                Level::Allow
            } else {
                verdict.level
            },
            verdict.severity
        ),
        Outcome::Unknown { fact, reason } => {
            format!("{:<27} unknown ({fact}): {reason}{exception}", verdict.rule)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BuildTime, Ecosystem, LockedPackage, Source};

    fn occurrence(build_time: BuildTime) -> Occurrence {
        Occurrence {
            lockfile: "Cargo.lock".into(),
            node: Node {
                package: LockedPackage {
                    id: PackageId::new(Ecosystem::Cargo, "cc", "1.0.0"),
                    source: Source::Registry(None),
                    dev_hint: None,
                    line: None,
                    build_time,
                },
                root: false,
                direct: true,
                dev: false,
                depth: Some(1),
                dependents: 1,
                reached_by: vec![0],
                blast_radius: 0.6,
            },
            packages: 10,
            roots: 1,
            score: None,
        }
    }

    #[test]
    fn the_blast_radius_line_says_when_a_crate_runs_at_build_time() {
        let plain = blast_arithmetic(&occurrence(BuildTime::default()));
        assert!(!plain.contains("build time"), "{plain}");
        let script = blast_arithmetic(&occurrence(BuildTime {
            build_script: true,
            proc_macro: false,
        }));
        // The same arithmetic, and the note after it.
        assert!(script.starts_with(&plain), "{script}");
        assert!(
            script.ends_with("; it runs at build time: it has a build script, so its code runs on every developer machine and CI runner that builds the project, even where it is not shipped (not counted in the blast radius)"),
            "{script}"
        );
        let both = blast_arithmetic(&occurrence(BuildTime {
            build_script: true,
            proc_macro: true,
        }));
        assert!(
            both.contains("it has a build script and is a proc macro"),
            "{both}"
        );
    }
}
