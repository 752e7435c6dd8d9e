//! The anchors' rounding bugs, and statements fed by recorded events.

use super::*;

/// Lago #4313: an invoice printed lines adding up to 241.66 under a total
/// of 241.67, each line's share (80.5566...) rounded on its own. Here one
/// amount of 241.67 (a refund) is spread over three equal items of 100.00:
/// the shares are split by largest remainder, 80.56 + 80.56 + 80.55, and
/// add up to 241.67 to the digit; rounding each share alone would give
/// 3 x 80.56 = 241.68.
#[test]
fn lago_4313_lines_add_up_to_total() {
    let (from, to) = july();
    let june = utc(2025, 6, 10);
    let events = [
        add_on(1, june, 10000),
        add_on(2, june + TimeDelta::hours(1), 10000),
        add_on(3, june + TimeDelta::hours(2), 10000),
        refund(4, utc(2025, 7, 15), &[1, 2, 3], 24167),
    ];
    // July: the refund's three lines only.
    let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
    assert_eq!(
        amounts(&statement, LineKind::Refund),
        ["-80.56", "-80.56", "-80.55"]
    );
    assert_eq!(statement.lines.len(), 3);
    for (line, item) in statement.lines.iter().zip(1..) {
        assert_eq!(line.rule, RuleId::Ref01);
        assert_eq!(line.quantity, Decimal::ONE);
        assert_eq!(
            line.sources,
            [SourceRef::new("acct", 4), SourceRef::new("acct", item)]
        );
    }
    assert_eq!(statement.total_money().to_string(), "CNY -241.67");
    assert_eq!(lines_sum(&statement), Decimal::new(-24167, 2));
    statement.check().unwrap();
    // Rounding each exact share (241.67 / 3) alone would not add up.
    let alone = (Decimal::new(24167, 2) / Decimal::from(3)).round_dp(2) * Decimal::from(3);
    assert_eq!(alone, Decimal::new(24168, 2));

    // June and July together: 300.00 charged, 241.67 paid back, 58.33.
    let both = Statement::build(&events, utc(2025, 6, 1), to, &Locale::default()).unwrap();
    assert_eq!(
        amounts(&both, LineKind::AddOn),
        ["100.00", "100.00", "100.00"]
    );
    assert_eq!(both.total.to_string(), "58.33");
    assert_eq!(lines_sum(&both), both.total);
}

/// Kill Bill #1124: a prorated amount was rounded twice (first to an
/// intermediate precision, then to the cent), which can move it by a cent.
/// A statement rounds an exact figure once. 101,249 calls at 0.0001 are
/// exactly 10.1249: once (half-up) 10.12; twice (10.125, then 10.13) one
/// cent more. And three consumptions of one call at 0.0125 (exact 0.0375)
/// are one line of 0.04, not three lines of 0.01 rounded apiece (0.03).
#[test]
fn killbill_1124_rounding_once() {
    let (from, to) = july();
    let exact = Decimal::new(101_249, 4);
    let half_up = rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let twice = exact
        .round_dp_with_strategy(3, half_up)
        .round_dp_with_strategy(2, half_up);
    assert_eq!(twice, Decimal::new(1013, 2)); // the bug's figure
    let events = [calls(1, utc(2025, 7, 2), 101_249, Decimal::new(1, 4))];
    let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
    let line = &statement.lines[0];
    assert_eq!(line.kind, LineKind::CallOverage);
    assert_eq!(line.rule, RuleId::Use01);
    assert_eq!(line.quantity, Decimal::from(101_249));
    assert_eq!(line.unit_price, Some(Decimal::new(1, 4)));
    assert_eq!(line.exact, exact);
    assert_eq!(line.amount.to_string(), "10.12");

    let events: Vec<_> = (1..=3)
        .map(|v| calls(v, utc(2025, 7, v as u32 + 1), 1, Decimal::new(125, 4)))
        .collect();
    let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
    assert_eq!(statement.lines.len(), 1);
    assert_eq!(statement.lines[0].exact, Decimal::new(375, 4));
    assert_eq!(statement.lines[0].amount.to_string(), "0.04");
    assert_eq!(statement.lines[0].sources.len(), 3);
    // The same calls rounded one by one: 0.01 each.
    assert_eq!(
        Decimal::new(125, 4).round_dp(2) * Decimal::from(3),
        Decimal::new(3, 2)
    );
}

