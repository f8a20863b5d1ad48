//! The integration tests: one binary (ripgrep's layout), one module per area.

mod cli;
mod fixtures;
mod robustness;
