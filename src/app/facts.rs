//! `deptrust facts`: what the registries say about every package of the lockfiles under the
//! paths, and about the package ids given, with no judgement.

use std::path::{Path, PathBuf};

use super::gather::{GatherError, Owners};
use super::scan::{FactsFrom, Observer};
use crate::config::ConfigError;
use crate::graph::Failure;
use crate::lockfile::{Exclude, ExcludeError, ReadOptions};
use crate::model::facts::PackageFacts;
use crate::model::{PackageId, Source};
use crate::registry::snapshot::{Snapshot, SnapshotError};

/// One `deptrust facts`.
#[derive(Debug, Clone)]
pub struct FactsRequest<'a> {
    /// Lockfiles, directories, or package ids (`npm:lodash@4.17.21`); none: `.`.
    pub targets: &'a [String],
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
    /// Write every fact to this snapshot file.
    pub snapshot: Option<&'a Path>,
}

/// What `facts` found.
#[derive(Debug)]
pub struct FactsOutcome {
    /// One per package, ids given first, then the lockfiles' packages.
    pub facts: Vec<PackageFacts>,
    /// Lockfiles that could not be read.
    pub failures: Vec<Failure>,
}

/// Why `facts` could not answer at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FactsError {
    /// A malformed package id.
    #[error(transparent)]
    Id(#[from] super::explain::ExplainError),
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

/// Gathers (or replays) the facts of the targets.
pub fn facts(
    request: &FactsRequest<'_>,
    observer: &dyn Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<FactsOutcome, FactsError> {
    let mut packages = Vec::new();
    let mut paths = Vec::new();
    for target in request.targets {
        match super::explain::parse_package_id(target)? {
            Some(id) => packages.push((id, Source::Registry(None))),
            None => paths.push(PathBuf::from(target)),
        }
    }
    if packages.is_empty() && paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let config = super::projects::find_config(request.config, &paths)?;
    let patterns: Vec<&str> = config
        .exclude
        .iter()
        .chain(request.exclude)
        .map(String::as_str)
        .collect();
    let exclude = Exclude::new(&patterns)?;
    let mut failures = Vec::new();
    if !paths.is_empty() {
        let loaded = super::projects::load_projects(&paths, &request.read, &exclude)?;
        observer.loaded(&loaded);
        for project in &loaded.projects {
            for node in project.graph.nodes.iter().filter(|node| !node.root) {
                packages.push((node.package.id.clone(), node.package.source.clone()));
            }
        }
        failures = loaded.failures;
    }
    let facts = match request.facts {
        FactsFrom::Replay(path) => {
            let snapshot = Snapshot::read(path, 1 << 30)?;
            let ids: Vec<PackageId> = packages.iter().map(|(id, _)| id.clone()).collect();
            snapshot.replay(&ids, path)
        }
        FactsFrom::Registries(options) => {
            let gathered = super::gather::gather(
                options,
                &config,
                request.now,
                &packages,
                Owners::Ignore,
                env,
                |net| observer.gathering(net),
            )?;
            observer.gathered(&gathered);
            gathered.facts
        }
    };
    if let Some(path) = request.snapshot {
        Snapshot::new(request.now, facts.clone()).write(path)?;
    }
    Ok(FactsOutcome { facts, failures })
}