/// The crate's own recorded events, converted: 10 seats bought on
/// 2025-01-01 for 1000.00 (R-SEAT-02), upgraded to 20 on 2025-09-22 23:50
/// (Beijing) for 2000.00 less a credit of 273.97 (R-SEAT-08, the figures of
/// tests/preview_charge.rs); a 10,000-call package for 300.00 (R-USE-05),
/// then 12,000 calls: 1000 from the trial quota (R-USE-02), 10,000 from the
/// package (R-USE-07), 1000 billed at 0.03 (R-USE-01) = 30.00.
#[test]
fn recorded_seat_and_wallet_events_feed_a_statement() {
    let bj = |y, m, d, h, min| Zone::BEIJING.at(y, m, d, h, min, 0).unwrap();
    let seats = app_store_seat_pricing().unwrap();
    let buy = SeatAccountCommand::Purchase {
        order: SeatOrder::new(10, 1),
    };
    let (state, mut seat_events) =
        SeatAccount::run(&SeatAccount::initial(), &buy, bj(2025, 1, 1, 0, 0), &seats).unwrap();
    let upgrade = SeatAccountCommand::Upgrade {
        order: SeatOrder::new(20, 1),
    };
    let (_, more) = SeatAccount::run(&state, &upgrade, bj(2025, 9, 22, 23, 50), &seats).unwrap();
    seat_events.extend(more);

    let usage = verification_usage().unwrap();
    let purchase = WalletCommand::Purchase {
        order: PackageOrder::listed(10_000, 365),
    };
    let at = bj(2025, 3, 1, 0, 0);
    let (wallet, mut wallet_events) =
        PackageWallet::run(&PackageWallet::initial(), &purchase, at, &usage).unwrap();
    let consume = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts::succeeded(12_000),
        at: bj(2025, 4, 1, 0, 0),
    };
    let (_, more) = PackageWallet::run(&wallet, &consume, bj(2025, 4, 1, 0, 0), &usage).unwrap();
    wallet_events.extend(more);

    let mut events = StatementEvent::from_seat_stream(
        &"seats-1".into(),
        billing_rules::engine::Version::INITIAL,
        &seat_events,
    );
    events.extend(StatementEvent::from_wallet_stream(
        &"wallet-1".into(),
        billing_rules::engine::Version::INITIAL,
        &wallet_events,
    ));
    let statement = Statement::build(
        &events,
        bj(2025, 1, 1, 0, 0),
        bj(2026, 1, 1, 0, 0),
        &Locale::default(),
    )
    .unwrap();
    let shown: Vec<(LineKind, RuleId, String, String)> = statement
        .lines
        .iter()
        .map(|l| (l.kind, l.rule, l.quantity.to_string(), l.amount.to_string()))
        .collect();
    let row = |k, r, q: &str, a: &str| (k, r, q.to_owned(), a.to_owned());
    assert_eq!(
        shown,
        [
            row(LineKind::SeatPurchase, RuleId::Seat01, "1", "1000.00"),
            row(LineKind::PackagePurchase, RuleId::Use05, "1", "300.00"),
            row(LineKind::PackageCalls, RuleId::Use07, "11000", "0.00"),
            row(LineKind::CallOverage, RuleId::Use01, "1000", "30.00"),
            row(LineKind::SeatUpgrade, RuleId::Seat08, "1", "2000.00"),
            row(LineKind::SeatUpgradeCredit, RuleId::Seat08, "1", "-273.97"),
        ]
    );
    assert_eq!(statement.total_money().to_string(), "CNY 3056.03");
    assert_eq!(statement.lines[0].sources, [SourceRef::new("seats-1", 1)]);
    assert_eq!(statement.lines[3].sources, [SourceRef::new("wallet-1", 2)]);
    statement.check().unwrap();
}

/// An app's order ledger (R-REF-01): orders of 300.00 (1 June) and 500.00
/// (5 June), the second refunded in full on 10 June, within its 10 days.
#[test]
fn an_order_ledger_feeds_a_statement_with_its_refund() {
    use billing_rules::presets::app_store_refunds;
    use billing_rules::refund::{LedgerCommand, OrderLedger};
    let policy = app_store_refunds().unwrap();
    let mut state = OrderLedger::initial();
    let mut recorded = Vec::new();
    let commands = [
        (
            utc(2025, 6, 1),
            LedgerCommand::RecordOrder {
                order: "o1".into(),
                paid_at: utc(2025, 6, 1),
                amount: cny(30000),
            },
        ),
        (
            utc(2025, 6, 5),
            LedgerCommand::RecordOrder {
                order: "o2".into(),
                paid_at: utc(2025, 6, 5),
                amount: cny(50000),
            },
        ),
        (
            utc(2025, 6, 10),
            LedgerCommand::Refund {
                order: "o2".into(),
                flags: Default::default(),
            },
        ),
    ];
    for (now, command) in commands {
        let (next, events) = OrderLedger::run(&state, &command, now, &policy).unwrap();
        state = next;
        recorded.extend(events);
    }
    let events = StatementEvent::from_ledger_stream(
        &"app-1".into(),
        billing_rules::engine::Version::INITIAL,
        &recorded,
    )
    .unwrap();
    let june = Statement::build(
        &events,
        utc(2025, 6, 1),
        utc(2025, 7, 1),
        &Locale::default(),
    )
    .unwrap();
    let shown: Vec<(LineKind, String)> = june
        .lines
        .iter()
        .map(|l| (l.kind, l.amount.to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            (LineKind::AppOrder, "300.00".to_owned()),
            (LineKind::AppOrder, "500.00".to_owned()),
            (LineKind::Refund, "-500.00".to_owned()),
        ]
    );
    assert_eq!(
        june.lines[2].sources,
        [SourceRef::new("app-1", 3), SourceRef::new("app-1", 2)]
    );
    assert_eq!(june.total.to_string(), "300.00");
    // The refund without its order (the stream read from version 2 on).
    let err = StatementEvent::from_ledger_stream(
        &"app-1".into(),
        billing_rules::engine::Version::new(2),
        &recorded[2..],
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("order o2 is refunded but not recorded"),
        "{err}"
    );
}
