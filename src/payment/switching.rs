//! The payment method of a cloud environment as a decider: the first
//! purchase chooses it, switches change it (R-PAY-01..08).
//!
//! The rules this file implements, and the order of a switch's refusals,
//! are described in the [payment module docs](crate::payment#refusals-of-a-switch),
//! which readers of the rendered documentation see.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decider::Decider;
use crate::error::{ArithmeticError, Error, Figure, Reason, Refusal};
use crate::money::{Currency, Money};
use crate::payment::invoicing::InvoiceSource;
use crate::payment::method::{PaymentMethod, PrepaidSource};
use crate::payment::policy::PaymentPolicy;
use crate::rule::RuleId;

/// The payment method of one cloud environment, as a [`Decider`]
/// (R-PAY-01..08).
///
/// - R-PAY-01: before the first purchase the policy's default method
///   applies ([`PaymentPolicy::method_in_use`]).
/// - R-PAY-02: [`PaymentCommand::FirstPurchase`] chooses the method once.
/// - R-PAY-03: at most [`PaymentPolicy::switch_limit`] switches in all.
/// - R-PAY-04: no switch away from pay-as-you-go.
/// - R-PAY-05: no switch without a prepaid purchase first.
/// - R-PAY-06: the amount open for invoicing must cover the refund.
/// - R-PAY-07: no switch the payment context does not support, nor one to
///   the method in use.
/// - R-PAY-08: no switch during isolation (R-LIFE-10).
///
/// A refused switch lists every rule that refuses it, in the order of the
/// [payment module docs](crate::payment#refusals-of-a-switch).
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::payment::{EnvironmentPayment, PaymentCommand, PaymentMethod, SwitchFacts};
/// use billing_rules::{presets, RuleId};
/// use chrono::{TimeZone, Utc};
///
/// let policy = presets::cloud_payment()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let buy = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidCloudAccount };
/// let (state, _) = EnvironmentPayment::run(&EnvironmentPayment::initial(), &buy, now, &policy)?;
///
/// let to_payg = PaymentCommand::switch(PaymentMethod::PayAsYouGo, SwitchFacts::default());
/// let (state, _) = EnvironmentPayment::run(&state, &to_payg, now, &policy)?;
/// assert_eq!(policy.method_in_use(&state), PaymentMethod::PayAsYouGo);
///
/// // Pay-as-you-go is final (R-PAY-04); isolation blocks switching too (R-PAY-08).
/// let back = PaymentCommand::switch(PaymentMethod::PrepaidCloudAccount, SwitchFacts::default().in_isolation());
/// let err = EnvironmentPayment::run(&state, &back, now, &policy).unwrap_err();
/// let rules: Vec<RuleId> = err.refusal().unwrap().rules().collect();
/// assert_eq!(rules, [RuleId::Pay04, RuleId::Pay08]);
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnvironmentPayment;

/// Where an environment stands with its payment method.
///
/// Serialized with a `"state"` tag: `{"state": "prepaid", "source":
/// "cloud_account", "switches_used": 1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PaymentState {
    /// Nothing bought yet: the policy's default method applies (R-PAY-01),
    /// and no switch is possible (R-PAY-05).
    NotChosen,
    /// Prepaid, from `source`: chosen at the first purchase (R-PAY-02) or
    /// switched to.
    Prepaid {
        /// Where the prepaid quota is paid from.
        source: PrepaidSource,
        /// Switches made so far (R-PAY-03).
        switches_used: u32,
    },
    /// Pay-as-you-go: final (R-PAY-04).
    PayAsYouGo {
        /// Switches made so far (R-PAY-03).
        switches_used: u32,
        /// False when the environment opened pay-as-you-go directly
        /// without ever buying prepaid quota (R-PAY-05).
        ever_prepaid: bool,
    },
}

// The policy's answers about a state live here rather than in policy.rs,
// so that the policy does not depend on the decider's types.
impl PaymentPolicy {
    /// The method `state` uses; before the first purchase, this policy's
    /// default (R-PAY-01).
    pub fn method_in_use(&self, state: &PaymentState) -> PaymentMethod {
        match state {
            PaymentState::NotChosen => self.default_method(),
            PaymentState::Prepaid { source, .. } => source.method(),
            PaymentState::PayAsYouGo { .. } => PaymentMethod::PayAsYouGo,
        }
    }

    /// Where invoices of the orders `state` pays now come from (R-PAY-09):
    /// the routing of the method in use.
    pub fn invoice_source(&self, state: &PaymentState) -> InvoiceSource {
        self.invoice_routing()
            .invoice_source(self.method_in_use(state))
    }
}

