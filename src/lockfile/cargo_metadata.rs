//! The exact mode of the `Cargo.lock` parser: `cargo metadata` asked for what the lockfile does
//! not record.
//!
//! `Cargo.lock` lists every crate and every edge, but not whether a registry crate's dependency
//! is a normal, build or dev dependency, nor which edges only exist on some platforms, nor which
//! crates run code at build time (build scripts and proc macros run on every developer machine
//! and CI runner that builds the project). `cargo metadata` knows all three. Its
//! [JSON format, version 1](https://doc.rust-lang.org/cargo/commands/cargo-metadata.html#json-format)
//! is read here through private wire types (`packages[].{id, name, version, source,
//! targets[].kind}` and `resolve.nodes[].{id, deps[].{pkg, dep_kinds[].{kind, target}}}`); the
//! `cargo_metadata` crate would add `camino` and `cargo-platform` and deserialize every field of
//! every package into owned strings, for the few fields read here.
//!
//! How cargo is run ([`CargoMetadata`] chooses whether):
//! - `cargo metadata --format-version 1 --locked --all-features --offline --manifest-path
//!   DIR/Cargo.toml`, `DIR` being the lockfile's directory. `--locked` keeps
//!   cargo from rewriting the lockfile; `--all-features` makes the resolve cover the optional
//!   dependencies the lockfile holds; `--offline` keeps cargo off the network: it works when the
//!   registry index and the crates' manifests are in cargo's cache (after a build or `cargo
//!   fetch`), and fails at once otherwise, so a scan never hangs on, or silently starts, a
//!   download. Only [`CargoMetadata::Require`] retries without `--offline` (the user asked for
//!   exact kinds, and cargo may then download the crates' manifests, never build them).
//! - Every run has a time limit ([`CargoOptions::timeout`]); cargo is killed past it. Its
//!   standard output is read up to [`ReadOptions::max_file_bytes`](super::ReadOptions).
//! - Cargo runs from the system's temporary directory, not from the project, with
//!   `RUSTC_WRAPPER` and `RUSTC_WORKSPACE_WRAPPER` emptied: a project's `.cargo/config.toml`
//!   (`build.rustc`, `build.rustc-wrapper`) and `rust-toolchain.toml` (`path`) can name programs
//!   to run, and scanning a checkout must not run its code. The project's cargo configuration
//!   (source replacement, private registries) is therefore not applied; cargo's own, in
//!   `$CARGO_HOME`, is.
//! - The command is [`CargoOptions::cargo`], else the `DEPTRUST_CARGO` environment variable,
//!   else `cargo` on `PATH`.
//!
//! When cargo cannot be run or fails, the parser falls back to the lockfile alone and says why
//! in a lockfile warning (cargo missing, no `Cargo.toml` beside the lockfile, cargo's first line
//! of error), except under [`CargoMetadata::Require`], where it is an error.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::{LockfileInput, Text};
use crate::model::DepKind;

/// Whether the `Cargo.lock` parser asks `cargo metadata` for exact edge kinds and build-time
/// crates (module `cargo_metadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CargoMetadata {
    /// The lockfile alone (and the workspace's `Cargo.toml` files): no process is started.
    /// The default of [`ReadOptions`](super::ReadOptions), so that library use, tests and
    /// benches stay hermetic.
    #[default]
    Off,
    /// Run `cargo metadata --offline` when cargo is found and a `Cargo.toml` is beside the
    /// lockfile; otherwise, or when it fails, the lockfile alone with a warning saying why.
    /// What the command line does unless told otherwise.
    Auto,
    /// As [`Auto`](Self::Auto), retrying without `--offline` when the offline run fails, and an
    /// error when cargo still cannot tell.
    Require,
}

/// How `cargo metadata` is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoOptions {
    /// Whether it is run.
    pub mode: CargoMetadata,
    /// The cargo command; `None` is the `DEPTRUST_CARGO` environment variable, else `cargo`.
    pub cargo: Option<PathBuf>,
    /// Each run is killed past this.
    pub timeout: Duration,
}

impl Default for CargoOptions {
    fn default() -> Self {
        CargoOptions {
            mode: CargoMetadata::Off,
            cargo: None,
            timeout: Duration::from_secs(120),
        }
    }
}

