//! npm/yarn-berry (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `npm/yarn-berry` parser.
#[derive(Debug)]
pub(crate) struct YarnBerry;

impl LockfileParser for YarnBerry {
    fn id(&self) -> &'static str {
        "npm/yarn-berry"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "yarn.lock"
    }

    fn claims(&self, contents: &str) -> bool {
        is_berry(contents)
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}

/// Whether a `yarn.lock` is a berry (YAML, `__metadata`) lockfile.
pub(crate) fn is_berry(contents: &str) -> bool {
    contents
        .lines()
        .any(|line| line.starts_with("__metadata:") || line.starts_with("\"__metadata\":"))
}
