//! pypi/pdm-lock (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `pypi/pdm-lock` parser.
#[derive(Debug)]
pub(crate) struct PdmLock;

impl LockfileParser for PdmLock {
    fn id(&self) -> &'static str {
        "pypi/pdm-lock"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "pdm.lock"
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
