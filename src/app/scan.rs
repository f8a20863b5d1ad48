//! `deptrust scan` as one library call: the configuration and the projects of the paths given,
//! the facts (from the registries or a snapshot), the evaluation against the policy and a
//! baseline, and the history file. `diff` will run it twice; `main` renders its result and
//! turns [`ScanOutcome::exit_status`] into the process's.
//!
//! What the user should hear while it runs (notes, warnings, progress) goes to an
//! [`Observer`], so the library still never prints.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::gather::{GatherError, GatherOptions, Gathered, Owners};
use super::projects::{LoadError, Loaded};
use crate::config::{Config, ConfigError};
use crate::graph::{Failure, Project};
use crate::history::{History, HistoryError};
use crate::lockfile::{Exclude, ExcludeError, ReadError, ReadOptions};
use crate::model::facts::PackageFacts;
use crate::model::{PackageId, Source};
use crate::net::Net;
use crate::registry::snapshot::{Snapshot, SnapshotError};
use crate::scan::{self, ScanReport};

/// Where the facts of a run come from.
#[derive(Debug, Clone, Copy)]
pub enum FactsFrom<'a> {
    /// The registries, reached as these options say.
    Registries(&'a GatherOptions),
    /// A snapshot written by `--snapshot` (`--replay`): no network.
    Replay(&'a Path),
}

/// One scan.
#[derive(Debug, Clone)]
pub struct ScanRequest<'a> {
    /// Lockfiles or directories.
    pub paths: &'a [PathBuf],
    /// How lockfiles are read.
    pub read: ReadOptions,
    /// `--config`, else found beside the paths.
    pub config: Option<&'a Path>,
    /// `--exclude` patterns, added to the configuration's.
    pub exclude: &'a [String],
    /// The run's clock.
    pub now: jiff::Timestamp,
    /// Where the facts come from.
    pub facts: FactsFrom<'a>,
    /// Write every fact used to this snapshot file.
    pub snapshot: Option<&'a Path>,
    /// A scan JSON report whose findings do not fail the gate.
    pub baseline: Option<&'a Path>,
    /// The exposure history file: read for the trend, this run appended.
    pub history: Option<&'a Path>,
    /// Whether earlier runs' owners are read, and this run's recorded (`scan` records them;
    /// `diff` only reads, so a change under review does not become what was seen).
    pub owners: Owners,
    /// The trust ledger ([`super::ledger`]): its owners stand for an earlier run's, for the
    /// packages it names.
    pub ledger: Option<&'a Path>,
}

/// What a user should hear while a scan runs; every method may do nothing.
pub trait Observer {
    /// The projects were found: their notes, exclusions, warnings and failures.
    fn loaded(&self, _loaded: &Loaded) {}
    /// Requests are about to start; what is returned lives until they end (a progress line).
    fn gathering(&self, _net: &Arc<Net>) -> Option<Box<dyn Any>> {
        None
    }
    /// The registries answered.
    fn gathered(&self, _gathered: &Gathered) {}
}

/// An observer that hears nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// A finished scan.
#[derive(Debug)]
pub struct ScanOutcome {
    /// The evaluation.
    pub report: ScanReport,
    /// The configuration it used.
    pub config: Config,
    /// The projects judged.
    pub projects: Vec<Project>,
    /// The facts used, by package id.
    pub facts: BTreeMap<String, PackageFacts>,
}

impl ScanOutcome {
    /// The exit status the scan stands for: 2 when a lockfile could not be read (nothing in it
    /// was judged), 3 when the gate could not be evaluated, 1 when it failed, else 0.
    pub fn exit_status(&self) -> u8 {
        let gate = &self.report.gate;
        if !self.report.errors.is_empty() {
            2
        } else if gate.unevaluated {
            3
        } else if !gate.passed {
            1
        } else {
            0
        }
    }
}

