//! Sample values of the pricing types, money, quantities, reminder
//! windows and errors of every kind.

use super::*;

/// Seat plans: quotes, upgrades, extensions, credits, tier prices.
pub(super) fn seat_plans(s: &mut Samples, t0: DateTime<Utc>) {
    let seat = presets::app_store_seat_pricing().unwrap();
    let mut bonus_spec = presets::app_store_seat_pricing_spec();
    bonus_spec.bonuses = vec![billing_rules::pricing::BonusSpec {
        periods: 1,
        bonus: billing_rules::pricing::BonusAmount::Days(30),
    }];
    bonus_spec.min_seats = Some(1);
    bonus_spec.max_seats = Some(500);
    bonus_spec.max_total = Some(Decimal::from(10_000));
    let capped = billing_rules::pricing::SeatPolicy::try_from(bonus_spec).unwrap();
    for (policy, seats, periods) in [
        (&seat, 120, 2),
        (&seat, 51, 1),
        (&seat, 1, 1),
        (&capped, 300, 1),
        (&capped, 20, 3),
    ] {
        let order = SeatOrder::new(seats, periods).starting(t0);
        s.seat_orders.push(order);
        s.quotes.push(policy.quote(&order).unwrap());
    }
    s.seat_orders.push(SeatOrder::new(0, 0));
    let current = CurrentPurchase {
        paid: yuan(1000),
        start: t0,
        end: t0 + Duration::days(365),
    };
    s.current_purchases.push(current);
    for now in [
        t0 - Duration::days(1),
        t0 + Duration::days(265),
        t0 + Duration::days(400),
    ] {
        let up = seat.upgrade(&current, &SeatOrder::new(20, 1), now).unwrap();
        s.credits.push(up.credit);
        s.upgrades.push(up);
        s.credits
            .push(seat.credit(&current, yuan(10), now).unwrap());
    }
    let ext = ExtensionOrder {
        seats: 120,
        periods: 1,
        current_end: t0 + Duration::days(30),
    };
    s.extension_orders.push(ext);
    s.quotes.push(seat.extend(&ext, t0).unwrap());
    s.quotes
        .push(capped.extend(&ext, t0 + Duration::days(60)).unwrap());
    for policy in [&seat, &capped] {
        if let billing_rules::pricing::PricingRule::Tiered(table) = policy.pricing() {
            s.tier_tables.push(table.clone());
        }
    }
    let graduated = TierTable::try_from(
        billing_rules::pricing::TierTableSpec {
            mode: billing_rules::pricing::TierMode::Graduated,
            tiers: vec![
                billing_rules::pricing::TierSpec::flat(1, Some(10), Decimal::from(5)),
                billing_rules::pricing::TierSpec {
                    from: Decimal::from(11),
                    to: None,
                    flat: Some(Decimal::ONE),
                    unit_price: Some(Decimal::new(25, 3)),
                },
            ],
        }
        .on(Axis::Whole, Currency::USD),
    )
    .unwrap();
    let continuous = TierTable::try_from(
        billing_rules::pricing::TierTableSpec {
            mode: billing_rules::pricing::TierMode::Graduated,
            tiers: vec![
                billing_rules::pricing::TierSpec {
                    from: Decimal::ZERO,
                    to: Some(Decimal::new(105, 1)),
                    flat: None,
                    unit_price: Some(Decimal::new(3, 1)),
                },
                billing_rules::pricing::TierSpec {
                    from: Decimal::new(105, 1),
                    to: None,
                    flat: None,
                    unit_price: Some(Decimal::new(2, 1)),
                },
            ],
        }
        .on(Axis::Continuous, Currency::CNY),
    )
    .unwrap();
    s.tier_tables.push(graduated);
    s.tier_tables.push(continuous);
    for table in &s.tier_tables {
        for q in [Decimal::ONE, Decimal::from(12), Decimal::new(1055, 2)] {
            if let Ok(price) = table.price(q) {
                s.tier_prices.push(price);
            }
            if let Ok(parts) = table.parts(q) {
                s.tier_parts.extend(parts.flatten());
            }
        }
    }
}

/// Errors of every kind, refusals with figures of every kind, money,
/// quantities and reminder windows.
pub(super) fn errors_and_values(s: &mut Samples) {
    s.errors.push(ArithmeticError::overflow("add").into());
    s.errors
        .push(ArithmeticError::precision_loss("multiply").into());
    s.errors.push(ArithmeticError::DivisionByZero.into());
    s.errors
        .push(ArithmeticError::out_of_range("add days").into());
    s.errors.push(
        ArithmeticError::CurrencyMismatch {
            left: Currency::CNY,
            right: Currency::new("XTS", 5).unwrap(),
        }
        .into(),
    );
    s.errors.push(
        ArithmeticError::InvalidCurrency {
            code: "cny".into(),
            scale: 99,
        }
        .into(),
    );
    s.errors.push(
        ArithmeticError::IncompatibleUnits {
            from: Unit::Gigabyte,
            to: Unit::Call,
        }
        .into(),
    );
    s.errors.push(
        PolicyError::new("tiers[2].from", "a gap", "51")
            .with_rule(RuleId::Seat03)
            .into(),
    );
    s.errors
        .push(PolicyError::new("", "nothing", "anything").into());
    let every_figure = Reason::new(RuleId::Ref03, "every kind of figure")
        .with(Figure::count("count", u64::MAX))
        .with(Figure::integer("integer", i64::MIN))
        .with(Figure::decimal("decimal", Decimal::MIN))
        .with(Figure::money(
            "money",
            Money::new(Decimal::MAX, Currency::JPY),
        ))
        .with(Figure::quantity(
            "quantity",
            Quantity::new(Decimal::new(-1, 28), Unit::Gigabit),
        ))
        .with(Figure::instant("instant", DateTime::<Utc>::MAX_UTC))
        .with(Figure::instant("first", DateTime::<Utc>::MIN_UTC))
        .with(Figure::text("text", "é \" \\ \u{0}"))
        .with(Figure::new(
            "owned",
            FigureValue::Text(String::from("x").into()),
        ));
    s.errors.push(
        Refusal::new(every_figure)
            .and(Reason::new(RuleId::Pay03, ""))
            .into(),
    );
    s.refusals = s
        .errors
        .iter()
        .filter_map(|e| e.refusal().cloned())
        .collect();

    s.money = vec![
        yuan(0),
        Money::cny(Decimal::new(27397, 2)),
        Money::new(Decimal::MAX, Currency::USD),
        Money::new(Decimal::MIN, Currency::JPY),
        Money::new(Decimal::new(1, 28), Currency::new("XTS", 28).unwrap()),
    ];
    s.quantities = vec![
        Quantity::new(Decimal::from(20), Unit::Gigabyte),
        Quantity::new(Decimal::MAX, Unit::Terabyte),
        Quantity::new(Decimal::new(-5, 3), Unit::Call),
        Quantity::new(Decimal::ZERO, Unit::Count),
    ];
    let day = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    s.reminder_windows = [(7, 1), (0, 1), (1, 0), (366, 366)]
        .into_iter()
        .filter_map(|(up, after)| ReminderWindow::around(day, up, after))
        .collect();
}
