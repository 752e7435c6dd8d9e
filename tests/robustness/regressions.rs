//! One test per bug the hardening pass found, named after its rule (the
//! time-zone ones after the foundation value, as in `tests/foundation.rs`).
//! One module per fix.

/// Local dates at chrono's ends (foundation, R-LIFE-05, R-LIFE-08).
mod local_dates {
    use billing_rules::Decider;
    use billing_rules::Error;
    use billing_rules::TimeDriven;
    use billing_rules::lifecycle::{Subscription, SubscriptionEvent, SubscriptionStatus};
    use billing_rules::presets;
    use billing_rules::time::Zone;
    use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

    /// `Zone::local_date` panicked ("Local time out of range for
    /// `NaiveDateTime`") for an instant whose local day lies past chrono's last
    /// date: `MAX_UTC` in +08:00.
    #[test]
    fn zone_local_date_at_chrono_ends_is_clamped_or_an_error_not_a_panic() {
        let max = DateTime::<Utc>::MAX_UTC;
        let min = DateTime::<Utc>::MIN_UTC;
        assert_eq!(Zone::BEIJING.local_date(max), NaiveDate::MAX);
        assert!(Zone::BEIJING.checked_local_date(max).is_err());
        assert!(Zone::BEIJING.start_of_local_day(max).is_err());
        let west = Zone::new(FixedOffset::west_opt(3600).unwrap());
        assert_eq!(west.local_date(min), NaiveDate::MIN);
        assert!(west.checked_local_date(min).is_err());
        // An hour earlier the local day exists and is exact.
        assert_eq!(
            Zone::BEIJING
                .checked_local_date(max - Duration::hours(9))
                .unwrap(),
            NaiveDate::MAX
        );
    }

    /// R-LIFE-08: the bill day is a local day; at the last instant there is
    /// none, and that is an error value.
    #[test]
    fn r_life_08_the_bill_day_at_chrono_last_instant_is_an_error_not_a_panic() {
        let policy = presets::cloud_environment_postpaid().unwrap();
        let err = policy.billed_month(DateTime::<Utc>::MAX_UTC).unwrap_err();
        assert!(matches!(err, Error::Arithmetic { .. }), "{err}");
    }

    /// R-LIFE-05: a paid term ending at chrono's last instant has no expiry
    /// day; its reminders are not scheduled (issue 19: an error here made
    /// every later sweep fail), its status and access answer.
    #[test]
    fn r_life_05_reminders_of_a_term_ending_at_chrono_end_are_not_scheduled_not_a_panic() {
        let policy = presets::chat_service_subscription().unwrap();
        let max = DateTime::<Utc>::MAX_UTC;
        let state = Subscription::evolve(
            Subscription::initial(),
            &SubscriptionEvent::Purchased {
                at: max - Duration::days(3),
                end: max,
            },
        );
        let events = Subscription::due_events(&state, max, &policy).unwrap();
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, SubscriptionEvent::Reminder(_))),
            "{events:?}"
        );
        assert_eq!(
            Subscription::status(&state, max - Duration::days(1), &policy),
            SubscriptionStatus::Active { ends: max }
        );
        assert!(billing_rules::lifecycle::Subscription::access(&state, max, &policy).is_allowed());
    }
}

/// The work of one sweep (R-LIFE-07).
mod auto_renewal {
    use billing_rules::Decider;
    use billing_rules::lifecycle::{
        Funds, MAX_AUTO_RENEWALS_PER_SWEEP, Subscription, SubscriptionCommand, SubscriptionEvent,
        SubscriptionState,
    };
    use billing_rules::money::Money;
    use billing_rules::presets;
    use billing_rules::time::Period;
    use billing_rules::{FigureValue, RuleId};
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use rust_decimal::Decimal;

    fn free_monthly_renewals(start: DateTime<Utc>) -> (SubscriptionState, Funds) {
        let policy = presets::chat_service_subscription().unwrap();
        let (state, _) = Subscription::run(
            &Subscription::initial(),
            &SubscriptionCommand::Purchase {
                validity: Period::Month,
            },
            start,
            &policy,
        )
        .unwrap();
        let (state, _) = Subscription::run(
            &state,
            &SubscriptionCommand::SetAutoRenewal { on: true },
            start,
            &policy,
        )
        .unwrap();
        let funds = Funds {
            balance: Money::cny(Decimal::ZERO),
            renewal_price: Money::cny(Decimal::ZERO),
        };
        (state, funds)
    }

