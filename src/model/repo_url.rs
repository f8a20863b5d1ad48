//! Repository URLs as packages declare them, normalized to a host and an `owner/name`.
//!
//! Package metadata writes the same repository in many ways; [`normalize`] turns each into a
//! [`RepoRef`] so that one repository is asked about once and compared across releases, and
//! [`RepoRef::url`] writes it back in one canonical form that [`normalize`] maps to itself.
//!
//! Supported (the forms npm's `hosted-git-info` accepts, plus what PyPI and crates.io metadata
//! use):
//! - URLs with the schemes `https`, `http`, `git`, `ssh` and their `git+` forms
//!   (`git+https://github.com/o/r.git`, `git+ssh://git@github.com/o/r.git`,
//!   `ssh://git@github.com:22/o/r`), and the common mistakes `ssh://git@github.com:o/r` and
//!   `https://github.com:o/r`;
//! - scp-like addresses: `git@github.com:o/r.git`;
//! - shorthands: `github:o/r`, `gitlab:group/sub/r`, `bitbucket:o/r`, `sourcehut:~o/r`,
//!   `lp:project` (Launchpad), and bare `o/r` (npm's GitHub shorthand), also a scheme-less
//!   `github.com/o/r`;
//! - web URLs pointing inside a repository (`/tree/main/packages/x`, `/blob/…`, `/issues`,
//!   GitLab's `/-/tree/…`, Gitea's `/src/branch/…`), fragments (`#readme`, `#<commit>`,
//!   `#semver:^1`), queries, a `.git` suffix, trailing slashes, a `www.` prefix, user info and
//!   ports, hosts in any case.
//!
//! Hosts:
//! - forges where a repository is `/<owner>/<name>` (`FORGES`: GitHub, Bitbucket, Codeberg,
//!   sourcehut, Gitee, Gitea, OpenDev…) and GitHub Enterprise hosts named `github.<domain>`;
//! - GitLab, whose repositories nest in subgroups (`/group/sub/name`, pages after `/-/`):
//!   gitlab.com, hosts named `gitlab.<domain>` and the instances in `GITLABS`;
//! - SourceForge: a project (`sourceforge.net/projects/<x>`, `/p/<x>/…`, `<x>.sourceforge.net`,
//!   `<x>.sourceforge.io`, `git.code.sf.net/p/<x>/…`) is written `sourceforge.net/projects/<x>`;
//! - Launchpad: a project (`launchpad.net/<x>`, `code.`, `git.`, `bugs.launchpad.net/<x>`,
//!   `lp:<x>`) is written `launchpad.net/<x>`, with an empty owner;
//! - self-hosted git: a host named `git.`, `gitlab.`, `gitea.`, `forgejo.` or `hg.<domain>`
//!   takes any path as a repository (up to the first page of the web interface); any other
//!   host counts only when the URL says it is git: a `git`/`ssh`/`git+…` scheme, an scp-like
//!   address or a `.git` suffix. Such a repository's canonical URL keeps the `.git` suffix
//!   (`https://example.org/team/r.git`): without it the URL would no longer say it is git.
//!
//! Not supported (answers `None`): homepages and any other web page that is not on a code host
//! (`https://example.com/docs/x`, `https://o.github.io/r`, `https://docs.rs/x`), `gist:` and
//! gist URLs, local paths and `file:` URLs, URLs with only an owner (`https://github.com/o`) or
//! GitHub's own pages (`https://github.com/orgs/o`, `https://github.com/sponsors/o`),
//! single-name projects on other hosts (`https://pagure.io/x`).
//!
//! Owner and name keep the case they are written in: GitHub compares them case-insensitively,
//! and the GitHub client does the same.

use url::Url;

/// A repository on a source host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoRef {
    /// The host, lowercase, without `www.` (`github.com`).
    pub host: String,
    /// The owner; GitLab subgroups included (`group/subgroup`); `projects` on SourceForge;
    /// empty on Launchpad, where a project has no owner.
    pub owner: String,
    /// The repository name, without `.git`.
    pub name: String,
}

