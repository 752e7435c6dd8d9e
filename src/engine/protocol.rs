//! The engine's protocol as pure steps that do no I/O: bind the key to its
//! command, check what the store recorded under it, decide at the clock's
//! instant (never earlier than the stream's last commit), build the commit,
//! and say what to do when the store refuses it.
//!
//! `Engine` (over a [`Store`](crate::engine::Store))
//! and `AsyncEngine` (over an
//! [`AsyncStore`](crate::engine::AsyncStore)) are thin loops over these
//! steps, so both answer every command alike; a service driving its own
//! store by hand can use them too:
//!
//! ```text
//! bound = bind(key, command)?                       // the command's fingerprint
//! loop {
//!     if after_a_conflict {                           // a retry racing its first try
//!         if let Some(answer) = check_key(store.key(id, key)?, bound)? {
//!             return answer_of(answer, store.events_in(..)?)
//!         }
//!     }
//!     match decide::<D>(store.read(id)?, command, clock.now(), policy, bound)? {
//!         Decision::Answer(answer)           => return answer,  // nothing to write
//!         Decision::Append { commit, .. }    => store.append(id, commit),
//!         Decision::Refuse { record, .. }    => store.record_refusal(id, record),
//!     }
//!     match after_store_error(error, &mut retries_left) {
//!         Retry => after_a_conflict = true,
//!         ReadKey => return answer_of(check_key(store.key(id, key)?, bound)?, ..),
//!         Fail(conflict) => the recorded answer if the key has one, else the conflict,
//!         Fail(error) => return error,
//!     }
//! }
//! ```
//!
//! A key is not looked up before the first decision: a new key is the
//! common case, and the store refuses a recorded one in the very write
//! that would record it ([`StoreError::Duplicate`]), so a duplicate
//! delivery costs a decision that is thrown away, and every other keyed
//! command one store call less. Deciding has no effect, so deciding a
//! duplicate again changes nothing: its recorded answer is returned, and
//! a key sent with another command is refused ([`EngineError::KeyReused`])
//! either way.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engine::aggregate::Aggregate;
use crate::engine::error::EngineError;
use crate::engine::ids::IdempotencyKey;
use crate::engine::ids::Version;
use crate::engine::policy_ref::PolicyRef;
use crate::engine::store::Answer;
use crate::engine::store::Commit;
use crate::engine::store::KeyRecord;
use crate::engine::store::Outcome;
use crate::engine::store::Snapshot;
use crate::engine::store_error::StoreError;
use crate::error::Error;
use crate::fingerprint::Fingerprint;

/// A key bound to the fingerprint of the command sent under it.
///
/// Made by [`bind`]; it keeps the command, so that a record made by an
/// earlier build (whose fingerprint was FNV-1a, [`Fingerprint::of`]) can
/// still be matched by [`check_key`] without every keyed command paying
/// for both digests.
#[derive(Debug)]
pub struct Bound<'k, C: ?Sized> {
    /// The key.
    pub key: &'k IdempotencyKey,
    /// The fingerprint of the command's JSON ([`Fingerprint::xxh3_of`]).
    pub command: Fingerprint,
    sent: &'k C,
    legacy: fn(&C) -> Option<Fingerprint>,
}

// Copy whatever the command is: a `Bound` holds only references.
impl<C: ?Sized> Clone for Bound<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C: ?Sized> Copy for Bound<'_, C> {}

impl<C: ?Sized> Bound<'_, C> {
    /// Whether `recorded` is this command's fingerprint: this build's, or
    /// the FNV-1a one an earlier build recorded (computed only then).
    pub fn matches(&self, recorded: Fingerprint) -> bool {
        recorded == self.command || (self.legacy)(self.sent) == Some(recorded)
    }
}

/// Binds `key` to `command`'s fingerprint; `None` without a key (the
/// fingerprint is computed only for a keyed command).
///
/// # Errors
/// [`EngineError::Unhashable`] when the command's JSON cannot be written.
pub fn bind<'k, C: Serialize>(
    key: Option<&'k IdempotencyKey>,
    command: &'k C,
) -> Result<Option<Bound<'k, C>>, EngineError> {
    match key {
        None => Ok(None),
        Some(key) => Ok(Some(Bound {
            key,
            command: Fingerprint::xxh3_of(command)?,
            sent: command,
            legacy: |command| Fingerprint::of(command).ok(),
        })),
    }
}

/// What the store recorded under the key, checked against the command sent
/// now: `None` when the key is new (decide), the recorded answer when the
/// same command was answered (a retry or a duplicate delivery).
///
/// Only the command is compared: the same command retried after a policy
/// was redeployed gets its first answer, which its record names the policy
/// of.
///
/// # Errors
/// [`EngineError::KeyReused`] when the key was recorded for another command.
pub fn check_key<C: ?Sized>(
    record: Option<KeyRecord>,
    bound: Bound<'_, C>,
) -> Result<Option<Answer>, EngineError> {
    match record {
        None => Ok(None),
        Some(record) if !bound.matches(record.command) => Err(EngineError::KeyReused {
            key: bound.key.clone(),
            recorded: record.command,
            sent: bound.command,
        }),
        Some(record) => Ok(Some(record.answer)),
    }
}

