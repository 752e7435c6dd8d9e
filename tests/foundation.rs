//! Values, rule ids, errors and the policy pattern (issue: foundation).

mod common;

use std::cmp::Ordering;

use billing_rules::money::{Currency, Money, Rounding, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::pricing::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::time::{Clock, Days, FixedClock, Period, Zone};
use billing_rules::{
    ArithmeticError, Error, Figure, FigureValue, PolicyError, Reason, Refusal, RuleFamily, RuleId,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{d, date};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
}

fn any_mode() -> impl Strategy<Value = RoundingMode> {
    prop::sample::select(RoundingMode::ALL.to_vec())
}

/// Any Decimal a service could hand us, across the whole range and scale.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), any::<i64>(), 0u32..=28).prop_map(|(hi, lo, scale)| {
        let mantissa = (i128::from(hi) << 32) ^ i128::from(lo);
        Decimal::try_from_i128_with_scale(mantissa % 79_228_162_514_264_337_593_543_950_335, scale)
            .unwrap_or(Decimal::ZERO)
    })
}

/// Amounts of everyday size: up to 10^12 with up to 6 decimals.
fn amount() -> impl Strategy<Value = Decimal> {
    (
        -1_000_000_000_000_000_000i64..1_000_000_000_000_000_000,
        0u32..=6,
    )
        .prop_map(|(m, scale)| Decimal::new(m, scale))
}

fn data_unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        Just(Unit::Byte),
        Just(Unit::Kilobyte),
        Just(Unit::Megabyte),
        Just(Unit::Gigabyte),
        Just(Unit::Terabyte),
    ]
}

// ---------------------------------------------------------------- Tiers

fn seat_tiers(mode: TierMode) -> TierTable {
    TierTable::try_from(
        TierTableSpec {
            mode,
            tiers: vec![
                TierSpec::unit(1, Some(50), d("10")),
                TierSpec::unit(51, Some(200), d("8")),
                TierSpec::unit(201, None, d("6")),
            ],
        }
        .on(Axis::Whole, Currency::CNY),
    )
    .unwrap()
}

// Errors name their rule (issue 8): an arithmetic error is reported under
// the rule whose computation failed, in the value and in its Display.

mod errors_name_their_rule {
    use billing_rules::Decider;
    use billing_rules::lifecycle::{
        PostpaidAccount, PostpaidCommand, Subscription, SubscriptionCommand,
    };
    use billing_rules::money::Money;
    use billing_rules::presets;
    use billing_rules::pricing::{PricingSpec, SeatOrder, SeatPolicy};
    use billing_rules::refund::{LedgerCommand, OrderLedger};
    use billing_rules::time::Period;
    use billing_rules::{ArithmeticError, Error, InRule, RuleId};
    use chrono::{DateTime, TimeZone, Utc};
    use rust_decimal::Decimal;

    fn arithmetic_rule(err: &Error) -> Option<RuleId> {
        match err {
            Error::Arithmetic { rule, .. } => *rule,
            other => panic!("expected an arithmetic error, got {other}"),
        }
    }

