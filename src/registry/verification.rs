//! The verification stage of gathering: which releases are verified, the requests it makes,
//! and the cache of results. The cryptography and the checks are in [`crate::verify`].
//!
//! Releases looked at, per package: the version in use, and the nearest of its predecessors
//! whose provenance the registry advertises (so later judgement can compare how the two were
//! built): lower versions on its release line published before it, in the ecosystem's version
//! order (`crate::version_order::predecessors`), as the signals compare them; the registry's
//! order when the version does not parse. Everything else keeps its registry-advertised
//! provenance only.
//!
//! Requests: npm — the registry keys once per run (`/-/npm/v1/keys`), and the attestations
//! document of each looked-at release that advertises one; PyPI — the Integrity API
//! provenance of each file of those releases that has one (already fetched by the PyPI client
//! for the version in use: the network layer answers from memory); crates.io — none
//! (`trustpub_data` is recorded as registry-asserted).
//!
//! Results of verifying an attestation are kept in the cache's `derived` table under a key
//! made of everything the result depends on (the bundle, the package, version, digest, the
//! registry keys and the trusted root), so a warm run verifies nothing twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use url::Url;

use super::npm::NpmClient;
use super::pypi::PypiClient;
use crate::model::Ecosystem;
use crate::model::facts::NpmKey;
use crate::model::facts::{Fact, PackageFacts, Provenance, Release, Unknown};
use crate::net::Net;
use crate::verify::bundle::{TrustRoot, sha256_hex};
use crate::verify::pypi::FileOutcome;
use crate::verify::{ProvenanceCheck, SignatureCheck, Verification, npm, pypi, registry_signature};

/// Version of the cached result format (part of every cache key).
const CACHE_VERSION: &str = "verify-v3";

/// How many verifications ran and how many came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerificationStats {
    /// Attestations verified in this run.
    pub verified: u64,
    /// Attestation results taken from the cache.
    pub recalled: u64,
}

/// The verification stage.
#[derive(Debug)]
pub struct Verifier {
    root: Arc<TrustRoot>,
    net: Arc<Net>,
    npm_keys: OnceCell<Fact<Vec<NpmKey>>>,
    verified: AtomicU64,
    recalled: AtomicU64,
}

