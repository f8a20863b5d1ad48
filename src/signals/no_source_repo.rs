//! `no-source-repo`: the package declares no source repository, or declares something that
//! is not one (a homepage). Nobody can compare what was published with its source, and the
//! repository signals (`archived`, `unmaintained`, `repo-moved`) have nothing to look at.

use serde_json::json;

use super::support::{one_line, unknown};
use super::{Context, Outcome, Signal};
use crate::registry::facts::Fact;
use crate::registry::repo_url;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoSourceRepo;

impl Signal for NoSourceRepo {
    fn id(&self) -> &'static str {
        "no-source-repo"
    }

    fn evaluate(&self, cx: &Context<'_>) -> Outcome {
        match &cx.facts.repository {
            Fact::Unknown(reason) => unknown("repository", reason.clone()),
            Fact::Known(None) => Outcome::Risk {
                message: format!("{} declares no source repository", cx.facts.version),
                evidence: json!({"version": cx.facts.version, "repository": null}),
                severity: None,
            },
            Fact::Known(Some(url)) if repo_url::normalize(url).is_none() => Outcome::Risk {
                message: format!(
                    "{} declares `{}`, which is not a source repository",
                    cx.facts.version,
                    one_line(url)
                ),
                evidence: json!({"version": cx.facts.version, "repository": url}),
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
        check(
            &NoSourceRepo,
            vec![
                ("declared", facts(), Expect::Clear),
                (
                    "gitlab",
                    declared(Some("https://gitlab.com/group/sub/repo")),
                    Expect::Clear,
                ),
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
                    "unknown",
                    unknown_facts(),
                    Expect::Unknown("repository", "offline"),
                ),
            ],
        );
    }
}
