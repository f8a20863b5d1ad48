//! The command line (clap types only). `main` turns these into library calls; the library never
//! sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use deptrust::registry::ServiceId;

/// Tells a team whether it can trust its dependencies.
#[derive(Debug, Parser)]
#[command(name = "deptrust", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,

    /// Print only the gate line (scan) and errors: no progress, notes or warnings.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Also log each network request (URL, status or cache, time) and each excluded path on
    /// stderr.
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,

    /// Colour on a terminal: auto (when stdout is a terminal and NO_COLOR is unset), always,
    /// never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub(crate) color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    /// On a terminal, unless NO_COLOR is set (to anything but an empty string) or TERM=dumb.
    Auto,
    /// Always, even in a pipe or a file.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the exact dependency graph of every lockfile found.
    #[command(after_help = GRAPH_EXAMPLES)]
    Graph(GraphArgs),
    /// Print what the registries and GitHub say about every package: releases, publishers,
    /// owners, repository, provenance as advertised, status, install scripts.
    #[command(after_help = FACTS_EXAMPLES)]
    Facts(FactsArgs),
    /// Judge every package of every lockfile found: trust signals weighted by blast radius,
    /// the policy of deptrust.toml, and a gate decision (the exit status).
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Show one package's facts, every signal's verdict and the arithmetic of its score.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// What changes in trust between two states of the dependencies: lockfiles, directories or
    /// git revisions. Fails (exit 1) only when the change brings a finding at level deny.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Record the identities accepted for each package (owners, publishers, trusted-publishing
    /// builders) in deptrust-ledger.toml, from what the registries say now.
    #[command(after_help = TRUST_EXAMPLES)]
    Trust(TrustArgs),
    /// The monthly view: exposure score, trend, top contributors, trust events and coverage,
    /// from scan JSON reports and history files; across repositories, the organisation's.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Write a commented deptrust.toml listing every option, rule and default.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, or write one page per command to a directory.
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  deptrust completions bash > ~/.local/share/bash-completion/completions/deptrust
  deptrust completions zsh > \"${fpath[1]}/_deptrust\"
  deptrust completions fish > ~/.config/fish/completions/deptrust.fish";

const MAN_EXAMPLES: &str = "\
Examples:
  deptrust man | man -l -                     read it now
  deptrust man --dir ~/.local/share/man/man1  deptrust.1, deptrust-scan.1, … for `man deptrust-scan`";

const DIFF_EXAMPLES: &str = "\
Examples:
  deptrust diff                             the last commit (HEAD) against the working tree
  deptrust diff origin/main                 the base branch against the working tree
  deptrust diff main feature                two revisions (lockfiles read from git objects)
  deptrust diff old/package-lock.json package-lock.json   two lockfiles
  deptrust diff npm:axios@1.7.9 npm:axios@1.8.0   two versions of one package, no lockfile
  deptrust diff origin/main --format markdown >> \"$GITHUB_STEP_SUMMARY\"

Each side is a lockfile, a directory, or a git revision of the repository in the current
directory (git is needed only for revisions); or both sides are package ids. Per lockfile: packages added, removed, upgraded,
downgraded, with their blast radius; for each version change, what changed in who publishes it
and how it is built (publisher, provenance, builder, install scripts, maintainers, repository);
the findings the new versions bring; the exposure score before and after. The policy is the head
side's deptrust.toml (or --config).

Exit status: 0 the change brings no finding at level deny; 1 it does; 2 usage or input error.";

#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The base: a lockfile, a directory or a git revision [default: HEAD].
    #[arg(value_name = "BASE")]
    pub(crate) base: Option<String>,

    /// The head: a lockfile, a directory or a git revision [default: . (the working tree)].
    #[arg(value_name = "HEAD")]
    pub(crate) head: Option<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormatArg::Table)]
    pub(crate) format: DiffFormatArg,

    /// Also write the JSON document to FILE (from the same comparison).
    #[arg(long = "json", value_name = "FILE")]
    pub(crate) json_file: Option<PathBuf>,

    /// Also write the Markdown comment to FILE (from the same comparison).
    #[arg(long = "markdown", value_name = "FILE")]
    pub(crate) markdown_file: Option<PathBuf>,

    /// Also write SARIF to FILE: the findings the change brings, at their lockfile lines (for
    /// code scanning on a pull request). Not with two package ids (no lockfile to point at).
    #[arg(long = "sarif", value_name = "FILE")]
    pub(crate) sarif_file: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) net: NetArgs,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

