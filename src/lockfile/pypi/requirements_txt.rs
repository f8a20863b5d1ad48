//! `requirements.txt` files written by pip-compile (pip-tools) or `uv pip compile`, read without
//! running pip.
//!
//! Format: [pip's requirements file format](https://pip.pypa.io/en/stable/reference/requirements-file-format/)
//! with [pip-compile's annotations](https://pip-tools.readthedocs.io/en/stable/#requirements-from-pyproject-toml).
//! A requirements file declares no format version; the lockfile reports `1`.
//!
//! Read here:
//! - requirement lines `name[extras]==version ; marker` (PEP 508, names PEP 503 normalized,
//!   versions PEP 440 normalized; `===` pins count as pins), with `\` continuations, trailing
//!   per-requirement options (`--hash=…`), comments and CRLF line ends. Markers are not
//!   evaluated: the graph covers every platform;
//! - direct references: `name @ url` lines and bare URL/path lines (`https://…/x.whl`,
//!   `git+https://…@rev#egg=name`): a node with source git (`git+` URLs), path (`file:` URLs and
//!   local paths) or URL, versioned by the wheel or sdist file name, an `#egg=name-version`
//!   fragment, or else the VCS revision after `@`; warned about and skipped when no version is
//!   known;
//! - `-r`/`--requirement` includes, read relative to the including file (their packages join
//!   the project; cycles and depth beyond 16 are warned about and cut), `-c`/`--constraint`
//!   files (never read: a constraint adds no package), `-i`/`--index-url` (the registry of
//!   every package when it is not PyPI), `--extra-index-url` (named in a warning). Other pip
//!   options (`-f`, `--trusted-host`, `--no-binary`, …) are ignored; unknown ones are warned
//!   about;
//! - pip-compile's `# via` annotations, in both styles (`--annotation-style split`: `# via x`
//!   or `# via` followed by `#   x` lines; `line`: `# via x, y` after the requirement): `# via
//!   pkg` is an edge pkg → this package (resolved in the same file first), `# via -r file` and
//!   `# via project (pyproject.toml|setup.py|setup.cfg)` are edges from the project, `# via -c
//!   file` is a constraint and makes no edge. A `# via pkg` naming a package that is not
//!   pinned (an editable `-e .`, an unpinned line) is drawn from the project, with a warning.
//!   A package without annotations is a direct requirement of the project (a plain
//!   requirements file lists direct requirements). Edges
//!   are `normal`, except from the project to a package that the `pyproject.toml` named in the
//!   annotation declares only as an extra (`optional`) or only in dependency groups (`dev`);
//! - roots: one, the project, named after the lockfile's directory at `0.0.0`.
//!
//! Warned about with file and line, and skipped: unpinned requirements (`foo`, `foo>=1`),
//! editable requirements (`-e`, no pinned version), direct references without a derivable
//! name or version, includes that are missing or remote (`-r https://…`, never fetched), and
//! `-r`/`-c` paths outside the project (absolute, `..` out of the root, `.git`, a symbolic link
//! out: see [`crate::lockfile::confine`]; a refused `-c` is warned about too, though constraint
//! files are never read). A line that is none of the above is a syntax error naming its file
//! and line; a line of the lockfile itself is quoted (at most 60 characters), a line of an
//! included file is not (it could be any file of the project), and text quoted from an
//! included file in warnings is redacted and cut at 60 characters.
//!
//! Not supported: environment variables (`${VAR}`) in paths and URLs, `--extra-index-url`
//! attribution (pip may take a package from any index; packages are reported with the main
//! one, and one warning names the extra indexes),
//! hash checking, and the `requirements.in` files pip-compile read (annotations already name
//! the edges they made).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use pep440_rs::Operator;

use super::{
    Pyproject, by_name, index_source, normalize_name, normalize_version, parse_requirement,
};
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `pypi/requirements-txt` parser.
#[derive(Debug)]
pub(crate) struct RequirementsTxt;

/// What the lockfile reports as its format version: requirements files declare none.
const FORMAT_VERSION: &str = "1";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "pypi/requirements-txt",
    ecosystem: Ecosystem::Pypi,
    tool: "pip-compile",
    files: &[
        "requirements*.txt",
        "*requirements.txt",
        "requirements/*.txt",
    ],
    versions: "pip-compile style",
    accepted: FORMAT_VERSION,
};

/// How deep `-r` includes may nest.
const MAX_INCLUDE_DEPTH: usize = 16;
const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];
const SDIST_SUFFIXES: [&str; 6] = [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar"];

/// pip options that take no part in the graph.
const IGNORED_OPTIONS: [&str; 21] = [
    "--no-index",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--prefer-binary",
    "--require-hashes",
    "--pre",
    "--use-feature",
    "--hash",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "-Z",
    "--always-unzip",
    "--allow-external",
    "--allow-unverified",
    "--allow-all-external",
    "--process-dependency-links",
];

impl LockfileParser for RequirementsTxt {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        let mut reader = Reader {
            input,
            files: Vec::new(),
            stack: Vec::new(),
            seen: BTreeSet::new(),
            pinned: Vec::new(),
            index_url: None,
            extra_index_urls: Vec::new(),
            warnings: Vec::new(),
        };
        let top = PathBuf::from(file_name(input.path));
        reader.read_file(top, input.contents, 0)?;
        Ok(reader.build(self.id()))
    }
}

/// One pinned package line.
struct Pinned {
    id: PackageId,
    /// `None`: the registry (`--index-url` or PyPI).
    source: Option<Source>,
    /// Index into [`Reader::files`].
    file: usize,
    line: usize,
    /// The `# via` entries; `None` without annotation.
    via: Option<Vec<String>>,
}

/// One requirements file that was read.
struct FileInfo {
    /// Relative to the lockfile's directory.
    relative: PathBuf,
    /// For messages.
    display: String,
}

