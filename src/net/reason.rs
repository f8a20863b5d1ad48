//! What a failed request means as an unknown fact: each [`NetError`] variant gives its
//! [`UnknownKind`], and the reason keeps the error's words and the URL it names. Here, in the
//! network layer, so that the model (`crate::model`) imports nothing.

use super::NetError;
use crate::model::facts::{Unknown, UnknownKind};

impl From<&NetError> for UnknownKind {
    fn from(error: &NetError) -> UnknownKind {
        match error {
            NetError::Offline { .. } => UnknownKind::Offline,
            NetError::Status { status, .. } => UnknownKind::of_status(*status),
            NetError::Timeout { .. } => UnknownKind::TimedOut,
            NetError::Connect { .. } => UnknownKind::ConnectionFailed,
            NetError::NotAsked { .. } => UnknownKind::NotAsked,
            NetError::TooLarge { .. } => UnknownKind::BodyTooLarge,
            NetError::InsecureRedirect { .. } | NetError::TooManyRedirects { .. } => {
                UnknownKind::RefusedRedirect
            }
            NetError::Deadline { .. } => UnknownKind::NetworkDeadline,
            NetError::ServiceDeadline { .. } => UnknownKind::ServiceDeadline,
            NetError::Other { .. } => UnknownKind::Other,
        }
    }
}

impl From<&NetError> for Unknown {
    /// The reason a failed request gives: its kind from the error's variant, its words the
    /// error's message, its URL the one the error names.
    fn from(error: &NetError) -> Unknown {
        Unknown {
            kind: UnknownKind::from(error),
            detail: error.to_string(),
            url: Some(error.url().to_string()),
        }
    }
}

impl From<NetError> for Unknown {
    fn from(error: NetError) -> Unknown {
        Unknown::from(&error)
    }
}