/// The versions whose events an answer refers to, to read with
/// [`Store::events_in`](crate::engine::Store::events_in): `(after,
/// through)`, `None` when there are none to read.
pub fn events_to_read(answer: &Answer) -> Option<(Version, Version)> {
    match answer {
        Answer::Accepted { after, version, .. } if after < version => Some((*after, *version)),
        Answer::Accepted { .. } | Answer::Refused { .. } => None,
    }
}

/// A recorded answer as the engine returns it, with the events it refers to.
///
/// # Errors
/// The recorded refusal, as [`EngineError::Command`].
pub fn answer_of<E>(answer: Answer, events: Vec<E>) -> Result<Outcome<E>, EngineError> {
    match answer {
        Answer::Accepted {
            version,
            decided_at,
            ..
        } => Ok(Outcome {
            events,
            version,
            decided_at,
        }),
        Answer::Refused { error, .. } => Err(error.into()),
    }
}

/// The instant a command is decided and recorded at: the clock's, unless
/// the stream's last commit is later (a skewed clock on another instance),
/// then that one, so time never goes back within a stream.
pub fn instant(clock: DateTime<Utc>, last_recorded_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match last_recorded_at {
        Some(last) if last > clock => last,
        _ => clock,
    }
}

/// What deciding a command leaves to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision<E> {
    /// Nothing to write: an unkeyed refusal, or an unkeyed command accepted
    /// with no events. The answer as the engine returns it.
    Answer(Result<Outcome<E>, EngineError>),
    /// Append `commit`; once it is written, answer `outcome`.
    Append {
        /// The writes.
        commit: Commit<E>,
        /// The answer once they are written.
        outcome: Outcome<E>,
    },
    /// Record the refused keyed command's answer (no version bump); once it
    /// is recorded, answer `error`.
    Refuse {
        /// The record.
        record: KeyRecord,
        /// The decider's error.
        error: Error,
    },
}

impl<E> Decision<E> {
    /// When the aggregate is next due after this decision's commit, if it
    /// writes one.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        match self {
            Decision::Append { commit, .. } => commit.next_due,
            Decision::Answer(_) | Decision::Refuse { .. } => None,
        }
    }
}

/// Decides `command` on `snapshot` at `clock` (clamped by [`instant`])
/// under `policy`, and builds what to write.
///
/// # Errors
/// [`EngineError::Command`] with an overflow of the stream's version.
pub fn decide<D, R>(
    snapshot: Snapshot<&D::State>,
    command: &D::Command,
    clock: DateTime<Utc>,
    policy: &R,
    bound: Option<Bound<'_, D::Command>>,
) -> Result<Decision<D::Event>, EngineError>
where
    D: Aggregate,
    R: PolicyRef<D::Policy> + ?Sized,
{
    let now = instant(clock, snapshot.last_recorded_at);
    let rules = policy.policy();
    match D::decide(snapshot.state, command, now, rules) {
        Ok(events) => {
            let version = snapshot.version.advanced_by(events.len())?;
            if events.is_empty() && bound.is_none() {
                return Ok(Decision::Answer(Ok(Outcome {
                    events,
                    version,
                    decided_at: now,
                })));
            }
            let next_due = D::next_due_after(snapshot.state, &events, rules);
            let key = bound.map(|bound| KeyRecord {
                key: bound.key.clone(),
                command: bound.command,
                policy: policy.fingerprint(),
                answer: Answer::Accepted {
                    after: snapshot.version,
                    version,
                    decided_at: now,
                },
            });
            let outcome = Outcome {
                events: events.clone(),
                version,
                decided_at: now,
            };
            Ok(Decision::Append {
                commit: Commit {
                    expected: snapshot.version,
                    events,
                    recorded_at: now,
                    next_due,
                    policy: policy.fingerprint(),
                    key,
                },
                outcome,
            })
        }
        Err(error) => match bound {
            None => Ok(Decision::Answer(Err(error.into()))),
            Some(bound) => Ok(Decision::Refuse {
                record: KeyRecord {
                    key: bound.key.clone(),
                    command: bound.command,
                    policy: policy.fingerprint(),
                    answer: Answer::Refused {
                        error: error.clone(),
                        decided_at: now,
                    },
                },
                error,
            }),
        },
    }
}

/// What to do after the store refused a decision's writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Another writer won the race: load and decide again.
    Retry,
    /// The key was recorded concurrently: read its record and answer it.
    ReadKey,
    /// Give up with this error (nothing was written).
    Fail(EngineError),
}

/// The step after `error`: a conflict is decided again while
/// `retries_left` lasts (counted down here); a duplicate key reads the
/// recorded answer; anything else is returned.
pub fn after_store_error(error: StoreError, retries_left: &mut u32) -> Next {
    match error {
        StoreError::Conflict { .. } if *retries_left > 0 => {
            *retries_left -= 1;
            Next::Retry
        }
        StoreError::Duplicate { .. } => Next::ReadKey,
        error => Next::Fail(error.into()),
    }
}