const REPORT_EXAMPLES: &str = "\
Examples:
  deptrust report deptrust.json --history exposure.json --html report.html
  deptrust report reports/ --since 2026-11-01 --markdown report.md --html report.html
  deptrust report api=api.json web=web.json --markdown -      Markdown on stdout

A JSON file is a history when it has `runs` (deptrust scan --history), else a scan report
(deptrust scan --json). A folder is searched for .json files; a file named deptrust.json,
report.json, history.json or exposure.json belongs to the repository its folder names, any
other file to its own name; NAME=PATH names it. Several reports of one repository: the latest
is scored, the earlier ones give the events of the period (packages added, removed, changed;
findings that appeared or cleared).

Exit status: 0 written; 1 written, and an alert of [report] in deptrust.toml was raised; 2
usage or input error.";

#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Scan JSON reports, history files, or folders of them; `NAME=PATH` names the repository.
    #[arg(value_name = "INPUT", required = true)]
    pub(crate) inputs: Vec<String>,

    /// A history file (deptrust scan --history); `NAME=PATH` names its repository; repeatable.
    #[arg(long, value_name = "[NAME=]FILE")]
    pub(crate) history: Vec<String>,

    /// Start of the period for trust events: `30d` (days before the report's time), a date, or
    /// an RFC 3339 time.
    #[arg(long, value_name = "WHEN", default_value = "30d")]
    pub(crate) since: String,

    /// The report's time [default: the latest scan report's].
    #[arg(long, value_name = "RFC3339")]
    pub(crate) now: Option<jiff::Timestamp>,

    /// Write the HTML page to FILE (self-contained: no scripts, fonts or requests).
    #[arg(long = "html", value_name = "FILE")]
    pub(crate) html_file: Option<PathBuf>,

    /// Write the Markdown version to FILE (`-`: stdout; the default when no file is given).
    #[arg(long = "markdown", value_name = "FILE")]
    pub(crate) markdown_file: Option<PathBuf>,

    /// The HTML page's colours: follow the reader's system, or force one.
    #[arg(long, value_enum, default_value_t = ThemeArg::Auto)]
    pub(crate) theme: ThemeArg,

    /// The page's title.
    #[arg(long)]
    pub(crate) title: Option<String>,

    /// Packages listed in the contributor and shared-package tables.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub(crate) top: usize,

    /// The policy file whose `[report]` thresholds raise alerts [default: ./deptrust.toml when
    /// present].
    #[arg(long, value_name = "FILE", env = "DEPTRUST_CONFIG")]
    pub(crate) config: Option<PathBuf>,

    /// Refuse input files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = deptrust::lockfile::DEFAULT_MAX_FILE_BYTES)]
    pub(crate) max_file_size: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ThemeArg {
    /// Light or dark as the reader's system prefers.
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DiffFormatArg {
    /// Per lockfile the packages that changed, with their trust delta; the gate last.
    Table,
    /// The diff document (schema_version 1).
    Json,
    /// A pull-request comment.
    Markdown,
    /// SARIF 2.1.0: the findings the change brings.
    Sarif,
}

const TRUST_EXAMPLES: &str = "\
Examples:
  deptrust trust                        every package of the lockfiles here (trust on first use)
  deptrust trust --package pypi:requests   after reviewing a change of owners: accept it

The ledger (deptrust-ledger.toml, beside the lockfiles) is meant to be committed: scan and diff
then report owners that differ from it (owners-changed) even on a CI runner with an empty
cache, and a reviewer accepts a change by committing the updated ledger in the same pull
request. Packages not named keep their entries.";

#[derive(Debug, clap::Args)]
pub(crate) struct TrustArgs {
    /// Lockfiles or directories to search [default: .]
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Only this package (`<ecosystem>:<name>`); repeatable. Default: every package.
    #[arg(long = "package", value_name = "PACKAGE")]
    pub(crate) packages: Vec<String>,

    #[command(flatten)]
    pub(crate) net: NetArgs,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ManArgs {
    /// Write deptrust.1 and one page per command (deptrust-scan.1, …) into DIR instead.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

/// Where directory searches look, shared by the commands that read lockfiles.
#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// Leave out directories and lockfiles matching GLOB, relative to each searched directory
    /// (`fixtures`, `**/testdata`, `examples/*/yarn.lock`); repeatable; adds to `exclude` in
    /// deptrust.toml. A lockfile named as a PATH is always read.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,

    /// Refuse lockfiles, manifests and the --baseline, --history and --trusted-root files
    /// larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = deptrust::lockfile::DEFAULT_MAX_FILE_BYTES)]
    pub(crate) max_file_size: u64,
}

const SCAN_EXAMPLES: &str = "\
Examples:
  deptrust scan                                  every lockfile under the current directory
  deptrust scan web/ --format sarif --output deptrust.sarif
  deptrust scan . --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  deptrust scan . --format json --snapshot facts.json   keep the facts to replay the decision
  deptrust scan . --json r.json --sarif r.sarif --markdown r.md   every report from one run
  deptrust scan . --history exposure.json       monthly: the score, the previous one, the trend

Exit status: 0 the gate passed; 1 denied by policy (a finding at level deny); 2 usage or input
error (wrong arguments, unreadable lockfile or config); 3 could not evaluate (facts unknown
under `unknown = \"deny\"`). The policy is ./deptrust.toml (or the scanned directory's, or
--config); without one every rule runs at its default level (`deptrust init` writes the file).";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  deptrust explain left-pad                      the package as the lockfiles here use it
  deptrust explain npm:left-pad@1.3.0 web/       one version, from web/'s lockfiles
  deptrust explain pypi:requests@2.32.3          a package id alone (blast radius unknown: 0)";

#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Lockfiles or directories to search [default: .]
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ScanFormatArg::Table)]
    pub(crate) format: ScanFormatArg,

    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Table: packages listed per project, worst first (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = deptrust::report::DEFAULT_TOP)]
    pub(crate) top: usize,

    /// Table: list every package with findings (no --top limit).
    #[arg(long, conflicts_with = "top")]
    pub(crate) all: bool,

    /// Also write the JSON report to FILE (from the same evaluation).
    #[arg(long = "json", value_name = "FILE")]
    pub(crate) json_file: Option<PathBuf>,

    /// Also write the SARIF report to FILE (from the same evaluation).
    #[arg(long = "sarif", value_name = "FILE")]
    pub(crate) sarif_file: Option<PathBuf>,

    /// Also write the Markdown report to FILE (from the same evaluation).
    #[arg(long = "markdown", value_name = "FILE")]
    pub(crate) markdown_file: Option<PathBuf>,

    /// Exposure history file: the previous run's scores are shown beside this run's (the
    /// trend), and this run is appended. Created when missing.
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,

    /// A JSON report of an earlier scan (e.g. of the base branch): findings it already had
    /// (same package version, same rule) are shown but do not fail the gate, so only new or
    /// changed dependencies do.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) net: NetArgs,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ScanFormatArg {
    /// Per project the packages to act on, worst first; what to do; a summary; the gate.
    Table,
    /// The scan document (schema_version 1).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// A pull-request comment.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// `name`, `name@version`, or a package id such as `npm:left-pad@1.3.0`.
    #[arg(value_name = "PACKAGE")]
    pub(crate) package: String,

    /// Lockfiles or directories to search [default: .]
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    #[command(flatten)]
    pub(crate) net: NetArgs,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// Where to write it.
    #[arg(value_name = "FILE", default_value = "deptrust.toml")]
    pub(crate) path: PathBuf,

    /// Replace an existing file.
    #[arg(long)]
    pub(crate) force: bool,
}

