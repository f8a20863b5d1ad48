//! The `deptrust` binary: parses arguments, runs one command, maps the outcome to an exit code
//! (0 success, 1 policy violation, 2 tool failure: unreadable input or wrong arguments).
//! It is the only place that reads the real clock, the environment's tokens and the terminal.

#![expect(clippy::print_stderr, reason = "main reports errors on stderr")]

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use deptrust::config::Config;
use deptrust::graph::{Failure, Project};
use deptrust::lockfile::{self, ReadOptions};
use deptrust::net::Net;
use deptrust::report::{self, GraphFormat, sanitize};
use deptrust::scan;

mod cli;

/// How much the run says on stderr, and how stdout is styled: set once from the global flags.
#[derive(Debug, Clone, Copy)]
struct Ui {
    /// `--quiet`: the gate line and errors only.
    quiet: bool,
    /// `--verbose`: each request and each excluded path.
    verbose: bool,
    /// `--color`.
    color: cli::ColorArg,
}

static UI: std::sync::OnceLock<Ui> = std::sync::OnceLock::new();

fn ui() -> Ui {
    UI.get().copied().unwrap_or(Ui {
        quiet: false,
        verbose: false,
        color: cli::ColorArg::Auto,
    })
}

/// A line on stderr unless `--quiet` (errors are printed whatever the flags).
macro_rules! say {
    ($($arg:tt)*) => {
        if !ui().quiet {
            eprintln!($($arg)*);
        }
    };
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let _ = UI.set(Ui {
        quiet: cli.quiet,
        verbose: cli.verbose,
        color: cli.color,
    });
    let result = match cli.command {
        cli::Command::Graph(args) => graph(args),
        cli::Command::Facts(args) => facts(args),
        cli::Command::Scan(args) => scan(args),
        cli::Command::Explain(args) => explain(args),
        cli::Command::Diff(args) => diff(args),
        cli::Command::Trust(args) => trust(args),
        cli::Command::Report(args) => report(args),
        cli::Command::Init(args) => init(args),
        cli::Command::Completions(args) => completions(args),
        cli::Command::Man(args) => man(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            // One `error:` line per problem (a configuration reports all of its problems at
            // once, one per line); each line sanitized on its own.
            // The chain of causes, each once: an error that already quotes its cause (`cannot
            // read `x`: No such file…`) does not get it twice.
            let mut message = error.to_string();
            for cause in error.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            for line in message.lines().filter(|line| !line.trim().is_empty()) {
                eprintln!("error: {}", sanitize(line));
            }
            ExitCode::from(2)
        }
    }
}

fn graph(args: cli::GraphArgs) -> anyhow::Result<ExitCode> {
    let options = ReadOptions {
        max_file_bytes: args.search.max_file_size,
        root: None,
        cargo: args.cargo.options(),
    };
    let paths = paths_or_here(args.paths);
    // Only the configuration's `exclude` matters here, and only to search directories: for
    // lockfiles named one by one it is not read. A deptrust.toml that cannot be read is
    // still an error when it is.
    let exclude = if paths.iter().any(|path| path.is_dir()) {
        exclusions(&load_config(None, &paths)?, &args.search)?
    } else {
        lockfile::Exclude::new(&args.search.exclude)?
    };
    let (projects, failures) = load_projects(&paths, &options, &exclude)?;
    let format = GraphFormat::from(args.format);
    if matches!(format, GraphFormat::Tree | GraphFormat::Dot) {
        print_warnings(&projects);
    }
    report_failures(&failures);
    write_stdout(|out| report::render_graphs(format, &projects, &failures, out))?;
    Ok(exit_code(&failures))
}