impl RepoRef {
    /// The repository's web URL: `https://<host>/<owner>/<name>`, with `.git` on a host that
    /// is not recognisable as a code host by its name alone.
    pub fn url(&self) -> String {
        let suffix = if host_kind(&self.host) == HostKind::Other {
            ".git"
        } else {
            ""
        };
        if self.owner.is_empty() {
            format!("https://{}/{}{suffix}", self.host, self.name)
        } else {
            format!("https://{}/{}/{}{suffix}", self.host, self.owner, self.name)
        }
    }

    /// `<owner>/<name>` (only `<name>` when there is no owner).
    pub fn full_name(&self) -> String {
        if self.owner.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.owner, self.name)
        }
    }

    /// Whether the repository is on github.com, the only host deptrust reads repository facts
    /// from.
    pub fn is_github(&self) -> bool {
        self.host == GITHUB
    }
}

/// The one host whose repositories deptrust looks up.
const GITHUB: &str = "github.com";

/// Shorthand prefixes (`github:o/r`) and the host each stands for.
const SHORTHANDS: &[(&str, &str)] = &[
    ("github", "github.com"),
    ("gitlab", "gitlab.com"),
    ("bitbucket", "bitbucket.org"),
    ("sourcehut", "git.sr.ht"),
    ("lp", LAUNCHPAD),
];

/// Forges whose web pages live under `https://<host>/<owner>/<name>/…`: any such URL names a
/// repository, whatever follows.
const FORGES: &[&str] = &[
    "github.com",
    "bitbucket.org",
    "codeberg.org",
    "codefloe.com",
    "git.sr.ht",
    "hg.sr.ht",
    "sr.ht",
    "gitee.com",
    "gitea.com",
    "notabug.org",
    "opendev.org",
];

/// GitLab instances not named `gitlab.<domain>`: repositories nest in groups and subgroups.
const GITLABS: &[&str] = &[
    "gitlab.com",
    "salsa.debian.org",
    "invent.kde.org",
    "framagit.org",
    "foss.heptapod.net",
    "code.videolan.org",
];

/// First labels of a host name that say it serves repositories (`git.example.org`).
const CODE_HOST_LABELS: &[&str] = &["git", "gitlab", "gitea", "forgejo", "hg"];

const SOURCEFORGE: &str = "sourceforge.net";
const LAUNCHPAD: &str = "launchpad.net";

/// Subdomains of sourceforge.net that are services, not `<project>.sourceforge.net`.
const SOURCEFORGE_SERVICES: &[&str] = &[
    "apps",
    "cvs",
    "downloads",
    "git",
    "hg",
    "lists",
    "master",
    "prdownloads",
    "sf",
    "svn",
    "users",
    "web",
];

/// First path segments on github.com that are GitHub's own pages, not owners.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "apps",
    "collections",
    "enterprise",
    "explore",
    "features",
    "gist",
    "login",
    "marketplace",
    "notifications",
    "orgs",
    "pricing",
    "settings",
    "site",
    "sponsors",
    "topics",
];

/// Path segments (after the repository's own) that start a page of a forge's web interface:
/// on a self-hosted forge the repository ends before them.
const WEB_PAGES: &[&str] = &[
    "actions",
    "archive",
    "blob",
    "branches",
    "commit",
    "commits",
    "compare",
    "issues",
    "merge_requests",
    "pull",
    "pulls",
    "raw",
    "releases",
    "src",
    "tags",
    "tree",
    "wiki",
    "wikis",
];

/// What a host is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    /// `/<owner>/<name>/…` (GitHub, GitHub Enterprise, Bitbucket, Gitea instances…).
    Forge,
    /// `/<group>/<sub…>/<name>/-/…`.
    Gitlab,
    /// A host named `git.<domain>`, `hg.<domain>`…: the path up to a web page.
    SelfHosted,
    /// SourceForge projects.
    SourceForge,
    /// Launchpad projects.
    Launchpad,
    /// Anything else: a repository only when the URL says git.
    Other,
}

