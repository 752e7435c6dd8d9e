//! Every public type a service reads from JSON, as a target: its valid
//! samples and how to use it.

use super::*;

// -------------------------------------------------------------- targets

pub(crate) type Check = Box<dyn Fn(&Value) + Send + Sync>;

pub(crate) struct Target {
    pub(crate) samples: Vec<Value>,
    pub(crate) check: Check,
}

pub(crate) fn values<T: Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect()
}

pub(crate) fn target<T>(samples: Vec<Value>, use_it: impl Fn(T) + Send + Sync + 'static) -> Target
where
    T: DeserializeOwned + Serialize + PartialEq + Debug + 'static,
{
    Target {
        samples,
        check: Box::new(move |value| {
            if let Some(v) = read::<T>(value) {
                use_it(v);
            }
        }),
    }
}

pub(crate) fn seat_spec_json() -> Value {
    serde_json::to_value(presets::app_store_seat_pricing_spec()).unwrap()
}

/// Every deserializable type of the landed areas, with its samples and what
/// to do with a value that deserializes.
pub(crate) fn targets() -> Vec<Target> {
    let s = samples();
    let now = at(2025, 6, 1, 0);
    let seat_policy = move |p: SeatPolicy| {
        use_seat_policy(&p, 120, 2, now);
        use_seat_policy(&p, 1_000_000_000, 1_000_000, now);
    };
    let subscription_specs = [
        presets::app_store_subscription_spec(),
        presets::chat_service_subscription_spec(),
        presets::cloud_environment_subscription_spec(),
    ];
    let postpaid_specs = [
        presets::cloud_environment_postpaid_spec(),
        presets::live_plugin_postpaid_spec(),
    ];
    let chat = presets::chat_service_subscription().unwrap();
    let plugin = presets::live_plugin_postpaid().unwrap();
    let lic = presets::live_plugin_licence().unwrap();
    let pay = presets::cloud_payment().unwrap();
    let refunds = presets::app_store_refunds().unwrap();
    let lic_refunds = presets::live_plugin_licence_refunds().unwrap();
    let tier_specs: Vec<TierTableSpec> = s.tier_tables.iter().map(|t| t.to_spec().into()).collect();
    vec![
        // Seat plans.
        target::<SeatPolicy>(vec![seat_spec_json()], seat_policy),
        target::<SeatPolicySpec>(vec![seat_spec_json()], move |spec| {
            if let Ok(p) = SeatPolicy::try_from(spec) {
                seat_policy(p);
            }
        }),
        target::<PricingSpec>(vec![seat_spec_json()["pricing"].clone()], |pricing| {
            let mut spec = presets::app_store_seat_pricing_spec();
            spec.pricing = pricing;
            if let Ok(p) = SeatPolicy::try_from(spec) {
                use_seat_policy(&p, 51, 1, at(2025, 1, 1, 0));
            }
        }),
        target::<TierTableSpec>(values(&tier_specs), |spec| use_tier_table_spec(&spec)),
        target::<TierTable>(values(&s.tier_tables), |table| {
            use_tier_table_spec(&table.to_spec().into());
            for q in [Decimal::ONE, Decimal::from(1_000_000_000), Decimal::MAX] {
                let _ = answered(table.price(q));
            }
        }),
        target::<Tier>(
            values(
                &s.tier_tables
                    .iter()
                    .flat_map(|t| t.tiers().to_vec())
                    .collect::<Vec<_>>(),
            ),
            |tier| {
                let _ = (tier.bounds(), tier.flat(), tier.unit_price());
            },
        ),
        target::<PricingRule>(
            values(&[presets::app_store_seat_pricing().unwrap().pricing().clone()]),
            |rule| {
                let _ = rule.rule();
            },
        ),
        target::<UnknownRuleId>(values(&[UnknownRuleId("R-X".into())]), |e| show(&e)),
        target::<TierSpec>(values(&tier_specs[0].tiers), |tier| {
            use_tier_table_spec(&TierTableSpec {
                mode: billing_rules::pricing::TierMode::Graduated,
                tiers: vec![tier],
            })
        }),
        target::<ChannelSpec>(values(&[ChannelSpec::default()]), |_| {}),
        target::<CreditRule>(values(&[CreditRule::default()]), |_| {}),
        target::<SeatOrder>(values(&s.seat_orders), move |order| {
            let p = presets::app_store_seat_pricing().unwrap();
            let _ = answered(p.quote(&order));
        }),
        target::<ExtensionOrder>(values(&s.extension_orders), move |order| {
            let p = presets::app_store_seat_pricing().unwrap();
            let _ = answered(p.extend(&order, now));
        }),
        target::<CurrentPurchase>(values(&s.current_purchases), move |current| {
            let p = presets::app_store_seat_pricing().unwrap();
            for at in probe_instants() {
                let _ = answered(p.upgrade(&current, &SeatOrder::new(20, 1), at));
            }
        }),
        target::<Quote>(values(&s.quotes), |_| {}),
        target::<Credit>(values(&s.credits), |_| {}),
        target::<Upgrade>(values(&s.upgrades), |_| {}),
        target::<TierPrice>(values(&s.tier_prices), |_| {}),
        target::<TierPart>(values(&s.tier_parts), |_| {}),
        // Lifecycle.
        target::<SubscriptionPolicy>(values(&subscription_specs), |p| use_subscription_policy(&p)),
        target::<SubscriptionPolicySpec>(values(&subscription_specs), |spec| {
            if let Ok(p) = SubscriptionPolicy::try_from(spec) {
                use_subscription_policy(&p);
            }
        }),
        target::<SubscriptionCommand>(values(&s.subscription_commands), {
            let chat = chat.clone();
            move |command| {
                for state in &samples().subscription_states {
                    let _ = answered(Subscription::run(state, &command, now, &chat));
                }
            }
        }),
        target::<SubscriptionEvent>(values(&s.subscription_events), |event| {
            for state in &samples().subscription_states {
                let _ = Subscription::evolve(*state, &event);
            }
            let _ = (event.at(), event.rule());
        }),
        target::<SubscriptionState>(values(&s.subscription_states), {
            let chat = chat.clone();
            move |state| use_subscription_state(&state, &chat)
        }),
        target::<SubscriptionStatus>(values(&s.subscription_statuses), |status| show(&status)),
        target::<Funds>(
            values(&funds().into_iter().flatten().collect::<Vec<_>>()),
            {
                let chat = chat.clone();
                move |funds| {
                    for state in &samples().subscription_states {
                        let _ = answered(Subscription::due_events_with_funds(
                            state,
                            now,
                            &chat,
                            Some(&funds),
                        ));
                    }
                }
            },
        ),
        target::<Notice>(
            values(
                &s.subscription_events
                    .iter()
                    .filter_map(|e| match e {
                        SubscriptionEvent::Notice(n) => Some(*n),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            |_| {},
        ),
        target::<Reminder>(
            values(
                &s.subscription_events
                    .iter()
                    .filter_map(|e| match e {
                        SubscriptionEvent::Reminder(r) => Some(*r),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            |r| {
                let _ = r.days_from_expiry();
            },
        ),
        target::<ReminderWindow>(values(&s.reminder_windows), |w| {
            let _ = (w.len(), w.days().take(1000).count(), w.contains(w.first()));
        }),
        target::<Channels>(vec![serde_json::json!(["sms", "email"])], |c| show(&c)),
        target::<Access>(values(&s.accesses), |_| {}),
        target::<PostpaidPolicy>(values(&postpaid_specs), |p| use_postpaid_policy(&p)),
        target::<PostpaidPolicySpec>(values(&postpaid_specs), |spec| {
            if let Ok(p) = PostpaidPolicy::try_from(spec) {
                use_postpaid_policy(&p);
            }
        }),
        target::<PostpaidCommand>(values(&s.postpaid_commands), {
            let plugin = plugin.clone();
            move |command| {
                for state in &samples().postpaid_states {
                    let _ = answered(PostpaidAccount::run(state, &command, now, &plugin));
                }
            }
        }),
        target::<PostpaidEvent>(values(&s.postpaid_events), |event| {
            for state in &samples().postpaid_states {
                let _ = PostpaidAccount::evolve(*state, &event);
            }
            let _ = event.at();
        }),
        target::<PostpaidState>(values(&s.postpaid_states), {
            let plugin = plugin.clone();
            move |state| use_postpaid_state(&state, &plugin)
        }),
        target::<PostpaidStatus>(values(&s.postpaid_statuses), |status| show(&status)),
        target::<LicencePolicy>(values(&[presets::live_plugin_licence_spec()]), |p| {
            use_licence_policy(&p)
        }),
        target::<LicencePolicySpec>(values(&[presets::live_plugin_licence_spec()]), |spec| {
            if let Ok(p) = LicencePolicy::try_from(spec) {
                use_licence_policy(&p);
            }
        }),
        target::<LicenceCommand>(values(&s.licence_commands), {
            let lic = lic.clone();
            move |command| {
                for state in &samples().licence_states {
                    let _ = answered(Licence::run(state, &command, now, &lic));
                }
            }
        }),
        target::<LicenceEvent>(values(&s.licence_events), |event| {
            for state in &samples().licence_states {
                let _ = Licence::evolve(state.clone(), &event);
            }
        }),
        target::<LicenceState>(values(&s.licence_states), {
            let lic = lic.clone();
            move |state| use_licence_state(&state, &lic)
        }),
        target::<LicenceStatus>(values(&s.licence_statuses), |status| show(&status)),
        // Payment.
        target::<PaymentPolicy>(values(&[presets::cloud_payment_spec()]), |p| {
            use_payment_policy(&p)
        }),
        target::<PaymentPolicySpec>(values(&[presets::cloud_payment_spec()]), |spec| {
            if let Ok(p) = PaymentPolicy::try_from(spec) {
                use_payment_policy(&p);
            }
        }),
        target::<InvoiceRouting>(values(&[PaymentPolicy::INVOICE_ROUTING]), |_| {}),
        target::<PaymentCommand>(values(&s.payment_commands), {
            let pay = pay.clone();
            move |command| {
                for state in &samples().payment_states {
                    let _ = answered(EnvironmentPayment::run(state, &command, now, &pay));
                }
            }
        }),
        target::<SwitchFacts>(
            values(&[SwitchFacts::default().with_refund(yuan(1), yuan(2))]),
            {
                let pay = pay.clone();
                move |facts| {
                    for state in &samples().payment_states {
                        for to in billing_rules::payment::PaymentMethod::ALL {
                            let command = PaymentCommand::switch(to, facts);
                            let _ = answered(EnvironmentPayment::run(state, &command, now, &pay));
                        }
                    }
                }
            },
        ),
        target::<PaymentEvent>(values(&s.payment_events), |event| {
            for state in &samples().payment_states {
                let _ = EnvironmentPayment::evolve(*state, &event);
            }
        }),
        target::<PaymentState>(values(&s.payment_states), {
            let pay = pay.clone();
            move |state| use_payment_state(&state, &pay)
        }),
        // Refunds.
        target::<AppRefundPolicy>(values(&[presets::app_store_refunds_spec()]), |p| {
            use_app_refund_policy(&p)
        }),
        target::<AppRefundPolicySpec>(values(&[presets::app_store_refunds_spec()]), |spec| {
            if let Ok(p) = AppRefundPolicy::try_from(spec) {
                use_app_refund_policy(&p);
            }
        }),
        target::<LicenceRefundPolicy>(
            values(&[presets::live_plugin_licence_refunds_spec()]),
            |p| use_licence_refund_policy(&p),
        ),
        target::<LicenceRefundPolicySpec>(
            values(&[presets::live_plugin_licence_refunds_spec()]),
            |spec| {
                if let Ok(p) = LicenceRefundPolicy::try_from(spec) {
                    use_licence_refund_policy(&p);
                }
            },
        ),
        target::<LedgerCommand>(values(&s.ledger_commands), {
            let refunds = refunds.clone();
            move |command| {
                for state in &samples().ledger_states {
                    let _ = answered(OrderLedger::run(state, &command, now, &refunds));
                }
            }
        }),
        target::<LedgerEvent>(values(&s.ledger_events), |event| {
            for state in &samples().ledger_states {
                let _ = OrderLedger::evolve(state.clone(), &event);
            }
        }),
        target::<LedgerState>(values(&s.ledger_states), {
            let refunds = refunds.clone();
            move |state| use_ledger_state(&state, &refunds)
        }),
        target::<Eligibility>(values(&s.eligibilities), |_| {}),
        target::<RefundFlags>(values(&[RefundFlags::default().banned()]), |_| {}),
        target::<LicenceRefundRequest>(values(&s.licence_refund_requests), {
            let lic_refunds = lic_refunds.clone();
            move |request| use_licence_refund_request(&request, &lic_refunds)
        }),
        // Foundation values.
        target::<Locale>(values(&[Locale::default()]), |locale| {
            for now in probe_instants() {
                let _ = locale.time_zone.local_date(now);
                let _ = locale.time_zone.start_of_local_day(now);
            }
            show(&locale.time_zone);
            show(&locale.currency);
        }),
        target::<Money>(values(&s.money), |m| {
            show(&m);
            for other in &samples().money {
                let _ = (
                    m.checked_add(*other),
                    m.checked_sub(*other),
                    m.checked_cmp(other),
                );
                let _ = (m.checked_min(*other), m.checked_max(*other));
                let _ = m.checked_mul(other.amount());
                let _ = m.checked_div(other.amount());
            }
            for scale in [0, 2, 28, 29, u32::MAX] {
                let _ = m.round(Rounding::new(
                    billing_rules::money::RoundingMode::HalfEven,
                    scale,
                ));
            }
        }),
        target::<Currency>(
            values(&[Currency::CNY, Currency::new("XTS", 5).unwrap()]),
            |c| {
                show(&c);
                let _ = c.minor_unit();
            },
        ),
        target::<Quantity>(values(&s.quantities), |q| {
            show(&q);
            for unit in [Unit::Byte, Unit::Terabyte, Unit::Call, Unit::Gigabit] {
                let _ = q.convert_to(unit);
            }
            for other in &samples().quantities {
                let _ = (q.checked_cmp(other), q.checked_add(other));
            }
        }),
        target::<Period>(
            values(&[Period::Year, Period::Month, Period::days(90).unwrap()]),
            |p| {
                show(&p);
                let _ = p.length().checked_mul(u32::MAX);
            },
        ),
        target::<Days>(values(&[Days(365)]), |d| {
            for now in probe_instants() {
                let _ = (
                    Zone::BEIJING.plus_days(now, d),
                    Zone::BEIJING.minus_days(now, d),
                );
            }
        }),
        target::<Zone>(values(&[Zone::BEIJING, Zone::UTC]), |zone| {
            show(&zone);
            for now in probe_instants() {
                let _ = zone.local_date(now);
                let _ = zone.start_of_local_day(now);
                let _ = zone.calendar_days_between(now, DateTime::<Utc>::MIN_UTC);
            }
            let back: Zone = zone.to_string().parse().expect("a zone's text parses");
            assert_eq!(back, zone);
        }),
        target::<Rounding>(
            values(&[Rounding::new(billing_rules::money::RoundingMode::HalfUp, 2)]),
            |r| {
                for d in crate::strategies::extreme_decimals() {
                    let _ = r.apply(d);
                }
            },
        ),
        target::<RuleId>(values(&RuleId::ALL), |r| {
            show(&r);
            assert_eq!(r.to_string().parse::<RuleId>(), Ok(r));
        }),
        target::<Refusal>(values(&s.refusals), |r| {
            show(&r);
            let _ = (r.rule(), r.primary(), r.figure("count"));
        }),
        target::<Reason>(
            values(
                &s.refusals
                    .iter()
                    .flat_map(|r| r.reasons().to_vec())
                    .collect::<Vec<_>>(),
            ),
            |r| show(&r),
        ),
        target::<Figure>(
            values(
                &s.refusals
                    .iter()
                    .flat_map(|r| r.reasons().iter().flat_map(|r| r.figures.clone()))
                    .collect::<Vec<_>>(),
            ),
            |f| show(&f),
        ),
        target::<Error>(values(&s.errors), |e| {
            show(&e);
            let _ = e.refusal();
        }),
        target::<PolicyError>(
            values(&[PolicyError::new("tiers", "no tier", "one").with_rule(RuleId::Seat03)]),
            |e| show(&e),
        ),
        target::<ArithmeticError>(
            values(&[
                ArithmeticError::overflow("x"),
                ArithmeticError::DivisionByZero,
            ]),
            |e| show(&e),
        ),
    ]
}

pub(crate) fn all_targets() -> &'static [Target] {
    static TARGETS: std::sync::OnceLock<Vec<Target>> = std::sync::OnceLock::new();
    TARGETS.get_or_init(targets)
}