const FACTS_EXAMPLES: &str = "\
Examples:
  deptrust facts npm:left-pad@1.3.0 pypi:requests@2.32.3 cargo:serde@1.0.228
  deptrust facts web/package-lock.json --format json --snapshot facts.json
  deptrust facts . --replay facts.json      the same answer again, with no network
  deptrust facts . --offline                only what the cache holds; the rest is unknown

A fact that could not be established (a 404, a timeout, offline with nothing cached) is shown as
unknown with its reason, never as a default. The run still succeeds (exit status 0) unless a
lockfile could not be read (2).

Environment: GITHUB_TOKEN (sent only to the GitHub API host), DEPTRUST_NPM_TOKEN (sent only to
the npm registry host), DEPTRUST_CACHE_DIR, DEPTRUST_NOW, DEPTRUST_CONFIG, and the registry
variables below.";

#[derive(Debug, clap::Args)]
pub(crate) struct FactsArgs {
    /// Lockfiles, directories, or package ids such as `npm:lodash@4.17.21` [default: .]
    #[arg(value_name = "PATH|ID")]
    pub(crate) targets: Vec<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FactsFormatArg::Table)]
    pub(crate) format: FactsFormatArg,

    #[command(flatten)]
    pub(crate) net: NetArgs,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FactsFormatArg {
    /// The facts document (the same shape as a snapshot).
    Json,
    /// One row per package.
    Table,
}