/// What `host` (lowercase, without `www.`) is.
fn host_kind(host: &str) -> HostKind {
    let first = host.split('.').next().unwrap_or_default();
    let under = |domain: &str| {
        host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    if FORGES.contains(&host) || (first == "github" && host.contains('.') && !under("github.io")) {
        HostKind::Forge
    } else if GITLABS.contains(&host) || (first == "gitlab" && host.contains('.')) {
        HostKind::Gitlab
    } else if under(SOURCEFORGE) || under("sf.net") || under("sourceforge.io") {
        HostKind::SourceForge
    } else if under(LAUNCHPAD) {
        HostKind::Launchpad
    } else if CODE_HOST_LABELS.contains(&first) && host.contains('.') {
        HostKind::SelfHosted
    } else {
        HostKind::Other
    }
}

/// The repository a declared URL points to, or `None` when it does not point to one.
pub fn normalize(raw: &str) -> Option<RepoRef> {
    // A fragment is a committish (`#v1.0`, `#semver:^1`) or a page anchor (`#readme`).
    let text = raw.split('#').next().unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }

    if let Some((prefix, rest)) = text.split_once(':') {
        let prefix = prefix.to_ascii_lowercase();
        if let Some((_, host)) = SHORTHANDS.iter().find(|(name, _)| *name == prefix) {
            return from_segments(host, &segments(rest), Transport::Git);
        }
    }

    if !text.contains(':') {
        // `o/r` (npm's GitHub shorthand) or a scheme-less `github.com/o/r`.
        let parts = segments(text);
        let first = parts.first()?;
        if first.contains('.') {
            return from_segments(first, &parts[1..], Transport::Web);
        }
        if parts.len() == 2 && !text.starts_with('/') {
            return from_segments(GITHUB, &parts, Transport::Git);
        }
        return None;
    }

    if let Some((scheme, rest)) = text.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        let (scheme, git_plus) = match scheme.strip_prefix("git+") {
            Some(inner) => (inner, true),
            None => (scheme.as_str(), false),
        };
        let transport = match scheme {
            // `git+https://…` says git even over https.
            "http" | "https" if !git_plus => Transport::Web,
            "http" | "https" | "git" | "ssh" => Transport::Git,
            _ => return None,
        };
        return match Url::parse(&format!("{scheme}://{rest}")) {
            Ok(url) => from_url(&url, transport),
            // `ssh://git@github.com:o/r.git`, `https://github.com:o/r`: an scp-like address
            // written as a URL (the "port" is not a number).
            Err(_) => from_scp(rest, transport),
        };
    }

    from_scp(text, Transport::Git)
}

/// How the URL was written: as a git remote (the host must be a git host) or as a web page
/// (only known forges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Git,
    Web,
}

/// The non-empty `/`-separated parts of a path (query removed).
fn segments(path: &str) -> Vec<&str> {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/').filter(|part| !part.is_empty()).collect()
}

fn from_url(url: &Url, transport: Transport) -> Option<RepoRef> {
    let host = url.host_str()?;
    let path = url.path();
    from_segments(host, &segments(path), transport)
}

/// `[user@]host:path`.
fn from_scp(text: &str, transport: Transport) -> Option<RepoRef> {
    let (authority, path) = text.split_once(':')?;
    if authority.contains('/') {
        return None;
    }
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if !host.contains('.') {
        // `C:\dir`, `file:…`, `npm:pkg@1`: not an address.
        return None;
    }
    from_segments(host, &segments(path), transport)
}

fn from_segments(host: &str, parts: &[&str], transport: Transport) -> Option<RepoRef> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let host_characters = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    if host.is_empty() || !host.chars().all(host_characters) {
        return None;
    }
    let kind = host_kind(&host);
    match kind {
        HostKind::SourceForge => return sourceforge(&host, parts),
        HostKind::Launchpad => return launchpad(parts),
        _ => {}
    }
    // On a forge a repository is the first two parts; on GitLab every part up to `-`, its
    // separator before repository pages; elsewhere the path up to a web page or `.git`.
    let repository: Vec<&str> = match kind {
        HostKind::Forge => parts.iter().take(2).copied().collect(),
        HostKind::Gitlab => {
            // Older GitLab pages had no `-`: `/o/r/tree/main`.
            let page = |i: usize, part: &str| {
                part == "-" || (i >= 2 && matches!(part, "tree" | "blob" | "issues" | "wikis"))
            };
            cut(parts, page)
        }
        _ => {
            let says_git = parts.iter().any(|part| part.ends_with(".git"));
            if kind == HostKind::Other && transport == Transport::Web && !says_git {
                return None;
            }
            cut(parts, |i, part| {
                part == "-" || (i >= 2 && WEB_PAGES.contains(&part))
            })
        }
    };
    let (last, owner) = repository.split_last()?;
    if owner.is_empty() {
        return None;
    }
    let name = last.strip_suffix(".git").unwrap_or(last);
    if !owner.iter().all(|part| valid_part(part)) || !valid_part(name) {
        return None;
    }
    let reserved = |first: &&str| GITHUB_RESERVED.contains(&first.to_ascii_lowercase().as_str());
    if host == GITHUB && owner.first().is_some_and(reserved) {
        return None;
    }
    Some(RepoRef {
        host,
        owner: owner.join("/"),
        name: name.to_string(),
    })
}

