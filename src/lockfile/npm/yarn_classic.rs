//! `yarn.lock` of yarn classic (yarn 1), `# yarn lockfile v1`.
//!
//! The format is yarn's own, not YAML (grammar: yarn's `src/lockfile/parse.js`,
//! <https://github.com/yarnpkg/yarn/blob/master/src/lockfile/parse.js>; overview:
//! <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>). An entry starts at column 0 with the
//! comma-separated descriptors it satisfies, quoted when they hold special characters, and ends
//! with `:`; its fields follow, indented by two spaces (`version "1.2.3"`, `resolved "…"`,
//! `integrity sha512-…`), and the `dependencies:` / `optionalDependencies:` blocks list
//! `name "range"` lines indented by four:
//!
//! ```text
//! "@s/a@^1.0.0", "@s/a@^1.1.0":
//!   version "1.2.3"
//!   resolved "https://registry.yarnpkg.com/@s/a/-/a-1.2.3.tgz#…"
//!   dependencies:
//!     b "^2.0.0"
//! ```
//!
//! This module reads that format itself, line by line, so that every syntax error names its
//! line. Comments (`#`) and CRLF line endings are accepted.
//!
//! The graph:
//! - **Nodes** are real `name@version`: an alias descriptor `x@npm:real@^1` names `real`.
//!   Entries of one `name@version` (yarn does not always dedupe) are one node.
//! - **Edges** between entries: each `dependencies` item `name "range"` (normal) or
//!   `optionalDependencies` item (optional) goes to the entry holding the descriptor
//!   `name@range`. A missing target is a warning.
//! - **Roots** are the project and its workspace members, from the `package.json` beside the
//!   lockfile and its `workspaces` globs; their edges and kinds come from those manifests
//!   (`dependencies`, `devDependencies`, `optionalDependencies`, `peerDependencies`), each
//!   resolving to the entry holding `name@range`. Workspace members are not in a classic
//!   lockfile: a dependency that no entry holds and that names a member resolves to that member.
//!   The project depends on each member (normal): yarn links every member into the project's
//!   `node_modules`, as npm's tree of the same install shows.
//! - **Without a `package.json`**, the root is a synthetic package named after the lockfile's
//!   directory, version `0.0.0`, depending (normal) on every entry no other entry depends on; a
//!   warning says so.
//! - **Sources**: registry (the default registry, `registry.yarnpkg.com` or `registry.npmjs.org`,
//!   is `None`; another registry is named by the part of the `resolved` URL before
//!   `<name>/-/`), git (`git+…`, `github:…`, `user/repo` descriptors), path (`file:`, `link:`)
//!   and tarball URLs.
//!
//! Not supported: peer edges between entries (a classic lockfile does not record
//! `peerDependencies`; yarn classic never installs peers, so only the roots' peer dependencies
//! that some entry satisfies are edges); `link:` dependencies of the manifests (yarn does not lock
//! them: they are reported as warnings); the `resolutions` field (its effect is already in the
//! lockfile's descriptors).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::{
    Declared, PackageJson, directory_name, on_default_registry, parse_alias, split_name_version,
    tarball_registry, workspace_manifests,
};
use crate::lockfile::{Format, LockfileInput, LockfileParser, ParseError};
use crate::model::{DepKind, Ecosystem, Lockfile, LockfileBuilder, PackageId, Source};

/// The `npm/yarn-classic` parser.
#[derive(Debug)]
pub(crate) struct YarnClassic;

const SUPPORTED: &str = "1";

/// What this parser reads.
pub(crate) const FORMAT: Format = Format {
    id: "npm/yarn-classic",
    ecosystem: Ecosystem::Npm,
    tool: "yarn",
    files: &["yarn.lock"],
    versions: "1",
    accepted: SUPPORTED,
};

const HEADER: &str = "# yarn lockfile v";