    #[test]
    fn r_seat_01_a_purchase_at_max_utc_names_its_rule() {
        let policy = presets::app_store_subscription().unwrap();
        let buy = SubscriptionCommand::Purchase {
            validity: Period::Year,
        };
        let err = Subscription::decide(
            &Subscription::initial(),
            &buy,
            DateTime::<Utc>::MAX_UTC,
            &policy,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Arithmetic {
                    rule: Some(RuleId::Seat01),
                    error: ArithmeticError::OutOfRange { .. } | ArithmeticError::Overflow { .. },
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.rule(), Some(RuleId::Seat01));
        assert!(err.to_string().starts_with("R-SEAT-01: "), "{err}");
    }

    /// An auto-renewal's arithmetic (balance against price) names R-LIFE-07,
    /// not the expiry's R-LIFE-04 that `Advance` falls back to.
    #[test]
    fn r_life_07_a_renewal_in_another_currency_names_r_life_07() {
        use billing_rules::lifecycle::Funds;
        let policy = presets::chat_service_subscription().unwrap();
        let bought = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let mut state = Subscription::initial();
        for command in [
            SubscriptionCommand::Purchase {
                validity: Period::Month,
            },
            SubscriptionCommand::SetAutoRenewal { on: true },
        ] {
            state = Subscription::run(&state, &command, bought, &policy)
                .unwrap()
                .0;
        }
        let funds = Funds {
            balance: Money::new(Decimal::from(100), billing_rules::money::Currency::USD),
            renewal_price: Money::cny(Decimal::from(10)),
        };
        let advance = SubscriptionCommand::Advance { funds: Some(funds) };
        let later = bought + chrono::Duration::days(40);
        let err = Subscription::decide(&state, &advance, later, &policy).unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Life07));
        assert_eq!(
            err.to_string(),
            "R-LIFE-07: cannot combine USD and CNY: amounts of different currencies never mix"
        );
    }

    #[test]
    fn r_seat_09_a_renewal_at_max_utc_names_its_rule() {
        let policy = presets::chat_service_subscription().unwrap();
        let renew = SubscriptionCommand::Renew {
            validity: Period::Month,
        };
        let err = Subscription::decide(
            &Subscription::initial(),
            &renew,
            DateTime::<Utc>::MAX_UTC,
            &policy,
        )
        .unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Seat09));
        assert!(err.to_string().starts_with("R-SEAT-09: "), "{err}");
    }

    #[test]
    fn r_life_09_a_deposit_overflow_names_its_rule() {
        let policy = presets::live_plugin_postpaid().unwrap();
        let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let top_up = PostpaidCommand::TopUp {
            amount: Money::cny(Decimal::MAX),
        };
        let (state, _) =
            PostpaidAccount::run(&PostpaidAccount::initial(), &top_up, now, &policy).unwrap();
        let err = PostpaidAccount::decide(&state, &top_up, now, &policy).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Arithmetic {
                    rule: Some(RuleId::Life09),
                    error: ArithmeticError::Overflow { .. },
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("R-LIFE-09: arithmetic overflow in "),
            "{err}"
        );
    }

    #[test]
    fn r_seat_02_a_seat_quote_overflow_names_its_rule() {
        let mut spec = presets::app_store_seat_pricing_spec();
        spec.pricing = PricingSpec::UnitPrice {
            unit_price: Decimal::MAX,
        };
        spec.discounts.clear();
        let policy = SeatPolicy::try_from(spec).unwrap();
        let err = policy.quote(&SeatOrder::new(2, 1)).unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Seat02));
        assert!(
            err.to_string()
                .starts_with("R-SEAT-02: arithmetic overflow in "),
            "{err}"
        );
    }

    #[test]
    fn r_seat_01_a_validity_past_chrono_names_r_seat_01_not_the_pricing_rule() {
        let policy = presets::app_store_seat_pricing().unwrap();
        let order = SeatOrder::new(120, 2).starting(chrono::DateTime::<Utc>::MAX_UTC);
        let err = policy.quote(&order).unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Seat01));
        assert!(err.to_string().starts_with("R-SEAT-01: "), "{err}");
    }

    #[test]
    fn r_seat_01_purchased_days_past_u32_name_r_seat_01() {
        let policy = presets::app_store_seat_pricing().unwrap();
        // 365 x 20,000,000 days does not fit a u32 day count.
        let err = policy.quote(&SeatOrder::new(120, 20_000_000)).unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Seat01));
        assert!(
            err.to_string()
                .starts_with("R-SEAT-01: arithmetic overflow"),
            "{err}"
        );
    }

    #[test]
    fn r_ref_01_an_order_in_another_currency_names_its_rule() {
        let policy = presets::app_store_refunds().unwrap();
        let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let record = LedgerCommand::RecordOrder {
            order: "o1".into(),
            paid_at: now,
            amount: Money::new(Decimal::ONE, billing_rules::money::Currency::USD),
        };
        let err = OrderLedger::decide(&OrderLedger::initial(), &record, now, &policy).unwrap_err();
        assert_eq!(arithmetic_rule(&err), Some(RuleId::Ref01));
        assert_eq!(
            err.to_string(),
            "R-REF-01: cannot combine CNY and USD: amounts of different currencies never mix"
        );
    }

    #[test]
    fn the_innermost_rule_wins_and_refusals_keep_theirs() {
        let inner: Result<(), ArithmeticError> = Err(ArithmeticError::DivisionByZero);
        let err = inner
            .in_rule(RuleId::Seat05)
            .in_rule(RuleId::Seat02)
            .unwrap_err();
        assert_eq!(err.rule(), Some(RuleId::Seat05));
        assert_eq!(err.to_string(), "R-SEAT-05: division by zero");
        let bare = Error::from(ArithmeticError::DivisionByZero);
        assert_eq!(bare.rule(), None);
        assert_eq!(bare.to_string(), "division by zero");
        let refused = Error::from(billing_rules::Reason::new(RuleId::Pay03, "4 of 4"));
        assert_eq!(refused.clone().in_rule(RuleId::Seat01), refused);
        assert_eq!(refused.rule(), Some(RuleId::Pay03));
    }
}

mod error_json {
    use billing_rules::engine::{EngineError, StoreError, Version};
    use billing_rules::{ArithmeticError, DataError, Error, PolicyError, RuleId};
    use serde_json::json;