/// The parts before the first web page (`page(index, part)`), or up to and including the
/// first part ending in `.git`.
fn cut<'a>(parts: &[&'a str], page: impl Fn(usize, &str) -> bool) -> Vec<&'a str> {
    let end = parts
        .iter()
        .enumerate()
        .find_map(|(i, part)| {
            if page(i, part) {
                Some(i)
            } else if part.ends_with(".git") {
                Some(i + 1)
            } else {
                None
            }
        })
        .unwrap_or(parts.len());
    parts[..end].to_vec()
}

/// A SourceForge project: `sourceforge.net/projects/<x>`, `sourceforge.net/p/<x>`,
/// `<x>.sourceforge.net` (`.io`, `sf.net`), `git.code.sf.net/p/<x>`.
fn sourceforge(host: &str, parts: &[&str]) -> Option<RepoRef> {
    let labels: Vec<&str> = host.split('.').collect();
    let project = match labels.as_slice() {
        ["sourceforge" | "sf", "net"] | [_, "code", "sf" | "sourceforge", "net"] => match parts {
            ["projects" | "p", project, ..] => *project,
            _ => return None,
        },
        // `<x>.sourceforge.net`, `<x>.svn.sourceforge.net` (old repositories).
        [project, .., "sourceforge" | "sf", "net" | "io"]
            if !SOURCEFORGE_SERVICES.contains(project) =>
        {
            project
        }
        _ => return None,
    };
    let project = project.to_ascii_lowercase();
    valid_part(&project).then(|| RepoRef {
        host: SOURCEFORGE.to_string(),
        owner: "projects".to_string(),
        name: project,
    })
}

/// A Launchpad project: the first path part that is not a person (`~user`) or a page (`+git`).
fn launchpad(parts: &[&str]) -> Option<RepoRef> {
    let project = parts
        .iter()
        .take(2)
        .find(|part| !part.starts_with('~') && !part.starts_with('+'))?;
    let project = project.strip_suffix(".git").unwrap_or(project);
    valid_part(project).then(|| RepoRef {
        host: LAUNCHPAD.to_string(),
        owner: String::new(),
        name: project.to_string(),
    })
}