struct Reader<'a, 'i> {
    input: &'a LockfileInput<'i>,
    files: Vec<FileInfo>,
    /// The include chain being read (relative paths), to refuse cycles.
    stack: Vec<PathBuf>,
    /// Every file read, so that a file included twice is read once.
    seen: BTreeSet<PathBuf>,
    pinned: Vec<Pinned>,
    index_url: Option<String>,
    extra_index_urls: Vec<String>,
    warnings: Vec<String>,
}

/// A line after `\` continuations are joined.
enum Logical<'t> {
    Blank,
    /// A line that is only a comment: the text after `#`, untrimmed.
    Comment(&'t str),
    /// Content, with the trailing ` # comment` split off.
    Content {
        line: usize,
        text: String,
        comment: Option<String>,
    },
}

/// Joins continuation lines as pip does (`join_lines` in pip's `req_file.py`): a line ending in
/// `\` continues on the next, with every backslash at either end of it removed, and a comment
/// line ends a continuation.
fn logical_lines(text: &str) -> Vec<Logical<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some((start, buffer)) = pending.take() {
                out.push(content(start, buffer));
            }
            out.push(Logical::Comment(comment));
            continue;
        }
        if line.ends_with('\\') {
            // pip strips every backslash from both ends of a continued line (`line.strip("\\")`).
            let (_, buffer) = pending.get_or_insert_with(|| (number, String::new()));
            buffer.push_str(line.trim_matches('\\'));
            continue;
        }
        match pending.take() {
            Some((start, mut buffer)) => {
                buffer.push_str(line);
                out.push(content(start, buffer));
            }
            None => out.push(content(number, line.to_string())),
        }
    }
    if let Some((start, buffer)) = pending {
        out.push(content(start, buffer));
    }
    out
}

/// Splits off a trailing comment: a `#` at the start or after whitespace (`#egg=` in a URL is
/// not a comment).
fn content(line: usize, text: String) -> Logical<'static> {
    let mut cut = None;
    let mut previous_blank = true;
    for (index, c) in text.char_indices() {
        if c == '#' && previous_blank {
            cut = Some(index);
            break;
        }
        previous_blank = c.is_whitespace();
    }
    let (body, comment) = match cut {
        Some(index) => (
            text.get(..index).unwrap_or_default(),
            text.get(index + 1..).map(|c| c.trim().to_string()),
        ),
        None => (text.as_str(), None),
    };
    let body = body.trim();
    if body.is_empty() {
        Logical::Blank
    } else {
        Logical::Content {
            line,
            text: body.to_string(),
            comment,
        }
    }
}

/// `-rfile`, `-r file`, `--requirement file`, `--requirement=file` → (`-r` or `--requirement`,
/// `file`).
fn split_option(text: &str) -> (&str, &str) {
    if text.starts_with("--") {
        let end = text
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(text.len());
        let (name, rest) = text.split_at(end);
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        return (name, rest.trim());
    }
    let end = text
        .char_indices()
        .nth(2)
        .map_or(text.len(), |(index, _)| index);
    let (name, rest) = text.split_at(end);
    (name, rest.trim())
}

/// pip's split of a requirement line: the requirement, then options from the first token
/// starting with `-`.
fn strip_line_options(text: &str) -> &str {
    let mut previous_blank = false;
    for (index, c) in text.char_indices() {
        if c == '-' && previous_blank {
            return text.get(..index).unwrap_or(text).trim();
        }
        previous_blank = c.is_whitespace();
    }
    text
}