    /// The JSON of `err`, which reads back, and which the engine's error
    /// holding it writes and reads the same.
    fn shape(err: &Error) -> serde_json::Value {
        let value = serde_json::to_value(err).unwrap();
        assert_eq!(
            &serde_json::from_value::<Error>(value.clone()).unwrap(),
            err
        );
        let engine = EngineError::from(err.clone());
        assert_eq!(serde_json::to_value(&engine).unwrap(), value);
        assert_eq!(
            serde_json::from_value::<EngineError>(value.clone()).unwrap(),
            engine
        );
        value
    }

    #[test]
    fn every_error_kind_is_snake_case_and_tagged_by_kind() {
        let arithmetic = Error::from(ArithmeticError::CurrencyMismatch {
            left: billing_rules::money::Currency::CNY,
            right: billing_rules::money::Currency::USD,
        })
        .in_rule(RuleId::Pay06);
        assert_eq!(
            shape(&arithmetic),
            json!({"kind": "arithmetic", "rule": "R-PAY-06",
                   "error": {"kind": "currency_mismatch", "left": "CNY", "right": "USD"}})
        );
        assert_eq!(
            shape(&Error::from(ArithmeticError::DivisionByZero)),
            json!({"kind": "arithmetic", "rule": null, "error": {"kind": "division_by_zero"}})
        );
        let policy = Error::from(
            PolicyError::new("window_days", "0 days", "1 day or more").with_rule(RuleId::Ref01),
        );
        assert_eq!(
            shape(&policy),
            json!({"kind": "policy", "field": "window_days", "problem": "0 days",
                   "allowed": "1 day or more", "rule": "R-REF-01"})
        );
        let data = Error::from(DataError::new(
            "orders[1].id",
            "order id a is used",
            "unique ids",
        ));
        assert_eq!(
            shape(&data),
            json!({"kind": "data", "field": "orders[1].id", "problem": "order id a is used",
                   "allowed": "unique ids"})
        );
        assert_eq!(data.rule(), None);
        // A store error is the engine's: the shape it had as a crate error.
        let store = EngineError::from(StoreError::Conflict {
            expected: Version::new(3),
            actual: Version::new(4),
        });
        let json =
            json!({"kind": "store", "error": {"kind": "conflict", "expected": 3, "actual": 4}});
        assert_eq!(serde_json::to_value(&store).unwrap(), json);
        assert_eq!(
            serde_json::from_value::<EngineError>(json.clone()).unwrap(),
            store
        );
        assert!(serde_json::from_value::<Error>(json).is_err());
        // A missing rule reads as none.
        let json = json!({"kind": "arithmetic", "error": {"kind": "division_by_zero"}});
        assert_eq!(
            serde_json::from_value::<Error>(json).unwrap(),
            Error::from(ArithmeticError::DivisionByZero)
        );
        // The old PascalCase shape is refused.
        assert!(serde_json::from_value::<Error>(json!({"Arithmetic": "DivisionByZero"})).is_err());
    }
}

mod event_lines {
    use billing_rules::Decider;
    use billing_rules::lifecycle::{Subscription, SubscriptionCommand, SubscriptionEvent};
    use billing_rules::presets;
    use chrono::{TimeZone, Utc};

    #[test]
    fn r_life_03_a_notice_logs_as_one_line_naming_its_rule() {
        let policy = presets::app_store_subscription().unwrap();
        let zone = policy.locale().time_zone;
        let live = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap(); // Jan 1 00:00 +08:00
        let (trial, went_live) = Subscription::run(
            &Subscription::initial(),
            &SubscriptionCommand::GoLive,
            live,
            &policy,
        )
        .unwrap();
        assert_eq!(
            went_live[0].display_in(zone).to_string(),
            "R-LIFE-01 went live: trial ends 2025-01-15 00:00 +08:00"
        );
        let week_later = Utc.with_ymd_and_hms(2025, 1, 7, 16, 0, 0).unwrap();
        let (_, due) = Subscription::run(
            &trial,
            &SubscriptionCommand::Advance { funds: None },
            week_later,
            &policy,
        )
        .unwrap();
        let notice = due
            .iter()
            .find(|e| matches!(e, SubscriptionEvent::Notice(_)))
            .unwrap();
        let line = notice.display_in(zone).to_string();
        assert!(
            line.starts_with("R-LIFE-03 notice: trial ends 2025-01-15 00:00 +08:00 (to the "),
            "{line}"
        );
        assert!(!line.contains('\n'));
        // Display alone writes UTC.
        assert!(
            notice
                .to_string()
                .starts_with("R-LIFE-03 notice: trial ends 2025-01-14 16:00 +00:00"),
            "{notice}"
        );
    }
}

#[path = "foundation/money_quantities_time.rs"]
mod money_quantities_time;
#[path = "foundation/tiers.rs"]
mod tiers;