impl LockfileParser for YarnClassic {
    fn format(&self) -> &'static Format {
        &FORMAT
    }

    fn claims(&self, contents: &str) -> bool {
        !super::yarn_berry::is_berry(contents)
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        check_version(input)?;
        let entries = parse_entries(input)?;
        let manifests = workspace_manifests(input, &[])?;
        let mut builder = LockfileBuilder::new(Ecosystem::Npm);
        let graph = Graph::new(&entries, &mut builder);
        graph.add_entry_edges(&mut builder);
        if manifests.is_empty() {
            graph.add_synthetic_root(input, &mut builder);
        } else {
            graph.add_roots(input, &manifests, &mut builder);
        }
        Ok(builder.finish(self.id(), SUPPORTED))
    }
}

/// Refuses a `# yarn lockfile vN` header other than v1; a file without the header is read as v1.
fn check_version(input: &LockfileInput<'_>) -> Result<(), ParseError> {
    let header = input
        .contents
        .lines()
        .take_while(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
        .find_map(|line| line.trim().strip_prefix(HEADER));
    match header.map(str::trim) {
        None | Some("1") => Ok(()),
        Some(other) => Err(input.unsupported(format!("v{other}"), SUPPORTED)),
    }
}

/// One lockfile entry: the descriptors it satisfies and what they resolved to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct EntryWire {
    /// The 1-based line of its header.
    line: usize,
    /// `name@range` descriptors, unquoted.
    descriptors: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    dependencies: Vec<(String, String)>,
    optional_dependencies: Vec<(String, String)>,
}

/// A block of an entry its indented lines belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Fields,
    Dependencies,
    OptionalDependencies,
    /// A block of a field this parser does not use.
    Other,
}

/// Reads every entry, checking the syntax line by line.
fn parse_entries(input: &LockfileInput<'_>) -> Result<Vec<EntryWire>, ParseError> {
    let mut entries: Vec<EntryWire> = Vec::new();
    let mut block: Option<Block> = None;
    for (index, raw) in input.contents.split('\n').enumerate() {
        let number = index + 1;
        let error = |message: &str| input.syntax(Some(number), message);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with('\t') {
            return Err(error("tab in indentation (yarn indents with two spaces)"));
        }
        let indent = line.len() - content.len();
        if indent == 0 && is_conflict_marker(content) {
            return Err(error("unresolved merge conflict marker"));
        }
        let tokens = tokenize(content).map_err(&error)?;
        match indent {
            0 => {
                let descriptors = header_descriptors(&tokens).map_err(&error)?;
                entries.push(EntryWire {
                    line: number,
                    descriptors,
                    ..EntryWire::default()
                });
                block = Some(Block::Fields);
            }
            2 => {
                let entry = entries
                    .last_mut()
                    .ok_or_else(|| error("indented line before the first entry"))?;
                block = Some(Block::Fields);
                match tokens.as_slice() {
                    [Token::Text(key), Token::Colon] => {
                        block = Some(match key.as_str() {
                            "dependencies" => Block::Dependencies,
                            "optionalDependencies" => Block::OptionalDependencies,
                            _ => Block::Other,
                        });
                    }
                    [Token::Text(key), Token::Text(value)] => match key.as_str() {
                        "version" => entry.version = Some(value.clone()),
                        "resolved" => entry.resolved = Some(value.clone()),
                        _ => {}
                    },
                    _ => return Err(error("expected `field value` or `field:`")),
                }
            }
            4 => {
                let entry = entries.last_mut();
                let (Some(entry), Some(current)) = (entry, block) else {
                    return Err(error("indented line outside an entry"));
                };
                let [Token::Text(name), Token::Text(range)] = tokens.as_slice() else {
                    return Err(error("expected `name \"range\"`"));
                };
                match current {
                    Block::Dependencies => entry.dependencies.push((name.clone(), range.clone())),
                    Block::OptionalDependencies => entry
                        .optional_dependencies
                        .push((name.clone(), range.clone())),
                    Block::Other => {}
                    Block::Fields => {
                        return Err(error("indented by four spaces outside a block"));
                    }
                }
            }
            _ => return Err(error("unexpected indentation (yarn indents by two spaces)")),
        }
    }
    for entry in &entries {
        if entry.version.as_deref().is_none_or(str::is_empty) {
            let descriptor = entry.descriptors.first().map_or("", String::as_str);
            return Err(input.syntax(
                Some(entry.line),
                format!("entry `{descriptor}` has no `version` (truncated file?)"),
            ));
        }
    }
    Ok(entries)
}

