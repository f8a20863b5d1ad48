//! The `deptrust` binary: parses arguments, runs one command, maps the outcome to an exit code
//! (0 success, 1 policy violation, 2 tool failure: unreadable input or wrong arguments).

#![expect(clippy::print_stderr, reason = "main reports errors on stderr")]

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use deptrust::lockfile::{self, ReadOptions};
use deptrust::report::{self, Failure, GraphFormat, Project, sanitize};

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Graph(args) => graph(args),
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
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut projects = Vec::new();
    let mut failures = Vec::new();
    for path in &paths {
        let found = lockfile::discover(path)?;
        if found.is_empty() {
            anyhow::bail!(
                "no supported lockfile found under `{}` (supported: {})",
                path.display(),
                lockfile::SUPPORTED_FILES
            );
        }
        for lockfile_path in found {
            let shown = display_path(&lockfile_path);
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
    let format = GraphFormat::from(args.format);
    if matches!(format, GraphFormat::Tree | GraphFormat::Dot) {
        for project in &projects {
            for warning in &project.graph.lockfile.warnings {
                eprintln!(
                    "warning: {}: {}",
                    sanitize(&project.lockfile),
                    sanitize(warning)
                );
            }
        }
    }
    for failure in &failures {
        eprintln!("error: {}", sanitize(&failure.message));
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    report::render_graphs(format, &projects, &failures, &mut out)
        .and_then(|()| out.flush())
        .context("failed to write the graph to stdout")?;
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Paths print with `/` separators, as found or given.
fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
