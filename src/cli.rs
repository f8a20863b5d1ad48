//! The command line (clap types only). `main` turns these into library calls; the library never
//! sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Tells a team whether it can trust its dependencies.
#[derive(Debug, Parser)]
#[command(name = "deptrust", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the exact dependency graph of every lockfile found.
    #[command(after_help = GRAPH_EXAMPLES)]
    Graph(GraphArgs),
}

const GRAPH_EXAMPLES: &str = "\
Examples:
  deptrust graph                          every lockfile under the current directory, as trees
  deptrust graph Cargo.lock --format json one lockfile, as the public JSON document
  deptrust graph web/ api/ --format table two directories of a monorepo, summarized
  deptrust graph . --format dot | dot -Tsvg > deps.svg

Supported lockfiles: Cargo.lock (v1-v4), package-lock.json / npm-shrinkwrap.json (v1-v3),
yarn.lock (classic and berry), pnpm-lock.yaml (v6, v9), uv.lock, poetry.lock, Pipfile.lock,
pdm.lock, requirements*.txt (pip-compile style).

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

    /// Refuse lockfiles and manifests larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = deptrust::lockfile::DEFAULT_MAX_FILE_BYTES)]
    pub(crate) max_file_size: u64,
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