fn is_conflict_marker(content: &str) -> bool {
    ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
        .iter()
        .any(|marker| content.starts_with(marker))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A quoted string (unescaped) or a bare word.
    Text(String),
    Comma,
    Colon,
}

/// Splits one line (without its indentation) into tokens. A bare word runs up to a space, `:`
/// or `,`, as in yarn's tokenizer; a quoted string uses JSON escapes; `#` starts a comment.
fn tokenize(line: &str) -> Result<Vec<Token>, &'static str> {
    let mut tokens = Vec::new();
    let mut rest = line;
    while let Some(first) = rest.chars().next() {
        match first {
            ' ' | '\t' => rest = &rest[1..],
            ',' => {
                tokens.push(Token::Comma);
                rest = &rest[1..];
            }
            ':' => {
                tokens.push(Token::Colon);
                rest = &rest[1..];
            }
            '#' => break,
            '"' => {
                let end = closing_quote(rest).ok_or("unterminated quoted string")?;
                let quoted = &rest[..=end];
                let text: String =
                    serde_json::from_str(quoted).map_err(|_| "invalid escape in quoted string")?;
                tokens.push(Token::Text(text));
                rest = &rest[end + 1..];
            }
            _ => {
                let end = rest.find([' ', '\t', ':', ',']).unwrap_or(rest.len());
                tokens.push(Token::Text(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    Ok(tokens)
}

/// The byte index of the quote closing the string that opens at index 0.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(index),
            _ => {}
        }
    }
    None
}

/// `desc (, desc)* :` → the descriptors.
fn header_descriptors(tokens: &[Token]) -> Result<Vec<String>, &'static str> {
    let Some((Token::Colon, list)) = tokens.split_last() else {
        return Err("expected an entry header ending with `:`");
    };
    let mut descriptors = Vec::new();
    let mut expect_descriptor = true;
    for token in list {
        match (token, expect_descriptor) {
            (Token::Text(text), true) if !text.is_empty() => {
                descriptors.push(text.clone());
                expect_descriptor = false;
            }
            (Token::Comma, false) => expect_descriptor = true,
            (Token::Text(_), false) => return Err("expected `,` between descriptors"),
            _ => return Err("expected a descriptor (`name@range`)"),
        }
    }
    if expect_descriptor {
        return Err("expected a descriptor (`name@range`) before `:`");
    }
    Ok(descriptors)
}

/// `name@range` → (name, range); an alias range `npm:real@r` is kept as written.
fn split_descriptor(descriptor: &str) -> (&str, &str) {
    split_name_version(descriptor).unwrap_or((descriptor, ""))
}

/// The real package name of a descriptor: the alias target for `x@npm:real@^1`.
fn real_name(descriptor: &str) -> &str {
    let (name, range) = split_descriptor(descriptor);
    match parse_alias(range) {
        Some((real, _)) if !real.is_empty() => real,
        _ => name,
    }
}

/// The entries as nodes, with the descriptor index used to resolve dependencies.
struct Graph<'a> {
    entries: &'a [EntryWire],
    ids: Vec<PackageId>,
    by_descriptor: HashMap<&'a str, usize>,
}

