//! [`Aggregate`]: a decider a store can keep (a stable name for its kind,
//! and when it is next due); [`Scheduled`]: one whose state changes with
//! time, with the command that records what came due.

use chrono::{DateTime, Utc};

use crate::decider::Decider;

/// A [`Decider`] a store can keep: its kind has a stable name, and it says
/// when its next time-driven event comes due, so the store can index it.
///
/// [`MemoryStore`](crate::engine::MemoryStore) tells kinds apart by their
/// Rust type and needs no name; a store over a database keeps every kind
/// in the same tables and writes [`Aggregate::KIND`] in a `kind` column
/// (see the [module docs](crate::engine) for the tables). The name is part
/// of the stored data: it never changes once rows were written with it,
/// and no two kinds share one. The aggregates of this crate are named:
///
/// | decider | `KIND` | time-driven |
/// |---|---|---|
/// | [`Subscription`](crate::lifecycle::Subscription) (R-LIFE-01..07, R-LIFE-10) | `"subscription"` | notices, reminders, expiry, auto-renewal, grace |
/// | [`PostpaidAccount`](crate::lifecycle::PostpaidAccount) (R-LIFE-08, R-LIFE-09) | `"postpaid_account"` | arrears reminders, suspension |
/// | [`PackageWallet`](crate::usage::PackageWallet) (R-USE-01..07) | `"package_wallet"` | package expiry |
/// | [`BillingMethods`](crate::usage::BillingMethods) (R-USE-10..) | `"billing_methods"` | none |
/// | [`Licence`](crate::lifecycle::Licence) (R-LIC-01..06) | `"licence"` | expiry |
/// | [`BundleClaim`](crate::lifecycle::BundleClaim) (R-LIC-06, one per traffic package) | `"bundle_claim"` | none |
/// | [`EnvironmentPayment`](crate::payment::EnvironmentPayment) (R-PAY-01..08) | `"payment_method"` | none |
/// | [`OrderLedger`](crate::refund::OrderLedger) (R-REF-01, R-REF-02, R-REF-04) | `"order_ledger"` | none |
///
/// A downstream crate makes its own decider storable the same way:
///
/// ```
/// use billing_rules::engine::Aggregate;
/// use billing_rules::{Decider, Error};
/// use chrono::{DateTime, Utc};
///
/// /// Calls counted, nothing ever refused.
/// struct Tally;
/// impl Decider for Tally {
///     type State = u64;
///     type Command = u64;
///     type Event = u64;
///     type Policy = ();
///     fn initial() -> u64 { 0 }
///     fn decide(_: &u64, add: &u64, _: DateTime<Utc>, _: &()) -> Result<Vec<u64>, Error> {
///         Ok(vec![*add])
///     }
///     fn evolve(state: u64, event: &u64) -> u64 { state.saturating_add(*event) }
/// }
/// // Nothing comes due with time: the default `next_due` (None) is right.
/// impl Aggregate for Tally {
///     const KIND: &'static str = "tally";
/// }
/// assert_eq!(Tally::next_due(&7, &()), None);
/// ```
pub trait Aggregate: Decider {
    /// The kind's name in a store: lower snake case, stable, unique among
    /// the kinds a store keeps.
    const KIND: &'static str;

    /// True when time alone changes the aggregate ([`Aggregate::next_due`]
    /// is overridden). When false (the default), the engine records no
    /// `next_due` and never copies a state to compute one.
    const TIME_DRIVEN: bool = false;

    /// The instant the next time-driven event of `state` comes due, from
    /// the decider's own schedule; `None` when nothing will come due
    /// without a command (the default, for aggregates time does not
    /// change).
    fn next_due(state: &Self::State, policy: &Self::Policy) -> Option<DateTime<Utc>> {
        let _ = (state, policy);
        None
    }

    /// [`Aggregate::next_due`] of the state after `events`, which the engine
    /// puts in a [`Commit`](crate::engine::Commit) while it holds only the
    /// state before them (lent by the store).
    ///
    /// The default is `None` unless [`Aggregate::TIME_DRIVEN`]; then it
    /// moves a copy of `state` past the events when there are any, which
    /// costs in proportion to the state's size: a time-driven aggregate
    /// whose state may be large overrides it.
    fn next_due_after(
        state: &Self::State,
        events: &[Self::Event],
        policy: &Self::Policy,
    ) -> Option<DateTime<Utc>> {
        if !Self::TIME_DRIVEN {
            return None;
        }
        if events.is_empty() {
            return Self::next_due(state, policy);
        }
        let after = events.iter().fold(state.clone(), Self::evolve);
        Self::next_due(&after, policy)
    }
}

/// An [`Aggregate`] whose state also changes with time: the command that
/// records what came due, which the scheduler
/// ([`Engine::tick`](crate::engine::Engine::tick)) sends to each due
/// aggregate.
pub trait Scheduled: Aggregate {
    /// The command recording every event due at the instant it is decided
    /// (the decider's `Advance`).
    fn advance() -> Self::Command;
}
