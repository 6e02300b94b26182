//! The audit chain: every action appends an event whose hash covers the previous row's hash, so an
//! edited, deleted, inserted or reordered row is found by re-walking the chain.
//!
//! `hash_n = SHA-256(hash_{n-1} || JCS(event))`, with 32 zero bytes before row 1 (FORMATS.md).

use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// What happened. The spelling is part of the exported audit format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    StationInit,
    Login,
    LoginFailed,
    Lockout,
    Logout,
    Enrollment,
    Approval,
    Rejection,
    OperatorAdd,
    OperatorLock,
    OperatorUnlock,
    OperatorDisable,
    OperatorPasswordReset,
    Export,
    Refusal,
    /// Training mode switched on or off (`detail.on`).
    TrainingMode,
    /// The training records were deleted (`detail.records`, `detail.biometrics`).
    TrainingReset,
    /// The device backends used from the next start were changed (`detail.backends`).
    DeviceBackends,
    /// The age recipient(s) batches are encrypted to were set (`detail.recipients`).
    BatchRecipients,
    /// A citizen was looked for by finger (`detail.fingers`, `detail.candidates`).
    Identification,
    /// Fingerprint templates were extracted for records saved before templates existed
    /// (`detail.records`).
    TemplatesExtracted,
    /// An operator's login fingers were enrolled (`detail.positions`; templates only).
    OperatorFingers,
    /// A supervisor required (or stopped requiring) finger and password at an operator's login
    /// (`detail.on`).
    FingerRequired,
    /// A draft's fingerprints were searched among the station's records as soon as they were
    /// taken (`detail.fingers_read`, `detail.candidates`).
    DuplicateSearch,
}

impl Action {
    /// The event's `action` string.
    pub fn name(self) -> &'static str {
        match self {
            Self::StationInit => "station-init",
            Self::Login => "login",
            Self::LoginFailed => "login-failed",
            Self::Lockout => "lockout",
            Self::Logout => "logout",
            Self::Enrollment => "enrollment",
            Self::Approval => "approval",
            Self::Rejection => "rejection",
            Self::OperatorAdd => "operator-add",
            Self::OperatorLock => "operator-lock",
            Self::OperatorUnlock => "operator-unlock",
            Self::OperatorDisable => "operator-disable",
            Self::OperatorPasswordReset => "operator-password-reset",
            Self::Export => "export",
            Self::Refusal => "refusal",
            Self::TrainingMode => "training-mode",
            Self::TrainingReset => "training-reset",
            Self::DeviceBackends => "device-backends",
            Self::BatchRecipients => "batch-recipients",
            Self::Identification => "identification",
            Self::TemplatesExtracted => "templates-extracted",
            Self::OperatorFingers => "operator-fingers",
            Self::FingerRequired => "finger-required",
            Self::DuplicateSearch => "duplicate-search",
        }
    }
}

/// One audited event. Never holds names, PINs or biometrics: subjects are logins and record ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub action: Action,
    pub at: Timestamp,
    /// Login of the operator who acted, if any.
    pub operator: Option<String>,
    /// What the action was about: a registration id, a login, a batch number.
    pub subject: Option<String>,
    /// Action-specific facts (integers and short strings only).
    pub detail: Map<String, Value>,
}

impl Event {
    /// An event with no detail.
    pub fn new(
        action: Action,
        at: Timestamp,
        operator: Option<&str>,
        subject: Option<&str>,
    ) -> Self {
        Self {
            action,
            at,
            operator: operator.map(str::to_owned),
            subject: subject.map(str::to_owned),
            detail: Map::new(),
        }
    }

    /// Adds one detail field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.to_owned(), value.into());
        self
    }
}

/// A stored row of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub seq: u64,
    /// The JCS bytes of the event as hashed.
    pub event: Vec<u8>,
    pub prev: [u8; 32],
    pub hash: [u8; 32],
}

/// The hash of the row after `prev` holding `event_jcs`.
pub fn chain_hash(prev: &[u8; 32], event_jcs: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(event_jcs);
    h.finalize().into()
}

/// Where and how a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("audit row {seq}: expected row number {expected} (a row was deleted or inserted)")]
    Gap { seq: u64, expected: u64 },
    #[error("audit row {seq}: does not follow row {} (rows were reordered, inserted or deleted)", seq - 1)]
    BrokenLink { seq: u64 },
    #[error("audit row {seq}: content does not match its hash (the row was edited)")]
    Edited { seq: u64 },
    #[error("audit row {seq}: event is not a canonical kattoo audit event")]
    Malformed { seq: u64 },
    #[error(
        "audit chain ends at row {last} but the station recorded row {head} as its head (rows were deleted at the end)"
    )]
    Truncated { last: u64, head: u64 },
}

