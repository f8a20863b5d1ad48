//! What the signal tests share: a fixed clock, builders of [`PackageFacts`] whose every fact
//! is known and unremarkable (so a test changes only what it is about), and a table runner.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::{Context, Outcome, Params, Signal};
use crate::model::facts::{
    Fact, Identity, IdentityKind, Owner, PackageFacts, Provenance, Release, RepositoryFacts, Status,
};
use crate::model::verification::{BuildIdentity, ProvenanceCheck, SignatureCheck, Verification};
use crate::rules::Severity;

/// The run's clock in every signal test: 2026-01-01T00:00:00Z.
pub(crate) const NOW: Timestamp = Timestamp::constant(1_767_225_600, 0);

/// A timestamp from RFC 3339 text.
pub(crate) fn at(text: &str) -> Timestamp {
    text.parse().expect("an RFC 3339 timestamp")
}

/// An npm user account.
pub(crate) fn user(name: &str) -> Identity {
    Identity {
        id: format!("npm:user:{name}"),
        display: name.to_string(),
        kind: IdentityKind::User,
    }
}

/// An owner with that npm account.
pub(crate) fn owner(name: &str) -> Owner {
    Owner {
        identity: user(name),
        role: Some("maintainer".into()),
    }
}

/// A release published by `alice` at `published`, without provenance, not yanked.
pub(crate) fn release(version: &str, published: &str) -> Release {
    Release::new(
        version,
        Some(at(published)),
        Fact::Known(Some(user("alice"))),
        Fact::Known(Provenance::None),
    )
}

/// The same release, published by the npm user `name`.
pub(crate) fn by(mut release: Release, name: &str) -> Release {
    release.publisher = Fact::Known(Some(user(name)));
    release
}

/// A GitHub Actions build of `https://github.com/<repository>` (id `repository_id`) by
/// `.github/workflows/<workflow>`.
pub(crate) fn build(repository: &str, repository_id: &str, workflow: &str) -> BuildIdentity {
    BuildIdentity {
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        subject: Some(format!(
            "https://github.com/{repository}/.github/workflows/{workflow}@refs/tags/v1"
        )),
        repository: Some(format!("https://github.com/{repository}")),
        repository_id: Some(repository_id.to_string()),
        repository_owner_id: Some("1".into()),
        workflow: Some(format!(".github/workflows/{workflow}")),
        workflow_ref: Some("refs/tags/v1".into()),
        commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        builder: Some("github-hosted".into()),
        trigger: Some("push".into()),
        environment: None,
        run: None,
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
    }
}

/// A verification result: provenance `provenance`, registry signature verified.
pub(crate) fn verification(provenance: ProvenanceCheck) -> Verification {
    Verification {
        provenance,
        registry_signature: SignatureCheck::Verified {
            keyid: "SHA256:key".into(),
        },
        attestations: Vec::new(),
    }
}

/// Verified provenance from that build.
pub(crate) fn verified(identity: BuildIdentity) -> Verification {
    verification(ProvenanceCheck::Verified {
        identity: Box::new(identity),
    })
}

/// The same release, attested (npm `dist.attestations`) and verified as built by `identity`.
pub(crate) fn attested(mut release: Release, identity: BuildIdentity) -> Release {
    release.provenance = Fact::Known(Provenance::Attested {
        url: Some("https://registry.example/-/npm/v1/attestations/pkg".into()),
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
    });
    release.verification = Some(verified(identity));
    release
}

/// A GitHub repository `owner/repo`, active (pushed 2025-12-01), not archived.
pub(crate) fn repository_facts() -> RepositoryFacts {
    RepositoryFacts {
        host: "github".into(),
        id: 1,
        full_name: "owner/repo".into(),
        owner: "owner".into(),
        archived: false,
        disabled: false,
        pushed_at: Some(at("2025-12-01T00:00:00Z")),
        default_branch: Some("main".into()),
        moved_from: None,
    }
}

/// Facts of `<ecosystem>:pkg@<version>` with these releases; every other fact known and
/// unremarkable: owners alice and bob, repository `https://github.com/owner/repo` (active),
/// no status, no install scripts.
pub(crate) fn facts_with(ecosystem: &str, version: &str, releases: Vec<Release>) -> PackageFacts {
    PackageFacts {
        id: format!("{ecosystem}:pkg@{version}").parse().expect("an id"),
        ecosystem: crate::model::Ecosystem::parse(ecosystem).expect("an ecosystem"),
        name: "pkg".into(),
        version: version.to_string(),
        registry: "https://registry.example/".into(),
        releases: Fact::Known(releases),
        owners: Fact::Known(vec![owner("alice"), owner("bob")]),
        repository: Fact::Known(Some("https://github.com/owner/repo".into())),
        repository_facts: Fact::Known(repository_facts()),
        status: Fact::Known(Status::default()),
        install_scripts: Fact::Known(BTreeMap::new()),
        notes: Vec::new(),
        declared_dependencies: None,
    }
}

/// `npm:pkg@1.1.0`: 1.0.0 (2025-01-01) and 1.1.0 (2025-06-01), both by alice.
pub(crate) fn facts() -> PackageFacts {
    facts_with(
        "npm",
        "1.1.0",
        vec![
            release("1.0.0", "2025-01-01T00:00:00Z"),
            release("1.1.0", "2025-06-01T00:00:00Z"),
        ],
    )
}

/// Facts of `npm:pkg@1.1.0` where nothing could be established.
pub(crate) fn unknown_facts() -> PackageFacts {
    let reason = "offline, nothing cached";
    PackageFacts {
        releases: Fact::unknown(reason),
        owners: Fact::unknown(reason),
        repository: Fact::unknown(reason),
        repository_facts: Fact::unknown(reason),
        status: Fact::unknown(reason),
        install_scripts: Fact::unknown(reason),
        ..facts()
    }
}

