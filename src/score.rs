//! The exposure score: how much of a project is exposed to the problems its packages have, from
//! 0 (nothing found) to 100. Pure arithmetic on (severity, blast radius) pairs; the model and its
//! reasons are in `docs/scoring.md` ("Scoring"), the numbers in `rules/severity.toml`.
//!
//! Each severity s has a `risk` r(s) and a `ceiling` C(s) (non-decreasing with severity, r ≤ C).
//! A package counts with the severity of its most severe finding at level warn or deny; its
//! reach is x = r(s) / C(s) × blast radius. The score is built in bands, one per severity:
//!
//! ```text
//! exposure = Σ over severities s of (C(s) − C(s − 1)) × R(s)
//! R(s)     = 1 − Π over packages of severity ≥ s of (1 − x)
//! ```
//!
//! so findings of severity s and below can never take the score above C(s), however many there
//! are (hundreds of low findings are debt, not an attack), while one finding of a high or
//! critical severity on a package the whole project depends on (x = 1) reaches its ceiling at
//! once. The score is monotone (a new finding, a higher severity or a larger blast radius never
//! lowers it) and does not grow with packages that have no finding.
//!
//! Each package's contribution is its share of every band it is in, taken in order of reach
//! (largest first): in band s the k-th package adds `(C(s) − C(s − 1)) × x_k × Π_{j<k}(1 − x_j)`.
//! The contributions add up to the score exactly, so the top contributors account for it.

use crate::rules::{Severity, reach};

/// One package as the score sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The severity of its most severe counted finding; `None` when it has none.
    pub severity: Option<Severity>,
    /// Its blast radius (0–1).
    pub blast_radius: f64,
}

/// A score and how each package contributes to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    /// The score (0–100), unrounded.
    pub score: f64,
    /// Each package's contribution, in the order given; they add up to `score`.
    pub contributions: Vec<f64>,
}

/// The risk (0–100) of a package whose most severe counted finding has `severity`.
pub fn package_risk(severity: Option<Severity>) -> f64 {
    severity.map_or(0.0, Severity::weight)
}

