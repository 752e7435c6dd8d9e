//! Payment methods and order ledgers fed arbitrary command sequences.

use super::*;

// --------------------------------------------------------------- payment

fn switch_facts() -> impl Strategy<Value = SwitchFacts> {
    (
        prop::bool::weighted(0.2),
        prop::option::of((money(), money())),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(isolated, balance, context_supported)| SwitchFacts {
            isolated,
            invoice_balance: balance.map(|(unused_prepaid, open_for_invoicing)| InvoiceBalance {
                unused_prepaid,
                open_for_invoicing,
            }),
            context_supported,
        })
}

fn payment_command() -> impl Strategy<Value = PaymentCommand> {
    prop_oneof![
        2 => payment_method().prop_map(|method| PaymentCommand::FirstPurchase { method }),
        4 => (payment_method(), switch_facts()).prop_map(|(to, facts)| PaymentCommand::switch(to, facts)),
    ]
}

/// Nothing recorded is lost: switches used never go down (R-PAY-03),
/// prepaid quota once bought stays bought (R-PAY-05), pay-as-you-go stays
/// (R-PAY-04).
fn payment_kept(
    before: &PaymentState,
    after: &PaymentState,
    _: &[billing_rules::payment::PaymentEvent],
) {
    assert!(after.switches_used() >= before.switches_used());
    assert!(after.ever_prepaid() || !before.ever_prepaid());
    if let PaymentState::PayAsYouGo { .. } = before {
        assert_eq!(before, after);
    }
}

proptest! {
    /// R-PAY-01..09: arbitrary first purchases and switches at arbitrary
    /// instants.
    #[test]
    fn r_pay_payment_any_commands_at_any_instants(
        policy in payment_policy(),
        commands in prop::collection::vec(payment_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
    ) {
        exercise::<EnvironmentPayment>(
            &policy,
            &steps(commands, ticks, start),
            &[],
            payment_kept,
            |state, _| {
                let _ = policy.invoice_source(state);
                assert!(state.switches_used() <= policy.switch_limit() || state.switches_used() == 0);
            },
        );
    }
}

// ---------------------------------------------------------------- ledger

/// A ledger command whose `paid_at` is set from the step's instant.
#[derive(Debug, Clone)]
enum LedgerStep {
    Record {
        order: OrderId,
        back: Option<i64>,
        at: DateTime<Utc>,
        amount: billing_rules::money::Money,
    },
    Invoice(OrderId),
    Refund(OrderId, RefundFlags),
}

fn ledger_step() -> impl Strategy<Value = LedgerStep> {
    let id = || prop::sample::select(vec!["o1", "o2", "o3", "o4", ""]).prop_map(OrderId::from);
    let flags =
        (prop::bool::weighted(0.1), prop::bool::weighted(0.1)).prop_map(|(b, a)| RefundFlags {
            banned_for_content: b,
            flagged_abnormal: a,
        });
    prop_oneof![
        4 => (id(), prop::option::of(0i64..=86_400 * 20), any_instant(), prop_oneof![3 => money(), 1 => any_money()])
            .prop_map(|(order, back, at, amount)| LedgerStep::Record { order, back, at, amount }),
        1 => id().prop_map(LedgerStep::Invoice),
        3 => (id(), flags).prop_map(|(id, flags)| LedgerStep::Refund(id, flags)),
    ]
}

fn ledger_command(step: LedgerStep, now: DateTime<Utc>) -> LedgerCommand {
    match step {
        LedgerStep::Record {
            order,
            back,
            at,
            amount,
        } => LedgerCommand::RecordOrder {
            order,
            paid_at: back
                .and_then(|s| now.checked_sub_signed(TimeDelta::seconds(s)))
                .unwrap_or(at),
            amount,
        },
        LedgerStep::Invoice(order) => LedgerCommand::MarkInvoiced { order },
        LedgerStep::Refund(order, flags) => LedgerCommand::Refund { order, flags },
    }
}

fn probe_ledger(policy: &AppRefundPolicy) -> impl Fn(&LedgerState, DateTime<Utc>) {
    move |state, now| {
        let next = policy.next_refund(state, RefundFlags::default(), now);
        round_trip(&next);
        for order in state.orders() {
            let answer = policy.eligibility(state, &order.id, RefundFlags::default(), now);
            if answer.is_eligible() {
                // R-REF-02: only the latest unrefunded order is refundable.
                assert_eq!(state.latest_unrefunded().map(|o| &o.id), Some(&order.id));
                assert_eq!(order.status, OrderStatus::Open);
            }
        }
        let currency = policy.locale().currency;
        if let (Ok(paid), Ok(refunded)) =
            (state.total_paid(currency), state.total_refunded(currency))
        {
            assert!(
                refunded.amount() <= paid.amount(),
                "never more refunded than paid"
            );
        }
    }
}

/// Nothing recorded is lost: every order stays, with its id, payment
/// instant and amount; an invoiced or refunded order stays so (R-REF-01,
/// R-REF-02).
fn ledger_kept(
    before: &LedgerState,
    after: &LedgerState,
    _: &[billing_rules::refund::LedgerEvent],
) {
    assert!(after.orders().len() >= before.orders().len());
    for (was, now) in before.orders().iter().zip(after.orders()) {
        assert_eq!(
            (&was.id, was.paid_at, was.amount),
            (&now.id, now.paid_at, now.amount)
        );
        if was.status != OrderStatus::Open {
            assert_eq!(was.status, now.status);
        }
    }
}

proptest! {
    /// R-REF-01, R-REF-02, R-REF-04: arbitrary orders, invoices and refunds
    /// at arbitrary instants.
    #[test]
    fn r_ref_ledger_any_commands_at_any_instants(
        policy in app_refund_policy(),
        raw in prop::collection::vec(ledger_step(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        let times = timeline(&ticks, start);
        let steps: Vec<(LedgerCommand, DateTime<Utc>)> = raw
            .into_iter()
            .zip(times)
            .map(|(step, now)| (ledger_command(step, now), now))
            .collect();
        exercise::<OrderLedger>(&policy, &steps, &probes, ledger_kept, probe_ledger(&policy));
    }
}
