//! The integration tests: one binary (ripgrep's layout), one module per area.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step fails the test with its reason"
)]

mod architecture;
mod browser;
mod calibration;
mod cli;
mod confinement;
mod facts;
mod fixtures;
mod formats;
mod fuzz_regressions;
mod hostile_corpus;
mod hostile_registry;
mod reads;
mod report;
mod robustness;
mod scan;
mod support;
mod verify;