/// What `cargo metadata` said, keyed by lockfile package index.
#[derive(Debug, Default)]
pub(super) struct Exact {
    /// `(from, to)` → the strongest kind and, when every declaration of the edge is
    /// platform-specific, the `cfg(…)`/triple targets it applies to (empty: every platform).
    pub(super) edges: HashMap<(usize, usize), (DepKind, Vec<String>)>,
    /// Packages with a build script (`custom-build` target).
    pub(super) build_script: Vec<bool>,
    /// Packages that are proc macros (`proc-macro` target).
    pub(super) proc_macro: Vec<bool>,
    /// Things that did not stop the reading (unknown kinds, packages not in the lockfile).
    pub(super) warnings: Vec<String>,
}

/// Why the exact mode did not run.
#[derive(Debug)]
pub(super) struct Unavailable(pub(super) String);

#[derive(Deserialize)]
struct MetadataWire<'a> {
    #[serde(borrow)]
    packages: Vec<PackageWire<'a>>,
    #[serde(borrow)]
    resolve: Option<ResolveWire<'a>>,
}

#[derive(Deserialize)]
struct PackageWire<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    source: Option<Text<'a>>,
    /// Absent from the stripped listings the fixtures record.
    #[serde(default, borrow)]
    targets: Vec<TargetWire<'a>>,
}

#[derive(Deserialize)]
struct TargetWire<'a> {
    #[serde(default, borrow)]
    kind: Vec<Text<'a>>,
}

#[derive(Deserialize)]
struct ResolveWire<'a> {
    #[serde(borrow)]
    nodes: Vec<NodeWire<'a>>,
}

#[derive(Deserialize)]
struct NodeWire<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(default, borrow)]
    deps: Vec<DepWire<'a>>,
}

#[derive(Deserialize)]
struct DepWire<'a> {
    #[serde(borrow)]
    pkg: Text<'a>,
    #[serde(default, borrow)]
    dep_kinds: Vec<DepKindWire<'a>>,
}

#[derive(Deserialize)]
struct DepKindWire<'a> {
    #[serde(borrow)]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    target: Option<Text<'a>>,
}

/// Runs `cargo metadata` for the lockfile of `input` (module doc); its standard output.
pub(super) fn run(input: &LockfileInput<'_>) -> Result<String, Unavailable> {
    let options = &input.options.cargo;
    if let Err(refusal) = input.confine(Path::new("Cargo.toml")) {
        return Err(Unavailable(format!(
            "the Cargo.toml beside `{}` {refusal}: cargo is not run on it",
            input.path.display()
        )));
    }
    let manifest = input.dir().join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Unavailable(format!(
            "no Cargo.toml beside `{}` to run `cargo metadata` on",
            input.path.display()
        )));
    }
    let manifest = std::path::absolute(&manifest).unwrap_or(manifest);
    let cargo = options
        .cargo
        .clone()
        .or_else(|| std::env::var_os("DEPTRUST_CARGO").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("cargo"));
    let limit = input.options.max_file_bytes;
    match run_once(&cargo, &manifest, true, options.timeout, limit) {
        Ok(stdout) => Ok(stdout),
        Err(Failure::Missing(why)) => Err(Unavailable(format!(
            "`{}` could not be run ({why})",
            cargo.display()
        ))),
        Err(Failure::Failed(offline)) if options.mode == CargoMetadata::Require => {
            run_once(&cargo, &manifest, false, options.timeout, limit).map_err(|failure| {
                Unavailable(format!(
                    "`cargo metadata --offline` failed ({offline}), and so did it online ({})",
                    failure.reason()
                ))
            })
        }
        Err(Failure::Failed(why)) => Err(Unavailable(format!(
            "`cargo metadata --offline` failed ({why}); `cargo fetch` fills cargo's cache, and --cargo-metadata lets cargo download what it needs"
        ))),
    }
}

enum Failure {
    /// The command could not be started.
    Missing(String),
    /// It ran and failed, timed out or printed what is not metadata.
    Failed(String),
}

impl Failure {
    fn reason(&self) -> &str {
        match self {
            Failure::Missing(why) | Failure::Failed(why) => why,
        }
    }
}

