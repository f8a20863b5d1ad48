//! `deptrust explain`: one package, found in the lockfiles of the paths (or named by a full id
//! alone), with the facts about it and the projects it sits in judged whole, so that its
//! contribution to each one's score can be shown. The renderer is
//! [`crate::report::render_explain`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::gather::{GatherError, Owners};
use super::scan::{FactsFrom, Observer};
use crate::config::{Config, ConfigError};
use crate::graph::{Failure, Node, Project};
use crate::lockfile::{Exclude, ExcludeError, ReadOptions};
use crate::model::facts::PackageFacts;
use crate::model::{Ecosystem, PackageId, Source};
use crate::registry::snapshot::{Snapshot, SnapshotError};
use crate::scan;

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
    /// Its contribution to that project's exposure score and the score, from judging the whole
    /// project; `None` when the package was not evaluated there (a root, a path dependency, a
    /// dev-only package the policy leaves out).
    pub score: Option<(f64, f64)>,
}

/// One `deptrust explain`.
#[derive(Debug, Clone)]
pub struct ExplainRequest<'a> {
    /// `name`, `name@version` or a package id (`npm:left-pad@1.3.0`).
    pub target: &'a str,
    /// Lockfiles or directories.
    pub paths: &'a [PathBuf],
    /// How lockfiles are read.
    pub read: ReadOptions,
    /// `--config`, else found beside the paths.
    pub config: Option<&'a Path>,
    /// `--exclude` patterns.
    pub exclude: &'a [String],
    /// The run's clock.
    pub now: jiff::Timestamp,
    /// Where the facts come from.
    pub facts: FactsFrom<'a>,
    /// Write every fact used to this snapshot file.
    pub snapshot: Option<&'a Path>,
}

/// What `explain` shows.
#[derive(Debug)]
pub struct Explained {
    /// Each place the package is in a lockfile, with its contribution there.
    pub occurrences: Vec<Occurrence>,
    /// The package ids explained.
    pub ids: Vec<PackageId>,
    /// The facts, by package id.
    pub facts: BTreeMap<String, PackageFacts>,
    /// Owners earlier runs saw.
    pub previous: BTreeMap<String, PackageFacts>,
    /// The configuration used.
    pub config: Config,
    /// Lockfiles that could not be read.
    pub failures: Vec<Failure>,
}

