//! `deprecated`: the registry marks the version in use deprecated (npm `deprecated`) or the
//! project deprecated (PyPI project status, PEP 792), or has quarantined the project because
//! it suspects malware (PEP 792 `quarantined`), which is critical. A deprecated package gets
//! no fixes, and its message usually names the replacement. Archived projects are the
//! `archived` signal's.

use serde::Serialize;

use super::support::{evidence, one_line, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::facts::Fact;
use crate::rules::Severity;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deprecated;

/// The evidence of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Evidence<'a> {
    /// The version in use.
    pub(crate) version: &'a str,
    /// The registry's deprecation message, when it has one.
    pub(crate) deprecated: Option<&'a str>,
    /// Whether the registry quarantined the project.
    pub(crate) quarantined: bool,
}

impl Rule for Deprecated {
    const ID: &'static str = "deprecated";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let status = match &cx.facts.status {
            Fact::Known(status) => status,
            Fact::Unknown(reason) => return unknown("status", reason.clone()),
        };
        let evidence = evidence(&Evidence {
            version: &cx.facts.version,
            deprecated: status.deprecated.as_deref(),
            quarantined: status.quarantined,
        });
        if status.quarantined {
            return Outcome::Risk {
                message:
                    "the registry has quarantined the project: it is suspected of being malicious"
                        .to_string(),
                evidence,
                severity: Some(Severity::Critical),
            };
        }
        match &status.deprecated {
            Some(text) => {
                let text = one_line(text);
                Outcome::Risk {
                    message: if text.is_empty() {
                        format!("{} is deprecated", cx.facts.version)
                    } else {
                        format!("{} is deprecated: {text}", cx.facts.version)
                    },
                    evidence,
                    severity: None,
                }
            }
            None => Outcome::Clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::Status;
    use crate::signals::test_support::{Expect, check, evaluate, facts, risk, unknown_facts};

    fn with(status: Status) -> crate::model::facts::PackageFacts {
        let mut facts = facts();
        facts.status = Fact::Known(status);
        facts
    }

    #[test]
    fn table() {
        check(
            &Deprecated,
            vec![
                ("not deprecated", facts(), Expect::Clear),
                (
                    "deprecated",
                    with(Status {
                        deprecated: Some("use\nother-pkg instead".into()),
                        ..Status::default()
                    }),
                    Expect::Risk("1.1.0 is deprecated: use other-pkg instead"),
                ),
                (
                    "deprecated without a message",
                    with(Status {
                        deprecated: Some(" ".into()),
                        ..Status::default()
                    }),
                    Expect::Risk("1.1.0 is deprecated"),
                ),
                (
                    "quarantined",
                    with(Status {
                        quarantined: true,
                        ..Status::default()
                    }),
                    Expect::Risk("quarantined"),
                ),
                (
                    "archived is another signal's",
                    with(Status {
                        archived: true,
                        ..Status::default()
                    }),
                    Expect::Clear,
                ),
                (
                    "status unknown",
                    unknown_facts(),
                    Expect::Unknown("status", "offline"),
                ),
            ],
        );
    }

    #[test]
    fn quarantine_is_critical() {
        let (_, evidence, severity) = risk(evaluate(
            &Deprecated,
            &with(Status {
                quarantined: true,
                deprecated: Some("malware".into()),
                ..Status::default()
            }),
        ));
        assert_eq!(severity, Some(Severity::Critical));
        assert_eq!(evidence["deprecated"], "malware");
        let (_, _, severity) = risk(evaluate(
            &Deprecated,
            &with(Status {
                deprecated: Some("old".into()),
                ..Status::default()
            }),
        ));
        assert_eq!(severity, None);
    }
}
