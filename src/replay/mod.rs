//! Replaying a recorded history under another policy: what would have
//! changed, command by command.
//!
//! A [`History`] is one aggregate's recorded commands with the instants
//! they were decided at, tagged by the aggregate's kind (the names of
//! [`Aggregate::KIND`](crate::engine::Aggregate::KIND)): an order ledger,
//! a package wallet, a subscription or a payment method.
//! [`History::replay`] decides every command again, from the initial
//! state, under a base policy (the one it was recorded under) and under a
//! new one, and reports per command both answers, how they differ
//! ([`Change`]: a refusal that appears or disappears, different events) and
//! the money charged, credited and refunded ([`Flows`]), then the totals
//! and their difference. It is a pure function: no clock, no store.
//!
//! Each policy keeps its own state: a refund refused under the new policy
//! leaves that order refundable later under it, as it would have been.
//!
//! # JSON
//!
//! ```json
//! {"aggregate": "order_ledger", "commands": [
//!   {"decided_at": "2025-05-31T16:00:00Z", "command": "record_order", "order": "o1",
//!    "paid_at": "2025-05-31T16:00:00Z", "amount": {"amount": "300", "currency": "CNY"}},
//!   {"decided_at": "2025-06-08T16:00:00Z", "command": "refund", "order": "o1"}
//! ]}
//! ```
//!
//! Each entry is the command's own JSON (as the engine receives it) with
//! the instant it was decided at added as `decided_at` (the name the
//! engine's recorded answers use).
//! `aggregate` is `order_ledger`, `package_wallet`, `subscription` or
//! `payment_method`; examples/histories/ has samples.
//!
//! ```
//! use billing_rules::presets;
//! use billing_rules::refund::AppRefundPolicy;
//! use billing_rules::replay::{Change, History};
//!
//! let history: History = serde_json::from_str(r#"{"aggregate": "order_ledger", "commands": [
//!     {"decided_at": "2025-05-31T16:00:00Z", "command": "record_order", "order": "o1",
//!      "paid_at": "2025-05-31T16:00:00Z", "amount": {"amount": "300", "currency": "CNY"}},
//!     {"decided_at": "2025-06-08T16:00:00Z", "command": "refund", "order": "o1"}
//! ]}"#)?;
//! // The published 10-day window (R-REF-01) against a 7-day one: the refund
//! // on day 8 is refused under the new policy, and 300 stays charged.
//! let base = presets::app_store_refunds()?;
//! let mut spec = presets::app_store_refunds_spec();
//! spec.window_days = 7;
//! let new = AppRefundPolicy::try_from(spec)?;
//! let replay = history.replay(&base.into(), &new.into())?;
//! assert_eq!(replay.changes(), vec![(2, Change::RefusalAppears)]);
//! assert_eq!(replay.difference().refunded.to_string(), "CNY -300.00");
//! assert_eq!(replay.difference().net.to_string(), "CNY 300.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod flows;
mod run;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::lifecycle::{Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy};
use crate::money::Currency;
use crate::payment::{EnvironmentPayment, PaymentCommand, PaymentEvent, PaymentPolicy};
use crate::refund::{AppRefundPolicy, LedgerCommand, LedgerEvent, OrderLedger};
use crate::usage::{PackageWallet, UsagePolicy, WalletCommand, WalletEvent};

pub use flows::Flows;
pub use run::{Change, Entry, Outcome, Replay, Step};

/// One aggregate's recorded commands, tagged by its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "aggregate", rename_all = "snake_case")]
pub enum History {
    /// An app's orders (R-REF-01, R-REF-02, R-REF-04).
    OrderLedger {
        /// The recorded commands, in order.
        commands: Vec<Entry<LedgerCommand>>,
    },
    /// A package wallet (R-USE-01..07).
    PackageWallet {
        /// The recorded commands, in order.
        commands: Vec<Entry<WalletCommand>>,
    },
    /// A subscription (R-LIFE-01..10).
    Subscription {
        /// The recorded commands, in order.
        commands: Vec<Entry<SubscriptionCommand>>,
    },
    /// An environment's payment method (R-PAY-01..09).
    PaymentMethod {
        /// The recorded commands, in order.
        commands: Vec<Entry<PaymentCommand>>,
    },
}

