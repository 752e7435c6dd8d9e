//! Deserialize, then use: each type read from JSON is exercised the way a
//! service would use it.

use super::*;

// ------------------------------------------------- deserialize, then use

/// Deserializes `value` as `T`: `Ok` or an error with a message. What
/// deserializes serializes back to a value that deserializes to itself.
pub(crate) fn read<T>(value: &Value) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    match serde_json::from_value::<T>(value.clone()) {
        Ok(v) => {
            let again = serde_json::to_value(&v).expect("a deserialized value serializes");
            let back: T = serde_json::from_value(again.clone()).unwrap_or_else(|e| {
                panic!("{again} does not deserialize back ({e}); it came from {value}")
            });
            assert_eq!(back, v, "round trip of {value}");
            Some(v)
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            None
        }
    }
}

pub(crate) fn show<T: std::fmt::Display>(value: &T) {
    let _ = value.to_string();
}

/// An answer of the library: `Ok`, or an error that reads as a sentence.
pub(crate) fn answered<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            if let Some(refusal) = e.refusal() {
                assert!(!refusal.reasons().is_empty());
            }
            None
        }
    }
}

pub(crate) fn probe_instants() -> Vec<DateTime<Utc>> {
    let mut all = extreme_instants();
    all.extend([at(2025, 6, 1, 0), at(2026, 7, 3, 1), at(2025, 7, 2, 17)]);
    all
}

/// Prices with `policy` for `seats` x `periods`, and upgrades, extends,
/// credits and checks channels with it. Every answer is `Ok` or `Err`; a
/// quote is never negative, is rounded to the minor unit and stays under
/// the cap (R-SEAT-06).
pub fn use_seat_policy(policy: &SeatPolicy, seats: u32, periods: u32, now: DateTime<Utc>) {
    let currency = policy.locale().currency;
    let order = SeatOrder::new(seats, periods);
    for order in [order, order.starting(now)] {
        if let Some(q) = answered(policy.quote(&order)) {
            assert!(!q.total.is_negative(), "{q:?}");
            assert_eq!(q.total.currency(), currency);
            assert_eq!(q.total, q.total.round_to_minor(policy.locale().rounding));
            if let Some(cap) = policy.max_total() {
                assert!(q.total.amount() <= cap.amount(), "{q:?} over {cap}");
            }
            show(&q.total);
        }
    }
    let current = CurrentPurchase {
        paid: Money::new(Decimal::from(seats), currency),
        start: now,
        end: now.checked_add_signed(TimeDelta::days(365)).unwrap_or(now),
    };
    for at in [
        now,
        current.end,
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MIN_UTC,
    ] {
        if let Some(up) = answered(policy.upgrade(&current, &order, at)) {
            assert!(!up.amount_due.is_negative(), "{up:?}");
            assert!(up.credit.amount.amount() <= current.paid.amount());
        }
        let _ = answered(policy.credit(&current, Money::new(Decimal::MAX, currency), at));
        let _ = answered(policy.extend(
            &ExtensionOrder {
                seats,
                periods,
                current_end: current.end,
            },
            at,
        ));
    }
    for platform in Platform::ALL {
        let offered = policy.channels(platform);
        assert!(
            !offered.is_empty(),
            "R-SEAT-10: every platform offers a channel"
        );
        for channel in PaymentChannel::ALL {
            let ok = policy.check_channel(platform, channel).is_ok();
            assert_eq!(ok, offered.contains(&channel));
        }
    }
}

/// Builds `spec` on both axes and prices quantities from 0 to the maximum.
pub fn use_tier_table_spec(spec: &TierTableSpec) {
    for axis in Axis::ALL {
        for currency in [Currency::CNY, Currency::JPY] {
            let Ok(table) = TierTable::try_from(spec.clone().on(axis, currency)) else {
                continue;
            };
            assert_eq!(table.to_spec(), spec.clone().on(axis, currency));
            for q in [
                Decimal::ZERO,
                Decimal::new(5, 1),
                Decimal::ONE,
                Decimal::from(51),
                Decimal::from(1_000_000_000),
                Decimal::MAX,
                Decimal::MIN,
                Decimal::new(1, 28),
            ] {
                if let Some(price) = answered(table.price(q)) {
                    assert!(!price.total.is_negative());
                    assert!(price.tier < table.tiers().len());
                }
                if let Some(parts) = answered(table.parts(q)) {
                    for part in parts {
                        let _ = part.map(|p| assert!(!p.amount.is_negative()));
                    }
                }
            }
        }
    }
}

pub(crate) fn use_subscription_policy(policy: &SubscriptionPolicy) {
    for state in &samples().subscription_states {
        use_subscription_state(state, policy);
    }
}