    /// R-LIFE-07: a free plan renewing every month, swept once 8,000 years
    /// later, produced ~96,000 renewals and ~870,000 events in one answer (and
    /// at chrono's last instant millions): the work of one sweep is now
    /// bounded, and the sweep past the bound is refused with the instant to
    /// sweep before.
    #[test]
    fn r_life_07_auto_renewals_of_one_sweep_are_bounded() {
        let policy = presets::chat_service_subscription().unwrap();
        let start = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        let (state, funds) = free_monthly_renewals(start);
        let far = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).unwrap();
        // The free function refuses; the Advance command applies a batch
        // (tests/lifecycle.rs, R-LIFE-07).
        let err =
            Subscription::due_events_with_funds(&state, far, &policy, Some(&funds)).unwrap_err();
        let refusal = err.refusal().expect("refused");
        assert_eq!(refusal.rule(), RuleId::Life07);
        assert_eq!(
            refusal.figure("max_auto_renewals"),
            Some(&FigureValue::Count(u64::from(MAX_AUTO_RENEWALS_PER_SWEEP)))
        );
        let Some(&FigureValue::Instant(next)) = refusal.figure("next_renewal") else {
            panic!("the next renewal is a figure")
        };
        // 1000 renewals of 31 days after the first 31-day term.
        assert_eq!(next, start + Duration::days(31 * 1001));
        // Sweeping just before it applies exactly the bound, then the rest.
        let events = Subscription::due_events_with_funds(
            &state,
            next - Duration::nanoseconds(1),
            &policy,
            Some(&funds),
        )
        .unwrap();
        let renewed = |events: &[SubscriptionEvent]| {
            events
                .iter()
                .filter(|e| matches!(e, SubscriptionEvent::AutoRenewed { .. }))
                .count()
        };
        assert_eq!(renewed(&events), 1000);
        let state = events.iter().fold(state, Subscription::evolve);
        let later = start + Duration::days(31 * 1500);
        let rest =
            Subscription::due_events_with_funds(&state, later, &policy, Some(&funds)).unwrap();
        assert_eq!(renewed(&rest), 500);
    }
}

/// Commands stamped before a recorded fact (R-LIC-03, R-SEAT-09).
mod stamped_before {
    use billing_rules::Decider;
    use billing_rules::TimeDriven;
    use billing_rules::lifecycle::{
        AccountId, AppId, Licence, LicenceCommand, LicenceState, LicenceStatus, Subscription,
        SubscriptionCommand, SubscriptionEvent, SubscriptionStatus,
    };
    use billing_rules::presets;
    use billing_rules::time::Period;
    use chrono::{DateTime, Duration, TimeZone, Utc};

