//! The `deptrust` binary: parses arguments, runs one command, maps the outcome to an exit code
//! (0 success, 1 policy violation, 2 tool failure: unreadable input or wrong arguments).
//! It is the only place that reads the real clock, the environment's tokens and the terminal.

#![expect(clippy::print_stderr, reason = "main reports errors on stderr")]

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use deptrust::config::{Config, RegistriesConfig};
use deptrust::lockfile::{self, ReadOptions};
use deptrust::model::{Ecosystem, PackageId, Source};
use deptrust::net::{HostToken, Net, NetConfig};
use deptrust::registry::crates_dump::CratesDbDump;
use deptrust::registry::crates_io::CratesClient;
use deptrust::registry::facts::PackageFacts;
use deptrust::registry::gather::Registries;
use deptrust::registry::snapshot::Snapshot;
use deptrust::report::{self, Failure, GraphFormat, Project, sanitize};
use deptrust::verify::bundle::TrustRoot;

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Graph(args) => graph(args),
        cli::Command::Facts(args) => facts(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", sanitize(&format!("{error:#}")));
            ExitCode::from(2)
        }
    }
}

fn graph(args: cli::GraphArgs) -> anyhow::Result<ExitCode> {
    let options = ReadOptions {
        max_file_bytes: args.max_file_size,
    };
    let (projects, failures) = load_projects(&paths_or_here(args.paths), options)?;
    let format = GraphFormat::from(args.format);
    if matches!(format, GraphFormat::Tree | GraphFormat::Dot) {
        print_warnings(&projects);
    }
    report_failures(&failures);
    write_stdout(|out| report::render_graphs(format, &projects, &failures, out))?;
    Ok(exit_code(&failures))
}

fn facts(args: cli::FactsArgs) -> anyhow::Result<ExitCode> {
    let options = ReadOptions {
        max_file_bytes: args.max_file_size,
    };
    let now = match &args.net.now {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .with_context(|| format!("--now `{text}` is not an RFC 3339 time"))?,
        None => jiff::Timestamp::now(),
    };
    let mut ids = Vec::new();
    let mut paths = Vec::new();
    for target in &args.targets {
        match parse_package_id(target)? {
            Some(id) => ids.push((id, Source::Registry(None))),
            None => paths.push(PathBuf::from(target)),
        }
    }
    if ids.is_empty() && paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let (projects, failures) = if paths.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        load_projects(&paths, options)?
    };
    let mut packages = ids;
    for project in &projects {
        for node in &project.graph.nodes {
            if !node.root {
                packages.push((node.package.id.clone(), node.package.source.clone()));
            }
        }
    }
    report_failures(&failures);

    let facts: Vec<PackageFacts> = match &args.net.replay {
        Some(path) => {
            let snapshot = Snapshot::read(path, 1 << 30)?;
            let ids: Vec<PackageId> = packages.iter().map(|(id, _)| id.clone()).collect();
            snapshot.replay(&ids, path)
        }
        None => gather(&args.net, now, &packages)?,
    };
    if let Some(path) = &args.net.snapshot {
        Snapshot::new(now, facts.clone()).write(path)?;
    }
    write_stdout(|out| match args.format {
        cli::FactsFormatArg::Json => report::render_facts_json(now, &facts, &failures, out),
        cli::FactsFormatArg::Table => report::render_facts_table(&facts, out),
    })?;
    Ok(exit_code(&failures))
}