impl Verifier {
    /// A stage verifying against `root`, caching through `net`.
    pub fn new(root: Arc<TrustRoot>, net: Arc<Net>) -> Self {
        Verifier {
            root,
            net,
            npm_keys: OnceCell::new(),
            verified: AtomicU64::new(0),
            recalled: AtomicU64::new(0),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> VerificationStats {
        VerificationStats {
            verified: self.verified.load(Ordering::Relaxed),
            recalled: self.recalled.load(Ordering::Relaxed),
        }
    }

    /// Verifies the looked-at releases of one package, in place.
    pub async fn verify(&self, facts: &mut PackageFacts, npm: &NpmClient, pypi: &PypiClient) {
        let Fact::Known(releases) = &mut facts.releases else {
            return;
        };
        let chosen = chosen_releases(facts.ecosystem, releases, &facts.version);
        for index in chosen {
            let release = &releases[index];
            let verification = match facts.ecosystem {
                Ecosystem::Npm => self.npm(&facts.name, release, npm).await,
                Ecosystem::Pypi => self.pypi(release, pypi).await,
                Ecosystem::Cargo => cargo(release, &facts.status),
            };
            releases[index].verification = Some(verification);
        }
    }

    async fn npm(&self, name: &str, release: &Release, client: &NpmClient) -> Verification {
        let keys = self.npm_keys.get_or_init(|| client.keys()).await;
        let registry_signature = registry_signature::check(name, release, keys);
        let (provenance, attestations) = match &release.provenance {
            Fact::Unknown(reason) => (
                ProvenanceCheck::Unknown {
                    reason: reason.clone(),
                },
                Vec::new(),
            ),
            Fact::Known(Provenance::None) => (ProvenanceCheck::Absent, Vec::new()),
            Fact::Known(Provenance::TrustedPublishing {
                provider,
                repository,
                workflow: _,
                run,
                commit,
            }) => (
                // A trusted publisher without attestations: the registry's word only.
                ProvenanceCheck::RegistryAsserted {
                    provider: provider.clone(),
                    repository: repository.clone(),
                    run: run.clone(),
                    commit: commit.clone(),
                    trusted_publishing_only: None,
                },
                Vec::new(),
            ),
            Fact::Known(Provenance::Attested { url: None, .. }) => (
                ProvenanceCheck::Unknown {
                    reason: Unknown::malformed(format!(
                        "version {} advertises attestations without a readable address",
                        release.version
                    )),
                },
                Vec::new(),
            ),
            Fact::Known(Provenance::Attested { url: Some(url), .. }) => {
                self.npm_attestations(name, release, url, keys, client)
                    .await
            }
        };
        Verification {
            provenance,
            registry_signature,
            attestations,
        }
    }

    async fn npm_attestations(
        &self,
        name: &str,
        release: &Release,
        url: &str,
        keys: &Fact<Vec<NpmKey>>,
        client: &NpmClient,
    ) -> (ProvenanceCheck, Vec<crate::verify::AttestationCheck>) {
        let unknown = |reason: Unknown| (ProvenanceCheck::Unknown { reason }, Vec::new());
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(error) => {
                return unknown(Unknown::malformed(format!("`{url}` is not a URL: {error}")));
            }
        };
        let document = match client.attestations(&url).await {
            Fact::Known(document) => document,
            Fact::Unknown(reason) => return unknown(reason),
        };
        // A document of the wrong shape is a registry fault: unknown, never invalid.
        let entries = match npm::entries(&document) {
            Ok(entries) => entries,
            Err(reason) => return unknown(Unknown::malformed(format!("`{url}`: {reason}"))),
        };
        let keys_id = sha256_hex(&serde_json::to_vec(keys).unwrap_or_default());
        let mut outcomes = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = self.cache_key(&[
                "npm",
                name,
                &release.version,
                release.integrity.as_deref().unwrap_or(""),
                &keys_id,
                &entry.bundle.to_string(),
                entry.predicate_type.as_deref().unwrap_or(""),
            ]);
            let root = Arc::clone(&self.root);
            let outcome = self
                .cached(&key, || {
                    npm::verify_entry(&root, name, release, &entry, keys)
                })
                .await;
            outcomes.push((entry, outcome));
        }
        npm::combine(&outcomes)
    }

    async fn pypi(&self, release: &Release, client: &PypiClient) -> Verification {
        let registry_signature = SignatureCheck::NotApplicable {
            reason: "PyPI does not sign releases; files carry PEP 740 attestations".into(),
        };
        let (provenance, attestations) = match &release.provenance {
            Fact::Unknown(reason) => (
                ProvenanceCheck::Unknown {
                    reason: reason.clone(),
                },
                Vec::new(),
            ),
            // The index calls a release without provenance when any of its files has none;
            // the files that have some are still verified.
            Fact::Known(Provenance::None)
                if !release.files.iter().any(|file| file.provenance.is_some()) =>
            {
                (ProvenanceCheck::Absent, Vec::new())
            }
            Fact::Known(_) if !release.files.iter().any(|file| file.provenance.is_some()) => (
                ProvenanceCheck::Unknown {
                    reason: Unknown::not_recorded(format!(
                        "the addresses of the provenance of {} are not known",
                        release.version
                    )),
                },
                Vec::new(),
            ),
            Fact::Known(_) => {
                let mut outcomes = Vec::with_capacity(release.files.len());
                for file in &release.files {
                    let outcome = match (&file.provenance, &file.sha256) {
                        (None, _) => FileOutcome::Absent,
                        (Some(_), None) => FileOutcome::Unknown(Unknown::not_recorded(format!(
                            "the index gives no sha256 for {:?}",
                            file.filename
                        ))),
                        // A digest that is not hex SHA-256 is the index's fault, not a
                        // failed attestation.
                        (Some(_), Some(sha256))
                            if crate::verify::bundle::hex_sha256(sha256).is_none() =>
                        {
                            FileOutcome::Unknown(Unknown::malformed(format!(
                                "the index gives no usable sha256 for {:?} (64 hex digits expected)",
                                file.filename
                            )))
                        }
                        (Some(url), Some(sha256)) => match client.provenance_document(url).await {
                            Fact::Unknown(reason) => FileOutcome::Unknown(reason),
                            // The client refuses documents of the wrong shape; checked again
                            // so that a fault can never reach `verify_file` as "invalid".
                            Fact::Known(document) => {
                                if let Err(why) = pypi::check_document(&document) {
                                    outcomes.push((
                                        file.clone(),
                                        FileOutcome::Unknown(Unknown::malformed(format!(
                                            "`{url}` is not a provenance document (PEP 740): {why}"
                                        ))),
                                    ));
                                    continue;
                                }
                                let key = self.cache_key(&[
                                    "pypi",
                                    &file.filename,
                                    sha256,
                                    &document.to_string(),
                                ]);
                                let root = Arc::clone(&self.root);
                                let outcome: Result<
                                    (crate::verify::BuildIdentity, String),
                                    String,
                                > = self
                                    .cached(&key, || {
                                        pypi::verify_file(&root, &file.filename, sha256, &document)
                                    })
                                    .await;
                                match outcome {
                                    Ok((identity, predicate)) => {
                                        FileOutcome::Verified(Box::new(identity), predicate)
                                    }
                                    Err(reason) => FileOutcome::Invalid(reason),
                                }
                            }
                        },
                    };
                    outcomes.push((file.clone(), outcome));
                }
                pypi::combine(&outcomes)
            }
        };
        Verification {
            provenance,
            registry_signature,
            attestations,
        }
    }