impl PaymentState {
    /// Switches made so far (R-PAY-03).
    pub fn switches_used(&self) -> u32 {
        match self {
            PaymentState::NotChosen => 0,
            PaymentState::Prepaid { switches_used, .. }
            | PaymentState::PayAsYouGo { switches_used, .. } => *switches_used,
        }
    }

    /// True once prepaid quota has been bought (R-PAY-05).
    pub fn ever_prepaid(&self) -> bool {
        match self {
            PaymentState::NotChosen => false,
            PaymentState::Prepaid { .. } => true,
            PaymentState::PayAsYouGo { ever_prepaid, .. } => *ever_prepaid,
        }
    }
}

/// The amounts R-PAY-06 compares: what a switch would refund, and what is
/// still open for invoicing.
///
/// Serialized as `{"unused_prepaid": {"amount": "150", "currency": "CNY"},
/// "open_for_invoicing": {...}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceBalance {
    /// The unused prepaid amount the switch refunds.
    pub unused_prepaid: Money,
    /// The amount paid but not yet invoiced.
    pub open_for_invoicing: Money,
}

/// What the caller knows about the environment when it asks to switch.
///
/// The default is the unobstructed case: not isolated, nothing to refund,
/// a context that supports the switch. Every field may be left out of the
/// JSON.
///
/// ```
/// use billing_rules::money::Money;
/// use billing_rules::payment::SwitchFacts;
/// use rust_decimal::Decimal;
///
/// let facts = SwitchFacts::default()
///     .in_isolation()
///     .with_refund(Money::cny(Decimal::from(150)), Money::cny(Decimal::from(100)));
/// assert!(facts.isolated && facts.context_supported);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SwitchFacts {
    /// The environment is in isolation (R-LIFE-10), which blocks switching
    /// (R-PAY-08).
    pub isolated: bool,
    /// The refund the switch makes and the amount open for invoicing
    /// (R-PAY-06); `None` when nothing prepaid is left to refund.
    pub invoice_balance: Option<InvoiceBalance>,
    /// Whether the payment context the request comes from supports this
    /// switch (R-PAY-07).
    pub context_supported: bool,
}

impl Default for SwitchFacts {
    fn default() -> Self {
        SwitchFacts {
            isolated: false,
            invoice_balance: None,
            context_supported: true,
        }
    }
}

impl SwitchFacts {
    /// The environment is in isolation (R-PAY-08).
    pub fn in_isolation(mut self) -> SwitchFacts {
        self.isolated = true;
        self
    }

    /// The switch refunds `unused_prepaid`, and `open_for_invoicing` is
    /// still open for invoicing (R-PAY-06).
    pub fn with_refund(mut self, unused_prepaid: Money, open_for_invoicing: Money) -> SwitchFacts {
        self.invoice_balance = Some(InvoiceBalance {
            unused_prepaid,
            open_for_invoicing,
        });
        self
    }

    /// The payment context does not support the switch (R-PAY-07).
    pub fn in_unsupported_context(mut self) -> SwitchFacts {
        self.context_supported = false;
        self
    }
}

/// What a caller asks of the environment's payment method.
///
/// Serialized with a `"command"` tag: `{"command": "switch", "to":
/// "pay_as_you_go", "facts": {"isolated": true}}`.
///
/// # JSON
///
/// Tagged by `command`; the events it produces ([`PaymentEvent`]) are tagged by
/// `event`:
///
/// ```
/// use billing_rules::Decider;
/// use billing_rules::payment::{EnvironmentPayment, PaymentCommand};
/// use billing_rules::payment::PaymentMethod;
/// use chrono::{TimeZone, Utc};
///
/// let policy = billing_rules::presets::cloud_payment()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
/// let first = PaymentCommand::FirstPurchase { method: PaymentMethod::PrepaidPersonalWallet };
/// let (state, _) = EnvironmentPayment::run(&EnvironmentPayment::initial(), &first, now, &policy)?;
/// let json = concat!(
///     r#"{"command":"switch","to":"prepaid_cloud_account","facts":{"isolated":false,"#,
///     r#""invoice_balance":{"unused_prepaid":{"amount":"150","currency":"CNY"},"#,
///     r#""open_for_invoicing":{"amount":"150","currency":"CNY"}},"#,
///     r#""context_supported":true}}"#,
/// );
/// let command: PaymentCommand = serde_json::from_str(json)?;
/// assert_eq!(serde_json::to_string(&command)?, json);
/// let (_, events) = EnvironmentPayment::run(&state, &command, now, &policy)?;
/// let expected = concat!(
///     r#"[{"event":"method_switched","from":"prepaid_personal_wallet","#,
///     r#""to":"prepaid_cloud_account","switch_number":1,"refunded":{"amount":"150","#,
///     r#""currency":"CNY"},"at":"2025-06-01T00:00:00Z"}]"#,
/// );
/// assert_eq!(serde_json::to_string(&events)?, expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PaymentCommand {
    /// The first purchase chooses the method (R-PAY-02): a prepaid method
    /// with the first prepaid order, or pay-as-you-go opened directly
    /// (R-PAY-05). Refused once a method was chosen.
    FirstPurchase {
        /// The method chosen.
        method: PaymentMethod,
    },
    /// Switch to another method (R-PAY-03..08).
    Switch {
        /// The method to switch to.
        to: PaymentMethod,
        /// What the caller knows about the environment now.
        #[serde(default)]
        facts: SwitchFacts,
    },
}

