//! `install-script`: installing the version in use runs code from the package. npm runs the
//! `preinstall`, `install` and `postinstall` scripts; a PyPI release shipped only as source
//! distributions (no wheel) runs its build backend (`setup.py`) on install. Worms and
//! hijacked releases spread this way: ua-parser-js's hijacked versions and shai-hulud ran
//! their payloads from `preinstall`/`postinstall`.
//!
//! - npm: the install scripts of the version in use.
//! - PyPI: the files of the version in use, when the facts list them (`Release.files`);
//!   otherwise unknown, with the reason the facts give. `.whl` and `.egg` files are built
//!   distributions; `.tar.gz`, `.zip`, `.tar.bz2`, `.tar.xz`, `.tgz` and `.tar` are sdists.
//! - Cargo: clear. Cargo has no install-time scripts; build scripts (`build.rs`) and
//!   procedural macros run when a crate is built, every crate can have them, and crates.io
//!   does not report which do. Reporting every crate as unknown would bury the unknowns that
//!   matter; judging build scripts needs the crate's source, which deptrust does not read.

use std::collections::BTreeMap;

use serde::Serialize;

use super::support::{History, evidence, one_line, unknown};
use super::{Context, NoParams, Outcome, Rule};
use crate::model::Ecosystem;
use crate::model::facts::Fact;

/// The signal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InstallScript;

/// Source-distribution suffixes (PEP 625 `.tar.gz`, and the older formats PyPI accepted).
const SDIST_SUFFIXES: [&str; 6] = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"];

/// The evidence of a finding: the install scripts (npm) or the source distributions (PyPI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Evidence<'a> {
    /// npm: the version's install scripts.
    Scripts {
        /// The version in use.
        version: &'a str,
        /// Each install script (`preinstall`, `install`, `postinstall`) and its command.
        scripts: &'a BTreeMap<String, String>,
    },
    /// PyPI: the version ships only source distributions.
    SourceOnly {
        /// The version in use.
        version: &'a str,
        /// Its file names, all source distributions.
        files: Vec<&'a str>,
    },
}

impl Rule for InstallScript {
    const ID: &'static str = "install-script";
    type Params = NoParams;