/// An owner or name: letters, digits, `-`, `_`, `.`, `~` (sourcehut users); not `.`/`..`.
fn valid_part(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && part != ".."
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(host: &str, owner: &str, name: &str) -> Option<RepoRef> {
        Some(RepoRef {
            host: host.into(),
            owner: owner.into(),
            name: name.into(),
        })
    }

    #[test]
    fn normalizes_declared_urls() {
        let github = |owner: &str, name: &str| repo("github.com", owner, name);
        let cases: &[(&str, Option<RepoRef>)] = &[
            ("git+https://github.com/o/r.git", github("o", "r")),
            ("https://github.com/o/r", github("o", "r")),
            ("http://github.com/o/r", github("o", "r")),
            ("git://github.com/o/r.git", github("o", "r")),
            ("git+ssh://git@github.com/o/r.git", github("o", "r")),
            ("ssh://git@github.com:22/o/r", github("o", "r")),
            ("ssh://git@github.com/o/r.git", github("o", "r")),
            ("ssh://git@github.com:o/r.git", github("o", "r")),
            ("git@github.com:o/r.git", github("o", "r")),
            ("git@github.com:/o/r.git", github("o", "r")),
            ("github.com:o/r", github("o", "r")),
            ("github:o/r", github("o", "r")),
            ("GitHub:o/r#v1.0.0", github("o", "r")),
            ("o/r", github("o", "r")),
            ("o/r#semver:^1.0.0", github("o", "r")),
            (
                "inspect-js/has-package-exports",
                github("inspect-js", "has-package-exports"),
            ),
            ("github.com/o/r", github("o", "r")),
            ("gitlab:o/r", repo("gitlab.com", "o", "r")),
            ("gitlab:group/sub/r", repo("gitlab.com", "group/sub", "r")),
            ("bitbucket:o/r", repo("bitbucket.org", "o", "r")),
            ("sourcehut:~o/r", repo("git.sr.ht", "~o", "r")),
            (
                "https://github.com/o/r/tree/main/packages/x",
                github("o", "r"),
            ),
            (
                "https://github.com/o/r/blob/main/README.md",
                github("o", "r"),
            ),
            ("https://github.com/o/r#readme", github("o", "r")),
            (
                "git+https://github.com/o/r.git#5d3f1e2c9a",
                github("o", "r"),
            ),
            (
                "https://github.com/o/r?tab=readme-ov-file",
                github("o", "r"),
            ),
            ("https://www.github.com/o/r", github("o", "r")),
            ("https://WWW.GitHub.COM/o/r", github("o", "r")),
            ("git://GITHUB.com/o/r.git", github("o", "r")),
            ("https://github.com/o/r/", github("o", "r")),
            ("https://github.com/o/r.git/", github("o", "r")),
            ("https://user:secret@github.com/o/r.git", github("o", "r")),
            ("  https://github.com/o/r  ", github("o", "r")),
            (
                "https://github.com/Owner/Repo.js",
                github("Owner", "Repo.js"),
            ),
            (
                "https://gitlab.com/group/sub/r/-/tree/main",
                repo("gitlab.com", "group/sub", "r"),
            ),
            ("https://gitlab.com/o/r.git", repo("gitlab.com", "o", "r")),
            (
                "https://gitlab.com/o/r/tree/main",
                repo("gitlab.com", "o", "r"),
            ),
            (
                "https://bitbucket.org/o/r/src/main/",
                repo("bitbucket.org", "o", "r"),
            ),
            ("https://codeberg.org/o/r", repo("codeberg.org", "o", "r")),
            (
                "https://git.example.com/team/r.git",
                repo("git.example.com", "team", "r"),
            ),
            (
                "git+ssh://git@git.example.com/a/b/r.git",
                repo("git.example.com", "a/b", "r"),
            ),
            (
                "git@git.example.com:team/r.git",
                repo("git.example.com", "team", "r"),
            ),
            // Not repositories.
            ("", None),
            ("   ", None),
            ("#readme", None),
            ("https://github.com/o", None),
            ("https://github.com/", None),
            ("https://github.com/orgs/o", None),
            ("https://github.com/sponsors/o", None),
            ("https://gist.github.com/o/0123abcd", None),
            ("https://github.com/gist/0123abcd", None),
            ("gist:0123abcd", None),
            ("https://example.com", None),
            ("https://lodash.com/", None),
            ("https://example.com/docs/x", None),
            ("file:../r", None),
            ("git+file:///home/o/r.git", None),
            ("ftp://github.com/o/r", None),
            ("./o/r", None),
            ("/o/r", None),
            ("o", None),
            ("o/r/x", None),
            ("@scope/name", None),
            ("npm:pkg@1.0.0", None),
            ("C:\\o\\r", None),
            ("git@exa\u{1b}mple.com:o/r.git", None),
            ("git@[::1]:o/r.git", None),
            ("https://github.com/../r", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(&normalize(raw), expected, "normalize({raw:?})");
            if let Some(repo) = expected {
                assert_eq!(normalize(&repo.url()).as_ref(), Some(repo), "{raw:?}");
            }
        }
    }

    /// Spellings seen in real package metadata (PyPI `project_urls`/`home_page`, npm
    /// `repository`, crates.io `repository`), each with the canonical URL it normalizes to, or
    /// `None` for a page that is not a repository.
    #[test]
    fn real_world_spellings() {
        let cases: &[(&str, Option<&str>)] = &[
            // GitHub, as PyPI projects write it (requests, cryptography, pytz, pyparsing,
            // fonttools, google-auth, wrapt, cachetools, wxpython, urllib3).
            (
                "https://github.com/psf/requests",
                Some("https://github.com/psf/requests"),
            ),
            (
                "https://github.com/pyca/cryptography/",
                Some("https://github.com/pyca/cryptography"),
            ),
            (
                "https://github.com/stub42/pytz.git",
                Some("https://github.com/stub42/pytz"),
            ),
            (
                "https://github.com/pyparsing/pyparsing.git",
                Some("https://github.com/pyparsing/pyparsing"),
            ),
            (
                "http://github.com/fonttools/fonttools",
                Some("https://github.com/fonttools/fonttools"),
            ),
            (
                "https://github.com/googleapis/google-cloud-python/tree/main/packages/google-auth",
                Some("https://github.com/googleapis/google-cloud-python"),
            ),
            (
                "https://github.com/GrahamDumpleton/wrapt/issues/",
                Some("https://github.com/GrahamDumpleton/wrapt"),
            ),
            (
                "https://github.com/numpy/numpy/issues",
                Some("https://github.com/numpy/numpy"),
            ),
            (
                "https://github.com/urllib3/urllib3/blob/main/CHANGES.rst",
                Some("https://github.com/urllib3/urllib3"),
            ),
            (
                "https://github.com/python-pillow/Pillow/releases",
                Some("https://github.com/python-pillow/Pillow"),
            ),
            (
                "https://github.com/wxWidgets/Phoenix.git",
                Some("https://github.com/wxWidgets/Phoenix"),
            ),
            (
                "https://github.com/yaml/pyyaml/actions",
                Some("https://github.com/yaml/pyyaml"),
            ),
            // Sloppy GitHub spellings.
            (
                "https://github.com:psf/requests",
                Some("https://github.com/psf/requests"),
            ),
            (
                "git+https://github.com:psf/requests.git",
                Some("https://github.com/psf/requests"),
            ),
            (
                "https://github.com:443/psf/requests",
                Some("https://github.com/psf/requests"),
            ),
            (
                "HTTPS://GITHUB.COM/psf/requests",
                Some("https://github.com/psf/requests"),
            ),
            (
                "www.github.com/psf/requests",
                Some("https://github.com/psf/requests"),
            ),
            (
                "https://github.com/psf/requests?tab=readme-ov-file#readme",
                Some("https://github.com/psf/requests"),
            ),
            // npm `repository` fields (lodash, express, react, babel, types).
            (
                "git+https://github.com/lodash/lodash.git",
                Some("https://github.com/lodash/lodash"),
            ),
            (
                "git+ssh://git@github.com/expressjs/express.git",
                Some("https://github.com/expressjs/express"),
            ),
            (
                "git://github.com/facebook/react.git",
                Some("https://github.com/facebook/react"),
            ),
            ("github:babel/babel", Some("https://github.com/babel/babel")),
            (
                "DefinitelyTyped/DefinitelyTyped",
                Some("https://github.com/DefinitelyTyped/DefinitelyTyped"),
            ),
            (
                "git@github.com:sindresorhus/got.git",
                Some("https://github.com/sindresorhus/got"),
            ),
            // crates.io `repository` (serde, tokio, rustls).
            (
                "https://github.com/serde-rs/serde",
                Some("https://github.com/serde-rs/serde"),
            ),
            (
                "https://github.com/tokio-rs/tokio/tree/master/tokio",
                Some("https://github.com/tokio-rs/tokio"),
            ),
            // GitLab, with subgroups and GitLab instances (flake8 once, pygobject, dbus-python,
            // python-gnupg on salsa, heptapod).
            (
                "https://gitlab.com/pycqa/flake8",
                Some("https://gitlab.com/pycqa/flake8"),
            ),
            (
                "https://gitlab.com/gitlab-org/api/client-go",
                Some("https://gitlab.com/gitlab-org/api/client-go"),
            ),
            (
                "https://gitlab.com/gitlab-org/api/client-go/-/issues",
                Some("https://gitlab.com/gitlab-org/api/client-go"),
            ),
            (
                "https://gitlab.gnome.org/GNOME/pygobject.git",
                Some("https://gitlab.gnome.org/GNOME/pygobject"),
            ),
            (
                "https://gitlab.gnome.org/GNOME/pygobject/-/blob/main/NEWS",
                Some("https://gitlab.gnome.org/GNOME/pygobject"),
            ),
            (
                "https://gitlab.freedesktop.org/dbus/dbus-python/",
                Some("https://gitlab.freedesktop.org/dbus/dbus-python"),
            ),
            (
                "https://gitlab.freedesktop.org/dbus/dbus-python/-/work_items",
                Some("https://gitlab.freedesktop.org/dbus/dbus-python"),
            ),
            (
                "https://salsa.debian.org/python-team/packages/python-debian",
                Some("https://salsa.debian.org/python-team/packages/python-debian"),
            ),
            (
                "https://foss.heptapod.net/pypy/pypy",
                Some("https://foss.heptapod.net/pypy/pypy"),
            ),
            (
                "git@gitlab.com:group/sub/repo.git",
                Some("https://gitlab.com/group/sub/repo"),
            ),
            // Codeberg, Gitea/Forgejo instances (M2Crypto on codefloe), OpenDev.
            (
                "https://codeberg.org/forgejo/forgejo",
                Some("https://codeberg.org/forgejo/forgejo"),
            ),
            (
                "https://codeberg.org/forgejo/forgejo/src/branch/forgejo/README.md",
                Some("https://codeberg.org/forgejo/forgejo"),
            ),
            (
                "https://codefloe.com/mcepl/m2crypto/issues",
                Some("https://codefloe.com/mcepl/m2crypto"),
            ),
            (
                "https://opendev.org/openstack/oslo.config",
                Some("https://opendev.org/openstack/oslo.config"),
            ),
            // Bitbucket.
            (
                "https://bitbucket.org/ned/coveragepy",
                Some("https://bitbucket.org/ned/coveragepy"),
            ),
            (
                "https://bitbucket.org/zzzeek/sqlalchemy/issues?status=new",
                Some("https://bitbucket.org/zzzeek/sqlalchemy"),
            ),
            (
                "bitbucket:pygame/pygame",
                Some("https://bitbucket.org/pygame/pygame"),
            ),
            // SourceForge (docutils, ruamel.yaml, roundup, PyYAML's old home).
            (
                "https://sourceforge.net/p/docutils/code/",
                Some("https://sourceforge.net/projects/docutils"),
            ),
            (
                "https://sourceforge.net/p/ruamel-yaml/code/ci/default/tree/",
                Some("https://sourceforge.net/projects/ruamel-yaml"),
            ),
            (
                "https://sourceforge.net/projects/roundup/",
                Some("https://sourceforge.net/projects/roundup"),
            ),
            (
                "https://docutils.sourceforge.io",
                Some("https://sourceforge.net/projects/docutils"),
            ),
            (
                "http://pyyaml.sourceforge.net/",
                Some("https://sourceforge.net/projects/pyyaml"),
            ),
            (
                "git://git.code.sf.net/p/docutils/code",
                Some("https://sourceforge.net/projects/docutils"),
            ),
            (
                "https://svn.code.sf.net/p/docutils/code/trunk",
                Some("https://sourceforge.net/projects/docutils"),
            ),
            (
                "http://lists.sourceforge.net/lists/listinfo/yaml-core",
                None,
            ),
            ("https://sourceforge.net/u/someone/profile", None),
            // sourcehut.
            (
                "https://git.sr.ht/~sircmpwn/hare",
                Some("https://git.sr.ht/~sircmpwn/hare"),
            ),
            (
                "https://hg.sr.ht/~olly/yoyo",
                Some("https://hg.sr.ht/~olly/yoyo"),
            ),
            (
                "https://sr.ht/~emersion/gamja/",
                Some("https://sr.ht/~emersion/gamja"),
            ),
            // Launchpad (lazr.uri, launchpadlib, bzr).
            (
                "https://code.launchpad.net/lazr.uri",
                Some("https://launchpad.net/lazr.uri"),
            ),
            (
                "https://launchpad.net/launchpadlib",
                Some("https://launchpad.net/launchpadlib"),
            ),
            (
                "https://launchpad.net/bzr/+download",
                Some("https://launchpad.net/bzr"),
            ),
            (
                "https://bugs.launchpad.net/lxml",
                Some("https://launchpad.net/lxml"),
            ),
            (
                "https://git.launchpad.net/launchpadlib",
                Some("https://launchpad.net/launchpadlib"),
            ),
            (
                "lp:launchpadlib",
                Some("https://launchpad.net/launchpadlib"),
            ),
            ("https://launchpad.net/~someone", None),
            // Self-hosted git.
            (
                "https://git.example.org/x/y.git",
                Some("https://git.example.org/x/y"),
            ),
            (
                "https://git.example.org/x/y",
                Some("https://git.example.org/x/y"),
            ),
            (
                "https://git.example.org/x/y/src/branch/main",
                Some("https://git.example.org/x/y"),
            ),
            (
                "git+https://git.example.org/x/y.git",
                Some("https://git.example.org/x/y"),
            ),
            (
                "ssh://git@git.example.org/x/y.git",
                Some("https://git.example.org/x/y"),
            ),
            (
                "git@git.example.org:x/y.git",
                Some("https://git.example.org/x/y"),
            ),
            (
                "https://git.savannah.gnu.org/cgit/emacs.git/tree/",
                Some("https://git.savannah.gnu.org/cgit/emacs"),
            ),
            (
                "https://hg.mozilla.org/projects/nss",
                Some("https://hg.mozilla.org/projects/nss"),
            ),
            (
                "git@example.org:x/y.git",
                Some("https://example.org/x/y.git"),
            ),
            ("git://example.org/x/y", Some("https://example.org/x/y.git")),
            (
                "https://example.org/x/y.git",
                Some("https://example.org/x/y.git"),
            ),
            (
                "https://github.example.com/team/tool",
                Some("https://github.example.com/team/tool"),
            ),
            // Homepages, documentation and other pages: not repositories.
            ("https://requests.readthedocs.io", None),
            ("https://numpy.org", None),
            ("https://pyusb.github.io/pyusb", None),
            ("https://oracle.github.io/python-cx_Oracle", None),
            ("https://docs.rs/serde", None),
            ("https://pypi.org/project/numpy/#files", None),
            ("https://code.djangoproject.com/", None),
            ("https://code.djangoproject.com/ticket/1", None),
            ("https://www.crummy.com/software/BeautifulSoup/bs4/", None),
            ("https://github.com/sponsors/gaborbernat", None),
            ("https://opencollective.com/babel", None),
            ("https://pagure.io/python-daemon", None),
            ("https://tidelift.com/subscription/pkg/pypi-urllib3", None),
        ];
        for (raw, expected) in cases {
            let found = normalize(raw);
            assert_eq!(
                found.as_ref().map(RepoRef::url).as_deref(),
                *expected,
                "normalize({raw:?})"
            );
            // The canonical URL is a fixed point.
            if let Some(repo) = found {
                assert_eq!(normalize(&repo.url()), Some(repo.clone()), "{raw:?}");
            }
        }
    }

    #[test]
    fn urls_and_full_names() {
        let repo = normalize("git+https://github.com/Owner/Name.git#readme").unwrap();
        assert_eq!(repo.url(), "https://github.com/Owner/Name");
        assert_eq!(repo.full_name(), "Owner/Name");
        let nested = normalize("gitlab:group/sub/r").unwrap();
        assert_eq!(nested.url(), "https://gitlab.com/group/sub/r");
        let launchpad = normalize("lp:lazr.uri").unwrap();
        assert_eq!(launchpad.full_name(), "lazr.uri");
        assert!(!launchpad.is_github());
        assert!(normalize("git@github.com:o/r.git").unwrap().is_github());
        let self_hosted = normalize("git@example.org:team/r.git").unwrap();
        assert_eq!(self_hosted.full_name(), "team/r");
        assert_eq!(self_hosted.url(), "https://example.org/team/r.git");
        // Normalizing a normalized URL changes nothing.
        for raw in ["git@github.com:o/r.git", "gitlab:g/s/r", "sourcehut:~o/r"] {
            let once = normalize(raw).unwrap();
            assert_eq!(normalize(&once.url()), Some(once), "{raw}");
        }
    }
}
