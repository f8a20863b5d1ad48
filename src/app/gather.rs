//! Gathering the facts of a run: the network configured from the operator's options, the
//! configuration file and the environment's tokens ([`super::tokens`]); the registries asked;
//! and the owners earlier runs saw, kept in the cache (`owners-seen-v1`). Nothing is printed:
//! warnings come back in [`Gathered::warnings`], progress goes to the caller's hook.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, RegistriesConfig};
use crate::model::facts::PackageFacts;
use crate::model::{Ecosystem, PackageId, Source};
use crate::net::{Net, NetConfig, NetError, RequestLog};
use crate::registry::crates_io::CratesClient;
use crate::registry::crates_io::dump::{CratesDbDump, DumpError};
use crate::registry::gather::Registries;
use crate::verify::bundle::{TrustRoot, TrustRootError};

/// Earlier runs' owners, per `<ecosystem>:<name>`, kept in the cache.
const OWNERS_SEEN: &str = "owners-seen-v1";

/// How a run reaches the services: the command line's network options, resolved.
#[derive(Debug, Clone, Default)]
pub struct GatherOptions {
    /// Base URLs named by the operator (flags, environment variables): they take precedence
    /// over the configuration file, and only they may receive a token (see [`super::tokens`]).
    pub operator: RegistriesConfig,
    /// Answer from the cache only.
    pub offline: bool,
    /// The cache directory; `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// The run's network deadline; `None`: none.
    pub deadline: Option<Duration>,
    /// Each service's deadline; `None`: only the run's.
    pub service_deadline: Option<Duration>,
    /// crates.io API requests per run; 0: the API is not asked (owners come from the dump or
    /// stay unknown) unless a dump is given.
    pub crates_api_budget: usize,
    /// An extracted crates.io database dump.
    pub crates_db_dump: Option<PathBuf>,
    /// A Sigstore trusted root file instead of the embedded one.
    pub trusted_root: Option<PathBuf>,
    /// Largest file read (the trusted root).
    pub max_file_bytes: u64,
    /// One line per request (`--verbose`).
    pub log: Option<RequestLog>,
}

/// What a run learned.
#[derive(Debug, Default)]
pub struct Gathered {
    /// One per package asked for, in order.
    pub facts: Vec<PackageFacts>,
    /// The owners an earlier run recorded, per `<ecosystem>:<name>` (facts with only `owners`
    /// known), when asked for.
    pub previous: BTreeMap<String, PackageFacts>,
    /// Tokens of the environment that were not sent, and why: worth saying even under
    /// `--quiet`.
    pub refusals: Vec<super::tokens::Refusal>,
    /// Other things the user should know (running without the cache, malformed dump rows).
    pub warnings: Vec<String>,
    /// Attestations verified in this run, and verification results recalled from the cache.
    pub attestations: (u64, u64),
}

