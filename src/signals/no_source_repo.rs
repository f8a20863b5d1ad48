//! `no-source-repo`: the package declares no source repository, or declares something that
//! is not one (a homepage). Nobody can compare what was published with its source, and the
//! repository signals (`archived`, `unmaintained`, `repo-moved`) have nothing to look at.
//!
//! What counts as declared is decided where the facts are gathered: npm `repository`,
//! crates.io `repository`, PyPI `project_urls` / `home_page` / `download_url` (see
//! `registry::pypi::decoding::declared_repository`). A declared URL is a repository when
//! [`repo_url::normalize`] recognises it, on any host: a repository on GitLab, Codeberg,
//! SourceForge or a self-hosted git server is declared, even though deptrust reads repository
//! facts from GitHub only (those facts are then unknown, which is not this signal's concern).

use serde::Serialize;

use super::support::{evidence, one_line, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::Fact;
use crate::model::repo_url;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// What it declares instead of a repository (`null`: nothing).
    pub(crate) repository: Option<&'a str>,
}

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoSourceRepo;

impl Rule for NoSourceRepo {
    const ID: &'static str = "no-source-repo";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        match &cx.facts.repository {
            Fact::Unknown(reason) => unknown("repository", reason.clone()),
            Fact::Known(None) => Outcome::Risk {
                message: format!("{} declares no source repository", cx.facts.version),
                evidence: evidence(&Evidence {
                    version: &cx.facts.version,
                    repository: None,
                }),
                severity: None,
            },
            Fact::Known(Some(url)) if repo_url::normalize(url).is_none() => Outcome::Risk {
                message: format!(
                    "{} declares `{}`, which is not a source repository",
                    cx.facts.version,
                    one_line(url)
                ),
                evidence: evidence(&Evidence {
                    version: &cx.facts.version,
                    repository: Some(url),
                }),
                severity: None,
            },
            Fact::Known(Some(_)) => Outcome::Clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_support::{Expect, check, facts, unknown_facts};

    #[test]
    fn table() {
        let declared = |repository: Option<&str>| {
            let mut facts = facts();
            facts.repository = Fact::Known(repository.map(str::to_string));
            facts
        };
        let mut cases = vec![
            ("declared", facts(), Expect::Clear),
            (
                "none",
                declared(None),
                Expect::Risk("1.1.0 declares no source repository"),
            ),
            (
                "a homepage",
                declared(Some("https://example.com/docs")),
                Expect::Risk(
                    "declares `https://example.com/docs`, which is not a source repository",
                ),
            ),
            (
                "GitHub Pages",
                declared(Some("https://o.github.io/r")),
                Expect::Risk("declares `https://o.github.io/r`, which is not a source repository"),
            ),
            (
                "unknown",
                unknown_facts(),
                Expect::Unknown("repository", "offline"),
            ),
        ];
        // Repositories on every host, as declared or as the gatherer stores them: never a
        // finding, whether or not deptrust can read the repository's facts.
        for repository in [
            "https://gitlab.com/group/sub/repo",
            "https://gitlab.gnome.org/GNOME/pygobject",
            "https://codeberg.org/o/r",
            "https://bitbucket.org/o/r",
            "https://sourceforge.net/projects/docutils",
            "https://sourceforge.net/p/docutils/code/",
            "https://git.sr.ht/~o/r",
            "https://launchpad.net/lazr.uri",
            "https://git.example.org/x/y",
            "https://example.org/x/y.git",
            "git@example.org:x/y.git",
            "ssh://git@example.org/x/y.git",
            "https://github.com:o/r",
            "git+https://github.com/o/r.git#readme",
            "github:o/r",
            "o/r",
            "https://github.com/o/r/tree/main/sub/dir?tab=readme",
        ] {
            let mut facts = declared(Some(repository));
            facts.repository_facts = Fact::unknown(
                "repository on example.org: deptrust reads repository facts from GitHub only",
            );
            cases.push((repository, facts, Expect::Clear));
        }
        check(&NoSourceRepo, cases);
    }
}