impl<'a> Graph<'a> {
    fn new(entries: &'a [EntryWire], builder: &mut LockfileBuilder) -> Self {
        let mut ids = Vec::with_capacity(entries.len());
        let mut by_descriptor: HashMap<&str, usize> = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            let first = entry.descriptors.first().map_or("", String::as_str);
            let name = real_name(first);
            let version = entry.version.as_deref().unwrap_or_default();
            let (_, range) = split_descriptor(first);
            let id = builder.package_at(
                builder.id(name, version),
                source_of(name, range, entry.resolved.as_deref()),
                u32::try_from(entry.line).ok(),
            );
            ids.push(id);
            for descriptor in &entry.descriptors {
                if by_descriptor.insert(descriptor, index).is_some() {
                    builder.warn(format!(
                        "descriptor `{descriptor}` is listed by two entries (line {}); the later is used",
                        entry.line
                    ));
                }
            }
        }
        Graph {
            entries,
            ids,
            by_descriptor,
        }
    }

    /// The entry holding `name@range`.
    fn lookup(&self, name: &str, range: &str) -> Option<usize> {
        let found = self.by_descriptor.get(format!("{name}@{range}").as_str());
        match found {
            Some(index) => Some(*index),
            // An empty range is locked as `*`.
            None if range.is_empty() => self
                .by_descriptor
                .get(format!("{name}@*").as_str())
                .copied(),
            None => None,
        }
    }

    fn add_entry_edges(&self, builder: &mut LockfileBuilder) {
        for (index, entry) in self.entries.iter().enumerate() {
            let sections = [
                (&entry.dependencies, DepKind::Normal),
                (&entry.optional_dependencies, DepKind::Optional),
            ];
            for (section, kind) in sections {
                for (name, range) in section {
                    match self.lookup(name, range) {
                        Some(target) => builder.edge(&self.ids[index], &self.ids[target], kind),
                        None => builder.warn(format!(
                            "`{}` depends on `{name}@{range}`, which is not in the lockfile",
                            self.ids[index]
                        )),
                    }
                }
            }
        }
    }

    /// The project and its workspace members, with the edges their manifests declare.
    fn add_roots(
        &self,
        input: &LockfileInput<'_>,
        manifests: &[(std::path::PathBuf, PackageJson)],
        builder: &mut LockfileBuilder,
    ) {
        let roots: Vec<PackageId> = manifests
            .iter()
            .map(|(dir, manifest)| {
                let name = manifest
                    .name
                    .clone()
                    .unwrap_or_else(|| directory_name(input, dir));
                let version = manifest.version.clone().unwrap_or_else(|| "0.0.0".into());
                builder.id(name, version)
            })
            .collect();
        for root in &roots {
            builder.root(root.clone());
        }
        let members: HashMap<&str, &PackageId> = roots
            .iter()
            .skip(1)
            .map(|id| (id.name.as_str(), id))
            .collect();
        if let Some(project) = roots.first() {
            for member in roots.iter().skip(1) {
                builder.edge(project, member, DepKind::Normal);
            }
        }
        for (root, (dir, manifest)) in roots.iter().zip(manifests) {
            for declared in manifest.declared() {
                self.add_root_edge(root, dir, &declared, &members, builder);
            }
        }
    }

    fn add_root_edge(
        &self,
        root: &PackageId,
        dir: &Path,
        declared: &Declared,
        members: &HashMap<&str, &PackageId>,
        builder: &mut LockfileBuilder,
    ) {
        let Declared {
            name, range, kind, ..
        } = declared;
        let rebased = || rebase_file_range(dir, range).and_then(|r| self.lookup(name, &r));
        if let Some(target) = self.lookup(name, range).or_else(rebased) {
            builder.edge(root, &self.ids[target], *kind);
            return;
        }
        if let Some(member) = members.get(name.as_str()) {
            builder.edge(root, member, *kind);
            return;
        }
        if *kind == DepKind::Peer {
            // Yarn classic never installs peers: a peer is satisfied by whatever single version
            // of that name the project has.
            let versions: BTreeSet<&PackageId> =
                self.ids.iter().filter(|id| id.name == *name).collect();
            match versions.first() {
                Some(&target) if versions.len() == 1 => builder.edge(root, target, DepKind::Peer),
                _ if declared.optional_peer => {}
                _ => builder.warn(format!(
                    "`{root}` has an unmet peer dependency `{name}@{range}` (yarn classic does not install peers)"
                )),
            }
            return;
        }
        builder.warn(format!(
            "`{root}` depends on `{name}@{range}`, which is not in the lockfile"
        ));
    }

    /// Without a package.json: a root named after the directory, depending on every entry that
    /// nothing else depends on.
    fn add_synthetic_root(&self, input: &LockfileInput<'_>, builder: &mut LockfileBuilder) {
        let root = builder.id(directory_name(input, Path::new("")), "0.0.0");
        builder.root(root.clone());
        builder.warn(format!(
            "no package.json beside `{}`: the root `{root}` is synthetic and depends on every package nothing else depends on; dev and workspace information is unknown",
            input.path.display()
        ));
        let depended: BTreeSet<&PackageId> = self
            .entries
            .iter()
            .flat_map(|entry| {
                entry
                    .dependencies
                    .iter()
                    .chain(&entry.optional_dependencies)
            })
            .filter_map(|(name, range)| self.lookup(name, range))
            .map(|index| &self.ids[index])
            .collect();
        for id in &self.ids {
            if !depended.contains(id) {
                builder.edge(&root, id, DepKind::Normal);
            }
        }
    }
}

