//! Subscriptions and postpaid accounts fed arbitrary command sequences, and
//! a subscription at chrono's extremes.

use super::*;

// --------------------------------------------------------- subscription

fn funds() -> impl Strategy<Value = Funds> {
    prop_oneof![
        3 => (money(), money()),
        1 => (any_money(), any_money()),
    ]
    .prop_map(|(balance, renewal_price)| Funds {
        balance,
        renewal_price,
    })
}

fn subscription_command() -> impl Strategy<Value = SubscriptionCommand> {
    prop_oneof![
        2 => Just(SubscriptionCommand::GoLive),
        1 => role().prop_map(|by| SubscriptionCommand::StartExtraTrial { by }),
        2 => period().prop_map(|validity| SubscriptionCommand::Purchase { validity }),
        2 => period().prop_map(|validity| SubscriptionCommand::Renew { validity }),
        1 => any::<bool>().prop_map(|on| SubscriptionCommand::SetAutoRenewal { on }),
        4 => prop::option::of(funds()).prop_map(|funds| SubscriptionCommand::Advance { funds }),
    ]
}

fn probe_subscription(
    policy: &SubscriptionPolicy,
    funds: &Option<Funds>,
) -> impl Fn(&SubscriptionState, DateTime<Utc>) {
    move |state, now| {
        let status = Subscription::status(state, now, policy);
        let _ = status.to_string();
        round_trip(&status);
        let answer = Subscription::access(state, now, policy);
        assert_eq!(
            answer.is_allowed(),
            status.is_served(),
            "access follows the status"
        );
        round_trip(&answer);
        let _ = Subscription::next_due_at(state, policy).map_err(|e| readable(&e));
        for funds in [None, funds.as_ref()] {
            let mut out = Vec::new();
            match Subscription::due_events_into(state, now, policy, funds, &mut out) {
                Ok(after) => {
                    let applied = out.iter().fold(*state, Subscription::evolve);
                    assert_eq!(
                        applied, after,
                        "due_events_into's state is its events applied"
                    );
                    let again = Subscription::due_events_with_funds(&after, now, policy, funds);
                    assert!(
                        again.is_ok_and(|e| e.is_empty()),
                        "nothing more is due at {now}"
                    );
                }
                Err(err) => {
                    readable(&err);
                    assert!(out.is_empty(), "an error appends nothing");
                }
            }
        }
    }
}

/// The end of the paid term a phase records, if any.
fn paid_end(phase: &Phase) -> Option<DateTime<Utc>> {
    match phase {
        Phase::Active(term)
        | Phase::Grace { term, .. }
        | Phase::Suspended { term, .. }
        | Phase::Isolated { term, .. }
        | Phase::Intercepted {
            term,
            ended: billing_rules::lifecycle::TermKind::Paid,
            ..
        } => Some(term.end),
        _ => None,
    }
}

/// Nothing recorded is lost: the extra trial, once started, stays recorded
/// (R-LIFE-02: once); a subscription that went live never becomes not live;
/// a renewal never ends before the paid term it renews (R-SEAT-09), and an
/// auto-renewal adds to the term's end (R-LIFE-07).
fn subscription_kept(
    before: &SubscriptionState,
    after: &SubscriptionState,
    events: &[SubscriptionEvent],
) {
    use SubscriptionEvent as E;
    if before.extra_trial_started.is_some() {
        assert_eq!(before.extra_trial_started, after.extra_trial_started);
    }
    if before.phase != Phase::NotLive {
        assert_ne!(after.phase, Phase::NotLive);
    }
    let mut paid = paid_end(&before.phase);
    for event in events {
        match event {
            E::Renewed { end, .. } | E::AutoRenewed { end, .. } => {
                if let Some(was) = paid {
                    assert!(
                        *end >= was,
                        "{event:?} ends before the term it renews ({was})"
                    );
                }
                paid = Some(*end);
            }
            E::Purchased { end, .. } => paid = Some(*end),
            _ => {}
        }
    }
}

