//! The crate's deciders as [`Aggregate`]s: each kind's stored name, when it
//! is next due (from the decider's own schedule), and the command that
//! records what came due.

use chrono::{DateTime, Utc};

use crate::engine::aggregate::Aggregate;
use crate::engine::aggregate::Scheduled;
use crate::lifecycle::{
    BundleClaim, Licence, LicenceCommand, LicencePolicy, LicenceState, PostpaidAccount,
    PostpaidCommand, PostpaidPolicy, PostpaidState, Subscription, SubscriptionCommand,
    SubscriptionPolicy, SubscriptionState,
};
use crate::payment::EnvironmentPayment;
use crate::pricing::SeatAccount;
use crate::refund::OrderLedger;
use crate::usage::{
    BillingMethods, PackageWallet, UsagePolicy, WalletCommand, WalletEvent, WalletState,
};

impl Aggregate for Subscription {
    const KIND: &'static str = "subscription";
    const TIME_DRIVEN: bool = true;

    /// The next notice, reminder, expiry, renewal or end of grace
    /// ([`Subscription::next_due_at`]); an instant it cannot compute is
    /// not scheduled.
    fn next_due(state: &SubscriptionState, policy: &SubscriptionPolicy) -> Option<DateTime<Utc>> {
        Subscription::next_due_at(state, policy).ok().flatten()
    }
}

impl Scheduled for Subscription {
    /// `Advance` without a balance: an auto-renewal that needs funds is
    /// recorded as the decider records one without them; a service that
    /// renews from a balance sends its own `Advance { funds }`.
    fn advance() -> SubscriptionCommand {
        SubscriptionCommand::Advance { funds: None }
    }
}

impl Aggregate for PostpaidAccount {
    const KIND: &'static str = "postpaid_account";
    const TIME_DRIVEN: bool = true;

    /// The next arrears reminder or the suspension (R-LIFE-08, R-LIFE-09).
    fn next_due(state: &PostpaidState, policy: &PostpaidPolicy) -> Option<DateTime<Utc>> {
        state.next_due_at(policy)
    }
}

impl Scheduled for PostpaidAccount {
    fn advance() -> PostpaidCommand {
        PostpaidCommand::Advance
    }
}

impl Aggregate for PackageWallet {
    const KIND: &'static str = "package_wallet";
    const TIME_DRIVEN: bool = true;

    /// The first expiry of an open package (R-USE-03).
    fn next_due(state: &WalletState, _: &UsagePolicy) -> Option<DateTime<Utc>> {
        state.next_due_after(&[])
    }

    /// Read from the index of open packages and the events themselves, so
    /// a command on a wallet of a million packages copies none.
    fn next_due_after(
        state: &WalletState,
        events: &[WalletEvent],
        _: &UsagePolicy,
    ) -> Option<DateTime<Utc>> {
        state.next_due_after(events)
    }
}

impl Scheduled for PackageWallet {
    fn advance() -> WalletCommand {
        WalletCommand::Advance
    }
}

impl Aggregate for Licence {
    const KIND: &'static str = "licence";
    const TIME_DRIVEN: bool = true;

    /// The end of an available licence (R-LIC-05).
    fn next_due(state: &LicenceState, _: &LicencePolicy) -> Option<DateTime<Utc>> {
        match state {
            LicenceState::Available(_) => state.end(),
            LicenceState::Unbound | LicenceState::PendingPayment(_) | LicenceState::Expired(_) => {
                None
            }
        }
    }
}

impl Scheduled for Licence {
    fn advance() -> LicenceCommand {
        LicenceCommand::Advance
    }
}

/// The kinds time does not change: `next_due` is always `None` (the
/// default), computed without copying a state.
macro_rules! untimed {
    ($($decider:ty => $kind:literal),+ $(,)?) => {$(
        impl Aggregate for $decider {
            const KIND: &'static str = $kind;
        }
    )+};
}

untimed!(
    BillingMethods => "billing_methods",
    BundleClaim => "bundle_claim",
    EnvironmentPayment => "payment_method",
    OrderLedger => "order_ledger",
    SeatAccount => "seat_account",
);