impl ChainError {
    /// The first row that is wrong.
    pub fn seq(&self) -> u64 {
        match *self {
            Self::Gap { seq, .. }
            | Self::BrokenLink { seq }
            | Self::Edited { seq }
            | Self::Malformed { seq } => seq,
            Self::Truncated { last, .. } => last + 1,
        }
    }
}

/// Walks rows in `seq` order from `start` (the row before the first, `(0, zeros)` for the whole
/// chain) and returns the last `(seq, hash)`, or the first break.
pub fn verify_chain<I>(start: (u64, [u8; 32]), rows: I) -> Result<(u64, [u8; 32]), ChainError>
where
    I: IntoIterator<Item = Row>,
{
    let (mut last_seq, mut last_hash) = start;
    for row in rows {
        // A chain never reaches u64::MAX rows; a start there is a lie, not a wrap to 0.
        let expected = last_seq.checked_add(1).ok_or(ChainError::Gap {
            seq: row.seq,
            expected: last_seq,
        })?;
        if row.seq != expected {
            return Err(ChainError::Gap {
                seq: row.seq,
                expected,
            });
        }
        if row.prev != last_hash {
            return Err(ChainError::BrokenLink { seq: row.seq });
        }
        if chain_hash(&row.prev, &row.event) != row.hash {
            return Err(ChainError::Edited { seq: row.seq });
        }
        let canonical = serde_json::from_slice::<Event>(&row.event)
            .ok()
            .and_then(|e| crate::crypto::canonical_json(&e).ok())
            .is_some_and(|c| c == row.event);
        if !canonical {
            return Err(ChainError::Malformed { seq: row.seq });
        }
        (last_seq, last_hash) = (row.seq, row.hash);
    }
    Ok((last_seq, last_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<Row> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let e = Event::new(
                    Action::Login,
                    Timestamp::from_unix(1_790_000_000 + seq as i64).unwrap(),
                    Some("aibek"),
                    None,
                )
                .with("n", seq);
                let event = crate::crypto::canonical_json(&e).unwrap();
                let hash = chain_hash(&prev, &event);
                let row = Row {
                    seq,
                    event,
                    prev,
                    hash,
                };
                prev = hash;
                row
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(5);
        let head = rows[4].hash;
        assert_eq!(verify_chain((0, [0; 32]), rows), Ok((5, head)));
    }

    #[test]
    fn finds_edit_delete_reorder_insert() {
        let mut edited = chain(5);
        edited[2].event = edited[2].event.replace_bytes("aibek", "bolot");
        assert_eq!(
            verify_chain((0, [0; 32]), edited).unwrap_err(),
            ChainError::Edited { seq: 3 }
        );

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(verify_chain((0, [0; 32]), deleted).unwrap_err().seq(), 3);

        let mut reordered = chain(5);
        reordered.swap(1, 2);
        assert_eq!(verify_chain((0, [0; 32]), reordered).unwrap_err().seq(), 3);

        // An inserted row renumbered to fit: its own hash can be made right, but the next row's link breaks.
        let mut inserted = chain(5);
        let mut fake = inserted[1].clone();
        fake.seq = 3;
        fake.prev = inserted[1].hash;
        fake.hash = chain_hash(&fake.prev, &fake.event);
        inserted.insert(2, fake);
        for (i, r) in inserted.iter_mut().enumerate().skip(3) {
            r.seq = i as u64 + 1;
        }
        assert_eq!(
            verify_chain((0, [0; 32]), inserted).unwrap_err(),
            ChainError::BrokenLink { seq: 4 }
        );
    }

    #[test]
    fn a_start_at_the_last_row_number_is_a_gap_not_a_wrap() {
        let mut row = chain(1).remove(0);
        row.seq = 0;
        assert_eq!(
            verify_chain((u64::MAX, row.prev), [row.clone()]),
            Err(ChainError::Gap {
                seq: 0,
                expected: u64::MAX
            })
        );
        row.seq = u64::MAX;
        assert_eq!(
            verify_chain((u64::MAX - 1, row.prev), [row.clone()]),
            Ok((u64::MAX, row.hash))
        );
    }

    trait ReplaceBytes {
        fn replace_bytes(&self, from: &str, to: &str) -> Vec<u8>;
    }
    impl ReplaceBytes for Vec<u8> {
        fn replace_bytes(&self, from: &str, to: &str) -> Vec<u8> {
            String::from_utf8(self.clone())
                .unwrap()
                .replace(from, to)
                .into_bytes()
        }
    }
}