/// Why `explain` could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// A target with an ecosystem prefix that is not a package id.
    #[error("`{target}` is not a package id: expected `{ecosystem}:<name>@<version>`")]
    NotAnId {
        /// As given.
        target: String,
        /// Its ecosystem.
        ecosystem: Ecosystem,
    },
    /// The package is in no lockfile.
    #[error(
        "`{target}` is not in any lockfile under {paths} (give a package id such as npm:{name}@1.0.0 to explain a package alone)"
    )]
    NotFound {
        /// As given.
        target: String,
        /// The paths searched, quoted.
        paths: String,
        /// Its name.
        name: String,
    },
    /// The configuration could not be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An exclude pattern is invalid.
    #[error(transparent)]
    Exclude(#[from] ExcludeError),
    /// The paths hold no project.
    #[error(transparent)]
    Load(#[from] super::projects::LoadError),
    /// Facts could not be gathered at all.
    #[error(transparent)]
    Gather(#[from] GatherError),
    /// The snapshot could not be read or written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// `npm:lodash@4.17.21` → an id; anything else is a path (`Ok(None)`); a malformed id with a
/// known ecosystem prefix is an error.
pub fn parse_package_id(target: &str) -> Result<Option<PackageId>, ExplainError> {
    let Some((ecosystem, rest)) = target.split_once(':') else {
        return Ok(None);
    };
    let Some(ecosystem) = Ecosystem::parse(ecosystem) else {
        return Ok(None);
    };
    let at = rest
        .get(1..)
        .and_then(|tail| tail.rfind('@'))
        .map(|index| index + 1)
        .filter(|&index| index + 1 < rest.len());
    let Some(at) = at else {
        return Err(ExplainError::NotAnId {
            target: target.to_string(),
            ecosystem,
        });
    };
    let (name, version) = (&rest[..at], &rest[at + 1..]);
    Ok(Some(PackageId::new(ecosystem, name, version)))
}

/// Finds the package, gathers its facts and its projects', and judges those projects.
pub fn explain(
    request: &ExplainRequest<'_>,
    observer: &dyn Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Explained, ExplainError> {
    let config = super::projects::find_config(request.config, request.paths)?;
    let patterns: Vec<&str> = config
        .exclude
        .iter()
        .chain(request.exclude)
        .map(String::as_str)
        .collect();
    let exclude = Exclude::new(&patterns)?;
    let target = request.target.trim();
    let by_id = parse_package_id(target)?;
    // Lockfiles are optional when a full id is given.
    let loaded = match super::projects::load_projects(request.paths, &request.read, &exclude) {
        Ok(loaded) => loaded,
        Err(_) if by_id.is_some() => super::projects::Loaded::default(),
        Err(error) => return Err(error.into()),
    };
    observer.loaded(&loaded);
    let super::projects::Loaded {
        projects, failures, ..
    } = loaded;
    let (name, version) = match target.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
        Some((name, version)) => (name, Some(version)),
        None => (target, None),
    };
    let mut occurrences = Vec::new();
    for project in &projects {
        for node in &project.graph.nodes {
            let id = &node.package.id;
            // PyPI names match as the index does (PEP 503: `Jinja2` is `jinja2`).
            let same = |wanted: &str| id.ecosystem.normalize_name(wanted) == id.name.as_str();
            let matches = match &by_id {
                Some(wanted) => {
                    id.ecosystem == wanted.ecosystem
                        && same(&wanted.name)
                        && id.version == wanted.version
                }
                None => {
                    (same(name) || same(target))
                        && version.is_none_or(|v| id.version == v || same(target))
                }
            };
            if matches && !node.root {
                occurrences.push(Occurrence {
                    lockfile: project.lockfile.clone(),
                    node: node.clone(),
                    packages: project.graph.nodes.len(),
                    roots: project.graph.roots.len(),
                    score: None,
                });
            }
        }
    }
    let ids: Vec<(PackageId, Source)> = match (&by_id, occurrences.is_empty()) {
        (Some(id), true) => vec![(id.clone(), Source::Registry(None))],
        (None, true) => {
            return Err(ExplainError::NotFound {
                target: target.to_string(),
                paths: request
                    .paths
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect::<Vec<_>>()
                    .join(", "),
                name: name.to_string(),
            });
        }
        (_, false) => {
            let mut ids: Vec<(PackageId, Source)> = occurrences
                .iter()
                .map(|o| (o.node.package.id.clone(), o.node.package.source.clone()))
                .collect();
            ids.sort();
            ids.dedup();
            ids
        }
    };
    // The projects it sits in are judged whole, so that its contribution to each one's score
    // can be shown (from the cache after a scan).
    let involved: Vec<Project> = projects
        .into_iter()
        .filter(|project| occurrences.iter().any(|o| o.lockfile == project.lockfile))
        .collect();
    let mut wanted = ids.clone();
    wanted.extend(super::scan::packages_to_gather(&involved, &config));
    wanted.sort();
    wanted.dedup();
    let (facts, previous) = match request.facts {
        FactsFrom::Replay(path) => {
            let snapshot = Snapshot::read(path, 1 << 30)?;
            let ids: Vec<PackageId> = wanted.iter().map(|(id, _)| id.clone()).collect();
            (snapshot.replay(&ids, path), BTreeMap::new())
        }
        FactsFrom::Registries(options) => {
            let gathered = super::gather::gather(
                options,
                &config,
                request.now,
                &wanted,
                Owners::Read,
                env,
                |net| observer.gathering(net),
            )?;
            observer.gathered(&gathered);
            (gathered.facts, gathered.previous)
        }
    };
    if let Some(path) = request.snapshot {
        Snapshot::new(request.now, facts.clone()).write(path)?;
    }
    let facts: BTreeMap<String, PackageFacts> =
        facts.into_iter().map(|f| (f.id.to_string(), f)).collect();
    let inputs: Vec<scan::Input<'_>> = involved
        .iter()
        .map(|project| scan::Input {
            lockfile: &project.lockfile,
            graph: &project.graph,
        })
        .collect();
    let judged = scan::evaluate(
        &inputs,
        &facts,
        &previous,
        scan::Options {
            policy: &config.policy,
            now: request.now,
            baseline: None,
        },
        Vec::new(),
    );
    for occurrence in &mut occurrences {
        let id = occurrence.node.package.id.to_string();
        occurrence.score = judged
            .projects
            .iter()
            .filter(|project| project.lockfile == occurrence.lockfile)
            .find_map(|project| {
                project
                    .packages
                    .iter()
                    .find(|package| package.id == id)
                    .map(|package| (package.contribution, project.exposure_score))
            });
    }
    Ok(Explained {
        occurrences,
        ids: ids.into_iter().map(|(id, _)| id).collect(),
        facts,
        previous,
        config,
        failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_ids_and_paths() {
        let id = parse_package_id("npm:@scope/left-pad@1.3.0")
            .expect("valid")
            .expect("an id");
        assert_eq!(id.to_string(), "npm:@scope/left-pad@1.3.0");
        assert!(
            parse_package_id("web/package-lock.json")
                .expect("path")
                .is_none()
        );
        assert!(parse_package_id("C:/x").expect("path").is_none());
        let error = parse_package_id("pypi:requests").expect_err("no version");
        assert_eq!(
            error.to_string(),
            "`pypi:requests` is not a package id: expected `pypi:<name>@<version>`"
        );
    }
}