    fn t2025() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
    }

    /// R-LIC-03: a licence whose expiry was recorded, bought again by a command
    /// stamped before that expiry, restarted from the purchase instant and so
    /// lost the rest of its paid validity.
    #[test]
    fn r_lic_03_a_purchase_stamped_before_a_recorded_expiry_stacks_from_the_end() {
        let policy = presets::live_plugin_licence().unwrap();
        let buy = LicenceCommand::Purchase {
            app: AppId::new("app-1"),
            account: AccountId::new("alice"),
        };
        let (state, _) = Licence::run(&Licence::initial(), &buy, t2025(), &policy).unwrap();
        let end = t2025() + Duration::days(365);
        let (expired, _) = Licence::run(
            &state,
            &LicenceCommand::Advance,
            end + Duration::days(1),
            &policy,
        )
        .unwrap();
        assert!(matches!(expired, LicenceState::Expired(_)));
        // Asked about an instant before the recorded end, it was available.
        let earlier = end - Duration::days(10);
        assert_eq!(
            Licence::status(&expired, earlier, &policy),
            LicenceStatus::Available { until: end }
        );
        let (again, _) = Licence::run(&expired, &buy, earlier, &policy).unwrap();
        let LicenceState::Available(held) = again else {
            panic!("available")
        };
        assert_eq!(held.end, end + Duration::days(365));
    }

    /// R-SEAT-09: a renewal stamped before a recorded lapse started the new term
    /// at its own instant, before the old term's end: the renewed term ended
    /// earlier than the one it renewed.
    #[test]
    fn r_seat_09_a_renewal_stamped_before_a_recorded_lapse_starts_at_the_term_end() {
        let policy = presets::app_store_subscription().unwrap();
        let start = t2025();
        let (state, _) = Subscription::run(
            &Subscription::initial(),
            &SubscriptionCommand::Purchase {
                validity: Period::Year,
            },
            start,
            &policy,
        )
        .unwrap();
        let end = start + Duration::days(365);
        let (lapsed, _) = Subscription::run(
            &state,
            &SubscriptionCommand::Advance { funds: None },
            end + Duration::days(2),
            &policy,
        )
        .unwrap();
        assert_eq!(
            Subscription::status(&lapsed, end + Duration::days(2), &policy),
            SubscriptionStatus::Intercepted {
                since: end,
                ended: billing_rules::lifecycle::TermKind::Paid
            }
        );
        let earlier = start + Duration::days(100);
        assert_eq!(
            Subscription::status(&lapsed, earlier, &policy),
            SubscriptionStatus::Active { ends: end }
        );
        let (renewed, events) = Subscription::run(
            &lapsed,
            &SubscriptionCommand::Renew {
                validity: Period::Year,
            },
            earlier,
            &policy,
        )
        .unwrap();
        assert_eq!(
            events,
            [SubscriptionEvent::Renewed {
                at: earlier,
                start: end,
                end: end + Duration::days(365)
            }]
        );
        assert_eq!(
            Subscription::status(&renewed, earlier, &policy),
            SubscriptionStatus::Active {
                ends: end + Duration::days(365)
            }
        );
    }
}

/// Bundled free terms (R-LIC-06).
mod bundled_terms {
    use billing_rules::Decider;
    use billing_rules::lifecycle::{
        AccountId, AppId, BundleClaim, BundleClaimCommand, Licence, LicenceCommand, LicenceEvent,
        LicencePolicy, LicenceState, TrafficPackage,
    };
    use billing_rules::presets;
    use billing_rules::quantity::{Quantity, Unit};
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use rust_decimal::Decimal;

    fn t2025() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
    }

    /// R-LIC-06: a bundled claim worth several free terms (`bundled_terms`)
    /// extended the validity by all of them but counted one, so `granted`
    /// under-reported the validity.
    #[test]
    fn r_lic_06_a_bundled_claim_counts_every_free_term_it_grants() {
        let mut spec = presets::live_plugin_licence_spec();
        spec.bundled_terms = 3;
        let policy = LicencePolicy::try_from(spec).unwrap();
        let alice = AccountId::new("alice");
        let package = TrafficPackage {
            id: "p1".into(),
            size: Quantity::new(Decimal::from(200), Unit::Terabyte),
            buyer: alice.clone(),
        };
        let app = AppId::new("app-1");
        let bundle = BundleClaimCommand::Claim {
            app: app.clone(),
            account: alice.clone(),
            package,
        };
        let (claims, _) =
            BundleClaim::run(&BundleClaim::initial(), &bundle, t2025(), &policy).unwrap();
        let claim = LicenceCommand::ClaimBundled {
            app,
            account: alice,
            receipt: claims.receipt().unwrap().clone(),
        };
        let (state, events) = Licence::run(&Licence::initial(), &claim, t2025(), &policy).unwrap();
        let LicenceState::Available(held) = &state else {
            panic!("available")
        };
        assert_eq!(held.terms, 3);
        assert_eq!(held.end, t2025() + Duration::days(3 * 365));
        assert_eq!(
            held.granted(&policy).unwrap(),
            billing_rules::time::Days(3 * 365)
        );
        // The event says how many terms it granted; one recorded before the
        // field existed reads as one.
        let json = serde_json::to_value(&events[1]).unwrap();
        assert_eq!(json["terms"], 3);
        let mut old = json;
        old.as_object_mut().unwrap().remove("terms");
        let read: LicenceEvent = serde_json::from_value(old).unwrap();
        assert!(matches!(
            read,
            LicenceEvent::BundledGranted { terms: 1, .. }
        ));
    }
}

