//! npm/yarn-classic (being written).

use std::path::Path;

use crate::lockfile::{LockfileInput, LockfileParser, ParseError, file_name};
use crate::model::{Ecosystem, Lockfile};

/// The `npm/yarn-classic` parser.
#[derive(Debug)]
pub(crate) struct YarnClassic;

impl LockfileParser for YarnClassic {
    fn id(&self) -> &'static str {
        "npm/yarn-classic"
    }

    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn matches(&self, path: &Path) -> bool {
        file_name(path) == "yarn.lock"
    }

    fn claims(&self, contents: &str) -> bool {
        !super::yarn_berry::is_berry(contents)
    }

    fn parse(&self, input: &LockfileInput<'_>) -> Result<Lockfile, ParseError> {
        Err(input.invalid("this format is not supported yet"))
    }
}