    fn cache_key(&self, parts: &[&str]) -> String {
        let mut material = String::new();
        for part in parts {
            material.push_str(&part.len().to_string());
            material.push(':');
            material.push_str(part);
        }
        format!(
            "{CACHE_VERSION}:{}:{}",
            self.root.id,
            sha256_hex(material.as_bytes())
        )
    }

    /// The result stored under `key`, else `work()` (stored for next time).
    async fn cached<T, E>(&self, key: &str, work: impl FnOnce() -> Result<T, E>) -> Result<T, E>
    where
        T: Serialize + for<'de> Deserialize<'de>,
        E: Serialize + for<'de> Deserialize<'de>,
    {
        if let Some(bytes) = self.net.recall(key).await
            && let Ok(result) = serde_json::from_slice::<Result<T, E>>(&bytes)
        {
            self.recalled.fetch_add(1, Ordering::Relaxed);
            return result;
        }
        let result = work();
        self.verified.fetch_add(1, Ordering::Relaxed);
        if let Ok(bytes) = serde_json::to_vec(&result) {
            self.net.remember(key, bytes).await;
        }
        result
    }
}

/// crates.io: trusted publishing is the registry's word (unsigned).
fn cargo(release: &Release, status: &Fact<crate::model::facts::Status>) -> Verification {
    let provenance = match &release.provenance {
        Fact::Unknown(reason) => ProvenanceCheck::Unknown {
            reason: reason.clone(),
        },
        Fact::Known(Provenance::TrustedPublishing {
            provider,
            repository,
            run,
            commit,
            ..
        }) => ProvenanceCheck::RegistryAsserted {
            provider: provider.clone(),
            repository: repository.clone(),
            run: run.clone(),
            commit: commit.clone(),
            trusted_publishing_only: status.known().and_then(|s| s.trusted_publishing_only),
        },
        Fact::Known(Provenance::None | Provenance::Attested { .. }) => ProvenanceCheck::Absent,
    };
    Verification {
        provenance,
        registry_signature: SignatureCheck::NotApplicable {
            reason: "crates.io does not sign releases".into(),
        },
        attestations: Vec::new(),
    }
}

/// The version in use and the nearest of its predecessors with advertised provenance (the
/// latest earlier one in the registry's order, oldest first, when its version does not parse).
fn chosen_releases(ecosystem: Ecosystem, releases: &[Release], version: &str) -> Vec<usize> {
    let Some(in_use) = releases.iter().position(|r| r.version == version) else {
        return Vec::new();
    };
    [Some(in_use), earlier_attested(ecosystem, releases, in_use)]
        .into_iter()
        .flatten()
        .collect()
}