pub(crate) fn funds() -> Vec<Option<Funds>> {
    vec![
        None,
        Some(Funds {
            balance: yuan(1_000_000),
            renewal_price: yuan(0),
        }),
        Some(Funds {
            balance: Money::cny(Decimal::MAX),
            renewal_price: Money::cny(Decimal::new(1, 2)),
        }),
        Some(Funds {
            balance: yuan(1),
            renewal_price: Money::new(Decimal::ONE, Currency::USD),
        }),
    ]
}

pub fn use_subscription_state(state: &SubscriptionState, policy: &SubscriptionPolicy) {
    for now in probe_instants() {
        show(&Subscription::status(state, now, policy));
        let _ = Subscription::access(state, now, policy);
        for funds in funds() {
            if let Some(events) = answered(Subscription::due_events_with_funds(
                state,
                now,
                policy,
                funds.as_ref(),
            )) {
                let after = events.iter().fold(*state, Subscription::evolve);
                let again =
                    Subscription::due_events_with_funds(&after, now, policy, funds.as_ref());
                assert_eq!(again.map(|e| e.len()).unwrap_or(0), 0, "caught up at {now}");
            }
        }
        let _ = answered(Subscription::next_due_at(state, policy));
        for command in &samples().subscription_commands {
            if let Some((next, _)) = answered(Subscription::run(state, command, now, policy)) {
                show(&Subscription::status(&next, now, policy));
            }
        }
    }
}

pub(crate) fn use_postpaid_policy(policy: &PostpaidPolicy) {
    for state in &samples().postpaid_states {
        use_postpaid_state(state, policy);
    }
}

pub fn use_postpaid_state(state: &PostpaidState, policy: &PostpaidPolicy) {
    for now in probe_instants() {
        show(&PostpaidAccount::status(state, now, policy));
        let _ = PostpaidAccount::access(state, now, policy);
        let _ = PostpaidAccount::recording_access(state, now, policy);
        let _ = answered(PostpaidAccount::due_events(state, now, policy));
        let _ = answered(policy.billed_month(now));
        for command in &samples().postpaid_commands {
            let _ = answered(PostpaidAccount::run(state, command, now, policy));
        }
    }
}

pub(crate) fn use_licence_policy(policy: &LicencePolicy) {
    show(&policy.price());
    let _ = policy.term();
    for state in &samples().licence_states {
        use_licence_state(state, policy);
    }
}

pub fn use_licence_state(state: &LicenceState, policy: &LicencePolicy) {
    for now in probe_instants() {
        show(&Licence::status(state, now, policy));
        let _ = Licence::access(state, now, policy);
        let _ = Licence::due_events(state, now, policy).unwrap();
        if let LicenceState::Available(held) | LicenceState::Expired(held) = state {
            let _ = held.granted(policy);
        }
        for command in &samples().licence_commands {
            let _ = answered(Licence::run(state, command, now, policy));
        }
    }
}

pub(crate) fn use_payment_policy(policy: &PaymentPolicy) {
    for state in &samples().payment_states {
        use_payment_state(state, policy);
    }
}

pub fn use_payment_state(state: &PaymentState, policy: &PaymentPolicy) {
    let _ = policy.invoice_source(state);
    let _ = policy.method_in_use(state);
    for now in probe_instants() {
        for command in &samples().payment_commands {
            let _ = answered(EnvironmentPayment::run(state, command, now, policy));
        }
    }
}

pub(crate) fn use_app_refund_policy(policy: &AppRefundPolicy) {
    for state in &samples().ledger_states {
        use_ledger_state(state, policy);
    }
}

pub fn use_ledger_state(state: &LedgerState, policy: &AppRefundPolicy) {
    let currency = policy.locale().currency;
    let _ = state.total_paid(currency);
    let _ = state.total_refunded(currency);
    for now in probe_instants() {
        let _ = policy.next_refund(state, RefundFlags::default(), now);
        for order in state.orders() {
            let _ = policy.eligibility(state, &order.id, RefundFlags::default().abnormal(), now);
        }
        for command in &samples().ledger_commands {
            let _ = answered(OrderLedger::run(state, command, now, policy));
        }
    }
}

pub(crate) fn use_licence_refund_policy(policy: &LicenceRefundPolicy) {
    for request in &samples().licence_refund_requests {
        use_licence_refund_request(request, policy);
    }
}

pub fn use_licence_refund_request(request: &LicenceRefundRequest, policy: &LicenceRefundPolicy) {
    for now in probe_instants() {
        let _ = answered(policy.eligibility(request, now));
    }
}
