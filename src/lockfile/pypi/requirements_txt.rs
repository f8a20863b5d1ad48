//! pypi/requirements-txt (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `pypi/requirements-txt` parser.
#[derive(Debug)]
pub(crate) struct RequirementsTxt;

impl LockfileParser for RequirementsTxt {
    fn id(&self) -> &'static str {
        "pypi/requirements-txt"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }

    fn matches(&self, path: &Path) -> bool {
        is_requirements_file(path)
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/*.txt`.
fn is_requirements_file(path: &Path) -> bool {
    let name = file_name(path);
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    let in_requirements_dir = path
        .parent()
        .and_then(|parent| parent.file_name())
        .is_some_and(|dir| dir == "requirements");
    stem.starts_with("requirements") || stem.ends_with("requirements") || in_requirements_dir
}
