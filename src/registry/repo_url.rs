//! Repository URLs as packages declare them, normalized to a host and an `owner/name`.
//!
//! Package metadata writes the same repository in many ways; [`normalize`] turns each into a
//! [`RepoRef`] so that one repository is asked about once and compared across releases.
//!
//! Supported (the forms npm's `hosted-git-info` accepts, plus what PyPI and crates.io metadata
//! use):
//! - URLs with the schemes `https`, `http`, `git`, `ssh` and their `git+` forms
//!   (`git+https://github.com/o/r.git`, `git+ssh://git@github.com/o/r.git`,
//!   `ssh://git@github.com:22/o/r`), and the common mistake `ssh://git@github.com:o/r`;
//! - scp-like addresses: `git@github.com:o/r.git`;
//! - shorthands: `github:o/r`, `gitlab:group/sub/r`, `bitbucket:o/r`, `sourcehut:~o/r`, and
//!   bare `o/r` (npm's GitHub shorthand), also a scheme-less `github.com/o/r`;
//! - web URLs pointing inside a repository (`/tree/main/packages/x`, `/blob/…`, GitLab's
//!   `/-/tree/…`), fragments (`#readme`, `#<commit>`, `#semver:^1`), queries, a `.git` suffix,
//!   trailing slashes, a `www.` prefix, user info and ports, hosts in any case.
//!
//! Not supported (answers `None`): homepages and any other web page that is not on a known
//! forge (`https://example.com/docs/x`), `gist:` and gist URLs, local paths and `file:` URLs,
//! URLs with only an owner (`https://github.com/o`) or GitHub's own pages
//! (`https://github.com/orgs/o`). A URL on an unknown host counts as a repository only when
//! it says it is git: a `git`/`ssh`/`git+…` scheme, an scp-like address or a `.git` suffix.
//!
//! Owner and name keep the case they are written in: GitHub compares them case-insensitively,
//! and the GitHub client does the same.

use url::Url;

/// A repository on a source host.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoRef {
    /// The host, lowercase, without `www.` (`github.com`).
    pub host: String,
    /// The owner; GitLab subgroups included (`group/subgroup`).
    pub owner: String,
    /// The repository name, without `.git`.
    pub name: String,
}

impl RepoRef {
    /// The repository's web URL: `https://<host>/<owner>/<name>`.
    pub fn url(&self) -> String {
        format!("https://{}/{}/{}", self.host, self.owner, self.name)
    }

    /// `<owner>/<name>`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// Shorthand prefixes (`github:o/r`) and the host each stands for.
const SHORTHANDS: &[(&str, &str)] = &[
    ("github", "github.com"),
    ("gitlab", "gitlab.com"),
    ("bitbucket", "bitbucket.org"),
    ("sourcehut", "git.sr.ht"),
];

/// Forges whose web pages live under `https://<host>/<owner>/<name>/…`: any such URL names a
/// repository, whatever follows.
const FORGES: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "git.sr.ht",
    "gitee.com",
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
            return from_segments("github.com", &parts, Transport::Git);
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
            // `ssh://git@github.com:o/r.git`: an scp-like address written as a URL.
            Err(_) if scheme == "ssh" => from_scp(rest),
            Err(_) => None,
        };
    }

    from_scp(text)
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
fn from_scp(text: &str) -> Option<RepoRef> {
    let (authority, path) = text.split_once(':')?;
    if authority.contains('/') {
        return None;
    }
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if !host.contains('.') {
        // `C:\dir`, `file:…`, `npm:pkg@1`: not an address.
        return None;
    }
    from_segments(host, &segments(path), Transport::Git)
}

fn from_segments(host: &str, parts: &[&str], transport: Transport) -> Option<RepoRef> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let host_characters = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    if host.is_empty() || !host.chars().all(host_characters) {
        return None;
    }
    // On a forge a repository is the first two parts (GitLab: every part up to `-`, its
    // separator before repository pages); elsewhere the whole path is the repository.
    let repository: Vec<&str> = match host.as_str() {
        "gitlab.com" => {
            // Older GitLab pages had no `-`: `/o/r/tree/main`.
            let page = |i: usize, part: &str| {
                part == "-" || (i >= 2 && matches!(part, "tree" | "blob" | "issues" | "wikis"))
            };
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
        _ if FORGES.contains(&host.as_str()) => parts.iter().take(2).copied().collect(),
        _ => {
            let says_git = parts.last().is_some_and(|part| part.ends_with(".git"));
            if transport == Transport::Web && !says_git {
                return None;
            }
            parts.to_vec()
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
    if host == "github.com" && owner.first().is_some_and(reserved) {
        return None;
    }
    Some(RepoRef {
        host,
        owner: owner.join("/"),
        name: name.to_string(),
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
        }
    }

    #[test]
    fn urls_and_full_names() {
        let repo = normalize("git+https://github.com/Owner/Name.git#readme").unwrap();
        assert_eq!(repo.url(), "https://github.com/Owner/Name");
        assert_eq!(repo.full_name(), "Owner/Name");
        let nested = normalize("gitlab:group/sub/r").unwrap();
        assert_eq!(nested.url(), "https://gitlab.com/group/sub/r");
        // Normalizing a normalized URL changes nothing.
        for raw in ["git@github.com:o/r.git", "gitlab:g/s/r", "sourcehut:~o/r"] {
            let once = normalize(raw).unwrap();
            assert_eq!(normalize(&once.url()), Some(once), "{raw}");
        }
    }
}
