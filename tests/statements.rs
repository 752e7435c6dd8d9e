//! Statements whose lines add up (issue 16, item 2): an account's recorded
//! events over a period, itemized, the lines adding up to the total to the
//! digit, each figure rounded once, sub-periods adding up to the whole.

use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::presets::{app_store_seat_pricing, verification_usage};
use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
use billing_rules::statement::{LineKind, SourceRef, Statement, StatementEvent};
use billing_rules::time::Zone;
use billing_rules::usage::{CallCounts, Component, PackageOrder, PackageWallet, WalletCommand};
use billing_rules::{DateTime, Decider, Decimal, Error, RuleId, TimeDelta, Utc};
use proptest::prelude::*;

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Zone::UTC.at(y, m, d, 0, 0, 0).unwrap()
}

fn cny(cents: i64) -> Money {
    Money::cny(Decimal::new(cents, 2))
}

fn add_on(version: u64, at: DateTime<Utc>, cents: i64) -> StatementEvent {
    StatementEvent::AddOn {
        at,
        source: SourceRef::new("acct", version),
        quantity: Decimal::ONE,
        unit_price: None,
        amount: cny(cents),
    }
}

fn refund(version: u64, at: DateTime<Utc>, items: &[u64], cents: i64) -> StatementEvent {
    StatementEvent::Refund {
        at,
        source: SourceRef::new("acct", version),
        items: items.iter().map(|v| SourceRef::new("acct", *v)).collect(),
        amount: cny(cents),
    }
}

fn calls(version: u64, at: DateTime<Utc>, overage: u64, unit: Decimal) -> StatementEvent {
    let unit_price = Money::cny(unit);
    StatementEvent::Calls {
        at,
        source: SourceRef::new("wallet", version),
        component: Component::QuickVerification,
        drawn: 0,
        overage,
        unit_price,
        charge: unit_price.checked_mul(Decimal::from(overage)).unwrap(),
    }
}

fn july() -> (DateTime<Utc>, DateTime<Utc>) {
    (utc(2025, 7, 1), utc(2025, 8, 1))
}

fn amounts(statement: &Statement, kind: LineKind) -> Vec<String> {
    statement
        .lines
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.amount.to_string())
        .collect()
}

fn lines_sum(statement: &Statement) -> Decimal {
    statement.lines.iter().map(|l| l.amount).sum()
}

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

#[test]
fn json_money_is_written_at_the_minor_unit_and_read_back_checked() {
    let (from, to) = july();
    let events = [
        add_on(1, utc(2025, 7, 3), 750),
        refund(2, utc(2025, 7, 4), &[1], 250),
    ];
    let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
    let json = serde_json::to_value(&statement).unwrap();
    assert_eq!(json["currency"], "CNY");
    assert_eq!(json["total"], "5.00");
    assert_eq!(json["lines"][0]["amount"], "7.50");
    assert_eq!(json["lines"][0]["rule"], "R-USE-10");
    assert_eq!(json["lines"][1]["amount"], "-2.50");
    let back: Statement = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, statement);

    // An edited total no longer adds up: refused on reading, naming both.
    let mut edited = json.clone();
    edited["total"] = "5.01".into();
    let err = serde_json::from_value::<Statement>(edited)
        .unwrap_err()
        .to_string();
    assert!(err.contains("5.01") && err.contains("5.00"), "{err}");
    // Events read back from JSON, and an unknown field refused.
    let text = serde_json::to_string(&events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<StatementEvent>>(&text).unwrap(),
        events
    );
    let unknown = text.replacen("\"quantity\"", "\"discount\":\"1\",\"quantity\"", 1);
    let err = serde_json::from_str::<Vec<StatementEvent>>(&unknown)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `discount`"), "{err}");
    let unknown_line = serde_json::to_string(&statement).unwrap().replacen(
        "\"kind\"",
        "\"note\":\"x\",\"kind\"",
        1,
    );
    let err = serde_json::from_str::<Statement>(&unknown_line)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `note`"), "{err}");
}