/// The nearest predecessor of `releases[in_use]` whose provenance the registry advertises.
pub(crate) fn earlier_attested(
    ecosystem: Ecosystem,
    releases: &[Release],
    in_use: usize,
) -> Option<usize> {
    let advertised = |release: &Release| {
        matches!(
            release.provenance,
            Fact::Known(Provenance::Attested { .. } | Provenance::TrustedPublishing { .. })
        )
    };
    match crate::version_order::predecessors(ecosystem, releases, in_use) {
        Ok((predecessors, _)) => predecessors
            .into_iter()
            .find(|&index| advertised(&releases[index])),
        Err(_) => releases[..in_use.min(releases.len())]
            .iter()
            .rposition(advertised),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::model::facts::Status;
    use crate::net::NetConfig;
    use crate::registry::test_support::{quick_net, sample_text};

    const SDIST: &str = "sampleproject-4.0.0.tar.gz";
    const SDIST_SHA: &str = "0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b";
    const WHEEL: &str = "sampleproject-4.0.0-py3-none-any.whl";
    const WHEEL_SHA: &str = "c23e447ea90d796d1e645c35c4b2de125040add12a845825546f91c93f391b6b";

    /// A PyPI whose Simple API (1.4) advertises the real PEP 740 provenance of the sdist.
    async fn pypi(sdist_sha: &str) -> MockServer {
        pypi_with(sdist_sha, false).await
    }

    /// With `wheel`, the release also has a wheel without provenance.
    async fn pypi_with(sdist_sha: &str, wheel: bool) -> MockServer {
        pypi_serving(sdist_sha, wheel, &sample_text("pypi-provenance.json")).await
    }

    /// The same PyPI, its Integrity API answering `provenance` for the sdist.
    async fn pypi_serving(sdist_sha: &str, wheel: bool, provenance: &str) -> MockServer {
        let server = MockServer::start().await;
        let mut files = vec![json!({
            "filename": SDIST, "upload-time": "2024-05-24T00:00:00Z", "yanked": false,
            "hashes": {"sha256": sdist_sha},
            "provenance": format!("/integrity/sampleproject/4.0.0/{SDIST}/provenance")
        })];
        if wheel {
            files.push(json!({
                "filename": WHEEL, "upload-time": "2024-05-24T00:00:00Z", "yanked": false,
                "hashes": {"sha256": WHEEL_SHA}, "provenance": null
            }));
        }
        let page = json!({
            "meta": {"api-version": "1.4"},
            "name": "sampleproject",
            "project-status": {"status": "active"},
            "files": files,
        });
        for (at, status, body) in [
            ("/pypi/sampleproject/json".to_string(), 404, String::new()),
            ("/simple/sampleproject/".to_string(), 200, page.to_string()),
            (
                format!("/integrity/sampleproject/4.0.0/{SDIST}/provenance"),
                200,
                provenance.to_string(),
            ),
        ] {
            Mock::given(method("GET"))
                .and(path(at))
                .respond_with(ResponseTemplate::new(status).set_body_string(body))
                .mount(&server)
                .await;
        }
        server
    }

    fn clients(server: &MockServer, net: &Arc<Net>) -> (NpmClient, PypiClient) {
        let base = Url::parse(&format!("{}/", server.uri())).unwrap();
        (
            NpmClient::new(Arc::clone(net), base.clone()),
            PypiClient::new(Arc::clone(net), base),
        )
    }

    fn root() -> Arc<TrustRoot> {
        Arc::new(TrustRoot::production().unwrap())
    }

    fn in_use(facts: &PackageFacts) -> &Release {
        facts
            .releases
            .known()
            .unwrap()
            .iter()
            .find(|r| r.version == facts.version)
            .unwrap()
    }

    #[tokio::test]
    async fn pypi_files_are_verified_against_their_declared_publisher() {
        let server = pypi(SDIST_SHA).await;
        let net = quick_net();
        let (npm, pypi) = clients(&server, &net);
        let verifier = Verifier::new(root(), Arc::clone(&net));
        let mut facts = pypi.package("sampleproject", "4.0.0").await;
        verifier.verify(&mut facts, &npm, &pypi).await;

        let verification = in_use(&facts).verification.clone().unwrap();
        let ProvenanceCheck::Verified { identity } = &verification.provenance else {
            panic!("{verification:?}");
        };
        assert_eq!(
            identity.repository.as_deref(),
            Some("https://github.com/pypa/sampleproject")
        );
        assert_eq!(
            identity.workflow.as_deref(),
            Some(".github/workflows/release.yml")
        );
        assert!(matches!(
            verification.registry_signature,
            SignatureCheck::NotApplicable { .. }
        ));
        let sdist = verification
            .attestations
            .iter()
            .find(|a| a.subject == SDIST)
            .unwrap();
        assert_eq!(sdist.failure, None);
        assert_eq!(verifier.stats().verified, 1);
    }

    #[tokio::test]
    async fn a_file_without_provenance_beside_attested_ones_leaves_the_release_without() {
        let server = pypi_with(SDIST_SHA, true).await;
        let net = quick_net();
        let (npm, pypi) = clients(&server, &net);
        let verifier = Verifier::new(root(), Arc::clone(&net));
        let mut facts = pypi.package("sampleproject", "4.0.0").await;
        verifier.verify(&mut facts, &npm, &pypi).await;
        let verification = in_use(&facts).verification.clone().unwrap();
        assert_eq!(verification.provenance, ProvenanceCheck::Absent);
        let failure = |name: &str| {
            verification
                .attestations
                .iter()
                .find(|a| a.subject == name)
                .unwrap()
                .failure
                .clone()
        };
        assert_eq!(failure(SDIST), None, "the attested file still verified");
        assert_eq!(
            failure(WHEEL).as_deref(),
            Some("no provenance for this file")
        );
    }

    #[tokio::test]
    async fn a_pypi_file_whose_digest_differs_from_the_attested_one_is_invalid() {
        let server = pypi(&"ab".repeat(32)).await;
        let net = quick_net();
        let (npm, pypi) = clients(&server, &net);
        let verifier = Verifier::new(root(), Arc::clone(&net));
        let mut facts = pypi.package("sampleproject", "4.0.0").await;
        verifier.verify(&mut facts, &npm, &pypi).await;
        let verification = in_use(&facts).verification.clone().unwrap();
        let ProvenanceCheck::Invalid { reason } = &verification.provenance else {
            panic!("{verification:?}");
        };
        assert!(reason.contains(SDIST), "{reason}");
    }

    /// Issue 11 item 5: an Integrity API answering `200 {}` (or bundles that are not objects,
    /// an attestation without its parts) is a registry fault: the provenance is unknown with
    /// the URL and the expected shape, never invalid (`provenance-invalid` is critical).
    #[tokio::test]
    async fn a_pypi_provenance_document_of_the_wrong_shape_is_unknown_not_invalid() {
        let real: Value = serde_json::from_str(&sample_text("pypi-provenance.json")).unwrap();
        let mut no_signature = real.clone();
        no_signature["attestation_bundles"][0]["attestations"][0]["envelope"]
            .as_object_mut()
            .unwrap()
            .remove("signature");
        for (body, expected) in [
            (json!({}), "no `attestation_bundles` list"),
            (json!({"error": "oops"}), "no `attestation_bundles` list"),
            (
                json!({"attestation_bundles": []}),
                "`attestation_bundles` is empty",
            ),
            (
                json!({"attestation_bundles": [1, 2]}),
                "attestation bundle 1 is a number, not an object",
            ),
            (
                json!({"attestation_bundles": [{"publisher": [], "attestations": []}]}),
                "attestation bundle 1: `publisher` is a list",
            ),
            (
                no_signature,
                "attestation bundle 1, attestation 1: the attestation has no `signature`",
            ),
            (json!([]), "the body is a list, not an object"),
        ] {
            let server = pypi_serving(SDIST_SHA, false, &body.to_string()).await;
            let net = quick_net();
            let (npm, pypi) = clients(&server, &net);
            let verifier = Verifier::new(root(), Arc::clone(&net));
            let mut facts = pypi.package("sampleproject", "4.0.0").await;
            verifier.verify(&mut facts, &npm, &pypi).await;
            let verification = in_use(&facts).verification.clone().unwrap();
            let url = format!(
                "{}/integrity/sampleproject/4.0.0/{SDIST}/provenance",
                server.uri()
            );
            assert_eq!(
                verification.provenance,
                ProvenanceCheck::Unknown {
                    reason: Unknown::malformed(format!(
                        "{SDIST:?}: `{url}` is not a provenance document (PEP 740): {expected}"
                    ))
                },
                "{body}"
            );
            assert_eq!(verifier.stats().verified, 0, "nothing was verified: {body}");
        }
    }

    /// A digest the index gives that is not hex SHA-256 is the index's fault: unknown, not an
    /// attestation that fails to match (invalid).
    #[tokio::test]
    async fn an_unusable_index_digest_is_unknown_not_invalid() {
        let server = pypi("zz").await;
        let net = quick_net();
        let (npm, pypi) = clients(&server, &net);
        let verifier = Verifier::new(root(), Arc::clone(&net));
        let mut facts = pypi.package("sampleproject", "4.0.0").await;
        verifier.verify(&mut facts, &npm, &pypi).await;
        let verification = in_use(&facts).verification.clone().unwrap();
        assert_eq!(
            verification.provenance,
            ProvenanceCheck::Unknown {
                reason: Unknown::malformed(format!(
                    "{SDIST:?}: the index gives no usable sha256 for {SDIST:?} (64 hex digits expected)"
                ))
            }
        );
    }

    /// npm: the attestations endpoint answering `200 {}`, an empty list or entries of the wrong
    /// shape leaves the provenance unknown with the URL, never invalid.
    #[tokio::test]
    async fn an_npm_attestations_document_of_the_wrong_shape_is_unknown_not_invalid() {
        for (body, expected) in [
            (
                json!({}),
                "the attestations document has no `attestations` list",
            ),
            (
                json!({"attestations": {}}),
                "the attestations document's `attestations` is an object, not a list",
            ),
            (
                json!({"attestations": []}),
                "the attestations document lists no attestation",
            ),
            (
                json!({"attestations": [[]]}),
                "attestation 1 is a list, not an object",
            ),
            (
                json!({"attestations": [{"predicateType": "https://slsa.dev/provenance/v1", "bundle": {}}]}),
                "attestation 1: not a Sigstore bundle",
            ),
        ] {
            let server = MockServer::start().await;
            let attestations = format!("{}/-/npm/v1/attestations/hostile@1.0.0", server.uri());
            let packument = json!({
                "name": "hostile",
                "time": {"1.0.0": "2026-01-02T00:00:00.000Z"},
                "maintainers": [{"name": "alice"}],
                "versions": {"1.0.0": {
                    "name": "hostile", "version": "1.0.0", "_npmUser": {"name": "alice"},
                    "dist": {
                        "integrity": format!("sha512-{}", "A".repeat(86) + "=="),
                        "attestations": {"url": attestations,
                                         "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}
                    }
                }}
            });
            for (at, status, body) in [
                ("/hostile".to_string(), 200, packument.to_string()),
                ("/-/npm/v1/keys".to_string(), 404, String::new()),
                (
                    "/-/npm/v1/attestations/hostile@1.0.0".to_string(),
                    200,
                    body.to_string(),
                ),
            ] {
                Mock::given(method("GET"))
                    .and(path(at))
                    .respond_with(ResponseTemplate::new(status).set_body_string(body))
                    .mount(&server)
                    .await;
            }
            let net = quick_net();
            let (npm, pypi) = clients(&server, &net);
            let verifier = Verifier::new(root(), Arc::clone(&net));
            let mut facts = npm.package("hostile", "1.0.0").await;
            verifier.verify(&mut facts, &npm, &pypi).await;
            let verification = in_use(&facts).verification.clone().unwrap();
            let ProvenanceCheck::Unknown { reason } = &verification.provenance else {
                panic!("{body}: {verification:?}");
            };
            assert!(
                reason.starts_with(&format!(
                    "`{attestations}`: not an attestations document: {expected}"
                )),
                "{body}: {reason}"
            );
            assert_eq!(verifier.stats().verified, 0, "nothing was verified: {body}");
        }
    }

    #[tokio::test]
    async fn a_warm_run_verifies_nothing_twice() {
        let server = pypi(SDIST_SHA).await;
        let cache = tempfile::tempdir().unwrap();
        let config = NetConfig {
            max_retries: 0,
            cache_dir: Some(cache.path().to_path_buf()),
            ..NetConfig::default()
        };
        let mut results = Vec::new();
        for run in 0..2 {
            let net = Net::new(config.clone(), jiff::Timestamp::UNIX_EPOCH).unwrap();
            let (npm, pypi) = clients(&server, &net);
            let verifier = Verifier::new(root(), Arc::clone(&net));
            let mut facts = pypi.package("sampleproject", "4.0.0").await;
            verifier.verify(&mut facts, &npm, &pypi).await;
            let expected = if run == 0 {
                VerificationStats {
                    verified: 1,
                    recalled: 0,
                }
            } else {
                VerificationStats {
                    verified: 0,
                    recalled: 1,
                }
            };
            assert_eq!(verifier.stats(), expected, "run {run}");
            results.push(in_use(&facts).verification.clone());
        }
        assert_eq!(results[0], results[1]);
        // Another trusted root does not reuse the results.
        let other = TrustRoot::from_json(
            &sample_text("trusted_root.json"),
            "fixtures/samples/trusted_root.json",
        )
        .unwrap();
        let net = Net::new(config, jiff::Timestamp::UNIX_EPOCH).unwrap();
        let (npm, pypi) = clients(&server, &net);
        let verifier = Verifier::new(Arc::new(other), Arc::clone(&net));
        let mut facts = pypi.package("sampleproject", "4.0.0").await;
        verifier.verify(&mut facts, &npm, &pypi).await;
        let stats = verifier.stats();
        assert_eq!(stats.recalled + stats.verified, 1);
    }

    /// The earlier release verified is the nearest predecessor on the release line with
    /// advertised provenance, as the signals compare them: a backport 1.2.9 published after
    /// 2.0.0 is compared with 1.2.8.
    #[test]
    fn the_earlier_release_looked_at_is_the_predecessor_on_the_line() {
        let attested = || {
            Fact::Known(Provenance::Attested {
                url: None,
                predicate_type: None,
            })
        };
        let at = |release: Release, time: &str| Release {
            published: Some(time.parse().unwrap()),
            ..release
        };
        let releases = vec![
            at(crate_release("1.2.7", attested()), "2024-01-01T00:00:00Z"),
            at(
                crate_release("1.2.8", Fact::Known(Provenance::None)),
                "2024-02-01T00:00:00Z",
            ),
            at(crate_release("2.0.0", attested()), "2024-03-01T00:00:00Z"),
            at(crate_release("1.2.9", attested()), "2024-04-01T00:00:00Z"),
        ];
        assert_eq!(
            chosen_releases(Ecosystem::Cargo, &releases, "1.2.9"),
            [3, 0]
        );
        assert_eq!(
            chosen_releases(Ecosystem::Cargo, &releases, "2.0.0"),
            [2, 0]
        );
        // A version that does not parse: the registry's order.
        let mut loose = releases.clone();
        loose[3].version = "1.2.9-".into();
        assert_eq!(chosen_releases(Ecosystem::Cargo, &loose, "1.2.9-"), [3, 2]);
    }

    fn crate_release(version: &str, provenance: Fact<Provenance>) -> Release {
        Release::new(version, None, Fact::Known(None), provenance)
    }

    #[tokio::test]
    async fn crates_trusted_publishing_is_registry_asserted() {
        let mut facts = crate::model::facts::PackageFacts::all_unknown(
            &crate::model::PackageId::new(crate::model::Ecosystem::Cargo, "foo", "1.2.0"),
            "x",
        );
        facts.releases = Fact::Known(vec![
            crate_release(
                "1.1.0",
                Fact::Known(Provenance::TrustedPublishing {
                    provider: "github".into(),
                    repository: Some("rust-lang/foo-rs".into()),
                    workflow: None,
                    run: Some("1".into()),
                    commit: Some("abc".into()),
                }),
            ),
            crate_release("1.1.5", Fact::Known(Provenance::None)),
            crate_release("1.2.0", Fact::Known(Provenance::None)),
        ]);
        facts.status = Fact::Known(Status {
            trusted_publishing_only: Some(false),
            ..Status::default()
        });
        let server = MockServer::start().await;
        let net = quick_net();
        let (npm, pypi) = clients(&server, &net);
        Verifier::new(root(), Arc::clone(&net))
            .verify(&mut facts, &npm, &pypi)
            .await;
        let releases = facts.releases.known().unwrap();
        assert_eq!(
            releases[2].verification.as_ref().unwrap().provenance,
            ProvenanceCheck::Absent
        );
        assert_eq!(releases[1].verification, None, "not looked at");
        assert_eq!(
            releases[0].verification.as_ref().unwrap().provenance,
            ProvenanceCheck::RegistryAsserted {
                provider: "github".into(),
                repository: Some("rust-lang/foo-rs".into()),
                run: Some("1".into()),
                commit: Some("abc".into()),
                trusted_publishing_only: Some(false),
            }
        );
        // No request was needed.
        assert_eq!(net.stats().requests_sent, 0);
    }
}
