//! `deptrust explain`: one package's facts, every signal's verdict (clear ones included), and
//! the arithmetic of its risk, blast radius and weighted risk, so a score can be checked by
//! hand. Plain text; registry text sanitized.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::sanitize;
use crate::graph::Node;
use crate::model::PackageId;
use crate::registry::facts::PackageFacts;
use crate::rules::Level;
use crate::scan::{self, Options, Verdict};
use crate::signals::{Outcome, Placement};

/// Where a package sits in one project.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The lockfile.
    pub lockfile: String,
    /// Its node in the graph.
    pub node: Node,
    /// Packages in that graph (roots included).
    pub packages: usize,
    /// Roots of that graph.
    pub roots: usize,
}

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
                fallback =
                    crate::registry::gather::unknown_facts(id, "no facts were gathered for it");
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
        let placements: Vec<(String, Placement, String)> = if here.is_empty() {
            vec![(
                "(no lockfile)".to_string(),
                Placement {
                    direct: false,
                    dev: false,
                    blast_radius: 0.0,
                },
                "blast radius 0: the package was not found in a lockfile, so nothing is known to depend on it".to_string(),
            )]
        } else {
            here.iter()
                .map(|o| {
                    (
                        o.lockfile.clone(),
                        Placement {
                            direct: o.node.direct,
                            dev: o.node.dev,
                            blast_radius: o.node.blast_radius,
                        },
                        blast_arithmetic(o),
                    )
                })
                .collect()
        };
        // The verdicts do not depend on the placement; judge once.
        let verdicts = scan::judge(package, previous, placements[0].1, options);
        writeln!(out, "\nsignals:")?;
        for verdict in &verdicts {
            writeln!(out, "  {}", sanitize(&verdict_line(verdict)))?;
        }
        let risk = scan::risk_of(&verdicts);
        let counted: Vec<String> = verdicts
            .iter()
            .filter(|v| matches!(v.outcome, Outcome::Risk { .. }))
            .filter(|v| v.exception.is_none() && v.level != Level::Allow)
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
        if counted.is_empty() {
            writeln!(
                out,
                "  risk = 0 (no finding at level warn or deny; unknown signals add nothing and are listed above)"
            )?;
        } else {
            writeln!(out, "  risk = min(100, {}) = {risk}", counted.join(" + "))?;
        }
        for (lockfile, placement, arithmetic) in &placements {
            writeln!(out, "  in {}:", sanitize(lockfile))?;
            writeln!(out, "    {arithmetic}")?;
            writeln!(
                out,
                "    weighted risk = risk × blast radius = {risk} × {:.3} = {:.1}",
                placement.blast_radius,
                scan::weighted(risk, placement.blast_radius)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `blast radius = weight × (½ · dependents/(N−1) + ½ · roots reaching/R)`, with its numbers.
fn blast_arithmetic(occurrence: &Occurrence) -> String {
    let node = &occurrence.node;
    let weight = if node.dev { 0.5 } else { 1.0 };
    let others = occurrence.packages.saturating_sub(1).max(1);
    let roots = occurrence.roots.max(1);
    format!(
        "blast radius = {weight} × (½ × {}/{others} + ½ × {}/{roots}) = {:.3}  ({} dependents of {others} other packages, reached from {} of {roots} roots{})",
        node.dependents,
        node.reached_by.len(),
        node.blast_radius,
        node.dependents,
        node.reached_by.len(),
        if node.dev {
            "; dev-only, so weighted ½"
        } else {
            ""
        }
    )
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