/// The release of `facts` with this version, to change it.
pub(crate) fn release_mut<'a>(facts: &'a mut PackageFacts, version: &str) -> &'a mut Release {
    let Fact::Known(releases) = &mut facts.releases else {
        panic!("the releases are unknown");
    };
    releases
        .iter_mut()
        .find(|release| release.version == version)
        .expect("a release with that version")
}

/// A package with something for every signal to look at: a takeover of an old, dormant
/// package (new publisher and maintainer, no provenance after attested releases, an
/// install script, a repository that moved).
pub(crate) fn busy_package() -> PackageFacts {
    let mut facts = facts_with(
        "npm",
        "2.0.1",
        vec![
            by(release("1.0.0", "2021-01-01T00:00:00Z"), "alice"),
            by(release("1.1.0", "2022-03-01T00:00:00Z"), "alice"),
            by(release("2.0.0", "2025-12-20T00:00:00Z"), "mallory"),
            by(release("2.0.1", "2025-12-30T00:00:00Z"), "mallory"),
        ],
    );
    let attested_release = release_mut(&mut facts, "1.1.0");
    *attested_release = attested(attested_release.clone(), build("owner/repo", "1", "ci.yml"));
    attested_release.maintainers = Some(vec![owner("alice")]);
    release_mut(&mut facts, "2.0.1").maintainers = Some(vec![owner("alice"), owner("mallory")]);
    release_mut(&mut facts, "2.0.0").maintainers = Some(vec![owner("alice")]);
    facts.owners = Fact::Known(vec![owner("mallory")]);
    facts.install_scripts = Fact::Known(
        [("postinstall".to_string(), "node steal.js".to_string())]
            .into_iter()
            .collect(),
    );
    if let Fact::Known(repository) = &mut facts.repository_facts {
        repository.moved_from = Some("owner/old".into());
        repository.pushed_at = None;
    }
    facts
}

/// Evaluates `signal` with its catalog defaults, no earlier run, at [`NOW`].
pub(crate) fn evaluate(signal: &dyn Signal, facts: &PackageFacts) -> Outcome {
    evaluate_with(signal, facts, None, &Params::defaults(signal.id()))
}

/// Evaluates `signal` with an earlier run's facts and these parameters, at [`NOW`].
pub(crate) fn evaluate_with(
    signal: &dyn Signal,
    facts: &PackageFacts,
    previous: Option<&PackageFacts>,
    params: &Params,
) -> Outcome {
    signal.evaluate(&Context {
        facts,
        previous,
        now: NOW,
        params,
    })
}

/// The catalog defaults of `signal` with `name` set to `value`.
pub(crate) fn params_with(signal: &dyn Signal, name: &str, value: i64) -> Params {
    params_with_all(signal, &[(name, value)])
}

/// The catalog defaults of `signal` with each `name` set to its `value` (their typed view
/// must exist: a name or value that does not fit the rule fails the test).
pub(crate) fn params_with_all(signal: &dyn Signal, values: &[(&str, i64)]) -> Params {
    let mut all = Params::defaults(signal.id()).values().clone();
    for (name, value) in values {
        all.insert(name.to_string(), toml::Value::Integer(*value));
    }
    let params = Params::new(signal.id(), all);
    assert_eq!(params.problem(), None, "{}", signal.id());
    params
}

/// What a table case expects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect {
    /// [`Outcome::Clear`].
    Clear,
    /// [`Outcome::Risk`] whose message contains this text.
    Risk(&'static str),
    /// [`Outcome::Unknown`] of this fact, whose reason contains the second text.
    Unknown(&'static str, &'static str),
}

/// Runs a table of named cases through `signal` (catalog defaults, no earlier run, [`NOW`]),
/// and checks what every risk must be: a one-line message and a JSON object as evidence.
pub(crate) fn check(signal: &dyn Signal, cases: Vec<(&str, PackageFacts, Expect)>) {
    for (name, facts, expect) in cases {
        let outcome = evaluate(signal, &facts);
        check_outcome(signal, name, &outcome, expect);
    }
}

/// Checks one outcome against what a case expects.
pub(crate) fn check_outcome(signal: &dyn Signal, name: &str, outcome: &Outcome, expect: Expect) {
    let id = signal.id();
    match (expect, outcome) {
        (Expect::Clear, Outcome::Clear) => {}
        (
            Expect::Risk(text),
            Outcome::Risk {
                message, evidence, ..
            },
        ) => {
            assert!(
                message.contains(text),
                "{id}/{name}: {message:?} lacks {text:?}"
            );
            assert!(
                !message.contains('\n'),
                "{id}/{name}: {message:?} spans lines"
            );
            assert!(evidence.is_object(), "{id}/{name}: evidence {evidence}");
        }
        (
            Expect::Unknown(fact, text),
            Outcome::Unknown {
                fact: found,
                reason,
            },
        ) => {
            assert_eq!(found, fact, "{id}/{name}: {reason}");
            assert!(
                reason.contains(text),
                "{id}/{name}: {reason:?} lacks {text:?}"
            );
        }
        (expect, outcome) => panic!("{id}/{name}: expected {expect:?}, got {outcome:?}"),
    }
}

/// The message, evidence and severity of a risk; panics on another outcome.
pub(crate) fn risk(outcome: Outcome) -> (String, Value, Option<Severity>) {
    match outcome {
        Outcome::Risk {
            message,
            evidence,
            severity,
        } => (message, evidence, severity),
        other => panic!("expected a risk, got {other:?}"),
    }
}