/// A member's relative `file:` range as yarn locks it: relative to the project, `./`-prefixed
/// (`file:./some-file` in `packages/a` is locked as `file:./packages/a/some-file`). `None` for
/// the project itself and for other ranges.
fn rebase_file_range(dir: &Path, range: &str) -> Option<String> {
    let path = range.strip_prefix("file:")?;
    if dir.as_os_str().is_empty() || path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let dir = dir.to_str()?;
    for part in dir.split(['/', '\\']).chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if joined.starts_with("..") {
        format!("file:{joined}")
    } else {
        format!("file:./{joined}")
    })
}

/// Where an entry comes from, by its descriptor's range and its `resolved` URL.
fn source_of(name: &str, range: &str, resolved: Option<&str>) -> Source {
    let location = || resolved.unwrap_or(range).to_string();
    if is_git(range) || resolved.is_some_and(is_git) {
        return Source::Git(location());
    }
    for prefix in ["file:", "link:"] {
        if let Some(path) = range.strip_prefix(prefix) {
            return Source::Path(path.to_string());
        }
    }
    if range.starts_with("./") || range.starts_with("../") || range.starts_with('/') {
        return Source::Path(range.to_string());
    }
    if let Some(path) = resolved.and_then(|r| r.strip_prefix("file:")) {
        return Source::Path(path.to_string());
    }
    let Some(resolved) = resolved else {
        return Source::Registry(None);
    };
    let url = resolved.split('#').next().unwrap_or(resolved);
    if on_default_registry(url) {
        return Source::Registry(None);
    }
    if range.starts_with("http://") || range.starts_with("https://") {
        return Source::Url(url.to_string());
    }
    match registry_base(url, name) {
        Some(base) => Source::Registry(Some(base)),
        None if url.starts_with("http://") || url.starts_with("https://") => {
            Source::Url(url.to_string())
        }
        None => Source::Unknown,
    }
}

/// The registry of a tarball of this package on a mirror or a private registry, its name
/// written as is or with every `/` escaped (`@scope%2fname`).
fn registry_base(url: &str, name: &str) -> Option<String> {
    tarball_registry(url, name)
        .or_else(|| tarball_registry(url, &name.replace('/', "%2f")))
        .map(str::to_string)
}

