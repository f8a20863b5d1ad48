//! pypi/poetry-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `pypi/poetry-lock` parser.
#[derive(Debug)]
pub(crate) struct PoetryLock;

impl LockfileParser for PoetryLock {
    fn id(&self) -> &'static str {
        "pypi/poetry-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "poetry.lock"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