/// The policy of one aggregate kind, to replay a [`History`] of that kind
/// under. Built with `From` from the policy itself.
#[derive(Debug, Clone)]
pub enum ReplayPolicy {
    /// For an order ledger.
    OrderLedger(AppRefundPolicy),
    /// For a package wallet.
    PackageWallet(UsagePolicy),
    /// For a subscription.
    Subscription(SubscriptionPolicy),
    /// For a payment method.
    PaymentMethod(PaymentPolicy),
}

impl From<AppRefundPolicy> for ReplayPolicy {
    fn from(policy: AppRefundPolicy) -> ReplayPolicy {
        ReplayPolicy::OrderLedger(policy)
    }
}

impl From<UsagePolicy> for ReplayPolicy {
    fn from(policy: UsagePolicy) -> ReplayPolicy {
        ReplayPolicy::PackageWallet(policy)
    }
}

impl From<SubscriptionPolicy> for ReplayPolicy {
    fn from(policy: SubscriptionPolicy) -> ReplayPolicy {
        ReplayPolicy::Subscription(policy)
    }
}

impl From<PaymentPolicy> for ReplayPolicy {
    fn from(policy: PaymentPolicy) -> ReplayPolicy {
        ReplayPolicy::PaymentMethod(policy)
    }
}

impl ReplayPolicy {
    /// The aggregate kind this policy is for.
    pub fn kind(&self) -> &'static str {
        match self {
            ReplayPolicy::OrderLedger(_) => "order_ledger",
            ReplayPolicy::PackageWallet(_) => "package_wallet",
            ReplayPolicy::Subscription(_) => "subscription",
            ReplayPolicy::PaymentMethod(_) => "payment_method",
        }
    }

    fn currency(&self) -> Currency {
        match self {
            ReplayPolicy::OrderLedger(p) => p.locale().currency,
            ReplayPolicy::PackageWallet(p) => p.locale().currency,
            ReplayPolicy::Subscription(p) => p.locale().currency,
            ReplayPolicy::PaymentMethod(p) => p.locale().currency,
        }
    }
}

/// A replayed [`History`], of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "aggregate", rename_all = "snake_case")]
pub enum HistoryReplay {
    /// An order ledger's.
    OrderLedger(Replay<LedgerCommand, LedgerEvent>),
    /// A package wallet's.
    PackageWallet(Replay<WalletCommand, WalletEvent>),
    /// A subscription's.
    Subscription(Replay<SubscriptionCommand, SubscriptionEvent>),
    /// A payment method's.
    PaymentMethod(Replay<PaymentCommand, PaymentEvent>),
}

impl HistoryReplay {
    /// `(step, change)` of every command whose answer changed.
    pub fn changes(&self) -> Vec<(usize, Change)> {
        fn of<C, E>(r: &Replay<C, E>) -> Vec<(usize, Change)> {
            r.changed().map(|s| (s.step, s.change)).collect()
        }
        match self {
            HistoryReplay::OrderLedger(r) => of(r),
            HistoryReplay::PackageWallet(r) => of(r),
            HistoryReplay::Subscription(r) => of(r),
            HistoryReplay::PaymentMethod(r) => of(r),
        }
    }

    /// Money moved under the base policy, under the new one, and the
    /// difference (`new - base`).
    pub fn totals(&self) -> (Flows, Flows, Flows) {
        match self {
            HistoryReplay::OrderLedger(r) => (r.base_total, r.new_total, r.difference),
            HistoryReplay::PackageWallet(r) => (r.base_total, r.new_total, r.difference),
            HistoryReplay::Subscription(r) => (r.base_total, r.new_total, r.difference),
            HistoryReplay::PaymentMethod(r) => (r.base_total, r.new_total, r.difference),
        }
    }