    fn judge(&self, cx: &Context<'_>, _params: &NoParams) -> Outcome {
        let facts = cx.facts;
        let reason = match &facts.install_scripts {
            Fact::Known(scripts) if scripts.is_empty() => return Outcome::Clear,
            Fact::Known(scripts) => {
                let listed: Vec<String> = scripts
                    .iter()
                    .map(|(name, command)| format!("{name} `{}`", one_line(command)))
                    .collect();
                return Outcome::Risk {
                    message: format!(
                        "{} runs install scripts: {}",
                        facts.version,
                        listed.join(", ")
                    ),
                    evidence: evidence(&Evidence::Scripts {
                        version: &facts.version,
                        scripts,
                    }),
                    severity: None,
                };
            }
            Fact::Unknown(reason) => reason,
        };
        match facts.ecosystem {
            Ecosystem::Cargo => Outcome::Clear,
            Ecosystem::Pypi => {
                let history = match History::of(facts) {
                    Ok(history) => history,
                    Err(_) => return unknown("install_scripts", reason.clone()),
                };
                let files = &history.in_use().files;
                if files.is_empty() {
                    return unknown("install_scripts", reason.clone());
                }
                let is_sdist = |name: &str| {
                    let name = name.to_ascii_lowercase();
                    SDIST_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
                };
                if !files.iter().all(|file| is_sdist(&file.filename)) {
                    return Outcome::Clear;
                }
                let names: Vec<&str> = files.iter().map(|file| file.filename.as_str()).collect();
                let message = format!(
                    "{} is published only as a source distribution ({}): installing it runs its build backend",
                    facts.version,
                    names.join(", ")
                );
                Outcome::Risk {
                    message,
                    evidence: evidence(&Evidence::SourceOnly {
                        version: &facts.version,
                        files: names,
                    }),
                    severity: None,
                }
            }
            Ecosystem::Npm => unknown("install_scripts", reason.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::facts::{PackageFacts, ReleaseFile};
    use crate::signals::test_support::{
        Expect, check, evaluate, facts, facts_with, release, release_mut, risk, unknown_facts,
    };

    fn npm(scripts: &[(&str, &str)]) -> PackageFacts {
        let mut facts = facts();
        facts.install_scripts = Fact::Known(
            scripts
                .iter()
                .map(|(name, command)| (name.to_string(), command.to_string()))
                .collect::<BTreeMap<_, _>>(),
        );
        facts
    }

    fn pypi(files: &[&str]) -> PackageFacts {
        let mut facts = facts_with("pypi", "1.0", vec![release("1.0", "2025-01-01T00:00:00Z")]);
        facts.install_scripts = Fact::unknown("PyPI does not report install hooks");
        release_mut(&mut facts, "1.0").files = files
            .iter()
            .map(|name| ReleaseFile {
                filename: name.to_string(),
                sha256: None,
                provenance: None,
            })
            .collect();
        facts
    }

    #[test]
    fn table() {
        let mut cargo = facts_with(
            "cargo",
            "1.0.0",
            vec![release("1.0.0", "2025-01-01T00:00:00Z")],
        );
        cargo.install_scripts = Fact::unknown("crates.io does not report build scripts");
        let mut pypi_unlisted = pypi(&[]);
        pypi_unlisted.releases = Fact::unknown("timeout");
        check(
            &InstallScript,
            vec![
                ("npm, none", facts(), Expect::Clear),
                (
                    "npm, ua-parser-js",
                    npm(&[(
                        "preinstall",
                        "start /B node preinstall.js\n& node preinstall.js",
                    )]),
                    Expect::Risk(
                        "1.1.0 runs install scripts: preinstall `start /B node preinstall.js & node preinstall.js`",
                    ),
                ),
                (
                    "npm, two",
                    npm(&[
                        ("postinstall", "node b.js"),
                        ("install", "node-gyp rebuild"),
                    ]),
                    Expect::Risk("install `node-gyp rebuild`, postinstall `node b.js`"),
                ),
                (
                    "npm, unknown",
                    unknown_facts(),
                    Expect::Unknown("install_scripts", "offline"),
                ),
                (
                    "PyPI, wheel and sdist",
                    pypi(&["pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"]),
                    Expect::Clear,
                ),
                (
                    "PyPI, sdist only",
                    pypi(&["pkg-1.0.tar.gz"]),
                    Expect::Risk("1.0 is published only as a source distribution (pkg-1.0.tar.gz)"),
                ),
                (
                    "PyPI, old zip sdist",
                    pypi(&["pkg-1.0.ZIP"]),
                    Expect::Risk("source distribution"),
                ),
                (
                    "PyPI, files not listed",
                    pypi(&[]),
                    Expect::Unknown("install_scripts", "PyPI does not report install hooks"),
                ),
                (
                    "PyPI, releases unknown",
                    pypi_unlisted,
                    Expect::Unknown("install_scripts", "PyPI does not report install hooks"),
                ),
                ("Cargo", cargo, Expect::Clear),
            ],
        );
    }

    #[test]
    fn evidence_keeps_the_commands() {
        let (_, evidence, _) = risk(evaluate(
            &InstallScript,
            &npm(&[("postinstall", "node x.js")]),
        ));
        assert_eq!(evidence["scripts"]["postinstall"], "node x.js");
    }

    /// The typed evidence serializes to exactly the JSON the `json!` literals it replaced gave
    /// (npm scripts and PyPI source distributions), over the same facts.
    #[test]
    fn typed_evidence_is_the_json_it_replaced() {
        let facts = npm(&[("postinstall", "node x.js"), ("preinstall", "sh -c 'a'")]);
        let scripts = facts.install_scripts.known().unwrap();
        let typed = evidence(&Evidence::Scripts {
            version: &facts.version,
            scripts,
        });
        let old = json!({"version": facts.version, "scripts": scripts});
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
        let names = vec!["pkg-1.0.tar.gz", "pkg-1.0.zip"];
        let typed = evidence(&Evidence::SourceOnly {
            version: &facts.version,
            files: names.clone(),
        });
        let old = json!({"version": facts.version, "files": names});
        assert_eq!(
            serde_json::to_string(&typed).unwrap(),
            serde_json::to_string(&old).unwrap()
        );
    }
}
