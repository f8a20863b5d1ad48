//! pypi/uv-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `pypi/uv-lock` parser.
#[derive(Debug)]
pub(crate) struct UvLock;

impl LockfileParser for UvLock {
    fn id(&self) -> &'static str {
        "pypi/uv-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "uv.lock"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
