//! npm/pnpm-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `npm/pnpm-lock` parser.
#[derive(Debug)]
pub(crate) struct PnpmLock;

impl LockfileParser for PnpmLock {
    fn id(&self) -> &'static str {
        "npm/pnpm-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "pnpm-lock.yaml"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