proptest! {
    /// R-LIFE-01..07, R-LIFE-10: arbitrary subscription commands at
    /// arbitrary instants.
    #[test]
    fn r_life_subscription_any_commands_at_any_instants(
        policy in subscription_policy(),
        commands in prop::collection::vec(subscription_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        funds in prop::option::of(funds()),
        probes in probes(),
    ) {
        exercise::<Subscription>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            subscription_kept,
            probe_subscription(&policy, &funds),
        );
    }
}

// -------------------------------------------------------------- postpaid

fn postpaid_command() -> impl Strategy<Value = PostpaidCommand> {
    prop_oneof![
        2 => money().prop_map(|amount| PostpaidCommand::IssueBill { amount }),
        2 => money().prop_map(|amount| PostpaidCommand::Charge { amount }),
        3 => money().prop_map(|amount| PostpaidCommand::TopUp { amount }),
        1 => any_money().prop_map(|amount| PostpaidCommand::TopUp { amount }),
        2 => Just(PostpaidCommand::Advance),
    ]
}

fn probe_postpaid(policy: &PostpaidPolicy) -> impl Fn(&PostpaidState, DateTime<Utc>) {
    move |state, now| {
        let status = PostpaidAccount::status(state, now, policy);
        round_trip(&status);
        let _ = status.to_string();
        let answer = PostpaidAccount::access(state, now, policy);
        round_trip(&answer);
        let _ = PostpaidAccount::recording_access(state, now, policy);
        let _ = policy.billed_month(now).map_err(|e| readable(&e));
        match PostpaidAccount::due_events(state, now, policy) {
            Ok(events) => {
                let after = events.iter().fold(*state, PostpaidAccount::evolve);
                assert!(
                    PostpaidAccount::due_events(&after, now, policy).is_ok_and(|e| e.is_empty()),
                    "nothing more is due at {now}"
                );
            }
            Err(err) => readable(&err),
        }
    }
}

/// Nothing recorded is lost: a billed month stays billed (R-LIFE-08), and
/// the balance moves by exactly the bills, charges and top-ups recorded.
fn postpaid_kept(before: &PostpaidState, after: &PostpaidState, events: &[PostpaidEvent]) {
    assert!(after.last_billed >= before.last_billed);
    let mut balance = before.balance.amount();
    for event in events {
        balance = match event {
            PostpaidEvent::BillIssued { amount, .. } | PostpaidEvent::Charged { amount, .. } => {
                exact::sub(balance, amount.amount()).unwrap()
            }
            PostpaidEvent::ToppedUp { amount, .. } => exact::add(balance, amount.amount()).unwrap(),
            _ => balance,
        };
    }
    assert_eq!(
        after.balance.amount(),
        balance,
        "the balance moved by the recorded amounts"
    );
}

proptest! {
    /// R-LIFE-08, R-LIFE-09: arbitrary bills, charges, top-ups and sweeps at
    /// arbitrary instants.
    #[test]
    fn r_life_08_09_postpaid_any_commands_at_any_instants(
        policy in postpaid_policy(),
        commands in prop::collection::vec(postpaid_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        exercise::<PostpaidAccount>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            postpaid_kept,
            probe_postpaid(&policy),
        );
    }
}

/// The extremes as a fixed list, so every run meets them at least once.
#[test]
fn every_decider_answers_at_chrono_extremes() {
    let policy = billing_rules::presets::chat_service_subscription().unwrap();
    let all = extreme_instants();
    let commands = [
        SubscriptionCommand::Purchase {
            validity: billing_rules::time::Period::Month,
        },
        SubscriptionCommand::SetAutoRenewal { on: true },
        SubscriptionCommand::Advance {
            funds: Some(Funds {
                balance: billing_rules::money::Money::cny(rust_decimal::Decimal::MAX),
                renewal_price: billing_rules::money::Money::cny(rust_decimal::Decimal::ZERO),
            }),
        },
        SubscriptionCommand::Renew {
            validity: billing_rules::time::Period::days(u32::MAX).unwrap(),
        },
    ];
    for start in &all {
        for end in &all {
            let steps: Vec<_> = commands
                .iter()
                .map(|c| (*c, *start))
                .chain([(commands[2], *end)])
                .collect();
            exercise::<Subscription>(
                &policy,
                &steps,
                &all,
                subscription_kept,
                probe_subscription(&policy, &None),
            );
        }
    }
}