/// Exact tier parts (R-SEAT-03).
mod tier_parts {
    use billing_rules::money::Currency;
    use billing_rules::pricing::{Axis, TierMode, TierSpec, TierTable, TierTableSpec};
    use rust_decimal::Decimal;

    /// R-SEAT-03: the part of a quantity inside a graduated tier was computed
    /// with `Decimal::checked_sub`, which rounds a result needing more than 28
    /// digits: the parts silently stopped adding up to the quantity.
    #[test]
    fn r_seat_03_graduated_parts_are_exact_or_an_error() {
        let spec = TierTableSpec {
            mode: TierMode::Graduated,
            tiers: vec![
                TierSpec {
                    from: Decimal::ZERO,
                    to: Some(Decimal::new(5, 1)),
                    flat: None,
                    unit_price: Some(Decimal::ONE),
                },
                TierSpec {
                    from: Decimal::new(5, 1),
                    to: None,
                    flat: Some(Decimal::ONE),
                    unit_price: None,
                },
            ],
        };
        let table = TierTable::try_from(spec.clone().on(Axis::Continuous, Currency::CNY)).unwrap();
        // 7 x 10^28 - 0.5 needs 30 digits.
        let huge: Decimal = "70000000000000000000000000000".parse().unwrap();
        let parts: Vec<_> = table.parts(huge).unwrap().collect();
        assert!(parts[0].is_ok());
        assert!(parts[1].is_err(), "{:?}", parts[1]);
        assert!(table.price(huge).is_err());
        // Within range the parts add up to the quantity exactly.
        let q = Decimal::new(12345, 1);
        let parts: Vec<_> = table.parts(q).unwrap().map(Result::unwrap).collect();
        let inside: Decimal = parts.iter().map(|p| p.quantity).sum();
        assert_eq!(inside, q);
        assert_eq!(table.price(q).unwrap().total.to_string(), "CNY 1.50");
    }
}

/// Duplicate checks in one pass (R-SEAT-04, R-SEAT-05, R-REF-01).
mod one_pass {
    use billing_rules::Error;
    use billing_rules::money::{Currency, Money};
    use billing_rules::presets;
    use billing_rules::pricing::{BonusAmount, BonusSpec, DiscountSpec, SeatPolicy};
    use billing_rules::refund::{LedgerState, Order};
    use chrono::{DateTime, TimeZone, Utc};
    use rust_decimal::Decimal;

    fn t2025() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
    }

    /// R-SEAT-04: duplicate discounts were found by comparing every pair, so a
    /// policy of 10^6 discounts took over an hour to build; now one pass, and
    /// the error still names the first duplicate and its earlier twin.
    #[test]
    fn r_seat_04_a_million_discounts_build_in_one_pass() {
        let mut spec = presets::app_store_seat_pricing_spec();
        spec.discounts = (1..=1_000_000u32)
            .map(|periods| DiscountSpec {
                periods,
                factor: Decimal::new(90, 2),
            })
            .collect();
        let policy = SeatPolicy::try_from(spec.clone()).unwrap();
        assert_eq!(policy.discount_for(1_000_000), Some(Decimal::new(90, 2)));
        spec.discounts.push(DiscountSpec {
            periods: 7,
            factor: Decimal::ONE,
        });
        let err = SeatPolicy::try_from(spec).unwrap_err();
        assert_eq!(err.field, "discounts[1000000].periods");
        assert!(err.problem.contains("(discounts[6])"), "{err}");
    }

    /// R-SEAT-05: the same for bonus days, and for a duration that has both a
    /// discount and bonus days (the first discount is named).
    #[test]
    fn r_seat_05_a_million_bonuses_build_in_one_pass() {
        let mut spec = presets::app_store_seat_pricing_spec();
        spec.discounts = vec![DiscountSpec {
            periods: 2,
            factor: Decimal::new(85, 2),
        }];
        spec.bonuses = (3..=1_000_002u32)
            .map(|periods| BonusSpec {
                periods,
                bonus: BonusAmount::Days(30),
            })
            .collect();
        let policy = SeatPolicy::try_from(spec.clone()).unwrap();
        assert_eq!(policy.bonus_for(3).map(|d| d.0), Some(30));
        spec.bonuses.push(BonusSpec {
            periods: 9,
            bonus: BonusAmount::Days(1),
        });
        let err = SeatPolicy::try_from(spec.clone()).unwrap_err();
        assert_eq!(err.field, "bonuses[1000000].periods");
        assert!(err.problem.contains("(bonuses[6])"), "{err}");
        spec.bonuses.pop();
        spec.bonuses.push(BonusSpec {
            periods: 2,
            bonus: BonusAmount::Days(1),
        });
        let err = SeatPolicy::try_from(spec).unwrap_err();
        assert!(err.problem.contains("(discounts[0])"), "{err}");
    }

    /// R-REF-01: a ledger's duplicate ids were found by comparing every pair,
    /// so deserializing a history of 10^6 orders took about an hour.
    #[test]
    fn r_ref_01_a_ledger_of_a_million_orders_is_checked_in_one_pass() {
        let paid = t2025();
        let mut orders: Vec<Order> = (0..1_000_000)
            .map(|i| Order::new(format!("o{i}"), paid, Money::cny(Decimal::ONE)))
            .collect();
        let ledger = LedgerState::from_orders(orders.clone()).unwrap();
        assert_eq!(
            ledger.total_paid(Currency::CNY).unwrap(),
            Money::cny(Decimal::from(1_000_000))
        );
        orders.push(Order::new("o17", paid, Money::cny(Decimal::ONE)));
        // A duplicate id is a data error of the history (issue 8), named by
        // its path and its earlier twin.
        let err = LedgerState::from_orders(orders).unwrap_err();
        let Error::Data(err) = err else {
            panic!("a duplicate id is a data error: {err}")
        };
        assert_eq!(err.field, "orders[1000000].id");
        assert_eq!(err.problem, "order id o17 is already used by orders[17]");
    }
}