/// The exposure of a set of packages (one project, or every project together).
pub fn exposure(packages: &[Scored]) -> Exposure {
    let reach_of = |package: &Scored| {
        package.severity.map_or(0.0, |severity| {
            let weight = crate::rules::catalog().weights.of(severity);
            reach(weight) * package.blast_radius.clamp(0.0, 1.0)
        })
    };
    let reaches: Vec<f64> = packages.iter().map(reach_of).collect();
    // Largest reach first; ties in the given order (callers give a stable one).
    let mut order: Vec<usize> = (0..packages.len()).filter(|&i| reaches[i] > 0.0).collect();
    order.sort_by(|&a, &b| reaches[b].total_cmp(&reaches[a]).then(a.cmp(&b)));

    let mut contributions = vec![0.0; packages.len()];
    let mut below = 0.0;
    for band in Severity::ALL {
        let ceiling = band.ceiling();
        let width = ceiling - below;
        below = ceiling;
        if width <= 0.0 {
            continue;
        }
        let mut untouched = 1.0;
        for &i in &order {
            if packages[i]
                .severity
                .is_some_and(|severity| severity >= band)
            {
                contributions[i] += width * untouched * reaches[i];
                untouched *= 1.0 - reaches[i];
            }
        }
    }
    let score = contributions.iter().sum::<f64>().clamp(0.0, 100.0);
    Exposure {
        score,
        contributions,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn scored(severity: Option<Severity>, blast_radius: f64) -> Scored {
        Scored {
            severity,
            blast_radius,
        }
    }

    fn severity() -> impl Strategy<Value = Option<Severity>> {
        prop_oneof![
            4 => Just(None),
            1 => Just(Some(Severity::Info)),
            3 => Just(Some(Severity::Low)),
            2 => Just(Some(Severity::Medium)),
            1 => Just(Some(Severity::High)),
            1 => Just(Some(Severity::Critical)),
        ]
    }

    fn package() -> impl Strategy<Value = Scored> {
        (severity(), 0.0..=1.0f64).prop_map(|(severity, b)| scored(severity, b))
    }

    fn project() -> impl Strategy<Value = Vec<Scored>> {
        prop::collection::vec(package(), 0..200)
    }

    #[test]
    fn worked_example_of_the_readme() {
        let high = scored(Some(Severity::High), 0.6);
        let medium = scored(Some(Severity::Medium), 0.31);
        let exposure = exposure(&[high, medium]);
        // Alone, each scores its weighted risk: 75 × 0.6 = 45 and 15 × 0.31 = 4.65.
        assert!((super::exposure(&[high]).score - 45.0).abs() < 1e-9);
        assert!((super::exposure(&[medium]).score - 4.65).abs() < 1e-9);
        // Together: bands low (15) and medium (25) hold both, band high (35) the first only.
        // x = 0.6 and 0.31 × 15/40 = 0.11625.
        let both = 1.0 - (1.0 - 0.6) * (1.0 - 0.11625);
        let expected = 15.0 * both + 25.0 * both + 35.0 * 0.6;
        assert!((exposure.score - expected).abs() < 1e-9, "{exposure:?}");
        assert!((exposure.contributions[0] - 45.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_found_scores_zero() {
        assert_eq!(exposure(&[]).score, 0.0);
        let clean = vec![scored(None, 1.0); 1000];
        assert_eq!(exposure(&clean).score, 0.0);
        assert_eq!(exposure(&[scored(Some(Severity::Info), 1.0)]).score, 0.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Bounded by the ceiling of the most severe finding present: hundreds of low findings
        /// stay low, and only a critical finding takes a project to 90 or more.
        #[test]
        fn never_above_the_ceiling_of_the_worst_finding(packages in project()) {
            let score = exposure(&packages).score;
            let worst = packages.iter().filter_map(|p| p.severity).max();
            let ceiling = worst.map_or(0.0, Severity::ceiling);
            prop_assert!((0.0..=ceiling + 1e-9).contains(&score), "{score} > {ceiling}");
            if worst < Some(Severity::Critical) {
                prop_assert!(score < 90.0);
            }
        }

        /// Does not saturate: any number of low findings, anywhere, stays under the low ceiling.
        #[test]
        fn many_low_findings_do_not_look_like_an_attack(
            count in 1usize..2000, b in 0.0..=1.0f64,
        ) {
            let packages = vec![scored(Some(Severity::Low), b); count];
            prop_assert!(exposure(&packages).score <= Severity::Low.ceiling() + 1e-9);
        }

        /// One high-confidence incident on a widely used package dominates, whatever else the
        /// project holds and however large it is.
        #[test]
        fn one_incident_on_a_widely_used_package_dominates(
            mut packages in project(),
            incident in prop_oneof![Just(Severity::High), Just(Severity::Critical)],
            b in 0.95..=1.0f64,
            at in 0usize..200,
        ) {
            let at = at.min(packages.len());
            packages.insert(at, scored(Some(incident), b));
            prop_assert!(exposure(&packages).score >= 70.0);
        }

        /// Monotone: a new finding, a more severe one, or a larger blast radius never lowers
        /// the score; removing a package's findings never raises it.
        #[test]
        fn monotone(
            packages in project(),
            index in any::<prop::sample::Index>(),
            raise in severity(),
            grow in 0.0..=1.0f64,
        ) {
            prop_assume!(!packages.is_empty());
            let before = exposure(&packages).score;
            let i = index.index(packages.len());
            let mut worse = packages.clone();
            worse[i].severity = worse[i].severity.max(raise);
            worse[i].blast_radius = worse[i].blast_radius.max(grow);
            prop_assert!(exposure(&worse).score >= before - 1e-9);
            let mut better = packages.clone();
            better[i].severity = None;
            prop_assert!(exposure(&better).score <= before + 1e-9);
            let mut added = packages.clone();
            added.push(scored(raise, grow));
            prop_assert!(exposure(&added).score >= before - 1e-9);
        }

        /// Size-fair: clean packages change nothing, and the same problems score the same in a
        /// project of 10 or 2,000 packages when they sit at the same blast radius.
        #[test]
        fn clean_packages_change_nothing(packages in project(), clean in 0usize..2000) {
            let before = exposure(&packages).score;
            let mut larger = packages.clone();
            larger.extend(std::iter::repeat_n(scored(None, 0.5), clean));
            prop_assert!((exposure(&larger).score - before).abs() < 1e-9);
        }

        /// It explains itself: contributions are non-negative, add up to the score, and no
        /// package contributes more than it would score alone.
        #[test]
        fn contributions_account_for_the_score(packages in project()) {
            let exposure = exposure(&packages);
            let sum: f64 = exposure.contributions.iter().sum();
            prop_assert!((sum - exposure.score).abs() < 1e-6);
            for (package, contribution) in packages.iter().zip(&exposure.contributions) {
                prop_assert!(*contribution >= 0.0);
                let alone = super::exposure(std::slice::from_ref(package)).score;
                prop_assert!(*contribution <= alone + 1e-9);
                let weighted = package_risk(package.severity) * package.blast_radius;
                prop_assert!((alone - weighted).abs() < 1e-9);
            }
        }
    }
}
