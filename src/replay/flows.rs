//! Money an event moves: charged, credited or refunded, summed per step.

use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;
use crate::lifecycle::SubscriptionEvent;
use crate::money::{Currency, Money};
use crate::payment::PaymentEvent;
use crate::refund::LedgerEvent;
use crate::usage::WalletEvent;

/// Money moved by the events of one command, or of a whole history, in the
/// policy's currency.
///
/// `net` is what the customer pays in all: `charged - credited - refunded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flows {
    /// Charged to the customer: orders recorded, packages bought, overage,
    /// auto-renewals.
    pub charged: Money,
    /// Credited to the customer without a refund (none of the replayed
    /// aggregates credits today: upgrade credit is priced, not recorded).
    pub credited: Money,
    /// Paid back: refunded orders, unused prepaid amounts refunded by a
    /// payment-method switch.
    pub refunded: Money,
    /// `charged - credited - refunded`.
    pub net: Money,
}

impl Flows {
    /// Nothing moved, in `currency`.
    pub const fn zero(currency: Currency) -> Flows {
        Flows {
            charged: Money::zero(currency),
            credited: Money::zero(currency),
            refunded: Money::zero(currency),
            net: Money::zero(currency),
        }
    }

    /// These flows and `other`'s, added field by field.
    pub fn plus(&self, other: &Flows) -> Result<Flows, ArithmeticError> {
        Ok(Flows {
            charged: self.charged.checked_add(other.charged)?,
            credited: self.credited.checked_add(other.credited)?,
            refunded: self.refunded.checked_add(other.refunded)?,
            net: self.net.checked_add(other.net)?,
        })
    }

    /// `self - base`, field by field: what a new policy changes.
    pub fn minus(&self, base: &Flows) -> Result<Flows, ArithmeticError> {
        Ok(Flows {
            charged: self.charged.checked_sub(base.charged)?,
            credited: self.credited.checked_sub(base.credited)?,
            refunded: self.refunded.checked_sub(base.refunded)?,
            net: self.net.checked_sub(base.net)?,
        })
    }

    /// True when no money moved.
    pub fn is_zero(&self) -> bool {
        self.charged.is_zero()
            && self.credited.is_zero()
            && self.refunded.is_zero()
            && self.net.is_zero()
    }

    /// The flows of `events`.
    pub(crate) fn of<'a, E: Moves + 'a>(
        currency: Currency,
        events: impl IntoIterator<Item = &'a E>,
    ) -> Result<Flows, ArithmeticError> {
        let mut flows = Flows::zero(currency);
        for event in events {
            for (flow, amount) in event.moves() {
                let field = match flow {
                    Flow::Charged => &mut flows.charged,
                    Flow::Credited => &mut flows.credited,
                    Flow::Refunded => &mut flows.refunded,
                };
                *field = field.checked_add(amount)?;
                flows.net = match flow {
                    Flow::Charged => flows.net.checked_add(amount)?,
                    Flow::Credited | Flow::Refunded => flows.net.checked_sub(amount)?,
                };
            }
        }
        Ok(flows)
    }
}

/// Which way an amount moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Charged,
    // Kept for aggregates that credit; none of the four replayed does yet.
    #[allow(dead_code)]
    Credited,
    Refunded,
}

/// An event that may move money.
pub(crate) trait Moves {
    /// The amounts this event moves, and which way.
    fn moves(&self) -> Vec<(Flow, Money)>;
}

impl Moves for LedgerEvent {
    fn moves(&self) -> Vec<(Flow, Money)> {
        match self {
            LedgerEvent::OrderRecorded { amount, .. } => vec![(Flow::Charged, *amount)],
            LedgerEvent::OrderRefunded { amount, .. } => vec![(Flow::Refunded, *amount)],
            LedgerEvent::OrderInvoiced { .. } => Vec::new(),
        }
    }
}

impl Moves for WalletEvent {
    fn moves(&self) -> Vec<(Flow, Money)> {
        match self {
            WalletEvent::Purchased(p) => vec![(Flow::Charged, p.price)],
            WalletEvent::Consumed(c) if !c.charge.is_zero() => vec![(Flow::Charged, c.charge)],
            WalletEvent::Consumed(_)
            | WalletEvent::Expired(_)
            | WalletEvent::FeatureSwitched { .. }
            | WalletEvent::ProfileSet { .. } => Vec::new(),
        }
    }
}

impl Moves for SubscriptionEvent {
    fn moves(&self) -> Vec<(Flow, Money)> {
        match self {
            SubscriptionEvent::AutoRenewed { price, .. } => vec![(Flow::Charged, *price)],
            _ => Vec::new(),
        }
    }
}

impl Moves for PaymentEvent {
    fn moves(&self) -> Vec<(Flow, Money)> {
        match self {
            PaymentEvent::MethodSwitched {
                refunded: Some(amount),
                ..
            } => vec![(Flow::Refunded, *amount)],
            PaymentEvent::MethodSwitched { refunded: None, .. }
            | PaymentEvent::MethodChosen { .. } => Vec::new(),
        }
    }
}