impl PaymentCommand {
    /// A switch to `to` with `facts`.
    pub fn switch(to: PaymentMethod, facts: SwitchFacts) -> PaymentCommand {
        PaymentCommand::Switch { to, facts }
    }
}

/// What happened to the environment's payment method.
///
/// Serialized with an `"event"` tag.
///
/// # JSON
///
/// Tagged by `event`; see [`PaymentCommand`]'s JSON section for events as a
/// command produces them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PaymentEvent {
    /// The first purchase chose the method (R-PAY-02).
    MethodChosen {
        /// The method chosen.
        method: PaymentMethod,
        /// When.
        at: DateTime<Utc>,
    },
    /// The method was switched (R-PAY-03).
    MethodSwitched {
        /// The method before.
        from: PaymentMethod,
        /// The method after.
        to: PaymentMethod,
        /// Which switch this was: 1 for the first (R-PAY-03).
        switch_number: u32,
        /// The unused prepaid amount refunded by the switch (R-PAY-06), when
        /// the caller gave one.
        refunded: Option<Money>,
        /// When.
        at: DateTime<Utc>,
    },
}

impl Decider for EnvironmentPayment {
    type State = PaymentState;
    type Command = PaymentCommand;
    type Event = PaymentEvent;
    type Policy = PaymentPolicy;

    fn initial() -> PaymentState {
        PaymentState::NotChosen
    }

    fn decide(
        state: &PaymentState,
        command: &PaymentCommand,
        now: DateTime<Utc>,
        policy: &PaymentPolicy,
    ) -> Result<Vec<PaymentEvent>, Error> {
        let decided = || match (state, command) {
            (PaymentState::NotChosen, PaymentCommand::FirstPurchase { method }) => {
                Ok(vec![PaymentEvent::MethodChosen {
                    method: *method,
                    at: now,
                }])
            }
            (chosen, PaymentCommand::FirstPurchase { method }) => {
                let current = policy.method_in_use(chosen);
                Err(Reason::new(
                    RuleId::Pay02,
                    format!(
                        "the method was chosen at the first purchase and is {current}; \
                         a later purchase cannot choose {method}: switch instead"
                    ),
                )
                .with(Figure::text("current_method", current.as_str()))
                .with(Figure::text("requested_method", method.as_str()))
                .into())
            }
            (current, PaymentCommand::Switch { to, facts }) => {
                let reasons = switch_refusals(current, *to, facts, policy)?;
                if let Some(refusal) = Refusal::from_reasons(reasons) {
                    return Err(refusal.into());
                }
                let switch_number = current
                    .switches_used()
                    .checked_add(1)
                    .ok_or(ArithmeticError::overflow("count switches"))?;
                Ok(vec![PaymentEvent::MethodSwitched {
                    from: policy.method_in_use(current),
                    to: *to,
                    switch_number,
                    refunded: facts.invoice_balance.map(|b| b.unused_prepaid),
                    at: now,
                }])
            }
        };
        decided().map_err(|e: Error| e.in_rule(command_rule(command)))
    }

    fn evolve(state: PaymentState, event: &PaymentEvent) -> PaymentState {
        // `decide` only emits events that fit the state; anything else (a
        // corrupted stream) leaves the state as it was rather than invent one.
        match (state, event) {
            (PaymentState::NotChosen, PaymentEvent::MethodChosen { method, .. }) => {
                match method.prepaid_source() {
                    Some(source) => PaymentState::Prepaid {
                        source,
                        switches_used: 0,
                    },
                    None => PaymentState::PayAsYouGo {
                        switches_used: 0,
                        ever_prepaid: false,
                    },
                }
            }
            (
                PaymentState::Prepaid { .. },
                PaymentEvent::MethodSwitched {
                    to, switch_number, ..
                },
            ) => match to.prepaid_source() {
                Some(source) => PaymentState::Prepaid {
                    source,
                    switches_used: *switch_number,
                },
                None => PaymentState::PayAsYouGo {
                    switches_used: *switch_number,
                    ever_prepaid: true,
                },
            },
            (state, _) => state,
        }
    }
}

