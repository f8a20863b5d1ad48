//! npm/package-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `npm/package-lock` parser.
#[derive(Debug)]
pub(crate) struct PackageLock;

impl LockfileParser for PackageLock {
    fn id(&self) -> &'static str {
        "npm/package-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn matches(&self, path: &Path) -> bool {
        matches!(file_name(path), "package-lock.json" | "npm-shrinkwrap.json")
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
