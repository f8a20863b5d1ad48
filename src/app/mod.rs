//! The commands' pipelines as library calls, so that `main` is left with arguments, rendering
//! and the exit code: the configuration and the projects of a run ([`projects`]), the token rule ([`tokens`]),
//! the `--baseline` report ([`baseline`]), gathering facts with earlier runs' owners
//! ([`gather`]), `deptrust scan` as one call ([`scan`]), and the trust delta of a change
//! ([`diff`]), one package explained ([`explain`]), the facts
//! alone ([`facts`]), the trust ledger ([`ledger`]), and the monthly view ([`report`]).
//! Nothing here prints; what a user should be told comes back as values.

pub mod baseline;
pub mod diff;
pub mod explain;
pub mod facts;
pub mod gather;
pub mod ledger;
pub mod projects;
pub mod report;
pub mod scan;
pub mod tokens;