    /// `new - base`: what the new policy changes in all.
    pub fn difference(&self) -> Flows {
        self.totals().2
    }
}

/// Why a history could not be replayed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplayError {
    /// A policy is for another kind of aggregate than the history.
    #[error(
        "the history is of kind {history} but the {which} policy is for kind {policy}; give \
         the {which} policy of kind {history}"
    )]
    KindMismatch {
        /// The history's kind.
        history: &'static str,
        /// `base` or `new`.
        which: &'static str,
        /// The policy's kind.
        policy: &'static str,
    },
    /// The two policies count in different currencies.
    #[error(
        "the base policy counts in {base} and the new one in {new}: amounts in two \
         currencies cannot be compared; give policies in one currency"
    )]
    CurrencyMismatch {
        /// The base policy's currency.
        base: Currency,
        /// The new policy's currency.
        new: Currency,
    },
    /// A command failed other than by a rule's refusal (an amount beyond
    /// the arithmetic's range).
    #[error("command {step} could not be decided: {error}")]
    Failed {
        /// 1 for the first command.
        step: usize,
        /// What failed.
        error: Error,
    },
}

impl History {
    /// The kind of aggregate: `order_ledger`, `package_wallet`,
    /// `subscription` or `payment_method`.
    pub fn kind(&self) -> &'static str {
        match self {
            History::OrderLedger { .. } => "order_ledger",
            History::PackageWallet { .. } => "package_wallet",
            History::Subscription { .. } => "subscription",
            History::PaymentMethod { .. } => "payment_method",
        }
    }

    /// How many commands it holds.
    pub fn len(&self) -> usize {
        match self {
            History::OrderLedger { commands } => commands.len(),
            History::PackageWallet { commands } => commands.len(),
            History::Subscription { commands } => commands.len(),
            History::PaymentMethod { commands } => commands.len(),
        }
    }

    /// True when it holds no command.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decides every command again under `base` (the policy the history
    /// was recorded under) and under `new`, from the initial state, and
    /// reports what changes (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// [`ReplayError::KindMismatch`] when a policy is for another kind of
    /// aggregate, [`ReplayError::CurrencyMismatch`] when the two count in
    /// different currencies, [`ReplayError::Failed`] when a command fails
    /// other than by a refusal (a refusal is an answer, reported in its
    /// step).
    pub fn replay(
        &self,
        base: &ReplayPolicy,
        new: &ReplayPolicy,
    ) -> Result<HistoryReplay, ReplayError> {
        for (which, policy) in [("base", base), ("new", new)] {
            if policy.kind() != self.kind() {
                return Err(ReplayError::KindMismatch {
                    history: self.kind(),
                    which,
                    policy: policy.kind(),
                });
            }
        }
        let currency = new.currency();
        if base.currency() != currency {
            return Err(ReplayError::CurrencyMismatch {
                base: base.currency(),
                new: currency,
            });
        }
        use ReplayPolicy as P;
        Ok(match (self, base, new) {
            (History::OrderLedger { commands }, P::OrderLedger(b), P::OrderLedger(n)) => {
                HistoryReplay::OrderLedger(run::replay::<OrderLedger>(commands, b, n, currency)?)
            }
            (History::PackageWallet { commands }, P::PackageWallet(b), P::PackageWallet(n)) => {
                HistoryReplay::PackageWallet(run::replay::<PackageWallet>(
                    commands, b, n, currency,
                )?)
            }
            (History::Subscription { commands }, P::Subscription(b), P::Subscription(n)) => {
                HistoryReplay::Subscription(run::replay::<Subscription>(commands, b, n, currency)?)
            }
            (History::PaymentMethod { commands }, P::PaymentMethod(b), P::PaymentMethod(n)) => {
                HistoryReplay::PaymentMethod(run::replay::<EnvironmentPayment>(
                    commands, b, n, currency,
                )?)
            }
            // The kinds were checked above.
            _ => {
                return Err(ReplayError::KindMismatch {
                    history: self.kind(),
                    which: "new",
                    policy: new.kind(),
                });
            }
        })
    }
}