fn facts(args: cli::FactsArgs) -> anyhow::Result<ExitCode> {
    let now = clock(&args.net)?;
    let limit = args.search.max_file_size;
    let gather = gather_options(&args.net, limit);
    let request = deptrust::app::facts::FactsRequest {
        targets: &args.targets,
        read: ReadOptions {
            max_file_bytes: limit,
            root: None,
            cargo: args.cargo.options(),
        },
        config: args.net.config.as_deref(),
        exclude: &args.search.exclude,
        now,
        facts: match &args.net.replay {
            Some(path) => deptrust::app::scan::FactsFrom::Replay(path),
            None => deptrust::app::scan::FactsFrom::Registries(&gather),
        },
        snapshot: args.net.snapshot.as_deref(),
    };
    let outcome =
        deptrust::app::facts::facts(&request, &ExplainStderr, &|name| std::env::var(name).ok())?;
    write_stdout(|out| match args.format {
        cli::FactsFormatArg::Json => {
            report::render_facts_json(now, &outcome.facts, &outcome.failures, out)
        }
        cli::FactsFormatArg::Table => report::render_facts_table(&outcome.facts, out),
    })?;
    Ok(exit_code(&outcome.failures))
}

/// The configuration (see [`deptrust::app::projects::find_config`]).
fn load_config(explicit: Option<&std::path::Path>, paths: &[PathBuf]) -> anyhow::Result<Config> {
    Ok(deptrust::app::projects::find_config(explicit, paths)?)
}

/// The patterns directory searches leave out: `exclude` of the config, then `--exclude`.
fn exclusions(config: &Config, args: &cli::SearchArgs) -> anyhow::Result<lockfile::Exclude> {
    let patterns: Vec<&str> = config
        .exclude
        .iter()
        .chain(&args.exclude)
        .map(String::as_str)
        .collect();
    Ok(lockfile::Exclude::new(&patterns)?)
}

/// The run's clock: `--now` / `DEPTRUST_NOW`, else the real one (read only here).
fn clock(args: &cli::NetArgs) -> anyhow::Result<jiff::Timestamp> {
    match &args.now {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .with_context(|| format!("--now `{text}` is not an RFC 3339 time")),
        None => Ok(jiff::Timestamp::now()),
    }
}

/// The network options of the command line, resolved (the default cache directory, deadlines).
fn gather_options(
    args: &cli::NetArgs,
    max_file_bytes: u64,
) -> deptrust::app::gather::GatherOptions {
    deptrust::app::gather::GatherOptions {
        operator: args.registries(),
        offline: args.offline,
        cache_dir: args
            .cache_dir
            .clone()
            .or_else(|| dirs::cache_dir().map(|dir| dir.join("deptrust"))),
        deadline: (args.deadline > 0).then(|| std::time::Duration::from_secs(args.deadline)),
        service_deadline: (args.service_deadline > 0)
            .then(|| std::time::Duration::from_secs(args.service_deadline)),
        crates_api_budget: args.crates_api_budget,
        crates_db_dump: args.crates_db_dump.clone(),
        trusted_root: args.trusted_root.clone(),
        max_file_bytes,
        log: ui().verbose.then(|| {
            deptrust::net::RequestLog(Arc::new(|line: &str| {
                eprintln!("deptrust: {}", sanitize(line));
            }))
        }),
    }
}

/// What the user hears while the library works: notes, warnings, progress, on stderr.
struct Stderr;

impl deptrust::app::scan::Observer for Stderr {
    fn loaded(&self, loaded: &deptrust::app::projects::Loaded) {
        print_loaded(loaded);
        // Lockfile warnings (skipped lines, includes refused as outside the project) go to
        // stderr: the report's packages depend on them.
        print_warnings(&loaded.projects);
        report_failures(&loaded.failures);
    }

    fn gathering(&self, net: &Arc<Net>) -> Option<Box<dyn std::any::Any>> {
        // Not with --quiet, nor with --verbose (its log lines would tear the spinner).
        (!ui().quiet && !ui().verbose)
            .then(|| Box::new(Progress::show(net)) as Box<dyn std::any::Any>)
    }

    fn gathered(&self, gathered: &deptrust::app::gather::Gathered) {
        // A token that was not sent is said even under --quiet.
        for refusal in &gathered.refusals {
            eprintln!("warning: {}", sanitize(&refusal.to_string()));
        }
        for warning in &gathered.warnings {
            say!("warning: {}", sanitize(warning));
        }
        let (verified, recalled) = gathered.attestations;
        if verified + recalled > 0 {
            say!("attestations: {verified} verified now, {recalled} results from the cache");
        }
    }
}