impl NetArgs {
    /// The base URLs named by flag or environment variable, one per service.
    pub(crate) fn registries(&self) -> deptrust::config::RegistriesConfig {
        let mut registries = deptrust::config::RegistriesConfig::default();
        for id in ServiceId::ALL {
            *registries.get_mut(id) = match id {
                ServiceId::Npm => self.npm_registry.clone(),
                ServiceId::Pypi => self.pypi_url.clone(),
                ServiceId::CratesIndex => self.crates_index.clone(),
                ServiceId::CratesApi => self.crates_api.clone(),
                ServiceId::GithubApi => self.github_api.clone(),
            };
        }
        registries
    }
}

/// Options of every command that gathers facts.
#[derive(Debug, clap::Args)]
pub(crate) struct NetArgs {
    /// Use the cache only: what it does not hold becomes unknown.
    #[arg(long)]
    pub(crate) offline: bool,

    /// Network deadline of the run in seconds: what is not fetched by then is unknown ("the
    /// run's network deadline passed"), so a registry that hangs costs at most this. 0: none.
    #[arg(
        long,
        env = "DEPTRUST_DEADLINE",
        value_name = "SECONDS",
        default_value_t = 60
    )]
    pub(crate) deadline: u64,

    /// Deadline of each service (npm registry, PyPI, crates.io index, crates.io API, GitHub API)
    /// in seconds: a slow or hanging service stops costing time after this, and the others go
    /// on until the run's deadline. 0: only the run's deadline.
    #[arg(
        long,
        env = "DEPTRUST_SERVICE_DEADLINE",
        value_name = "SECONDS",
        default_value_t = 0
    )]
    pub(crate) service_deadline: u64,

    /// crates.io API requests per run (its policy allows one a second): past them, owners and
    /// publishers come from the cache however old (said with their age) or are unknown, and
    /// later runs fill them in, what is missing first, then what is oldest. 0: no limit.
    #[arg(
        long,
        env = "DEPTRUST_CRATES_API_BUDGET",
        value_name = "REQUESTS",
        default_value_t = deptrust::registry::crates_io::DEFAULT_API_BUDGET
    )]
    pub(crate) crates_api_budget: usize,

    /// Cache directory [default: the platform cache directory]/deptrust.
    #[arg(long, env = "DEPTRUST_CACHE_DIR", value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,

    /// Write every fact the run used to FILE (JSON, stable order).
    #[arg(long, value_name = "FILE")]
    pub(crate) snapshot: Option<PathBuf>,

    /// Run from a snapshot written by --snapshot, with no network.
    #[arg(long, value_name = "FILE", conflicts_with = "offline")]
    pub(crate) replay: Option<PathBuf>,

    /// Pin the clock (RFC 3339, e.g. 2026-11-28T12:00:00Z) [default: now].
    #[arg(long, env = "DEPTRUST_NOW", value_name = "TIME")]
    pub(crate) now: Option<String>,

    /// Configuration file [default: ./deptrust.toml when present].
    #[arg(long, env = "DEPTRUST_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// npm registry base URL.
    #[arg(long, env = "DEPTRUST_NPM_REGISTRY", value_name = "URL")]
    pub(crate) npm_registry: Option<url::Url>,

    /// PyPI base URL (JSON, Simple and Integrity APIs).
    #[arg(long, env = "DEPTRUST_PYPI_URL", value_name = "URL")]
    pub(crate) pypi_url: Option<url::Url>,

    /// crates.io sparse index base URL.
    #[arg(long, env = "DEPTRUST_CRATES_INDEX", value_name = "URL")]
    pub(crate) crates_index: Option<url::Url>,

    /// crates.io API base URL.
    #[arg(long, env = "DEPTRUST_CRATES_API", value_name = "URL")]
    pub(crate) crates_api: Option<url::Url>,

    /// GitHub API base URL.
    #[arg(long, env = "DEPTRUST_GITHUB_API", value_name = "URL")]
    pub(crate) github_api: Option<url::Url>,

    /// An extracted crates.io database dump (db-dump.tar.gz): owners, publishers and
    /// repositories of crates come from it instead of the rate-limited API.
    #[arg(long, value_name = "DIR")]
    pub(crate) crates_db_dump: Option<PathBuf>,

    /// Sigstore trusted root (trusted_root.json) to verify attestations with, instead of the
    /// public-good root embedded in deptrust.
    #[arg(long, env = "DEPTRUST_TRUSTED_ROOT", value_name = "FILE")]
    pub(crate) trusted_root: Option<PathBuf>,
}