fn data_error(result: Result<Statement, Error>) -> (String, String) {
    match result {
        Err(Error::Data(e)) => (e.field, e.problem),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_period_that_does_not_run_forward_is_an_error() {
    let (from, to) = july();
    for (a, b) in [(from, from), (to, from)] {
        let (field, problem) = data_error(Statement::build(&[], a, b, &Locale::default()));
        assert_eq!(field, "period");
        assert!(problem.contains("is not before"), "{problem}");
    }
}

#[test]
fn two_currencies_are_an_error_naming_both() {
    let (from, to) = july();
    let usd = StatementEvent::PackagePurchase {
        at: utc(2025, 7, 2),
        source: SourceRef::new("wallet", 1),
        calls: 1000,
        price: Money::new(Decimal::from(30), Currency::USD),
    };
    let events = [add_on(1, utc(2025, 7, 1), 100), usd];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].price");
    assert!(
        problem.contains("USD") && problem.contains("CNY"),
        "{problem}"
    );
}

/// A refund larger than what is left of its items is an error, not a
/// negative net line: it would pay back money that was never charged, a
/// recording error a statement must not hide (R-REF-01 pays back what an
/// order paid, never more).
#[test]
fn a_refund_larger_than_what_it_refunds_is_an_error() {
    let (from, to) = july();
    let events = [
        add_on(1, utc(2025, 7, 1), 10000),
        refund(2, utc(2025, 7, 2), &[1], 10001),
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].amount");
    assert!(
        problem.contains("100.01") && problem.contains("100.00"),
        "{problem}"
    );
    // Two refunds: 60.00 then 50.00 of the 40.00 left.
    let events = [
        add_on(1, utc(2025, 7, 1), 10000),
        refund(2, utc(2025, 7, 2), &[1], 6000),
        refund(3, utc(2025, 7, 3), &[1], 5000),
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[2].amount");
    assert!(problem.contains("40.00"), "{problem}");
}

#[test]
fn refunds_of_what_is_no_charge_and_repeated_sources_are_errors() {
    let (from, to) = july();
    let day = utc(2025, 7, 2);
    let cases = [
        (vec![refund(1, day, &[], 100)], "events[0].items"),
        (vec![refund(1, day, &[9], 100)], "events[0].items[0]"),
        (
            vec![add_on(1, day, 100), refund(2, day, &[1, 1], 100)],
            "events[1].items[1]",
        ),
        // A refund before the charge it names.
        (
            vec![
                add_on(1, day, 100),
                refund(2, day - TimeDelta::days(1), &[1], 100),
            ],
            "events[1].items[0]",
        ),
        (
            vec![add_on(1, day, 100), add_on(1, day, 100)],
            "events[1].source",
        ),
    ];
    for (events, expected) in cases {
        let (field, _) = data_error(Statement::build(&events, from, to, &Locale::default()));
        assert_eq!(field, expected);
    }
    // A per-call charge is settled on the statement: not an item to refund.
    let events = [
        calls(1, day, 10, Decimal::new(3, 2)),
        StatementEvent::Refund {
            at: day + TimeDelta::days(1),
            source: SourceRef::new("acct", 2),
            items: vec![SourceRef::new("wallet", 1)],
            amount: cny(10),
        },
    ];
    let (field, problem) = data_error(Statement::build(&events, from, to, &Locale::default()));
    assert_eq!(field, "events[1].items[0]");
    assert!(problem.contains("is not a charge"), "{problem}");
    // An amount its rule rounds, given with digits below the fen.
    let finer = StatementEvent::AddOn {
        at: day,
        source: SourceRef::new("acct", 1),
        quantity: Decimal::ONE,
        unit_price: None,
        amount: Money::cny(Decimal::new(1005, 3)),
    };
    let (field, problem) = data_error(Statement::build(&[finer], from, to, &Locale::default()));
    assert_eq!(field, "events[0].amount");
    assert!(problem.contains("minor unit"), "{problem}");
}

// ---- properties ----

const YEAR_MINUTES: i64 = 366 * 24 * 60;

fn base() -> DateTime<Utc> {
    utc(2025, 1, 1)
}

/// A charge of some kind at `minute`, in cents.
fn charge(kind: u8, version: u64, minute: i64, cents: i64, credit: i64) -> StatementEvent {
    let at = base() + TimeDelta::minutes(minute);
    let source = SourceRef::new("acct", version);
    match kind % 7 {
        0 => StatementEvent::SeatPurchase {
            at,
            source,
            seats: 10,
            periods: 1,
            amount: cny(cents),
        },
        1 => StatementEvent::SeatUpgrade {
            at,
            source,
            seats: 20,
            periods: 1,
            total: cny(cents),
            credit: cny(credit.min(cents)),
        },
        2 => StatementEvent::SeatExtension {
            at,
            source,
            seats: 10,
            periods: 1,
            amount: cny(cents),
        },
        3 => StatementEvent::PackagePurchase {
            at,
            source,
            calls: 1000,
            price: cny(cents),
        },
        4 => StatementEvent::TrafficDay {
            at,
            source,
            quantity: Decimal::from(cents),
            amount: cny(cents),
        },
        5 => StatementEvent::AppOrder {
            at,
            source,
            amount: cny(cents),
        },
        _ => add_on(version, at, cents),
    }
}

/// What is left to refund of a charge: its amount, less an upgrade's credit.
fn due(event: &StatementEvent) -> Decimal {
    match event {
        StatementEvent::SeatUpgrade { total, credit, .. } => total.amount() - credit.amount(),
        StatementEvent::SeatPurchase { amount, .. }
        | StatementEvent::SeatExtension { amount, .. }
        | StatementEvent::TrafficDay { amount, .. }
        | StatementEvent::AddOn { amount, .. }
        | StatementEvent::AppOrder { amount, .. } => amount.amount(),
        StatementEvent::PackagePurchase { price, .. } => price.amount(),
        StatementEvent::Calls { .. } | StatementEvent::Refund { .. } => Decimal::ZERO,
    }
}

const PRICES: [i64; 4] = [300, 400, 125, 10]; // 0.0300, 0.0400, 0.0125, 0.0010

/// Charges, calls at several prices, and refunds each paying back part of
/// a distinct set of earlier charges, with unique sources.
fn account() -> impl Strategy<Value = Vec<StatementEvent>> {
    let charges = prop::collection::vec(
        (any::<u8>(), 0..YEAR_MINUTES, 0i64..1_000_000, 0i64..500_000),
        0..16,
    );
    let uses = prop::collection::vec(
        (
            0..YEAR_MINUTES,
            0u64..5000,
            0u64..2000,
            0usize..4,
            any::<bool>(),
        ),
        0..16,
    );
    let refunds = prop::collection::vec((any::<u16>(), 0u32..=100, 1i64..10_000), 0..4);
    (charges, uses, refunds).prop_map(|(charges, uses, refunds)| {
        let mut events: Vec<StatementEvent> = charges
            .iter()
            .enumerate()
            .map(|(i, (k, m, c, cr))| charge(*k, i as u64 + 1, *m, *c, *cr))
            .collect();
        let charged = events.len();
        let mut taken = vec![false; charged];
        for (r, (mask, percent, later)) in refunds.iter().enumerate() {
            let items: Vec<usize> = (0..charged.min(16))
                .filter(|i| mask & (1 << i) != 0 && !taken[*i])
                .collect();
            if items.is_empty() {
                continue;
            }
            let left: Decimal = items.iter().map(|i| due(&events[*i])).sum();
            let amount = (left * Decimal::from(*percent) / Decimal::from(100))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
            let at =
                items.iter().map(|i| events[*i].at()).max().unwrap() + TimeDelta::minutes(*later);
            for i in &items {
                taken[*i] = true;
            }
            events.push(StatementEvent::Refund {
                at,
                source: SourceRef::new("refunds", r as u64 + 1),
                items: items.iter().map(|i| events[*i].source().clone()).collect(),
                amount: Money::cny(amount),
            });
        }
        for (i, (m, drawn, overage, price, real_time)) in uses.into_iter().enumerate() {
            let unit = Money::cny(Decimal::new(PRICES[price], 4));
            events.push(StatementEvent::Calls {
                at: base() + TimeDelta::minutes(m),
                source: SourceRef::new("wallet", i as u64 + 1),
                component: if real_time {
                    Component::RealTimeVerification
                } else {
                    Component::QuickVerification
                },
                drawn,
                overage,
                unit_price: unit,
                charge: unit.checked_mul(Decimal::from(overage)).unwrap(),
            });
        }
        events
    })
}

fn whole_life() -> (DateTime<Utc>, DateTime<Utc>) {
    (base(), base() + TimeDelta::days(400))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// For any events, the lines add up to the total exactly; over the
    /// account's whole life the total is what was charged, less credits and
    /// refunds, plus each component's per-call charges at each price
    /// summed exactly and rounded once (half-up, the preset locale).
    #[test]
    fn lines_add_up_to_the_total(events in account()) {
        let (from, to) = whole_life();
        let statement = Statement::build(&events, from, to, &Locale::default()).unwrap();
        prop_assert_eq!(lines_sum(&statement), statement.total);
        prop_assert!(statement.check().is_ok());
        let mut expected = Decimal::ZERO;
        let mut groups = std::collections::BTreeMap::<(Component, Decimal), Decimal>::new();
        for event in &events {
            match event {
                StatementEvent::Refund { amount, .. } => expected -= amount.amount(),
                StatementEvent::Calls { component, unit_price, charge, .. } => {
                    *groups.entry((*component, unit_price.amount())).or_default() += charge.amount();
                }
                other => expected += due(other),
            }
        }
        for exact in groups.values() {
            expected += Money::cny(*exact).round_to_minor(RoundingMode::HalfUp).amount();
        }
        prop_assert_eq!(statement.total, expected);
        // No item is paid back more than was charged for it.
        for event in &events {
            let refunded: Decimal = statement.lines.iter()
                .filter(|l| l.kind == LineKind::Refund && l.sources[1] == *event.source())
                .map(|l| -l.amount)
                .sum();
            prop_assert!(refunded <= due(event), "{:?}: {} refunded", event.source(), refunded);
        }
        // Every refund's lines add up to the refund exactly.
        for event in &events {
            if let StatementEvent::Refund { source, amount, .. } = event {
                let shares: Decimal = statement.lines.iter()
                    .filter(|l| l.kind == LineKind::Refund && l.sources[0] == *source)
                    .map(|l| l.amount)
                    .sum();
                prop_assert_eq!(shares, -amount.amount());
            }
        }
    }

    /// A period split at any instant: the two statements' totals add up to
    /// the whole period's, and their lines' sources together are the
    /// whole's.
    #[test]
    fn sub_periods_add_up_to_the_period(events in account(), split in 1..YEAR_MINUTES) {
        let (from, to) = whole_life();
        let mid = from + TimeDelta::minutes(split);
        let locale = Locale::default();
        let whole = Statement::build(&events, from, to, &locale).unwrap();
        let first = Statement::build(&events, from, mid, &locale).unwrap();
        let second = Statement::build(&events, mid, to, &locale).unwrap();
        prop_assert_eq!(first.total + second.total, whole.total);
        let count = |s: &Statement| s.lines.iter().map(|l| l.sources.len()).sum::<usize>();
        prop_assert_eq!(count(&first) + count(&second), count(&whole));
    }

    /// The same events in any order give the same statement.
    #[test]
    fn order_of_the_events_does_not_matter(
        (events, shuffled) in account().prop_flat_map(|e| (Just(e.clone()), Just(e).prop_shuffle())),
        start in 0..YEAR_MINUTES,
    ) {
        let from = base() + TimeDelta::minutes(start);
        let to = from + TimeDelta::days(31);
        let locale = Locale::default();
        prop_assert_eq!(
            Statement::build(&events, from, to, &locale).unwrap(),
            Statement::build(&shuffled, from, to, &locale).unwrap()
        );
    }
}
