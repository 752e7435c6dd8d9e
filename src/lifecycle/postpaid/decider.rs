//! The postpaid account as a decider (R-LIFE-08, R-LIFE-09): the
//! commands, each after catching up with what came due before it.

use chrono::{DateTime, Utc};

use super::evolve::evolve;
use super::policy::{ArrearsTrigger, PostpaidPolicy};
use super::schedule::due_events_into;
use super::state::{ArrearsCause, PostpaidCommand, PostpaidEvent, PostpaidState, Standing};
use super::status::{PostpaidStatus, access, recording_access, status};
use crate::decider::{Access, Decider, TimeDriven};
use crate::error::{ArithmeticError, Error, Figure, InRule, Reason};
use crate::money::Money;
use crate::policy::Locale;
use crate::rule::RuleId;

/// The postpaid account as a [`Decider`] and a [`TimeDriven`] aggregate
/// (R-LIFE-08, R-LIFE-09).
///
/// Refusals: `IssueBill` (R-LIFE-08) outside day 1 to `latest_bill_day` of
/// the month, for a month already billed, with a negative amount, or on an
/// account whose charges settle as they occur; `Charge` with a negative
/// amount (R-LIFE-09), or on a monthly-billed account (R-LIFE-08: issue the
/// month's bill instead); `TopUp` of zero or less (under the trigger's rule,
/// R-LIFE-08 or R-LIFE-09). An amount in another currency than the
/// policy's is an [`ArithmeticError::CurrencyMismatch`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PostpaidAccount;

impl Decider for PostpaidAccount {
    type State = PostpaidState;
    type Command = PostpaidCommand;
    type Event = PostpaidEvent;
    type Policy = PostpaidPolicy;

    fn initial() -> PostpaidState {
        PostpaidState {
            balance: Money::zero(Locale::default().currency),
            last_billed: None,
            standing: Standing::Good,
        }
    }

    fn decide(
        state: &PostpaidState,
        command: &PostpaidCommand,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
    ) -> Result<Vec<PostpaidEvent>, Error> {
        let mut events = Vec::new();
        // Every command catches up first. Nothing past the calendar's end
        // is scheduled, so catching up never refuses a command that does not
        // need it; the rest is under the trigger's rule.
        let rule = policy.trigger().rule();
        let caught_up = due_events_into(state, now, policy, &mut events).in_rule(rule)?;
        let own = match command {
            PostpaidCommand::IssueBill { amount } => {
                issue_bill(&caught_up, *amount, now, policy).in_rule(RuleId::Life08)?
            }
            PostpaidCommand::Charge { amount } => {
                charge(&caught_up, *amount, now, policy).in_rule(rule)?
            }
            PostpaidCommand::TopUp { amount } => {
                top_up(&caught_up, *amount, now, policy).in_rule(rule)?
            }
            PostpaidCommand::Advance => Vec::new(),
        };
        events.extend(own);
        Ok(events)
    }

    fn evolve(state: PostpaidState, event: &PostpaidEvent) -> PostpaidState {
        evolve(state, event)
    }
}

/// The account's answers at an instant (R-LIFE-08, R-LIFE-09), from the
/// recorded facts: right even when the scheduler has not applied the due
/// events yet.
impl TimeDriven for PostpaidAccount {
    type Status = PostpaidStatus;

    /// The standing at `now`: arrears older than the policy's delay count
    /// as suspended even before the `Advance` that records it.
    fn status(
        state: &PostpaidState,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
    ) -> PostpaidStatus {
        status(state, now, policy)
    }

    /// May the account's services be used at `now`? Intercepted with
    /// R-LIFE-08 (all services stopped after a bill) or R-LIFE-09 (paused
    /// after the balance ran out) until a top-up clears the arrears.
    fn access(state: &PostpaidState, now: DateTime<Utc>, policy: &PostpaidPolicy) -> Access {
        access(state, now, policy)
    }

    /// Every time-driven event due at `now`, in order: arrears reminders
    /// (R-LIFE-08) and the suspension 24 h after the arrears began
    /// (R-LIFE-08, R-LIFE-09). The same events whatever the polling
    /// cadence; applying them twice changes nothing. No allocation when
    /// nothing is due.
    ///
    /// At most one reminder per entry of the policy's `after_hours`
    /// ([`PostpaidPolicy::MAX_REMINDERS`]) and one suspension come due per
    /// arrears, so the answer is bounded without a batch limit. What would
    /// fall past the calendar's end is not scheduled
    /// ([At the calendar's end](crate::lifecycle#at-the-calendars-end)), so
    /// no instant makes this fail.
    fn due_events(
        state: &PostpaidState,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
    ) -> Result<Vec<PostpaidEvent>, Error> {
        let mut out = Vec::new();
        due_events_into(state, now, policy, &mut out)?;
        Ok(out)
    }
}