/// Git descriptors and URLs: `git+…`, `git://`, `github:…`, `user/repo`, `…/repo.git#ref`.
fn is_git(spec: &str) -> bool {
    let protocols = [
        "git:",
        "git+",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    if protocols.iter().any(|p| spec.starts_with(p)) {
        return true;
    }
    let without_ref = spec.split('#').next().unwrap_or(spec);
    if without_ref.ends_with(".git") {
        return true;
    }
    // `user/repo` or `user/repo#ref` (GitHub shorthand): one slash, no protocol, no scope.
    let shorthand = !spec.contains(':')
        && !spec.starts_with(['@', '.', '/', '~'])
        && without_ref.matches('/').count() == 1
        && !without_ref.contains(' ');
    shorthand && !without_ref.ends_with(".tgz")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfile::test_support::fixture_lines;
    use crate::lockfile::test_support::{edges, ids, parse_with};

    fn parse(contents: &str) -> Result<Lockfile, ParseError> {
        parse_with(
            &YarnClassic,
            Path::new("/nonexistent-dir/yarn.lock"),
            contents,
        )
    }

    const BASIC: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@s/a@^1.0.0", "@s/a@^1.1.0":
  version "1.2.3"
  resolved "https://registry.yarnpkg.com/@s/a/-/a-1.2.3.tgz#abc"
  integrity sha512-xyz==
  dependencies:
    b "^2.0.0"
    "@s/c" "1"
  optionalDependencies:
    fsevents "^2"

b@^2.0.0, b@^2.1.0:
  version "2.1.0"
  resolved "https://npm.example.com/repo/b/-/b-2.1.0.tgz#def"

"@s/c@1":
  version "1.0.0"

fsevents@^2:
  version "2.3.3"

"left@npm:left-pad@^1.3.0":
  version "1.3.0"
  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#e"

b@2.1.0:
  version "2.1.0"
"#;

    #[test]
    fn merges_descriptors_aliases_and_scoped_names() {
        let lockfile = parse(BASIC).unwrap();
        assert_eq!(lockfile.format_version, "1");
        assert_eq!(
            ids(&lockfile),
            [
                "npm:@s/a@1.2.3",
                "npm:@s/c@1.0.0",
                "npm:b@2.1.0",
                "npm:fsevents@2.3.3",
                "npm:left-pad@1.3.0",
                "npm:nonexistent-dir@0.0.0",
            ]
        );
        assert_eq!(
            edges(&lockfile),
            [
                "npm:@s/a@1.2.3 -> npm:@s/c@1.0.0 normal",
                "npm:@s/a@1.2.3 -> npm:b@2.1.0 normal",
                "npm:@s/a@1.2.3 -> npm:fsevents@2.3.3 optional",
                "npm:nonexistent-dir@0.0.0 -> npm:@s/a@1.2.3 normal",
                "npm:nonexistent-dir@0.0.0 -> npm:left-pad@1.3.0 normal",
            ]
        );
        assert_eq!(lockfile.roots[0].to_string(), "npm:nonexistent-dir@0.0.0");
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("no package.json")),
            "{:?}",
            lockfile.warnings
        );
        let b = &lockfile.packages[2];
        assert_eq!(
            b.source,
            Source::Registry(Some("https://npm.example.com/repo/".into()))
        );
        assert_eq!(lockfile.packages[0].source, Source::Registry(None));
    }

    #[test]
    fn accepts_crlf_line_endings() {
        let crlf = BASIC.replace('\n', "\r\n");
        let lf = parse(BASIC).unwrap();
        let lockfile = parse(&crlf).unwrap();
        assert_eq!(ids(&lockfile), ids(&lf));
        assert_eq!(edges(&lockfile), edges(&lf));
    }

    #[test]
    fn member_file_ranges_resolve_relative_to_the_project() {
        let lock = "# yarn lockfile v1\n\n\"shared@file:./packages/a/some-file\":\n  version \"0.0.0\"\n\n\"util@file:./libs/util\":\n  version \"1.0.0\"\n";
        let dir = crate::lockfile::test_support::dir_with(&[
            (
                "package.json",
                r#"{"name": "root", "workspaces": ["packages/*"]}"#,
            ),
            (
                "packages/a/package.json",
                r#"{"name": "a", "version": "0.0.1", "dependencies": {"shared": "file:./some-file", "util": "file:../../libs/util"}}"#,
            ),
        ]);
        let lockfile = parse_with(&YarnClassic, &dir.path().join("yarn.lock"), lock).unwrap();
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        assert!(
            edges(&lockfile).contains(&"npm:a@0.0.1 -> npm:shared@0.0.0 normal".to_string()),
            "{:?}",
            edges(&lockfile)
        );
        assert!(edges(&lockfile).contains(&"npm:a@0.0.1 -> npm:util@1.0.0 normal".to_string()));
        assert_eq!(
            rebase_file_range(Path::new("packages/a"), "file:../../../x"),
            Some("file:../x".to_string())
        );
        assert_eq!(rebase_file_range(Path::new(""), "file:./x"), None);
    }

    #[test]
    fn missing_targets_are_warnings() {
        let lockfile =
            parse("a@^1:\n  version \"1.0.0\"\n  dependencies:\n    ghost \"^9\"\n").unwrap();
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.contains("`ghost@^9`, which is not in the lockfile")),
            "{:?}",
            lockfile.warnings
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let cases = [
            // Truncated inside a quoted string.
            ("a@^1:\n  version \"1.0.0\"\n  resolved \"https://regi", 3),
            // Truncated after a header.
            ("a@^1:\n  version \"1.0.0\"\n\nb@^2:\n", 4),
            ("a@^1\n  version \"1.0.0\"\n", 1),
            ("a@^1 b@^2:\n  version \"1.0.0\"\n", 1),
            ("a@^1:\n      version \"1.0.0\"\n", 2),
            ("  version \"1.0.0\"\n", 1),
            ("a@^1:\n  version \"1.0.0\"\n    b \"1\"\n", 3),
            ("a@^1:\n\tversion \"1.0.0\"\n", 2),
            ("a@^1:\r\n  version: \"1.0.0\"\r\n", 2),
            ("<<<<<<< HEAD\na@^1:\n", 1),
            ("{\"not\": \"yarn\"}\n", 1),
            ("a@^1:\n  version \"1.0.0\"\n\u{1}\u{2}garbage here\n", 3),
        ];
        for (contents, line) in cases {
            let error = parse(contents).unwrap_err().to_string();
            assert!(
                error.contains(&format!("at line {line}:")),
                "{contents:?}: {error}"
            );
            assert!(error.contains("yarn.lock"), "{error}");
        }
    }

    #[test]
    fn refuses_other_header_versions_by_name() {
        let error = parse("# yarn lockfile v2\n").unwrap_err().to_string();
        assert!(
            error.contains("unsupported npm/yarn-classic version `v2`"),
            "{error}"
        );
        assert!(parse("# yarn lockfile v1\n").is_ok());
        // yarn writes its header even without dependencies: an empty file was cut or cleared.
        let error = parse("").unwrap_err().to_string();
        assert!(error.contains("the file is empty"), "{error}");
    }

    #[test]
    fn tokenizes_quoted_and_bare_words() {
        assert_eq!(
            tokenize(r#""a\"b", c@^1 :"#).unwrap(),
            [
                Token::Text("a\"b".into()),
                Token::Comma,
                Token::Text("c@^1".into()),
                Token::Colon
            ]
        );
        assert_eq!(
            tokenize("integrity sha512-x+/= # note").unwrap(),
            [
                Token::Text("integrity".into()),
                Token::Text("sha512-x+/=".into())
            ]
        );
    }

    #[test]
    fn names_sources() {
        assert_eq!(
            source_of(
                "a",
                "^1",
                Some("https://registry.npmjs.org/a/-/a-1.0.0.tgz#x")
            ),
            Source::Registry(None)
        );
        assert_eq!(
            source_of(
                "@s/a",
                "^1",
                Some("https://npm.example.com/@s/a/-/a-1.0.0.tgz")
            ),
            Source::Registry(Some("https://npm.example.com/".into()))
        );
        assert!(matches!(
            source_of(
                "a",
                "user/repo#v1",
                Some("https://codeload.github.com/user/repo/tar.gz/abc")
            ),
            Source::Git(_)
        ));
        assert!(matches!(
            source_of("a", "git+https://host/a.git#abc", None),
            Source::Git(_)
        ));
        assert_eq!(
            source_of("a", "file:../a", None),
            Source::Path("../a".into())
        );
        assert_eq!(
            source_of("a", "https://host/a.tgz", Some("https://host/a.tgz#sha")),
            Source::Url("https://host/a.tgz".into())
        );
        assert_eq!(real_name("x@npm:@s/real@^1"), "@s/real");
        assert_eq!(real_name("@s/x@^1"), "@s/x");
    }

    #[test]
    fn packages_record_the_line_of_their_entry() {
        let lines = fixture_lines(
            "fixtures/lockfiles/yarn-classic/basic.v1/yarn.lock",
            &[
                "npm:balanced-match@1.0.2",
                "npm:brace-expansion@1.1.22",
                "npm:concat-map@0.0.1",
            ],
        );
        assert_eq!(lines, [Some(5), Some(10), Some(18)]);
    }
}