/// A zone's text (foundation).
mod zone_text {
    use billing_rules::time::Zone;
    use chrono::FixedOffset;
    use proptest::prelude::*;

    /// A zone's text read "+08:-5" as +07:55 and "-00:-1" as +00:01, and a zone
    /// built with seconds (+05:30:15) displayed as text that did not read back,
    /// so a policy holding it could be written but not read.
    #[test]
    fn zone_text_is_read_only_as_written() {
        for bad in [
            "+08:-5",
            "+08:+5",
            "-00:-1",
            "+8:00",
            "+08:0",
            "+24:00",
            "+08:60",
            "08:00",
            "+08:00:60",
            "+08:00:5",
        ] {
            assert!(bad.parse::<Zone>().is_err(), "{bad}");
        }
        let with_seconds = Zone::new(FixedOffset::east_opt(5 * 3600 + 30 * 60 + 15).unwrap());
        assert_eq!(with_seconds.to_string(), "+05:30:15");
        assert_eq!("+05:30:15".parse::<Zone>().unwrap(), with_seconds);
        let json = serde_json::to_string(&with_seconds).unwrap();
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), with_seconds);
    }

    proptest! {
        /// Every zone prints as text that reads back as the same zone.
        #[test]
        fn zone_every_offset_reads_back_from_its_text(seconds in -86_399i32..=86_399) {
            let zone = Zone::new(FixedOffset::east_opt(seconds).unwrap());
            prop_assert_eq!(zone.to_string().parse::<Zone>().unwrap(), zone);
        }

        /// Text that reads as a zone says exactly that offset: sign, hours,
        /// minutes (and seconds), each written with digits only.
        #[test]
        fn zone_text_that_reads_is_the_offset_it_writes(text in "[+-][0-9+-]{2}:[0-9+-]{2}(:[0-9+-]{2})?") {
            if let Ok(zone) = text.parse::<Zone>() {
                let fields: Vec<i32> = text[1..]
                    .split(':')
                    .map(|f| {
                        assert!(f.bytes().all(|b| b.is_ascii_digit()), "{text} read with a sign inside");
                        f.parse().unwrap()
                    })
                    .collect();
                let seconds = fields[0] * 3600 + fields[1] * 60 + fields.get(2).copied().unwrap_or(0);
                let sign = if text.starts_with('-') { -1 } else { 1 };
                prop_assert_eq!(zone.fixed_offset().unwrap().local_minus_utc(), sign * seconds);
            }
        }
    }
}