/// Asks the registries, with the network configured from flags, environment and config file.
fn gather(
    args: &cli::NetArgs,
    now: jiff::Timestamp,
    packages: &[(PackageId, Source)],
) -> anyhow::Result<Vec<PackageFacts>> {
    let config = match &args.config {
        Some(path) => Config::read(path)?,
        None if Path::new("deptrust.toml").is_file() => Config::read(Path::new("deptrust.toml"))?,
        None => Config::default(),
    };
    let endpoints = config.endpoints(&RegistriesConfig {
        npm: args.npm_registry.clone(),
        pypi: args.pypi_url.clone(),
        crates_index: args.crates_index.clone(),
        crates_api: args.crates_api.clone(),
        github_api: args.github_api.clone(),
    });
    let mut endpoints = endpoints;
    let mut tokens = Vec::new();
    for url in [
        &mut endpoints.npm,
        &mut endpoints.pypi,
        &mut endpoints.crates_index,
        &mut endpoints.crates_api,
        &mut endpoints.github_api,
    ] {
        let (clean, token) = deptrust::net::split_userinfo(url);
        *url = clean;
        tokens.extend(token);
    }
    let mut token = |variable: &str, url: &url::Url| {
        if let (Ok(value), Some(scope)) = (std::env::var(variable), deptrust::net::scope_of(url))
            && !value.trim().is_empty()
        {
            tokens.push(HostToken {
                host: scope,
                header: "Authorization".into(),
                value: format!("Bearer {}", value.trim()),
            });
        }
    };
    token("GITHUB_TOKEN", &endpoints.github_api);
    token("DEPTRUST_NPM_TOKEN", &endpoints.npm);
    let cache_dir = args
        .cache_dir
        .clone()
        .or_else(|| dirs::cache_dir().map(|dir| dir.join("deptrust")));
    let mut min_intervals = NetConfig::default().min_intervals;
    if let Some(host) = endpoints.crates_api.host_str() {
        min_intervals = vec![(host.to_string(), std::time::Duration::from_secs(1))];
    }
    let net = Net::new(
        NetConfig {
            offline: args.offline,
            cache_dir,
            min_intervals,
            tokens,
            progress: io::stderr().is_terminal(),
            ..NetConfig::default()
        },
        now,
    )?;
    if let Some(problem) = net.cache_error() {
        eprintln!("warning: running without the cache: {}", sanitize(problem));
    }
    let root = match &args.trusted_root {
        Some(path) => {
            let text = fs_err::read_to_string(path)
                .with_context(|| format!("cannot read the trusted root `{}`", path.display()))?;
            TrustRoot::from_json(&text, &path.display().to_string())?
        }
        None => TrustRoot::production()?,
    };
    let mut registries = Registries::new(&net, &endpoints).with_trust_root(&net, Arc::new(root));
    if let Some(dir) = &args.crates_db_dump {
        let wanted: std::collections::BTreeSet<String> = packages
            .iter()
            .filter(|(id, _)| id.ecosystem == Ecosystem::Cargo)
            .map(|(id, _)| id.name.clone())
            .collect();
        let dump = CratesDbDump::load(dir, &wanted)?;
        if dump.skipped_rows() > 0 {
            eprintln!(
                "warning: {} malformed rows of the crates.io database dump were skipped",
                dump.skipped_rows()
            );
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
        .context("failed to start the async runtime")?;
    let facts = runtime.block_on(registries.gather(packages));
    let stats = registries.verification_stats();
    if stats.verified + stats.recalled > 0 {
        eprintln!(
            "attestations: {} verified now, {} results from the cache",
            stats.verified, stats.recalled
        );
    }
    Ok(facts)
}

/// `npm:lodash@4.17.21` → an id; anything else is a path (`Ok(None)`); a malformed id with a
/// known ecosystem prefix is an error.
fn parse_package_id(target: &str) -> anyhow::Result<Option<PackageId>> {
    let Some((ecosystem, rest)) = target.split_once(':') else {
        return Ok(None);
    };
    let ecosystem = match ecosystem {
        "cargo" => Ecosystem::Cargo,
        "npm" => Ecosystem::Npm,
        "pypi" => Ecosystem::Pypi,
        _ => return Ok(None),
    };
    let at = rest
        .get(1..)
        .and_then(|tail| tail.rfind('@'))
        .map(|index| index + 1)
        .filter(|&index| index + 1 < rest.len());
    let Some(at) = at else {
        anyhow::bail!("`{target}` is not a package id: expected `{ecosystem}:<name>@<version>`");
    };
    let (name, version) = (&rest[..at], &rest[at + 1..]);
    Ok(Some(PackageId::new(ecosystem, name, version)))
}

fn paths_or_here(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// Discovers, parses and graphs every lockfile under the paths. A path that cannot be searched
/// is an error; a lockfile that cannot be parsed is a failure reported beside the others.
fn load_projects(
    paths: &[PathBuf],
    options: ReadOptions,
) -> anyhow::Result<(Vec<Project>, Vec<Failure>)> {
    let mut projects = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        let found = lockfile::discover(path)?;
        if found.is_empty() {
            anyhow::bail!(
                "no supported lockfile found under `{}` (supported: {})",
                path.display(),
                lockfile::SUPPORTED_FILES
            );
        }
        for lockfile_path in found {
            let shown = lockfile_path.to_string_lossy().replace('\\', "/");
            match lockfile::parse_file(&lockfile_path, options) {
                Ok(parsed) => projects.push(Project {
                    lockfile: shown,
                    graph: deptrust::graph::build(parsed),
                }),
                Err(error) => failures.push(Failure {
                    lockfile: shown,
                    message: error.to_string(),
                }),
            }
        }
    }
    Ok((projects, failures))
}

fn print_warnings(projects: &[Project]) {
    for project in projects {
        for warning in &project.graph.lockfile.warnings {
            eprintln!(
                "warning: {}: {}",
                sanitize(&project.lockfile),
                sanitize(warning)
            );
        }
    }
}

fn report_failures(failures: &[Failure]) {
    for failure in failures {
        eprintln!("error: {}", sanitize(&failure.message));
    }
}

fn exit_code(failures: &[Failure]) -> ExitCode {
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn write_stdout(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    render(&mut out)
        .and_then(|()| out.flush())
        .context("failed to write to stdout")
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
