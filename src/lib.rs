//! deptrust: tells a team whether it can trust its dependencies.
//!
//! Data flows one way: [`lockfile`] (one parser per format) → [`graph`] (petgraph, metrics,
//! blast radius) → [`registry`] (facts from each service, no judgement, over [`net`]) →
//! [`verify`] (signatures and attestations, pure) → `signals` (pure judgement, one per rule of
//! [`rules`]) → `policy` (`deptrust.toml`) → [`scan`] (evaluation, scoring, gate) →
//! [`report`] (renderers). The library never prints; `main` reads the clock, the environment
//! and the terminal.
//!
//! The public modules are the library API that the binary (`src/main.rs`), the integration
//! tests, the benches and the fuzz targets call; the rest (`coverage`, `history`, `policy`,
//! `redact`, `signals`, `version_order`) are private to the crate. Judgement is private: the
//! scan ([`scan::judge`], [`scan::evaluate`]) is the way in.

pub mod app;
pub mod config;
pub(crate) mod coverage;
pub mod fuzz;
pub mod graph;
pub(crate) mod history;
pub mod lockfile;
pub mod model;
pub mod monthly;
pub mod net;
pub(crate) mod policy;
pub(crate) mod redact;
pub mod registry;
pub mod report;
pub mod rules;
pub mod scan;
pub mod score;
pub(crate) mod signals;
pub mod verify;
pub(crate) mod version_order;