const GRAPH_EXAMPLES: &str = "\
Examples:
  deptrust graph                          every lockfile under the current directory, as trees
  deptrust graph Cargo.lock --format json one lockfile, as the public JSON document
  deptrust graph web/ api/ --format table two directories of a monorepo, summarized
  deptrust graph . --format dot | dot -Tsvg > deps.svg

Supported lockfiles: Cargo.lock (v1-v4), package-lock.json / npm-shrinkwrap.json (v1-v3),
yarn.lock (classic and berry), pnpm-lock.yaml (v5.x, v6, v9), uv.lock, poetry.lock, Pipfile.lock,
pdm.lock, requirements*.txt, *requirements.txt, requirements/*.txt (pip-compile style).

Directories are searched recursively, skipping node_modules, target, .git, virtualenvs and
vendored trees. Exit status: 0 when every lockfile was graphed, 2 when any could not be read
(the others are still printed) or the arguments are wrong.";

#[derive(Debug, clap::Args)]
pub(crate) struct GraphArgs {
    /// Lockfiles or directories to search [default: .]
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Tree)]
    pub(crate) format: FormatArg,

    #[command(flatten)]
    pub(crate) search: SearchArgs,

    #[command(flatten)]
    pub(crate) cargo: CargoMetadataArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FormatArg {
    /// The public JSON document (schema_version 1).
    Json,
    /// An indented tree per root, like `cargo tree`.
    Tree,
    /// Graphviz.
    Dot,
    /// A summary table per project.
    Table,
}

impl From<FormatArg> for deptrust::report::GraphFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Json => Self::Json,
            FormatArg::Tree => Self::Tree,
            FormatArg::Dot => Self::Dot,
            FormatArg::Table => Self::Table,
        }
    }
}

/// Cargo's exact mode: `cargo metadata` for the edge kinds and build-time crates a Cargo.lock
/// does not record (on by default when cargo and the Cargo.toml are found).
#[derive(Debug, clap::Args)]
pub(crate) struct CargoMetadataArgs {
    /// Require exact Cargo edge kinds and build-time crates from `cargo metadata` (it may then
    /// download crate manifests); fail when cargo cannot tell.
    #[arg(long, conflicts_with = "no_cargo_metadata")]
    pub(crate) cargo_metadata: bool,

    /// Read Cargo.lock and Cargo.toml alone: never run `cargo metadata`.
    #[arg(
        long,
        env = "DEPTRUST_NO_CARGO_METADATA",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub(crate) no_cargo_metadata: bool,
}

impl CargoMetadataArgs {
    /// The read options' Cargo mode.
    pub(crate) fn options(&self) -> deptrust::lockfile::CargoOptions {
        use deptrust::lockfile::CargoMetadata;
        let mode = match (self.cargo_metadata, self.no_cargo_metadata) {
            (true, _) => CargoMetadata::Require,
            (false, true) => CargoMetadata::Off,
            (false, false) => CargoMetadata::Auto,
        };
        deptrust::lockfile::CargoOptions {
            mode,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every service has its flag and environment variable on each command that gathers facts,
    /// as [`ServiceId`] names them (the config key is checked where the config is read).
    #[test]
    fn every_service_has_its_flag_and_variable() {
        let command = Cli::command();
        for name in ["scan", "facts", "diff", "explain"] {
            let Some(sub) = command.find_subcommand(name) else {
                panic!("no `{name}` command");
            };
            for id in ServiceId::ALL {
                let arg = sub
                    .get_arguments()
                    .find(|arg| arg.get_long() == id.flag().strip_prefix("--"))
                    .unwrap_or_else(|| panic!("`{name}` has no {}", id.flag()));
                assert_eq!(
                    arg.get_env().and_then(|env| env.to_str()),
                    Some(id.variable()),
                    "{name} {}",
                    id.flag()
                );
            }
        }
    }
}