fn run_once(
    cargo: &Path,
    manifest: &Path,
    offline: bool,
    timeout: Duration,
    limit: u64,
) -> Result<String, Failure> {
    let mut command = Command::new(cargo);
    command
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .args(offline.then_some("--offline"))
        .arg("--manifest-path")
        .arg(manifest)
        .current_dir(std::env::temp_dir())
        .env("CARGO_TERM_COLOR", "never")
        .env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|error| Failure::Missing(error.to_string()))?;
    let stdout = child
        .stdout
        .take()
        .map(|pipe| std::thread::spawn(move || read_at_most(pipe, limit.saturating_add(1))));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| std::thread::spawn(move || read_at_most(pipe, 64 * 1024)));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => return Err(Failure::Failed(error.to_string())),
        }
    };
    let Some(status) = status else {
        // The readers are left to finish on their own: a process cargo started may still hold
        // the pipes open.
        return Err(Failure::Failed(format!("no answer within {timeout:?}")));
    };
    let stdout = stdout
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    let stderr = stderr
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let first = stderr
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or("no error message");
        return Err(Failure::Failed(format!("{status}: {first}")));
    }
    if stdout.len() as u64 > limit {
        return Err(Failure::Failed(format!(
            "its output is over the limit of {limit} bytes"
        )));
    }
    String::from_utf8(stdout).map_err(|_| Failure::Failed("its output is not UTF-8".into()))
}

/// Up to `limit` bytes of a pipe; the rest is drained (so that the writer is never blocked)
/// and dropped.
fn read_at_most(mut pipe: impl Read, limit: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    if (&mut pipe).take(limit).read_to_end(&mut bytes).is_ok() {
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
    }
    bytes
}

/// One lockfile package, as [`read`] matches metadata packages to it.
pub(super) struct Locked<'a> {
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    pub(super) source: Option<&'a str>,
}