/// Why facts could not be gathered at all (a fact that could not be established is unknown,
/// not an error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatherError {
    /// The network layer could not be set up.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The trusted root could not be used.
    #[error(transparent)]
    TrustRoot(#[from] TrustRootError),
    /// The trusted root file could not be read.
    #[error("cannot read the trusted root: {0}")]
    TrustRootFile(#[source] crate::lockfile::ReadError),
    /// The trusted root file is not UTF-8.
    #[error("the trusted root `{}` is not UTF-8 text", .0.display())]
    TrustRootNotUtf8(PathBuf),
    /// The crates.io dump could not be used.
    #[error(transparent)]
    Dump(#[from] DumpError),
    /// The async runtime could not start.
    #[error("failed to start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Which earlier-run owners a gathering reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owners {
    /// Neither (`facts`).
    Ignore,
    /// Read what earlier runs saw (`explain`).
    Read,
    /// Read them, then record this run's (`scan`).
    ReadAndRecord,
}

/// The network of a run and the services' endpoints, configured as [`gather`] does (tokens
/// included, with the ones refused), for a caller that asks a client directly.
pub fn network(
    options: &GatherOptions,
    config: &Config,
    now: jiff::Timestamp,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Network, GatherError> {
    let mut endpoints = config.endpoints(&options.operator);
    let (tokens, refusals) = super::tokens::scoped_tokens(&mut endpoints, &options.operator, env);
    let net = Net::new(
        NetConfig {
            offline: options.offline,
            cache_dir: options.cache_dir.clone(),
            deadline: options.deadline,
            services: endpoints.services(options.service_deadline),
            tokens,
            log: options.log.clone(),
            ..NetConfig::default()
        },
        now,
    )?;
    Ok(Network {
        net,
        endpoints,
        refusals,
    })
}

/// A run's network ([`network`]).
#[derive(Debug)]
pub struct Network {
    /// The network layer.
    pub net: Arc<Net>,
    /// The services' base URLs, credentials removed.
    pub endpoints: crate::registry::Endpoints,
    /// Tokens of the environment that were not sent, and why.
    pub refusals: Vec<super::tokens::Refusal>,
}

/// Asks the registries about `packages`. `env` reads the environment (tokens); `progress` is
/// called with the network before the requests start, and what it returns is kept alive until
/// they end (main's progress line).
pub fn gather<G>(
    options: &GatherOptions,
    config: &Config,
    now: jiff::Timestamp,
    packages: &[(PackageId, Source)],
    owners: Owners,
    env: impl Fn(&str) -> Option<String>,
    progress: impl FnOnce(&Arc<Net>) -> G,
) -> Result<Gathered, GatherError> {
    let mut warnings = Vec::new();
    let Network {
        net,
        endpoints,
        refusals,
    } = network(options, config, now, env)?;
    if let Some(problem) = net.cache_error() {
        warnings.push(format!("running without the cache: {problem}"));
    }
    let root = match &options.trusted_root {
        Some(path) => {
            let bytes = crate::lockfile::read_bounded(path, options.max_file_bytes, None)
                .map_err(GatherError::TrustRootFile)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| GatherError::TrustRootNotUtf8(path.clone()))?;
            TrustRoot::from_json(&text, &path.display().to_string())?
        }
        None => TrustRoot::production()?,
    };
    let mut registries = Registries::new(&net, &endpoints).with_trust_root(&net, Arc::new(root));
    if options.crates_db_dump.is_none() && options.crates_api_budget > 0 {
        let crates = CratesClient::new(
            Arc::clone(&net),
            endpoints.crates_index.clone(),
            endpoints.crates_api.clone(),
        )
        .with_api_budget(options.crates_api_budget);
        registries = registries.with_crates_client(crates);
    }
    if let Some(dir) = &options.crates_db_dump {
        let wanted: BTreeSet<String> = packages
            .iter()
            .filter(|(id, _)| id.ecosystem == Ecosystem::Cargo)
            .map(|(id, _)| id.name.clone())
            .collect();
        let dump = CratesDbDump::load(dir, &wanted)?;
        if dump.skipped_rows() > 0 {
            warnings.push(format!(
                "{} malformed rows of the crates.io database dump were skipped",
                dump.skipped_rows()
            ));
        }
        let crates = CratesClient::new(
            Arc::clone(&net),
            endpoints.crates_index.clone(),
            endpoints.crates_api.clone(),
        )
        .with_dump(Arc::new(dump));
        registries = registries.with_crates_client(crates);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(GatherError::Runtime)?;
    let facts = {
        let _progress = progress(&net);
        runtime.block_on(registries.gather(packages))
    };
    let previous = match owners {
        Owners::Ignore => BTreeMap::new(),
        Owners::Read | Owners::ReadAndRecord => {
            runtime.block_on(owners_seen(&net, &facts, owners == Owners::ReadAndRecord))
        }
    };
    let stats = registries.verification_stats();
    Ok(Gathered {
        facts,
        previous,
        refusals,
        warnings,
        attestations: (stats.verified, stats.recalled),
    })
}

/// The owners earlier runs recorded for the packages of `facts`; with `record`, then records
/// this run's (only owners that are known).
async fn owners_seen(
    net: &Net,
    facts: &[PackageFacts],
    record: bool,
) -> BTreeMap<String, PackageFacts> {
    // Every package's earlier record is read before any is written: a package locked at two
    // versions has one key, and must not compare with this run's own record.
    let mut latest: BTreeMap<String, &PackageFacts> = BTreeMap::new();
    for package in facts {
        latest.insert(format!("{}:{}", package.ecosystem, package.name), package);
    }
    let mut previous = BTreeMap::new();
    for key in latest.keys() {
        if let Some(bytes) = net.recall(&format!("{OWNERS_SEEN}:{key}")).await
            && let Ok(seen) = serde_json::from_slice::<PackageFacts>(&bytes)
        {
            previous.insert(key.clone(), seen);
        }
    }
    if record {
        for (key, package) in &latest {
            // Unknown owners are not a record; unchanged ones are already recorded (a warm
            // run writes nothing).
            if package.owners.known().is_none()
                || previous
                    .get(key)
                    .is_some_and(|seen: &PackageFacts| seen.owners == package.owners)
            {
                continue;
            }
            let mut kept = crate::model::facts::PackageFacts::all_unknown(
                &PackageId::new(package.ecosystem, &package.name, &package.version),
                crate::model::facts::Unknown::other("not kept between runs"),
            );
            kept.owners = package.owners.clone();
            if let Ok(bytes) = serde_json::to_vec(&kept) {
                net.remember(&format!("{OWNERS_SEEN}:{key}"), bytes).await;
            }
        }
    }
    previous
}
