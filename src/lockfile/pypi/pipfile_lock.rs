//! pypi/pipfile-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `pypi/pipfile-lock` parser.
#[derive(Debug)]
pub(crate) struct PipfileLock;

impl LockfileParser for PipfileLock {
    fn id(&self) -> &'static str {
        "pypi/pipfile-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "Pipfile.lock"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