impl PostpaidAccount {
    /// [`PostpaidAccount::due_events`](TimeDriven::due_events) appending
    /// into `out`; returns the state after them.
    pub fn due_events_into(
        state: &PostpaidState,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
        out: &mut Vec<PostpaidEvent>,
    ) -> Result<PostpaidState, Error> {
        due_events_into(state, now, policy, out)
    }

    /// R-LIFE-09: may recordings made by the service be read at `now`? Not
    /// while the service is paused (or, after a bill, while every service
    /// is stopped, R-LIFE-08).
    pub fn recording_access(
        state: &PostpaidState,
        now: DateTime<Utc>,
        policy: &PostpaidPolicy,
    ) -> Access {
        recording_access(state, now, policy)
    }
}

fn in_currency(amount: Money, policy: &PostpaidPolicy) -> Result<(), Error> {
    let currency = policy.locale().currency;
    if amount.currency() != currency {
        return Err(ArithmeticError::CurrencyMismatch {
            left: currency,
            right: amount.currency(),
        }
        .into());
    }
    Ok(())
}

/// The balance to add to or draw from, in the policy's currency. The
/// initial zero is in the preset locale's currency, whatever the policy's
/// (the initial state knows no policy), so a zero balance is read in the
/// policy's; any other balance must be in it.
fn balance(state: &PostpaidState, policy: &PostpaidPolicy) -> Result<Money, Error> {
    if state.balance.is_zero() {
        return Ok(Money::new(state.balance.amount(), policy.locale().currency));
    }
    in_currency(state.balance, policy)?;
    Ok(state.balance)
}

fn arrears_started(
    cause: ArrearsCause,
    balance: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> PostpaidEvent {
    // Past the calendar's end the suspension is not scheduled: the charge
    // or bill that started the arrears does not need it.
    PostpaidEvent::ArrearsStarted {
        at: now,
        cause,
        balance,
        suspend_at: now.checked_add_signed(policy.suspend_after()),
    }
}

fn issue_bill(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    if policy.trigger() != ArrearsTrigger::MonthlyBill {
        return Err(Reason::new(
            RuleId::Life08,
            "this account settles charges as they occur (R-LIFE-09) and gets no monthly bill; \
             use Charge",
        )
        .into());
    }
    in_currency(amount, policy)?;
    non_negative(amount, RuleId::Life08)?;
    let month = policy.billed_month(now)?;
    if let Some(last) = state.last_billed
        && last >= month
    {
        return Err(Reason::new(
            RuleId::Life08,
            format!(
                "the bill for {} was already issued (last billed month {}); a month is billed once",
                month.format("%Y-%m"),
                last.format("%Y-%m")
            ),
        )
        .with(Figure::text(
            "last_billed",
            last.format("%Y-%m").to_string(),
        ))
        .into());
    }
    let balance = balance(state, policy)?.checked_sub(amount)?;
    let mut events = vec![PostpaidEvent::BillIssued {
        at: now,
        month,
        amount,
        balance,
    }];
    if state.standing == Standing::Good && !policy.trigger().clears(balance) {
        events.push(arrears_started(
            ArrearsCause::Bill { month },
            balance,
            now,
            policy,
        ));
    }
    Ok(events)
}

fn non_negative(amount: Money, rule: RuleId) -> Result<(), Error> {
    if amount.is_negative() {
        return Err(Reason::new(
            rule,
            format!(
                "{amount} is negative; a charge or bill is zero or more (use TopUp to add money)"
            ),
        )
        .with(Figure::money("amount", amount))
        .into());
    }
    Ok(())
}

fn charge(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    if policy.trigger() != ArrearsTrigger::BalanceRunsOut {
        return Err(Reason::new(
            RuleId::Life08,
            "this account is billed monthly (R-LIFE-08); issue the month's bill instead of a charge",
        )
        .into());
    }
    in_currency(amount, policy)?;
    non_negative(amount, RuleId::Life09)?;
    let balance = balance(state, policy)?.checked_sub(amount)?;
    let mut events = vec![PostpaidEvent::Charged {
        at: now,
        amount,
        balance,
    }];
    if state.standing == Standing::Good && !amount.is_zero() && !policy.trigger().clears(balance) {
        events.push(arrears_started(
            ArrearsCause::BalanceRanOut,
            balance,
            now,
            policy,
        ));
    }
    Ok(events)
}

fn top_up(
    state: &PostpaidState,
    amount: Money,
    now: DateTime<Utc>,
    policy: &PostpaidPolicy,
) -> Result<Vec<PostpaidEvent>, Error> {
    in_currency(amount, policy)?;
    if amount.is_negative() || amount.is_zero() {
        return Err(Reason::new(
            policy.trigger().rule(),
            format!("a top-up must be more than zero, not {amount}"),
        )
        .with(Figure::money("amount", amount))
        .into());
    }
    let balance = balance(state, policy)?.checked_add(amount)?;
    let mut events = vec![PostpaidEvent::ToppedUp {
        at: now,
        amount,
        balance,
    }];
    if state.standing != Standing::Good && policy.trigger().clears(balance) {
        events.push(PostpaidEvent::Restored { at: now, balance });
    }
    Ok(events)
}