/// The entries of a `# via` comment (`via a, b` → `[a, b]`), or `None` when it is not one.
fn via_entries(comment: &str) -> Option<Vec<String>> {
    let comment = comment.trim();
    let rest = comment.strip_prefix("via")?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    Some(
        rest.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// What one `# via` entry means.
#[derive(Debug, PartialEq, Eq)]
enum Via<'v> {
    /// `-r file`, or `project (path)` with the project source path.
    Project(Option<&'v str>),
    /// `-c file`: a constraint, no edge.
    Constraint,
    /// A package, normalized.
    Package(String),
}

fn classify_via(entry: &str) -> Via<'_> {
    let entry = entry.trim();
    if entry.starts_with("-c")
        || entry.starts_with("--constraint")
        || entry.starts_with("--override")
    {
        return Via::Constraint;
    }
    if entry.starts_with('-') {
        return Via::Project(None);
    }
    if let Some((_, rest)) = entry.split_once(" (")
        && let Some(path) = rest.strip_suffix(')')
    {
        return Via::Project(Some(path));
    }
    let name = entry.split('[').next().unwrap_or(entry);
    Via::Package(normalize_name(name))
}

impl Reader<'_, '_> {
    fn display(&self, file: usize) -> &str {
        self.files
            .get(file)
            .map_or("requirements file", |info| info.display.as_str())
    }

    fn warn_at(&mut self, file: usize, line: usize, message: impl std::fmt::Display) {
        let warning = format!("`{}` line {line}: {message}", self.display(file));
        self.warnings.push(warning);
    }

    fn syntax(&self, file: usize, line: usize, message: String) -> ParseError {
        let path = match file {
            0 => self.input.path.to_path_buf(),
            _ => self.files.get(file).map_or_else(
                || self.input.path.to_path_buf(),
                |info| self.input.dir().join(&info.relative),
            ),
        };
        ParseError::Syntax {
            path,
            format: self.input.format,
            line: Some(line),
            message,
        }
    }

    fn read_file(&mut self, relative: PathBuf, text: &str, depth: usize) -> Result<(), ParseError> {
        let display = if self.files.is_empty() {
            self.input.path.display().to_string()
        } else {
            self.input.dir().join(&relative).display().to_string()
        };
        let file = self.files.len();
        self.files.push(FileInfo {
            relative: relative.clone(),
            display,
        });
        self.seen.insert(relative.clone());
        self.stack.push(relative);
        let result = self.read_lines(file, text, depth);
        self.stack.pop();
        result
    }

    fn read_lines(&mut self, file: usize, text: &str, depth: usize) -> Result<(), ParseError> {
        // The pinned package the next `# via` comment belongs to, and whether a bare `# via`
        // opened a list of `#   entry` lines.
        let mut last: Option<usize> = None;
        let mut via_open = false;
        for logical in logical_lines(text) {
            match logical {
                Logical::Blank => {
                    last = None;
                    via_open = false;
                }
                Logical::Comment(comment) => {
                    let Some(index) = last else {
                        continue;
                    };
                    if let Some(entries) = via_entries(comment) {
                        via_open = entries.is_empty();
                        if let Some(pinned) = self.pinned.get_mut(index) {
                            pinned.via.get_or_insert_with(Vec::new).extend(entries);
                        }
                    } else if via_open && comment.starts_with(char::is_whitespace) {
                        if let Some(pinned) = self.pinned.get_mut(index) {
                            pinned
                                .via
                                .get_or_insert_with(Vec::new)
                                .push(comment.trim().to_string());
                        }
                    } else {
                        via_open = false;
                    }
                }
                Logical::Content {
                    line,
                    text,
                    comment,
                } => {
                    via_open = false;
                    last = None;
                    if text.starts_with('-') {
                        self.option(file, line, &text, depth)?;
                        continue;
                    }
                    last = self.requirement(file, line, &text)?;
                    if let Some(index) = last
                        && let Some(entries) = comment.as_deref().and_then(via_entries)
                        && let Some(pinned) = self.pinned.get_mut(index)
                    {
                        via_open = entries.is_empty();
                        pinned.via = Some(entries);
                    }
                }
            }
        }
        Ok(())
    }

    fn option(
        &mut self,
        file: usize,
        line: usize,
        text: &str,
        depth: usize,
    ) -> Result<(), ParseError> {
        let (name, value) = split_option(text);
        match name {
            "-r" | "--requirement" => self.include(file, line, name, value, depth),
            "-c" | "--constraint" => {
                // Never read (a constraint adds no package), but a path out of the project is
                // still worth a warning: the file asks for something it should not.
                if !value.is_empty()
                    && !value.contains("://")
                    && let Some(relative) = self.confined(file, line, name, value)
                {
                    let path = self.input.dir().join(&relative);
                    if !path.is_file() {
                        // pip stops on a missing constraints file: what it would install from
                        // this file is not what the pins here say.
                        self.warn_at(
                            file,
                            line,
                            format!(
                                "constraints file `{}` not found: pip refuses this file as it is",
                                path.display()
                            ),
                        );
                    }
                }
                Ok(())
            }
            "-e" | "--editable" => {
                let value = self.quote(file, value);
                self.warn_at(
                    file,
                    line,
                    format!("editable requirement `{value}` skipped: it has no pinned version"),
                );
                Ok(())
            }
            "-i" | "--index-url" => {
                if self.index_url.is_none() && !value.is_empty() {
                    self.index_url = Some(value.to_string());
                }
                Ok(())
            }
            "--extra-index-url" => {
                if !value.is_empty() && !self.extra_index_urls.iter().any(|url| url == value) {
                    self.extra_index_urls.push(value.to_string());
                }
                Ok(())
            }
            known if IGNORED_OPTIONS.contains(&known) => Ok(()),
            unknown => {
                self.warn_at(file, line, format!("unknown option `{unknown}` ignored"));
                Ok(())
            }
        }
    }

    /// Text from the requirements files, for a message: as written in the lockfile itself; from
    /// an included file (which could be any file of the project), redacted and cut short.
    fn quote(&self, file: usize, text: &str) -> String {
        if file == 0 {
            return text.to_string();
        }
        short(&crate::redact::redact(text))
    }

    /// The path an include or constraint names, relative to the lockfile's directory, when it
    /// stays in the project; else `None`, with a warning.
    fn confined(&mut self, file: usize, line: usize, option: &str, value: &str) -> Option<PathBuf> {
        let base = self
            .files
            .get(file)
            .and_then(|info| info.relative.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        match self.input.confine(&base.join(value)) {
            Ok(relative) => Some(relative),
            Err(refusal) => {
                let value = self.quote(file, value);
                self.warn_at(
                    file,
                    line,
                    format!(
                        "`{option} {value}` {refusal}: it points outside the project, not read"
                    ),
                );
                None
            }
        }
    }

    fn include(
        &mut self,
        file: usize,
        line: usize,
        option: &str,
        value: &str,
        depth: usize,
    ) -> Result<(), ParseError> {
        if value.is_empty() {
            return Err(self.syntax(file, line, "`-r` names no file".into()));
        }
        if value.contains("://") {
            let value = self.quote(file, value);
            self.warn_at(
                file,
                line,
                format!("remote include `{value}` is not fetched: its packages are missing"),
            );
            return Ok(());
        }
        let Some(relative) = self.confined(file, line, option, value) else {
            return Ok(());
        };
        let value = self.quote(file, value);
        if self.stack.contains(&relative) {
            self.warn_at(
                file,
                line,
                format!("include cycle: `{value}` is already being read, not read again"),
            );
            return Ok(());
        }
        if self.seen.contains(&relative) {
            return Ok(());
        }
        if depth + 1 > MAX_INCLUDE_DEPTH {
            self.warn_at(
                file,
                line,
                format!("`{value}` not read: includes nest deeper than {MAX_INCLUDE_DEPTH} files"),
            );
            return Ok(());
        }
        match self.input.read_beside(&relative)? {
            Some(text) => self.read_file(relative, &text, depth + 1),
            None => {
                self.warn_at(
                    file,
                    line,
                    format!(
                        "included file `{}` not found: its packages are missing",
                        self.input.dir().join(&relative).display()
                    ),
                );
                Ok(())
            }
        }
    }

    /// Reads one requirement line; returns the index of the pinned package it added.
    fn requirement(
        &mut self,
        file: usize,
        line: usize,
        text: &str,
    ) -> Result<Option<usize>, ParseError> {
        let text = strip_line_options(text);
        let parsed = match parse_requirement(text) {
            Ok(requirement) => requirement,
            Err(message) => return self.nonstandard(file, line, text, message),
        };
        if let Some(url) = &parsed.url {
            return Ok(self.direct_reference(file, line, Some(&parsed.name), url));
        }
        let pin = parsed.specifiers.as_ref().and_then(|specifiers| {
            match specifiers.iter().collect::<Vec<_>>().as_slice() {
                [only] if matches!(only.operator(), Operator::Equal | Operator::ExactEqual) => {
                    Some(only.version().to_string())
                }
                _ => None,
            }
        });
        match pin {
            Some(version) => Ok(Some(self.push(file, line, &parsed.name, version, None))),
            None => {
                let text = self.quote(file, text);
                self.warn_at(
                    file,
                    line,
                    format!("`{text}` is not pinned to one version (`==`): skipped"),
                );
                Ok(None)
            }
        }
    }

    /// Lines PEP 508 refuses that pip accepts: arbitrary `===` versions, `name @ path`, bare
    /// URLs and paths. Anything else is a syntax error.
    fn nonstandard(
        &mut self,
        file: usize,
        line: usize,
        text: &str,
        message: String,
    ) -> Result<Option<usize>, ParseError> {
        let without_marker = text.split(" ;").next().unwrap_or(text);
        let without_marker = without_marker.split("; ").next().unwrap_or(without_marker);
        if let Some((name, version)) = without_marker.split_once("===")
            && let Ok(requirement) = parse_requirement(name)
            && !version.trim().is_empty()
        {
            let version = version.trim().to_string();
            return Ok(Some(self.push(
                file,
                line,
                &requirement.name,
                version,
                None,
            )));
        }
        if let Some((name, url)) = without_marker.split_once(" @ ")
            && let Ok(requirement) = parse_requirement(name)
            && !url.trim().is_empty()
        {
            return Ok(self.direct_reference(file, line, Some(&requirement.name), url.trim()));
        }
        if looks_like_location(without_marker) {
            return Ok(self.direct_reference(file, line, None, without_marker.trim()));
        }
        // An included file may be any file of the project (`-r .env`): its lines are not
        // quoted. The lockfile's own line is quoted short; renderers redact credentials.
        let message = if file == 0 {
            // Redacted before it is clipped (a clipped token is no longer recognisable), and
            // the parser's own message clipped too: it quotes the rest of the line.
            format!(
                "`{}` is not a requirement: {}",
                short(&crate::redact::redact(text)),
                clip(&crate::redact::redact(&message), MAX_MESSAGE_CHARS)
            )
        } else {
            "not a requirement (the line of an included file is not quoted)".to_string()
        };
        Err(self.syntax(file, line, message))
    }

    fn direct_reference(
        &mut self,
        file: usize,
        line: usize,
        name: Option<&str>,
        url: &str,
    ) -> Option<usize> {
        match version_from_url(name, url) {
            Some((name, version)) => {
                let source = location_source(url);
                Some(self.push(file, line, &name, version, Some(source)))
            }
            None => {
                let what = name.map_or_else(
                    || "no package name".to_string(),
                    |name| format!("no version for `{name}`"),
                );
                let url = self.quote(file, url);
                self.warn_at(
                    file,
                    line,
                    format!("direct reference `{url}` skipped: {what} in its file name or `#egg=` fragment"),
                );
                None
            }
        }
    }

    fn push(
        &mut self,
        file: usize,
        line: usize,
        name: &str,
        version: String,
        source: Option<Source>,
    ) -> usize {
        self.pinned.push(Pinned {
            id: PackageId::new(Ecosystem::Pypi, name, version),
            source,
            file,
            line,
            via: None,
        });
        self.pinned.len() - 1
    }

    fn build(mut self, format: &'static str) -> Lockfile {
        let mut builder = LockfileBuilder::new(Ecosystem::Pypi);
        let root = builder.id(super::directory_project_name(self.input), "0.0.0");
        builder.root(root.clone());
        let registry = self
            .index_url
            .as_deref()
            .map_or(Source::Registry(None), index_source);
        let mut named: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, pinned) in self.pinned.iter().enumerate() {
            // A line of the lockfile itself (file 0), not of a file it includes.
            let line = (pinned.file == 0)
                .then(|| u32::try_from(pinned.line).ok())
                .flatten();
            builder.package_at(
                pinned.id.clone(),
                pinned.source.clone().unwrap_or_else(|| registry.clone()),
                line,
            );
            named
                .entry(pinned.id.name.as_str())
                .or_default()
                .push(index);
        }

        let mut projects: BTreeMap<PathBuf, Option<Pyproject>> = BTreeMap::new();
        let mut warnings: Vec<(usize, usize, String)> = Vec::new();
        for pinned in &self.pinned {
            let entries = pinned.via.as_deref().unwrap_or_default();
            if entries.is_empty() {
                builder.edge(&root, &pinned.id, DepKind::Normal);
                continue;
            }
            for entry in entries {
                match classify_via(entry) {
                    Via::Constraint => {}
                    Via::Project(source) => {
                        let kind = source.map_or(DepKind::Normal, |source| {
                            self.project_kind(&mut projects, &mut warnings, pinned, source)
                        });
                        builder.edge(&root, &pinned.id, kind);
                    }
                    Via::Package(name) => {
                        let candidates = named.get(name.as_str()).map_or(&[][..], Vec::as_slice);
                        let from = candidates
                            .iter()
                            .find(|&&index| {
                                self.pinned
                                    .get(index)
                                    .is_some_and(|p| p.file == pinned.file)
                            })
                            .or(candidates.first())
                            .and_then(|&index| self.pinned.get(index));
                        match from {
                            Some(from) => builder.edge(&from.id, &pinned.id, DepKind::Normal),
                            // An editable or unpinned requirement (often the project
                            // itself, `-e .`): its dependencies hang from the project rather
                            // than from nothing.
                            None => {
                                builder.edge(&root, &pinned.id, DepKind::Normal);
                                warnings.push((
                                    pinned.file,
                                    pinned.line,
                                    format!(
                                        "`# via {entry}` of `{}`: `{name}` is not pinned in the requirements files (editable or unpinned), the edge is drawn from the project",
                                        pinned.id
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
        for (file, line, message) in warnings {
            self.warn_at(file, line, message);
        }
        if !self.extra_index_urls.is_empty() {
            builder.warn(format!(
                "`--extra-index-url` {}: pip may take any package from any index, the graph names only the main one",
                self.extra_index_urls.join(", ")
            ));
        }
        for warning in self.warnings {
            builder.warn(warning);
        }
        builder.finish(format, FORMAT_VERSION)
    }

    /// The kind of a project edge annotated `# via project (path)`: what the project's
    /// `pyproject.toml` declares (normal when it is not a pyproject.toml, or does not name the
    /// package).
    fn project_kind(
        &self,
        projects: &mut BTreeMap<PathBuf, Option<Pyproject>>,
        warnings: &mut Vec<(usize, usize, String)>,
        pinned: &Pinned,
        source: &str,
    ) -> DepKind {
        if file_name(Path::new(source)) != "pyproject.toml" {
            return DepKind::Normal;
        }
        let base = self
            .files
            .get(pinned.file)
            .and_then(|info| info.relative.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = normalize_path(&base.join(source));
        let project =
            projects
                .entry(path.clone())
                .or_insert_with(|| match self.input.read_beside(&path) {
                    Ok(Some(text)) => match Pyproject::parse(&text) {
                        Ok(project) => Some(project),
                        Err(message) => {
                            warnings.push((
                                pinned.file,
                                pinned.line,
                                format!(
                                    "`{}`: {message}; project edges are `normal`",
                                    path.display()
                                ),
                            ));
                            None
                        }
                    },
                    Ok(None) | Err(_) => None,
                });
        let Some(project) = project else {
            return DepKind::Normal;
        };
        by_name(&project.declared)
            .get(pinned.id.name.as_str())
            .and_then(|declared| declared.iter().map(|d| d.kind).min())
            .unwrap_or(DepKind::Normal)
    }
}

/// At most 60 characters of a line, for a message.
fn short(text: &str) -> String {
    clip(text, 60)
}

/// The longest parser message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 160;

/// `text`, cut after `max` characters with `…`.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((index, _)) => format!("{}…", text.get(..index).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// Whether a line that is not PEP 508 names a URL or a local file.
fn looks_like_location(text: &str) -> bool {
    let text = text.trim();
    text.contains("://")
        || text.starts_with("file:")
        || text.starts_with('.')
        || text.starts_with('/')
        || text.starts_with('~')
        || VCS_PREFIXES.iter().any(|prefix| text.starts_with(prefix))
        || text.ends_with(".whl")
        || SDIST_SUFFIXES.iter().any(|suffix| text.ends_with(suffix))
}

/// The source of a direct reference.
fn location_source(url: &str) -> Source {
    if url.starts_with("git+") {
        Source::Git(url.to_string())
    } else if url.starts_with("file:") || !url.contains("://") {
        Source::Path(url.to_string())
    } else {
        Source::Url(url.to_string())
    }
}

/// The name and version of a direct reference: from a wheel or sdist file name, an
/// `#egg=name-version` fragment, or, for a VCS URL, the revision after `@` (kept as written).
/// `name`, when known, wins over the one in the URL. `None` when either is unknown.
pub(crate) fn version_from_url(name: Option<&str>, url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let (base, fragment) = url.split_once('#').unwrap_or((url, ""));
    let base = base.split('?').next().unwrap_or(base);
    let known = name.map(normalize_name);
    let (egg_name, egg_version) = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("egg="))
        .map(|egg| split_name_version(egg, known.as_deref()))
        .unwrap_or_default();
    let file = base.rsplit(['/', '\\']).next().unwrap_or(base);
    let (file_name, file_version) = archive_name_version(file, known.as_deref());
    let name = known.or(egg_name).or(file_name)?;
    let version = match egg_version.or(file_version) {
        Some(version) => normalize_version(&version),
        None => vcs_revision(base)?,
    };
    Some((name, version))
}

/// `name-1.0` → (`name`, `1.0`); with a known name, the prefix that normalizes to it.
fn split_name_version(text: &str, known: Option<&str>) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let Some(known) = known {
        if normalize_name(text) == known {
            return (Some(known.to_string()), None);
        }
        for (index, _) in text.match_indices('-') {
            if let (Some(prefix), Some(version)) = (text.get(..index), text.get(index + 1..))
                && normalize_name(prefix) == known
                && !version.is_empty()
            {
                return (Some(known.to_string()), Some(version.to_string()));
            }
        }
    }
    for (index, _) in text.match_indices('-') {
        if let (Some(prefix), Some(version)) = (text.get(..index), text.get(index + 1..))
            && version.starts_with(|c: char| c.is_ascii_digit())
            && !prefix.is_empty()
        {
            return (Some(normalize_name(prefix)), Some(version.to_string()));
        }
    }
    if text.is_empty() {
        (None, None)
    } else {
        (Some(normalize_name(text)), None)
    }
}

/// The name and version in a wheel (`name-1.0-py3-none-any.whl`) or sdist (`name-1.0.tar.gz`)
/// file name.
fn archive_name_version(file: &str, known: Option<&str>) -> (Option<String>, Option<String>) {
    if let Some(stem) = file.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        if let [name, version, _, _, _, ..] = parts.as_slice() {
            return (Some(normalize_name(name)), Some((*version).to_string()));
        }
        return (None, None);
    }
    SDIST_SUFFIXES
        .iter()
        .find_map(|suffix| file.strip_suffix(suffix))
        .map(|stem| split_name_version(stem, known))
        .filter(|(_, version)| version.is_some())
        .unwrap_or_default()
}

/// The revision of a VCS URL: `git+https://host/repo.git@v1.0` → `v1.0`.
fn vcs_revision(base: &str) -> Option<String> {
    let rest = VCS_PREFIXES
        .iter()
        .find_map(|prefix| base.strip_prefix(prefix))?;
    let after_scheme = rest.split_once("://").map_or(rest, |(_, after)| after);
    let (_, path) = after_scheme.split_once('/')?;
    let (_, revision) = path.rsplit_once('@')?;
    Some(revision.to_string()).filter(|revision| !revision.is_empty())
}

/// Lexically normalizes `a/./b/../c` to `a/c`, keeping leading `..`.
fn normalize_path(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{ids, parse_with};

    fn parse_at(path: &Path, contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(&RequirementsTxt, path, contents)
    }

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_at(Path::new("/nonexistent-dir/app/requirements.txt"), contents)
    }

    /// Edges as `from -> to`, without the kind (unlike `test_support::edges`): most edges here
    /// are `normal`, and the tests that check kinds read them from the lockfile.
    fn edges(lockfile: &Lockfile) -> Vec<String> {
        lockfile
            .edges
            .iter()
            .map(|edge| format!("{} -> {}", edge.from, edge.to))
            .collect()
    }

    /// A scratch directory with files, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, files: &[(&str, &str)]) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "deptrust-requirements-{name}-{}",
                std::process::id()
            ));
            for (path, text) in files {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const COMPILED: &str = r#"#
# This file is autogenerated by pip-compile with Python 3.11
# by the following command:
#
#    pip-compile --generate-hashes requirements.in
#
--index-url https://pypi.org/simple
--trusted-host pypi.org

attrs==26.1.0 ; python_version >= "3.8" \
    --hash=sha256:aa \
    --hash=sha256:bb
    # via -r requirements.in
certifi==2024.2.2 \
    --hash=sha256:cc
    # via requests
click==8.1.7
    # via myproject (pyproject.toml)
Packaging==24.0 \
    --hash=sha256:dd
    # via
    #   -r requirements.in
    #   pytest
pytest==8.1.1
    # via -r requirements.in
requests[socks]==2.31.0 \
    --hash=sha256:ee
    # via -r requirements.in
urllib3==2.2.1
    # via
    #   -c constraints.txt
    #   requests
Typing_Extensions===4.10.0    # via pytest, -r requirements.in

# The following packages are considered to be unsafe in a requirements file:
# setuptools
"#;

    #[test]
    fn pip_compile_annotations_become_edges() {
        let lockfile = parse(COMPILED).unwrap();
        assert_eq!(lockfile.format_version, "1");
        assert_eq!(
            ids(&lockfile),
            [
                "pypi:app@0.0.0",
                "pypi:attrs@26.1.0",
                "pypi:certifi@2024.2.2",
                "pypi:click@8.1.7",
                "pypi:packaging@24.0",
                "pypi:pytest@8.1.1",
                "pypi:requests@2.31.0",
                "pypi:typing-extensions@4.10.0",
                "pypi:urllib3@2.2.1",
            ]
        );
        assert_eq!(
            edges(&lockfile),
            [
                "pypi:app@0.0.0 -> pypi:attrs@26.1.0",
                "pypi:app@0.0.0 -> pypi:click@8.1.7",
                "pypi:app@0.0.0 -> pypi:packaging@24.0",
                "pypi:app@0.0.0 -> pypi:pytest@8.1.1",
                "pypi:app@0.0.0 -> pypi:requests@2.31.0",
                "pypi:app@0.0.0 -> pypi:typing-extensions@4.10.0",
                "pypi:pytest@8.1.1 -> pypi:packaging@24.0",
                "pypi:pytest@8.1.1 -> pypi:typing-extensions@4.10.0",
                "pypi:requests@2.31.0 -> pypi:certifi@2024.2.2",
                "pypi:requests@2.31.0 -> pypi:urllib3@2.2.1",
            ]
        );
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        assert!(
            lockfile
                .packages
                .iter()
                .filter(|package| !lockfile.roots.contains(&package.id))
                .all(|package| package.source == Source::Registry(None))
        );
    }

    #[test]
    fn crlf_gives_the_same_graph() {
        let unix = parse(COMPILED).unwrap();
        let windows = parse(&COMPILED.replace('\n', "\r\n")).unwrap();
        assert_eq!(ids(&unix), ids(&windows));
        assert_eq!(edges(&unix), edges(&windows));
        assert!(windows.warnings.is_empty(), "{:?}", windows.warnings);
    }

    #[test]
    fn plain_files_list_direct_requirements_and_warn_about_the_rest() {
        let text = "# hand-written\nrequests==2.31.0\nflask>=2\nnumpy\n-e ./local\nfoo @ https://example.org/foo-1.2.tar.gz\nbar @ git+https://github.com/me/bar.git@0123abc\nhttps://example.org/wheels/Baz_Qux-0.3.1-py3-none-any.whl\nhttps://example.org/unknown\n--extra-index-url https://example.org/simple\n--frobnicate\n";
        let lockfile = parse(text).unwrap();
        assert_eq!(
            ids(&lockfile),
            [
                "pypi:app@0.0.0",
                "pypi:bar@0123abc",
                "pypi:baz-qux@0.3.1",
                "pypi:foo@1.2",
                "pypi:requests@2.31.0",
            ]
        );
        assert_eq!(lockfile.edges.len(), 4);
        let source = |name: &str| {
            lockfile
                .packages
                .iter()
                .find(|package| package.id.name == name)
                .map(|package| package.source.clone())
                .unwrap()
        };
        assert!(matches!(source("bar"), Source::Git(_)));
        assert!(matches!(source("foo"), Source::Url(_)));
        let warnings = lockfile.warnings.join("\n");
        for expected in [
            "requirements.txt` line 3: `flask>=2` is not pinned",
            "requirements.txt` line 4: `numpy` is not pinned",
            "requirements.txt` line 5: editable requirement `./local` skipped",
            "requirements.txt` line 9: direct reference `https://example.org/unknown` skipped",
            "requirements.txt` line 11: unknown option `--frobnicate`",
        ] {
            assert!(warnings.contains(expected), "{expected}\n{warnings}");
        }
        assert!(
            warnings.contains("`--extra-index-url` https://example.org/simple"),
            "{warnings}"
        );
        assert_eq!(lockfile.warnings.len(), 6, "{warnings}");
    }

    #[test]
    fn via_an_editable_hangs_from_the_project() {
        let text = "-e file:///src/myproject\n    # via -r requirements.in\nclick==8.1.7\n    # via myproject\n";
        let lockfile = parse(text).unwrap();
        assert_eq!(edges(&lockfile), ["pypi:app@0.0.0 -> pypi:click@8.1.7"]);
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("line 1: editable requirement"),
            "{warnings}"
        );
        assert!(
            warnings.contains("line 3: `# via myproject` of `pypi:click@8.1.7`"),
            "{warnings}"
        );
    }

    #[test]
    fn continuation_lines_join_as_pip_joins_them() {
        // Two or three backslashes continue the line too; pip strips them all.
        let text = "requests==2.31.0 \\\\\n    --hash=sha256:aa \\\\\\\n    --hash=sha256:bb\nsix==1.16.0\n";
        let lockfile = parse(text).unwrap();
        assert_eq!(
            ids(&lockfile),
            ["pypi:app@0.0.0", "pypi:requests@2.31.0", "pypi:six@1.16.0"]
        );
    }

    #[test]
    fn continuation_lines_join() {
        let text = "requests\\\n==2.31.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via -r requirements.in\n";
        let lockfile = parse(text).unwrap();
        assert_eq!(ids(&lockfile), ["pypi:app@0.0.0", "pypi:requests@2.31.0"]);
        assert_eq!(edges(&lockfile), ["pypi:app@0.0.0 -> pypi:requests@2.31.0"]);
    }

    #[test]
    fn garbage_is_an_error_naming_file_and_line() {
        let error = parse("requests==2.31.0\n\nthis is not a requirement\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("requirements.txt"), "{error}");
        assert!(error.contains("at line 3"), "{error}");
        let error = parse("-r\n").unwrap_err().to_string();
        assert!(error.contains("at line 1"), "{error}");
    }

    #[test]
    fn a_missing_constraints_file_is_warned_about() {
        let scratch = Scratch::new("constraints", &[("constraints.txt", "six==1.16.0\n")]);
        let top = scratch.0.join("requirements.txt");
        let lockfile = parse_at(
            &top,
            "six==1.16.0\n-c constraints.txt\n--constraint=gone.txt\n-c https://example.com/c.txt\n",
        )
        .unwrap();
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("line 3: constraints file")
                && warnings.contains("gone.txt` not found"),
            "{warnings}"
        );
        assert_eq!(lockfile.warnings.len(), 1, "{warnings}");
    }

    #[test]
    fn includes_join_the_project_with_a_cycle_guard() {
        let scratch = Scratch::new(
            "includes",
            &[
                (
                    "requirements.txt",
                    "-r reqs/base.txt\n-c constraints.txt\n--requirement=reqs/missing.txt\n",
                ),
                ("constraints.txt", "six==1.16.0\n"),
                (
                    "reqs/base.txt",
                    "requests==2.31.0\n    # via -r base.in\nurllib3==2.2.1\n    # via requests\n-r ../requirements.txt\n-r tools.txt\n",
                ),
                (
                    "reqs/tools.txt",
                    "-r base.txt\npytest==8.1.1\nbroken line here\n",
                ),
            ],
        );
        let top = scratch.0.join("requirements.txt");
        let error = parse_at(&top, "-r reqs/base.txt\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("tools.txt"), "{error}");
        assert!(error.contains("at line 3"), "{error}");

        std::fs::write(
            scratch.0.join("reqs/tools.txt"),
            "-r base.txt\npytest==8.1.1\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(&top).unwrap();
        let lockfile = parse_at(&top, &text).unwrap();
        let root = lockfile.roots[0].to_string();
        let edges: Vec<String> = edges(&lockfile)
            .into_iter()
            .map(|edge| edge.replace(&root, "root"))
            .collect();
        assert_eq!(
            edges,
            [
                "root -> pypi:pytest@8.1.1",
                "root -> pypi:requests@2.31.0",
                "pypi:requests@2.31.0 -> pypi:urllib3@2.2.1",
            ]
        );
        assert!(!ids(&lockfile).iter().any(|id| id.contains("six")));
        let warnings = lockfile.warnings.join("\n");
        assert!(
            warnings.contains("include cycle: `../requirements.txt`"),
            "{warnings}"
        );
        assert!(warnings.contains("include cycle: `base.txt`"), "{warnings}");
        assert!(warnings.contains("missing.txt` not found"), "{warnings}");
        assert_eq!(lockfile.warnings.len(), 3, "{warnings}");
    }

    #[test]
    fn includes_outside_the_project_are_refused_and_the_rest_is_graphed() {
        let scratch = Scratch::new(
            "confined",
            &[
                ("outside.txt", "[core]\n\tsecret = hunter2\n"),
                ("app/inside.txt", "six==1.16.0\n"),
                ("app/notes.txt", "[core]\n\tsecret = hunter2\n"),
            ],
        );
        let top = scratch.0.join("app/requirements.txt");
        let text = "requests==2.31.0\n-r /etc/passwd\n-r ../outside.txt\n--constraint=../outside.txt\n-r .git/config\n-r inside.txt\n";
        let lockfile = parse_at(&top, text).unwrap();
        assert!(ids(&lockfile).contains(&"pypi:requests@2.31.0".to_string()));
        assert!(ids(&lockfile).contains(&"pypi:six@1.16.0".to_string()));
        let warnings = lockfile.warnings.join("\n");
        for expected in [
            "line 2: `-r /etc/passwd` is absolute: it points outside the project, not read",
            "line 3: `-r ../outside.txt` climbs out of the project",
            "line 4: `--constraint ../outside.txt` climbs out of the project",
            "line 5: `-r .git/config` is inside VCS metadata",
        ] {
            assert!(warnings.contains(expected), "{expected}\n{warnings}");
        }
        assert_eq!(lockfile.warnings.len(), 4, "{warnings}");
        assert!(!warnings.contains("hunter2"), "{warnings}");

        // An included file that is not a requirements file: an error naming it and the line,
        // without its content.
        let error = parse_at(&top, "-r notes.txt\n").unwrap_err().to_string();
        assert!(
            error.contains("notes.txt` as pypi/requirements-txt at line 1"),
            "{error}"
        );
        assert!(
            !error.contains("core") && !error.contains("hunter2"),
            "{error}"
        );
    }

    #[test]
    fn pyproject_extras_make_optional_project_edges() {
        let scratch = Scratch::new(
            "pyproject",
            &[(
                "pyproject.toml",
                "[project]\nname = \"myproject\"\ndependencies = [\"click>=8\"]\n[project.optional-dependencies]\ntest = [\"pytest\"]\n",
            )],
        );
        let top = scratch.0.join("requirements.txt");
        let text = "click==8.1.7\n    # via myproject (pyproject.toml)\npytest==8.1.1\n    # via myproject (pyproject.toml)\n";
        let lockfile = parse_at(&top, text).unwrap();
        let kinds: Vec<(&str, DepKind)> = lockfile
            .edges
            .iter()
            .map(|edge| (edge.to.name.as_str(), edge.kind))
            .collect();
        assert_eq!(
            kinds,
            [("click", DepKind::Normal), ("pytest", DepKind::Optional)]
        );
    }

    #[test]
    fn via_entries_classify() {
        assert_eq!(classify_via("-r requirements.in"), Via::Project(None));
        assert_eq!(
            classify_via("myproject (setup.cfg)"),
            Via::Project(Some("setup.cfg"))
        );
        assert_eq!(classify_via("-c constraints.txt"), Via::Constraint);
        assert_eq!(
            classify_via("Requests[socks]"),
            Via::Package("requests".into())
        );
        assert_eq!(via_entries(" via a, b").unwrap(), ["a", "b"]);
        assert!(via_entries(" viable").is_none());
        assert!(via_entries(" via").unwrap().is_empty());
    }

    #[test]
    fn versions_from_urls() {
        let get = |name: Option<&str>, url: &str| version_from_url(name, url);
        assert_eq!(
            get(None, "https://x.org/a/Foo_Bar-1.0-py3-none-any.whl"),
            Some(("foo-bar".into(), "1.0".into()))
        );
        assert_eq!(
            get(Some("foo-bar"), "./dist/foo-bar-2.0.tar.gz"),
            Some(("foo-bar".into(), "2.0".into()))
        );
        assert_eq!(
            get(None, "git+https://github.com/x/y.git@v1.0#egg=y"),
            Some(("y".into(), "v1.0".into()))
        );
        assert_eq!(
            get(None, "git+ssh://git@github.com/x/y.git#egg=y-3.0"),
            Some(("y".into(), "3.0".into()))
        );
        assert_eq!(get(None, "git+ssh://git@github.com/x/y.git#egg=y"), None);
        assert_eq!(get(Some("z"), "."), None);
    }

    #[test]
    fn options_split() {
        assert_eq!(split_option("-rbase.txt"), ("-r", "base.txt"));
        assert_eq!(split_option("-r  base.txt"), ("-r", "base.txt"));
        assert_eq!(
            split_option("--requirement=base.txt"),
            ("--requirement", "base.txt")
        );
        assert_eq!(split_option("--pre"), ("--pre", ""));
        assert_eq!(split_option("-"), ("-", ""));
        assert_eq!(split_option("-é"), ("-é", ""));
        assert_eq!(
            strip_line_options("foo==1.0 --hash=sha256:aa --hash=sha256:bb"),
            "foo==1.0"
        );
    }

    #[test]
    fn file_names_match() {
        for (path, want) in [
            ("requirements.txt", true),
            ("requirements-dev.txt", true),
            ("dev-requirements.txt", true),
            ("requirements/base.txt", true),
            ("base.txt", false),
            ("requirements.in", false),
        ] {
            assert_eq!(
                RequirementsTxt.format().matches(Path::new(path)),
                want,
                "{path}"
            );
        }
    }

    /// Each package's line is that of its requirement (the first of its continued lines); a
    /// package of an included file has none in the lockfile.
    #[test]
    fn packages_record_the_line_of_their_requirement() {
        let lines = fixture_lines(
            "fixtures/lockfiles/requirements/basic.v1/requirements.txt",
            &[
                "pypi:attrs@26.1.0",
                "pypi:certifi@2026.10.19.post1",
                "pypi:requests@2.34.2",
            ],
        );
        assert_eq!(lines, [Some(7), Some(11), Some(219)]);
        let lines = fixture_lines(
            "fixtures/lockfiles/requirements/includes.v1/requirements.txt",
            &["pypi:certifi@2026.10.19.post1"],
        );
        assert_eq!(lines, [None]);
    }
}