/// Why a scan could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanRunError {
    /// The configuration file could not be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An exclude pattern is not a valid glob.
    #[error(transparent)]
    Exclude(#[from] ExcludeError),
    /// The paths hold no project.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Facts could not be gathered at all.
    #[error(transparent)]
    Gather(#[from] GatherError),
    /// The snapshot could not be read or written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The baseline report could not be used.
    #[error(transparent)]
    Baseline(#[from] super::baseline::BaselineError),
    /// The history file could not be read.
    #[error("cannot read the --history file: {0}")]
    HistoryRead(#[source] ReadError),
    /// The history file is not UTF-8.
    #[error("--history `{}` is not UTF-8 text", .0.display())]
    HistoryNotUtf8(PathBuf),
    /// The history file is not a history.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The trust ledger could not be used.
    #[error(transparent)]
    Ledger(#[from] super::ledger::LedgerError),
    /// The history file could not be written.
    #[error("cannot write the --history file `{}`: {source}", .path.display())]
    HistoryWrite {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The largest snapshot read by `--replay`.
const MAX_SNAPSHOT_BYTES: u64 = 1 << 30;

/// Runs one scan.
pub fn run(
    request: &ScanRequest<'_>,
    observer: &dyn Observer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ScanOutcome, ScanRunError> {
    let config = super::projects::find_config(request.config, request.paths)?;
    let patterns: Vec<&str> = config
        .exclude
        .iter()
        .chain(request.exclude)
        .map(String::as_str)
        .collect();
    let exclude = Exclude::new(&patterns)?;
    let loaded = super::projects::load_projects(request.paths, &request.read, &exclude)?;
    observer.loaded(&loaded);
    let Loaded {
        projects, failures, ..
    } = loaded;
    let packages = packages_to_gather(&projects, &config);
    let limit = request.read.max_file_bytes;
    let (facts, previous) = match request.facts {
        FactsFrom::Replay(path) => {
            let snapshot = Snapshot::read(path, MAX_SNAPSHOT_BYTES)?;
            let ids: Vec<PackageId> = packages.iter().map(|(id, _)| id.clone()).collect();
            (snapshot.replay(&ids, path), BTreeMap::new())
        }
        FactsFrom::Registries(options) => {
            let gathered = super::gather::gather(
                options,
                &config,
                request.now,
                &packages,
                request.owners,
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
    // The ledger's owners replace an earlier run's for the packages it names.
    let mut previous = previous;
    if let Some(path) = request.ledger
        && let Some(ledger) = super::ledger::Ledger::read(path, limit)?
    {
        previous.extend(ledger.as_previous());
    }
    let baseline = match request.baseline {
        Some(path) => Some(super::baseline::read(path, limit)?),
        None => None,
    };
    let inputs: Vec<scan::Input<'_>> = projects
        .iter()
        .map(|project| scan::Input {
            lockfile: project.lockfile.trim_start_matches("./"),
            graph: &project.graph,
        })
        .collect();
    let mut report = scan::evaluate(
        &inputs,
        &facts,
        &previous,
        scan::Options {
            policy: &config.policy,
            now: request.now,
            baseline: baseline.as_ref(),
        },
        errors_of(&failures),
    );
    if let Some(path) = request.history {
        record_history(path, limit, &mut report)?;
    }
    Ok(ScanOutcome {
        report,
        config,
        projects,
        facts,
    })
}

fn errors_of(failures: &[Failure]) -> Vec<scan::ScanError> {
    failures
        .iter()
        .map(|failure| scan::ScanError {
            lockfile: failure.lockfile.clone(),
            message: failure.message.clone(),
        })
        .collect()
}

/// Reads the history (a missing file is an empty history), shows the previous run in the
/// report, and appends this run.
fn record_history(path: &Path, limit: u64, report: &mut ScanReport) -> Result<(), ScanRunError> {
    let mut history = match crate::lockfile::read_bounded(path, limit, None) {
        Ok(bytes) => {
            let text =
                String::from_utf8(bytes).map_err(|_| ScanRunError::HistoryNotUtf8(path.into()))?;
            History::parse(&text, &path.display().to_string())?
        }
        Err(error) if error.is_not_found() => History::default(),
        Err(error) => return Err(ScanRunError::HistoryRead(error)),
    };
    report.annotate_and_record(&mut history);
    let write_error = |source| ScanRunError::HistoryWrite {
        path: path.into(),
        source,
    };
    let text = serde_json::to_string_pretty(&history)
        .map_err(|error| write_error(std::io::Error::other(error)))?
        + "\n";
    std::fs::write(path, text).map_err(write_error)
}

/// The registry packages of the projects that the policy counts, for gathering: direct
/// dependencies first, so that a rationed service (the crates.io API) answers for them first.
pub fn packages_to_gather(projects: &[Project], config: &Config) -> Vec<(PackageId, Source)> {
    let mut packages = Vec::new();
    let mut direct = BTreeSet::new();
    for project in projects {
        if !config
            .policy
            .counts_ecosystem(project.graph.lockfile.ecosystem)
        {
            continue;
        }
        for node in &project.graph.nodes {
            if !node.root
                && matches!(node.package.source, Source::Registry(_))
                && (config.policy.counts_dev() || !node.dev)
            {
                packages.push((node.package.id.clone(), node.package.source.clone()));
                if node.direct {
                    direct.insert(node.package.id.clone());
                }
            }
        }
    }
    packages.sort_by_key(|(id, _)| !direct.contains(id));
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project of one registry package, replayed from a snapshot with no facts about it:
    /// under `unknown = "deny"` the gate is not evaluated (exit 3); with a lockfile that cannot
    /// be read beside it, the run is an input error (exit 2). The history gets this run.
    #[test]
    fn one_call_from_paths_to_exit_status() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.lock"),
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        )
        .expect("write");
        std::fs::write(
            root.join("deptrust.toml"),
            "version = 1\nunknown = \"deny\"\n",
        )
        .expect("write");
        let now: jiff::Timestamp = "2026-12-04T00:00:00Z".parse().expect("time");
        let snapshot = root.join("facts.json");
        Snapshot::new(now, Vec::new())
            .write(&snapshot)
            .expect("snapshot");
        let history = root.join("history.json");
        let paths = [root.to_path_buf()];
        let request = ScanRequest {
            paths: &paths,
            read: ReadOptions::default(),
            config: None,
            exclude: &[],
            now,
            facts: FactsFrom::Replay(&snapshot),
            snapshot: None,
            baseline: None,
            history: Some(&history),
            owners: Owners::ReadAndRecord,
            ledger: None,
        };
        let outcome = run(&request, &Silent, &|_| None).expect("scanned");
        assert_eq!(outcome.projects.len(), 1);
        assert_eq!(outcome.report.projects[0].packages.len(), 1);
        assert_eq!(outcome.exit_status(), 3);
        assert!(
            std::fs::read_to_string(&history)
                .expect("history")
                .contains("exposure_score")
        );

        std::fs::create_dir(root.join("web")).expect("dir");
        std::fs::write(root.join("web/package-lock.json"), "{").expect("write");
        let outcome = run(&request, &Silent, &|_| None).expect("scanned");
        assert_eq!(outcome.report.errors.len(), 1);
        assert_eq!(outcome.exit_status(), 2);
    }
}