/// Every reason a switch of `state` to `to` is refused, in the documented
/// order; empty when it is allowed.
fn switch_refusals(
    state: &PaymentState,
    to: PaymentMethod,
    facts: &SwitchFacts,
    policy: &PaymentPolicy,
) -> Result<Vec<Reason>, Error> {
    let current = policy.method_in_use(state);
    let mut reasons = Vec::new();

    let used = state.switches_used();
    let limit = policy.switch_limit();
    if used >= limit {
        reasons.push(
            Reason::new(
                RuleId::Pay03,
                format!("{used} of {limit} switches used; no further switch is allowed"),
            )
            .with(Figure::count("switches_used", u64::from(used)))
            .with(Figure::count("switch_limit", u64::from(limit))),
        );
    }

    if let PaymentState::PayAsYouGo { .. } = state {
        reasons.push(
            Reason::new(
                RuleId::Pay04,
                format!(
                    "the environment pays as you go, which is final: it cannot switch to {to} \
                     or back to prepaid"
                ),
            )
            .with(Figure::text("current_method", current.as_str())),
        );
    }

    if !state.ever_prepaid() {
        let message = match state {
            PaymentState::NotChosen => {
                "no prepaid quota was ever bought, so there is nothing to switch from: choose \
                 the method at the first purchase, or open pay-as-you-go directly"
            }
            _ => {
                "the environment opened pay-as-you-go directly and never bought prepaid \
                 quota, so it cannot switch"
            }
        };
        reasons.push(
            Reason::new(RuleId::Pay05, message).with(Figure::text("prepaid_purchases", "none")),
        );
    }

    if let Some(balance) = &facts.invoice_balance {
        reasons.extend(invoice_balance_refusals(balance, policy.locale().currency)?);
    }

    if to == current {
        reasons.push(
            Reason::new(
                RuleId::Pay07,
                format!("{to} is already the method: a switch must change it"),
            )
            .with(Figure::text("current_method", current.as_str()))
            .with(Figure::text("requested_method", to.as_str())),
        );
    }
    if !facts.context_supported {
        reasons.push(
            Reason::new(
                RuleId::Pay07,
                format!(
                    "the current payment context does not support a switch from {current} \
                     to {to}"
                ),
            )
            .with(Figure::text("current_method", current.as_str()))
            .with(Figure::text("requested_method", to.as_str())),
        );
    }

    if facts.isolated {
        reasons.push(
            Reason::new(
                RuleId::Pay08,
                "the environment is in isolation after its prepaid term expired (R-LIFE-10): \
                 renew it before switching",
            )
            .with(Figure::text("environment", "isolated")),
        );
    }

    Ok(reasons)
}

/// R-PAY-06: amounts are non-negative, in the policy's currency, and the
/// amount open for invoicing covers the refund.
fn invoice_balance_refusals(
    balance: &InvoiceBalance,
    currency: Currency,
) -> Result<Vec<Reason>, ArithmeticError> {
    let InvoiceBalance {
        unused_prepaid: refund,
        open_for_invoicing: open,
    } = *balance;
    for amount in [refund, open] {
        if amount.currency() != currency {
            return Err(ArithmeticError::CurrencyMismatch {
                left: currency,
                right: amount.currency(),
            });
        }
    }
    let mut reasons = Vec::new();
    for (name, amount) in [("refund", refund), ("open_for_invoicing", open)] {
        if amount.is_negative() {
            reasons.push(
                Reason::new(
                    RuleId::Pay06,
                    format!("{name} is {amount}, below zero: give the amount as zero or more"),
                )
                .with(Figure::money(name, amount)),
            );
        }
    }
    if reasons.is_empty() && open.amount() < refund.amount() {
        reasons.push(
            Reason::new(
                RuleId::Pay06,
                format!(
                    "open for invoicing {open} < refund {refund}: more was invoiced than \
                     remains; return an invoice or wait until enough is open"
                ),
            )
            .with(Figure::money("open_for_invoicing", open))
            .with(Figure::money("refund", refund)),
        );
    }
    Ok(reasons)
}

/// The rule an arithmetic error of `command` is reported under: the rule
/// whose computation the command performs.
fn command_rule(command: &PaymentCommand) -> RuleId {
    match command {
        PaymentCommand::FirstPurchase { .. } => RuleId::Pay02,
        PaymentCommand::Switch { .. } => RuleId::Pay03,
    }
}