/// Reads `cargo metadata`'s JSON and maps it onto the lockfile's packages; `Err` says why it
/// is not metadata.
pub(super) fn read(json: &str, locked: &[Locked<'_>]) -> Result<Exact, String> {
    let wire: MetadataWire<'_> = serde_json::from_str(json)
        .map_err(|error| format!("its output is not `cargo metadata` JSON: {error}"))?;
    let resolve = wire
        .resolve
        .ok_or("its output has no `resolve` (was it run with --no-deps?)")?;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, package) in locked.iter().enumerate() {
        by_name.entry(package.name).or_default().push(i);
    }
    let mut exact = Exact {
        build_script: vec![false; locked.len()],
        proc_macro: vec![false; locked.len()],
        ..Exact::default()
    };
    // Metadata id → lockfile index.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for package in &wire.packages {
        let candidates = by_name
            .get(&*package.name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let same_version = candidates
            .iter()
            .copied()
            .filter(|&i| locked[i].version == &*package.version);
        let found = same_version.clone().find(|&i| {
            super::cargo_lock::same_source_opt(locked[i].source, package.source.as_deref())
        });
        let Some(found) = found.or_else(|| same_version.clone().next()) else {
            exact.warnings.push(format!(
                "`cargo metadata` lists `{} {}`, which is not in the lockfile",
                package.name, package.version
            ));
            continue;
        };
        index.insert(&package.id, found);
        for target in &package.targets {
            for kind in &target.kind {
                match &**kind {
                    "custom-build" => exact.build_script[found] = true,
                    "proc-macro" => exact.proc_macro[found] = true,
                    _ => {}
                }
            }
        }
    }
    for node in &resolve.nodes {
        let Some(&from) = index.get(&*node.id) else {
            continue;
        };
        for dep in &node.deps {
            let Some(&to) = index.get(&*dep.pkg) else {
                continue;
            };
            let mut kind: Option<DepKind> = None;
            let mut everywhere = dep.dep_kinds.is_empty();
            let mut targets: Vec<String> = Vec::new();
            for declared in &dep.dep_kinds {
                let this = match declared.kind.as_deref() {
                    None | Some("normal") => DepKind::Normal,
                    Some("build") => DepKind::Build,
                    Some("dev") => DepKind::Dev,
                    Some(other) => {
                        exact.warnings.push(format!(
                            "`cargo metadata` gives the unknown dependency kind `{other}`: read as normal"
                        ));
                        DepKind::Normal
                    }
                };
                kind = Some(kind.map_or(this, |old| old.min(this)));
                match &declared.target {
                    Some(target) => targets.push(target.to_string()),
                    None => everywhere = true,
                }
            }
            if everywhere {
                targets.clear();
            }
            targets.sort();
            targets.dedup();
            let kind = kind.unwrap_or(DepKind::Normal);
            exact
                .edges
                .entry((from, to))
                .and_modify(|(old, old_targets)| {
                    *old = (*old).min(kind);
                    if old_targets.is_empty() || targets.is_empty() {
                        old_targets.clear();
                    } else {
                        old_targets.extend(targets.iter().cloned());
                        old_targets.sort();
                        old_targets.dedup();
                    }
                })
                .or_insert((kind, targets));
        }
    }
    Ok(exact)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::lockfile::ReadOptions;
    use crate::lockfile::test_support::{dir_with, edges};
    use crate::model::Lockfile;

    const LOCK: &str = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"dep\"]\n\n[[package]]\nname = \"dep\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\"gen\", \"win\"]\n\n[[package]]\nname = \"gen\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"win\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    const MANIFEST: &str =
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\ndep = \"1\"\n";
    const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

    fn metadata() -> String {
        serde_json::json!({
            "packages": [
                {"id": "path+file:///x/app#0.1.0", "name": "app", "version": "0.1.0", "source": null,
                 "targets": [{"kind": ["bin"]}]},
                {"id": "dep-id", "name": "dep", "version": "1.0.0", "source": REGISTRY,
                 "targets": [{"kind": ["lib"]}, {"kind": ["custom-build"]}]},
                {"id": "gen-id", "name": "gen", "version": "1.0.0", "source": REGISTRY,
                 "targets": [{"kind": ["proc-macro"]}]},
                {"id": "win-id", "name": "win", "version": "1.0.0", "source": REGISTRY,
                 "targets": [{"kind": ["lib"]}]},
            ],
            "resolve": {"nodes": [
                {"id": "path+file:///x/app#0.1.0", "deps": [
                    {"pkg": "dep-id", "dep_kinds": [{"kind": null, "target": null}]}]},
                {"id": "dep-id", "deps": [
                    {"pkg": "gen-id", "dep_kinds": [{"kind": "build", "target": null}]},
                    {"pkg": "win-id", "dep_kinds": [{"kind": null, "target": "cfg(windows)"}]}]},
            ]},
            "version": 1
        })
        .to_string()
    }

    /// A project with a fake cargo that logs its arguments and working directory, then runs
    /// `body` (shell).
    fn project(body: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = dir_with(&[
            ("project/Cargo.toml", MANIFEST),
            ("project/Cargo.lock", LOCK),
            ("metadata.json", &metadata()),
        ]);
        let cargo = dir.path().join("cargo");
        let log = dir.path().join("log");
        fs_err::write(
            &cargo,
            format!(
                "#!/bin/sh\necho \"$PWD | $*\" >> '{}'\n{body}\n",
                log.display()
            ),
        )
        .unwrap();
        fs_err::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, cargo)
    }

    fn parse(
        dir: &Path,
        mode: CargoMetadata,
        cargo: PathBuf,
        timeout: Duration,
    ) -> Result<Lockfile, crate::lockfile::ParseError> {
        let options = ReadOptions {
            cargo: CargoOptions {
                mode,
                cargo: Some(cargo),
                timeout,
            },
            ..ReadOptions::default()
        };
        crate::lockfile::parse_file(&dir.join("project/Cargo.lock"), options)
    }

    fn log(dir: &Path) -> Vec<String> {
        fs_err::read_to_string(dir.join("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn exact_kinds_platforms_and_build_time_come_from_cargo() {
        let (dir, cargo) = project("cat \"$(dirname \"$0\")/metadata.json\"");
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            cargo,
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        assert_eq!(
            edges(&lockfile),
            [
                "cargo:app@0.1.0 -> cargo:dep@1.0.0 normal",
                "cargo:dep@1.0.0 -> cargo:gen@1.0.0 build",
                "cargo:dep@1.0.0 -> cargo:win@1.0.0 normal",
            ]
        );
        assert_eq!(lockfile.edges[2].platforms, ["cfg(windows)"]);
        assert!(lockfile.edges[1].platforms.is_empty());
        let build_time: Vec<(String, Vec<&str>)> = lockfile
            .packages
            .iter()
            .map(|p| (p.id.name.clone(), p.build_time.reasons()))
            .collect();
        assert_eq!(
            build_time,
            [
                ("app".to_string(), vec![]),
                ("dep".to_string(), vec!["build-script"]),
                ("gen".to_string(), vec!["proc-macro"]),
                ("win".to_string(), vec![]),
            ]
        );
        // Run once, offline, locked, on the manifest beside the lockfile, outside the project.
        let log = log(dir.path());
        assert_eq!(log.len(), 1, "{log:?}");
        let manifest = std::path::absolute(dir.path().join("project/Cargo.toml")).unwrap();
        let (cwd, args) = log[0].split_once(" | ").unwrap();
        assert_eq!(
            args,
            format!(
                "metadata --format-version 1 --locked --all-features --offline --manifest-path {}",
                manifest.display()
            )
        );
        assert!(!Path::new(cwd).starts_with(dir.path()), "{cwd}");
    }

    #[test]
    fn without_the_exact_mode_cargo_is_never_run() {
        let (dir, cargo) = project("exit 1");
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Off,
            cargo,
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        assert!(log(dir.path()).is_empty());
        assert_eq!(lockfile.edges[1].kind, DepKind::Normal);
        assert!(lockfile.packages.iter().all(|p| !p.build_time.any()));
    }

    #[test]
    fn a_failing_cargo_falls_back_with_its_first_line_of_error() {
        let (dir, cargo) = project(
            "echo '' >&2; echo 'error: no matching package named `dep` found' >&2; echo 'more' >&2; exit 101",
        );
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            cargo.clone(),
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        assert_eq!(lockfile.notes.len(), 1, "{:?}", lockfile.notes);
        let warning = &lockfile.notes[0];
        assert!(
            warning.contains("edge kinds from the lockfile alone")
                && warning.contains("error: no matching package named `dep` found")
                && !warning.contains("more"),
            "{warning}"
        );
        assert_eq!(lockfile.edges[1].kind, DepKind::Normal);
        assert_eq!(log(dir.path()).len(), 1);

        // Required: retried online, then an error naming the manifest.
        let error = parse(
            dir.path(),
            CargoMetadata::Require,
            cargo,
            Duration::from_secs(30),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("Cargo.toml")
                && error.contains("--cargo-metadata")
                && error.contains("no matching package"),
            "{error}"
        );
        let log = log(dir.path());
        assert_eq!(log.len(), 3, "{log:?}");
        assert!(
            log[1].contains("--offline") && !log[2].contains("--offline"),
            "{log:?}"
        );
    }

    #[test]
    fn a_missing_cargo_a_hanging_cargo_and_bad_output_fall_back() {
        let (dir, cargo) = project("sleep 10");
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            dir.path().join("no-such-cargo"),
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(
            lockfile.notes[0].contains("could not be run"),
            "{:?}",
            lockfile.notes
        );

        let start = Instant::now();
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            cargo,
            Duration::from_millis(300),
        )
        .unwrap();
        assert!(start.elapsed() < Duration::from_secs(8));
        assert!(
            lockfile.notes[0].contains("no answer within 300ms"),
            "{:?}",
            lockfile.notes
        );

        let (dir, cargo) = project("echo '{\"packages\": 3}'");
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            cargo,
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(
            lockfile.notes[0].contains("not `cargo metadata` JSON"),
            "{:?}",
            lockfile.notes
        );
    }

    #[test]
    fn no_manifest_beside_the_lockfile_falls_back() {
        let (dir, cargo) = project("exit 0");
        fs_err::remove_file(dir.path().join("project/Cargo.toml")).unwrap();
        let lockfile = parse(
            dir.path(),
            CargoMetadata::Auto,
            cargo,
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("no Cargo.toml beside")),
            "{:?}",
            lockfile.warnings
        );
        assert_eq!(lockfile.warnings.len(), 1, "{:?}", lockfile.warnings);
        assert!(log(dir.path()).is_empty());
        let error = parse(
            dir.path(),
            CargoMetadata::Require,
            dir.path().join("cargo"),
            Duration::from_secs(30),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("no Cargo.toml beside"), "{error}");
    }
}
