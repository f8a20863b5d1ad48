//! deptrust: tells a team whether it can trust its dependencies.
//!
//! Data flows one way: [`lockfile`] (one parser per format) → [`graph`] (petgraph, metrics,
//! blast radius) → [`report`] (renderers). Later layers (registry facts, signals, policy) plug
//! in after the graph.

pub mod config;
pub mod graph;
pub mod lockfile;
pub mod model;
pub mod net;
pub mod policy;
pub mod registry;
pub mod report;
pub mod rules;
pub mod scan;
pub mod signals;
pub mod verify;