fn paths_or_here(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// The projects under the paths (see [`deptrust::app::projects::load_projects`]), with its
/// notes on stderr and, under `--verbose`, what `exclude` left out.
fn load_projects(
    paths: &[PathBuf],
    options: &ReadOptions,
    exclude: &lockfile::Exclude,
) -> anyhow::Result<(Vec<Project>, Vec<Failure>)> {
    let loaded = match deptrust::app::projects::load_projects(paths, options, exclude) {
        Ok(loaded) => loaded,
        Err(error) => {
            if let deptrust::app::projects::LoadError::NoLockfile { excluded, .. } = &error {
                print_excluded(excluded);
            }
            return Err(error.into());
        }
    };
    print_loaded(&loaded);
    Ok((loaded.projects, loaded.failures))
}

/// Under `--verbose`, each path `exclude` left out.
fn print_excluded(excluded: &[PathBuf]) {
    if ui().verbose {
        for path in excluded {
            eprintln!(
                "deptrust: excluded `{}`",
                sanitize(&path.display().to_string())
            );
        }
    }
}

/// The exclusions (`--verbose`) and notes of the projects found.
fn print_loaded(loaded: &deptrust::app::projects::Loaded) {
    print_excluded(&loaded.excluded);
    for note in &loaded.notes {
        say!("note: {}", sanitize(note));
    }
}

fn print_warnings(projects: &[Project]) {
    for project in projects {
        for note in &project.graph.lockfile.notes {
            say!("note: {}: {}", sanitize(&project.lockfile), sanitize(note));
        }
        for warning in &project.graph.lockfile.warnings {
            say!(
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

fn scan(args: cli::ScanArgs) -> anyhow::Result<ExitCode> {
    let now = clock(&args.net)?;
    let paths = paths_or_here(args.paths);
    let limit = args.search.max_file_size;
    let gather = gather_options(&args.net, limit);
    let ledger = deptrust::app::ledger::find(&paths);
    let request = deptrust::app::scan::ScanRequest {
        paths: &paths,
        read: ReadOptions {
            max_file_bytes: limit,
            root: None,
            cargo: args.cargo.options(),
        },
        config: args.net.config.as_deref(),
        exclude: &args.search.exclude,
        now,
        facts: match &args.net.replay {
            Some(path) => deptrust::app::scan::FactsFrom::Replay(path),
            None => deptrust::app::scan::FactsFrom::Registries(&gather),
        },
        snapshot: args.net.snapshot.as_deref(),
        baseline: args.baseline.as_deref(),
        history: args.history.as_deref(),
        owners: deptrust::app::gather::Owners::ReadAndRecord,
        ledger: ledger.as_deref(),
    };
    let outcome =
        match deptrust::app::scan::run(&request, &Stderr, &|name| std::env::var(name).ok()) {
            Ok(outcome) => outcome,
            Err(error) => {
                if let deptrust::app::scan::ScanRunError::Load(
                    deptrust::app::projects::LoadError::NoLockfile { excluded, .. },
                ) = &error
                {
                    print_excluded(excluded);
                }
                return Err(error.into());
            }
        };
    let result = &outcome.report;
    let terminal = args.output.is_none() && io::stdout().is_terminal();
    let table = report::TableOptions {
        width: if args.output.is_some() {
            None
        } else {
            terminal_width(terminal)
        },
        color: args.output.is_none() && use_color(terminal),
        top: (!args.all).then_some(args.top),
    };
    let to_file = report::TableOptions {
        width: None,
        color: false,
        ..table
    };
    // `stdout`: the report the user reads now, which --quiet cuts to the gate line.
    let render_as = |format: cli::ScanFormatArg, stdout: bool, out: &mut dyn Write| match format {
        cli::ScanFormatArg::Table if stdout && ui().quiet => {
            report::render_scan_gate(result, &table, out)
        }
        cli::ScanFormatArg::Table if stdout => report::render_scan_table(result, &table, out),
        cli::ScanFormatArg::Table => report::render_scan_table(result, &to_file, out),
        cli::ScanFormatArg::Json => report::render_scan_json(result, out),
        cli::ScanFormatArg::Sarif => report::render_scan_sarif(result, out),
        cli::ScanFormatArg::Markdown => report::render_scan_markdown(result, out),
    };
    let write_file = |format: cli::ScanFormatArg, path: &std::path::Path| -> anyhow::Result<()> {
        let file = fs_err::File::create(path)?;
        let mut out = BufWriter::new(file);
        render_as(format, false, &mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("failed to write `{}`", path.display()))
    };
    for (format, path) in [
        (cli::ScanFormatArg::Json, &args.json_file),
        (cli::ScanFormatArg::Sarif, &args.sarif_file),
        (cli::ScanFormatArg::Markdown, &args.markdown_file),
    ] {
        if let Some(path) = path {
            write_file(format, path)?;
        }
    }
    let render = |out: &mut dyn Write| render_as(args.format, true, out);
    match &args.output {
        Some(path) => {
            write_file(args.format, path)?;
            say!(
                "deptrust: exposure {:.1}, gate {}; report written to {}",
                result.exposure_score,
                if !result.errors.is_empty() {
                    "ERROR (a lockfile could not be read)"
                } else if result.gate.passed {
                    "passed"
                } else {
                    "FAILED"
                },
                sanitize(&path.display().to_string())
            );
        }
        None => write_stdout(render)?,
    }
    Ok(ExitCode::from(outcome.exit_status()))
}

fn explain(args: cli::ExplainArgs) -> anyhow::Result<ExitCode> {
    let now = clock(&args.net)?;
    let paths = paths_or_here(args.paths);
    let limit = args.search.max_file_size;
    let gather = gather_options(&args.net, limit);
    let request = deptrust::app::explain::ExplainRequest {
        target: &args.package,
        paths: &paths,
        read: ReadOptions {
            max_file_bytes: limit,
            root: None,
            cargo: args.cargo.options(),
        },
        config: args.net.config.as_deref(),
        exclude: &args.search.exclude,
        now,
        facts: match &args.net.replay {
            Some(path) => deptrust::app::scan::FactsFrom::Replay(path),
            None => deptrust::app::scan::FactsFrom::Registries(&gather),
        },
        snapshot: args.net.snapshot.as_deref(),
    };
    let explained = deptrust::app::explain::explain(&request, &ExplainStderr, &|name| {
        std::env::var(name).ok()
    })?;
    write_stdout(|out| {
        report::render_explain(
            &explained.occurrences,
            &explained.ids,
            &explained.facts,
            &explained.previous,
            scan::Options {
                policy: &explained.config.policy,
                now,
                baseline: None,
            },
            out,
        )
    })?;
    Ok(exit_code(&explained.failures))
}

/// What `explain` says on stderr: like a scan, without the lockfiles' warnings (the package's
/// own story is on stdout).
struct ExplainStderr;

impl deptrust::app::scan::Observer for ExplainStderr {
    fn loaded(&self, loaded: &deptrust::app::projects::Loaded) {
        print_loaded(loaded);
        report_failures(&loaded.failures);
    }

    fn gathering(&self, net: &Arc<Net>) -> Option<Box<dyn std::any::Any>> {
        Stderr.gathering(net)
    }

    fn gathered(&self, gathered: &deptrust::app::gather::Gathered) {
        Stderr.gathered(gathered);
    }
}

fn diff(args: cli::DiffArgs) -> anyhow::Result<ExitCode> {
    let now = clock(&args.net)?;
    let limit = args.search.max_file_size;
    let gather = gather_options(&args.net, limit);
    let request = deptrust::app::diff::DiffRequest {
        base: args.base.as_deref().unwrap_or("HEAD"),
        head: args.head.as_deref().unwrap_or("."),
        repository: std::path::Path::new("."),
        read: ReadOptions {
            max_file_bytes: limit,
            root: None,
            cargo: args.cargo.options(),
        },
        config: args.net.config.as_deref(),
        exclude: &args.search.exclude,
        now,
        facts: match &args.net.replay {
            Some(path) => deptrust::app::scan::FactsFrom::Replay(path),
            None => deptrust::app::scan::FactsFrom::Registries(&gather),
        },
    };
    let env = |name: &str| std::env::var(name).ok();
    let ids = (
        deptrust::app::explain::parse_package_id(request.base)?,
        deptrust::app::explain::parse_package_id(request.head)?,
    );
    let (diff, status, changes) = match &ids {
        (Some(old), Some(new)) => {
            if args.sarif_file.is_some() || matches!(args.format, cli::DiffFormatArg::Sarif) {
                anyhow::bail!(
                    "SARIF points at lockfile lines: it needs two lockfiles, directories or revisions, not two package ids"
                );
            }
            let (diff, status) = deptrust::app::diff::run_ids(
                &deptrust::app::diff::IdsRequest {
                    old,
                    new,
                    config: request.config,
                    now,
                    facts: request.facts,
                },
                &Stderr,
                &env,
            )?;
            (diff, status, None)
        }
        _ => {
            let outcome = deptrust::app::diff::run(&request, &Stderr, &env)?;
            (outcome.diff, outcome.status, Some(outcome.changes))
        }
    };
    let render = |format: cli::DiffFormatArg, out: &mut dyn Write| match format {
        cli::DiffFormatArg::Table => report::render_diff_table(&diff, out),
        cli::DiffFormatArg::Json => report::render_diff_json(&diff, out),
        cli::DiffFormatArg::Markdown => report::render_diff_markdown(&diff, out),
        cli::DiffFormatArg::Sarif => match &changes {
            Some(changes) => report::render_scan_sarif(changes, out),
            None => Ok(()),
        },
    };
    for (format, path) in [
        (cli::DiffFormatArg::Json, &args.json_file),
        (cli::DiffFormatArg::Markdown, &args.markdown_file),
        (cli::DiffFormatArg::Sarif, &args.sarif_file),
    ] {
        if let Some(path) = path {
            let mut out = BufWriter::new(fs_err::File::create(path)?);
            render(format, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }
    }
    write_stdout(|out| render(args.format, out))?;
    Ok(ExitCode::from(status))
}

/// `deptrust trust`: the ledger written from what the registries say now.
fn trust(args: cli::TrustArgs) -> anyhow::Result<ExitCode> {
    let now = clock(&args.net)?;
    let paths = paths_or_here(args.paths);
    let limit = args.search.max_file_size;
    let gather = gather_options(&args.net, limit);
    let request = deptrust::app::scan::ScanRequest {
        paths: &paths,
        read: ReadOptions {
            max_file_bytes: limit,
            root: None,
            cargo: args.cargo.options(),
        },
        config: args.net.config.as_deref(),
        exclude: &args.search.exclude,
        now,
        facts: match &args.net.replay {
            Some(path) => deptrust::app::scan::FactsFrom::Replay(path),
            None => deptrust::app::scan::FactsFrom::Registries(&gather),
        },
        snapshot: args.net.snapshot.as_deref(),
        baseline: None,
        history: None,
        owners: deptrust::app::gather::Owners::Read,
        ledger: None,
    };
    let trusted = deptrust::app::ledger::trust(&request, &args.packages, &Stderr, &|name| {
        std::env::var(name).ok()
    })?;
    say!(
        "wrote {} {} to {} ({} in all)",
        trusted.written,
        if trusted.written == 1 {
            "entry"
        } else {
            "entries"
        },
        sanitize(&trusted.path.display().to_string()),
        trusted.total
    );
    // The ledger records; it judges nothing. A lockfile that could not be read is still an
    // input error.
    Ok(if trusted.outcome.report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn report(args: cli::ReportArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(args.config.as_deref(), &[PathBuf::from(".")])?;
    let since = deptrust::monthly::parse_since(&args.since)
        .map_err(|reason| anyhow::anyhow!("--since {reason}"))?;
    let request = deptrust::app::report::ReportRequest {
        inputs: &args.inputs,
        histories: &args.history,
        max_file_bytes: args.max_file_size,
        options: deptrust::monthly::BuildOptions {
            title: args
                .title
                .clone()
                .unwrap_or_else(|| "Dependency trust report".to_string()),
            now: args.now,
            since: Some(since),
            top: args.top,
            alerts: config.report,
        },
    };
    let monthly = deptrust::app::report::run(&request)?;
    if let Some(path) = &args.html_file {
        let theme = match args.theme {
            cli::ThemeArg::Auto => deptrust::report::monthly_html::Theme::Auto,
            cli::ThemeArg::Light => deptrust::report::monthly_html::Theme::Light,
            cli::ThemeArg::Dark => deptrust::report::monthly_html::Theme::Dark,
        };
        let page = deptrust::report::monthly_html::render(&monthly, theme);
        fs_err::write(path, page)?;
    }
    match &args.markdown_file {
        Some(path) if path.as_os_str() != "-" => {
            let mut out = BufWriter::new(fs_err::File::create(path)?);
            deptrust::report::monthly_md::render(&monthly, &mut out)?;
            out.flush()?;
        }
        Some(_) => write_stdout(|out| deptrust::report::monthly_md::render(&monthly, out))?,
        None if args.html_file.is_none() => {
            write_stdout(|out| deptrust::report::monthly_md::render(&monthly, out))?;
        }
        None => {}
    }
    if !ui().quiet {
        for alert in &monthly.alerts {
            eprintln!("alert: {}", deptrust::report::sanitize(alert));
        }
    }
    Ok(if monthly.alerts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn init(args: cli::InitArgs) -> anyhow::Result<ExitCode> {
    if args.path.exists() && !args.force {
        anyhow::bail!(
            "`{}` already exists (use --force to replace it)",
            args.path.display()
        );
    }
    fs_err::write(&args.path, deptrust::config::template())?;
    say!(
        "wrote {}: every option at its default; uncomment what you change",
        sanitize(&args.path.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

/// The width stdout's text is laid out for: the terminal's (or `COLUMNS` when its size cannot
/// be read); in a pipe, `COLUMNS` when it is set (`COLUMNS=100 deptrust scan | less`), else
/// none. Widths under 20 are ignored.
fn terminal_width(terminal: bool) -> Option<usize> {
    let columns = || std::env::var("COLUMNS").ok()?.trim().parse().ok();
    let size = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0));
    let width = if terminal {
        size().or_else(columns)
    } else {
        columns()
    };
    width.filter(|width| *width >= 20)
}

/// Whether stdout gets colour: `--color always|never`, else on a terminal unless `NO_COLOR`
/// is set to a non-empty value (no-color.org) or `TERM=dumb`.
fn use_color(terminal: bool) -> bool {
    match ui().color {
        cli::ColorArg::Always => true,
        cli::ColorArg::Never => false,
        cli::ColorArg::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
        }
    }
}

fn completions(args: cli::CompletionsArgs) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let mut command = cli::Cli::command();
    write_stdout(|out| {
        clap_complete::generate(args.shell, &mut command, "deptrust", out);
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The man page of deptrust (stdout), or one page per command in a directory (`deptrust.1`,
/// `deptrust-scan.1`, …).
fn man(args: cli::ManArgs) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let command = cli::Cli::command();
    match &args.dir {
        None => write_stdout(|out| clap_mangen::Man::new(command).render(out))?,
        Some(dir) => {
            fs_err::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("cannot write the man pages into `{}`", dir.display()))?;
            say!(
                "wrote the man pages into {}",
                sanitize(&dir.display().to_string())
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The progress of a run's requests on stderr (never stdout): on a terminal, one line redrawn
/// in place; elsewhere (CI), a line every ten seconds while requests are pending. Stops when
/// dropped.
struct Progress {
    /// Dropped to stop the thread at once (its wait ends when the channel closes).
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn show(net: &Arc<Net>) -> Self {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let terminal = io::stderr().is_terminal();
        let net = Arc::clone(net);
        let thread = std::thread::spawn(move || {
            let bar = terminal.then(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            });
            let tick = std::time::Duration::from_millis(200);
            let every = std::time::Duration::from_secs(10);
            let mut last_line = std::time::Instant::now();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
                let services = net.progress();
                let line = sanitize(&report::progress::line(&services));
                match &bar {
                    Some(bar) => bar.set_message(line),
                    None => {
                        if last_line.elapsed() >= every && report::progress::pending(&services) {
                            eprintln!("deptrust: {line}");
                            last_line = std::time::Instant::now();
                        }
                    }
                }
            }
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
        });
        Progress {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
