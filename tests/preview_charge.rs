//! Preview = charge (issue 16, item 1): a purchase carrying its preview is
//! charged exactly the preview, or refused naming what changed.

use billing_rules::presets::{app_store_seat_pricing, app_store_seat_pricing_spec};
use billing_rules::pricing::SeatPreview as Preview;
use billing_rules::pricing::{
    SeatAccount, SeatAccountCommand, SeatAccountState, SeatOrder, SeatPolicy, SeatPolicySpec,
};
use billing_rules::time::Zone;
use billing_rules::{DateTime, Decider, Decimal, Error, RuleId, TimeDelta, Utc};
use proptest::prelude::*;

const ACCOUNT: &str = "acct-1";

fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Zone::BEIJING.at(y, m, d, h, min, 0).unwrap()
}

/// 10 seats bought for a year on 2025-01-01 (Beijing): 1000.00 paid
/// (R-SEAT-02, the preset's 100.00 a seat).
fn ten_seats() -> SeatAccountState {
    let buy = SeatAccountCommand::Purchase {
        order: SeatOrder::new(10, 1),
    };
    let policy = app_store_seat_pricing().unwrap();
    SeatAccount::run(&SeatAccount::initial(), &buy, bj(2025, 1, 1, 0, 0), &policy)
        .unwrap()
        .0
}

fn upgrade_to(seats: u32) -> SeatAccountCommand {
    SeatAccountCommand::Upgrade {
        order: SeatOrder::new(seats, 1),
    }
}

fn refusal_text(err: &Error) -> String {
    err.to_string()
}

/// Lago #5522: the upgrade preview's credit was one day short of the
/// charged one, because preview and charge each counted days at their own
/// instant. Here the preview is shown at 23:50 and paid at 00:05 the next
/// local day: priced afresh the credit loses a day (R-SEAT-08: 100 -> 99 of
/// 365 days of 1000.00, 273.97 -> 271.23); charged from the preview it is
/// the preview's, to the digit.
#[test]
fn lago_5522_upgrade_preview_equals_charge() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 23, 50);
    let paid = bj(2025, 9, 23, 0, 5);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    assert_eq!(preview.total.to_string(), "CNY 2000.00");
    assert_eq!(preview.credit.to_string(), "CNY 273.97");
    assert_eq!(preview.amount_due.to_string(), "CNY 1726.03");

    // The bug: the same upgrade priced at payment time.
    let (_, fresh) = SeatAccount::run(&state, &upgrade_to(20), paid, &policy).unwrap();
    assert_eq!(fresh[0].charge().credit.to_string(), "CNY 271.23");

    let quoted = upgrade_to(20).with_quote(ACCOUNT, preview.clone());
    let (after, events) = SeatAccount::run(&state, &quoted, paid, &policy).unwrap();
    let charge = events[0].charge();
    assert_eq!(charge.credit.to_string(), preview.credit.to_string());
    assert_eq!(
        charge.amount_due.to_string(),
        preview.amount_due.to_string()
    );
    assert_eq!(charge.total.to_string(), preview.total.to_string());
    assert_eq!((charge.at, charge.priced_at), (paid, shown));
    assert_eq!(charge.quote, Some(preview.fingerprint));
    assert_eq!(after.current.map(|h| h.seats), Some(20));
}

fn refused(
    state: &SeatAccountState,
    command: &SeatAccountCommand,
    at: DateTime<Utc>,
    policy: &SeatPolicy,
) -> String {
    let err = SeatAccount::run(state, command, at, policy).unwrap_err();
    assert!(err.refusal().is_some(), "{err}");
    refusal_text(&err)
}

#[test]
fn an_expired_quote_is_refused_naming_its_end() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    let quoted = upgrade_to(20).with_quote(ACCOUNT, preview);
    // The last instant of the 30-minute window still charges.
    assert!(SeatAccount::run(&state, &quoted, shown + TimeDelta::minutes(30), &policy).is_ok());
    let text = refused(&state, &quoted, shown + TimeDelta::minutes(31), &policy);
    assert!(
        text.contains("the quote expired at 2025-09-22T02:30:00+00:00"),
        "{text}"
    );
}

#[test]
fn a_changed_policy_order_or_state_is_refused_by_name() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let paid = shown + TimeDelta::minutes(5);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();

    let repriced = SeatPolicy::try_from(SeatPolicySpec {
        max_seats: Some(500),
        ..app_store_seat_pricing_spec()
    })
    .unwrap();
    let quoted = upgrade_to(20).with_quote(ACCOUNT, preview.clone());
    let text = refused(&state, &quoted, paid, &repriced);
    assert!(text.contains("the policy changed"), "{text}");

    let other_order = upgrade_to(25).with_quote(ACCOUNT, preview.clone());
    let text = refused(&state, &other_order, paid, &policy);
    assert!(text.contains("the order changed"), "{text}");

    let extended = SeatAccount::run(
        &state,
        &SeatAccountCommand::Extend { periods: 1 },
        shown,
        &policy,
    )
    .unwrap()
    .0;
    let text = refused(&extended, &quoted, paid, &policy);
    assert!(
        text.contains("the current purchase changed since the preview"),
        "{text}"
    );
}

#[test]
fn a_quote_for_another_account_or_kind_is_refused() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    let elsewhere = upgrade_to(20).with_quote("acct-2", preview.clone());
    let text = refused(&state, &elsewhere, shown, &policy);
    assert!(text.contains("made for account \"acct-1\""), "{text}");

    let wallet = Preview {
        kind: "package_wallet".to_owned(),
        ..preview.clone()
    };
    let text = refused(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, wallet),
        shown,
        &policy,
    );
    assert!(text.contains("\"package_wallet\""), "{text}");

    // A purchase preview sent with an upgrade.
    let extend = SeatAccountCommand::Extend { periods: 1 }.with_quote(ACCOUNT, preview);
    let text = refused(&state, &extend, shown, &policy);
    assert!(text.contains("SeatUpgrade"), "{text}");
}

#[test]
fn a_tampered_quote_is_refused() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    let cheaper = Preview {
        amount_due: billing_rules::money::Money::cny(Decimal::new(100, 2)),
        ..preview.clone()
    };
    let err = SeatAccount::run(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, cheaper),
        shown,
        &policy,
    )
    .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat08));
    assert!(err.to_string().contains("the quote was altered"), "{err}");

    // An edited instant or window breaks the seal.
    let longer = Preview {
        valid_until: preview.valid_until + TimeDelta::days(1),
        ..preview.clone()
    };
    let text = refused(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, longer),
        shown,
        &policy,
    );
    assert!(text.contains("altered"), "{text}");
    // A trailing zero is a different receipt.
    let digits = Preview {
        total: billing_rules::money::Money::cny(Decimal::new(2_000_000, 3)),
        ..preview
    };
    let text = refused(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, digits),
        shown,
        &policy,
    );
    assert!(text.contains("altered"), "{text}");
}

#[test]
fn quote_json_with_an_unknown_field_is_a_clear_error() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let preview = SeatAccount::preview(
        ACCOUNT,
        &state,
        &upgrade_to(20),
        bj(2025, 9, 22, 10, 0),
        &policy,
    )
    .unwrap();
    let mut json = serde_json::to_value(&preview).unwrap();
    assert_eq!(
        serde_json::from_value::<Preview>(json.clone()).unwrap(),
        preview
    );
    json["discount"] = serde_json::json!("100");
    let err = serde_json::from_value::<Preview>(json).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `discount`"),
        "{err}"
    );
}

#[test]
fn commands_without_a_quote_work_as_before_and_refusals_write_nothing() {
    let policy = app_store_seat_pricing().unwrap();
    let mut state = ten_seats();
    let before = state;
    // A second purchase while the term runs is refused (R-SEAT-01).
    let again = SeatAccountCommand::Purchase {
        order: SeatOrder::new(5, 1),
    };
    let err = SeatAccount::apply(&mut state, &again, bj(2025, 3, 1, 0, 0), &policy).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.rule()), Some(RuleId::Seat01));
    assert_eq!(state, before);
    // R-SEAT-09: a year more for 10 seats at 100.00.
    let events = SeatAccount::apply(
        &mut state,
        &SeatAccountCommand::Extend { periods: 1 },
        bj(2025, 3, 1, 0, 0),
        &policy,
    )
    .unwrap();
    assert_eq!(events[0].charge().amount_due.to_string(), "CNY 1000.00");
    assert_eq!(
        state
            .current
            .map(|h| (h.purchase.paid.to_string(), h.purchase.end)),
        Some(("CNY 2000.00".to_owned(), bj(2027, 1, 1, 0, 0)))
    );
}

fn command(kind: u8, seats: u32, periods: u32) -> SeatAccountCommand {
    let order = SeatOrder::new(seats, periods);
    match kind % 3 {
        0 => SeatAccountCommand::Upgrade { order },
        1 => SeatAccountCommand::Extend { periods },
        _ => SeatAccountCommand::Purchase { order },
    }
}

proptest! {
    /// For any order and state, charging with a fresh quote anywhere in its
    /// window gives exactly the quote's figures; any change to a deciding
    /// input (policy, order, state, account) makes it refused.
    #[test]
    fn fresh_quote_charges_exactly_and_any_change_refuses(
        held in 1u32..300,
        held_periods in 1u32..3,
        kind in 0u8..3,
        seats in 1u32..400,
        periods in 1u32..3,
        bought_minutes in 0i64..525_600,
        shown_after in 0i64..600_000,
        wait in 0i64..=30,
        ended in any::<bool>(),
    ) {
        let policy = app_store_seat_pricing().unwrap();
        let start = bj(2025, 1, 1, 0, 0) + TimeDelta::minutes(bought_minutes);
        let buy = SeatAccountCommand::Purchase { order: SeatOrder::new(held, held_periods) };
        let state = SeatAccount::run(&SeatAccount::initial(), &buy, start, &policy).unwrap().0;
        let end = state.current.map(|h| h.purchase.end).unwrap();
        // A purchase needs an ended term; an upgrade a running one.
        let shown = if ended || kind % 3 == 2 {
            end + TimeDelta::minutes(shown_after % 100_000)
        } else {
            start + TimeDelta::minutes(shown_after) .min(end - start - TimeDelta::minutes(31))
        };
        let cmd = command(kind, seats, periods);
        let Ok(preview) = SeatAccount::preview(ACCOUNT, &state, &cmd, shown, &policy) else {
            // Refused at preview: refused unquoted at the same instant too.
            prop_assert!(SeatAccount::run(&state, &cmd, shown, &policy).is_err());
            return Ok(());
        };
        let paid = shown + TimeDelta::minutes(wait);
        let quoted = cmd.with_quote(ACCOUNT, preview.clone());
        let (_, events) = SeatAccount::run(&state, &quoted, paid, &policy).unwrap();
        let charge = events[0].charge();
        prop_assert_eq!(charge.total.to_string(), preview.total.to_string());
        prop_assert_eq!(charge.credit.to_string(), preview.credit.to_string());
        prop_assert_eq!(charge.amount_due.to_string(), preview.amount_due.to_string());
        // Unquoted at the preview's instant: the same figures.
        let (_, same) = SeatAccount::run(&state, &cmd, shown, &policy).unwrap();
        prop_assert_eq!(same[0].charge().amount_due, preview.amount_due);

        // Another account.
        prop_assert!(SeatAccount::run(&state, &cmd.with_quote("other", preview.clone()), paid, &policy).is_err());
        // Another order.
        let other = command(kind, seats + 1, periods + u32::from(kind % 3 == 1));
        prop_assert!(SeatAccount::run(&state, &other.with_quote(ACCOUNT, preview.clone()), paid, &policy).is_err());
        // Another policy.
        let spec = SeatPolicySpec { quote_window_minutes: 31, ..app_store_seat_pricing_spec() };
        let other_policy = SeatPolicy::try_from(spec).unwrap();
        prop_assert!(SeatAccount::run(&state, &quoted, paid, &other_policy).is_err());
        // Another state: the same purchase a minute later.
        let moved = SeatAccount::run(&SeatAccount::initial(), &buy, start + TimeDelta::minutes(1), &policy).unwrap().0;
        prop_assert!(SeatAccount::run(&moved, &quoted, paid, &policy).is_err());
        // Past the window.
        prop_assert!(SeatAccount::run(&state, &quoted, shown + TimeDelta::minutes(31), &policy).is_err());
    }
}

/// The seat account is an engine aggregate: a preview taken from the stored
/// state is charged exactly through `Engine` and `MemoryStore`, and the
/// same key sent again returns the first answer without a second charge.
#[test]
fn preview_is_charged_exactly_through_the_engine() {
    use billing_rules::engine::{AggregateId, Engine, IdempotencyKey, MemoryStore};
    use billing_rules::time::FixedClock;

    let policy = app_store_seat_pricing().unwrap();
    let account = AggregateId::from(ACCOUNT);
    let buy = SeatAccountCommand::Purchase {
        order: SeatOrder::new(10, 1),
    };
    let store = MemoryStore::new();
    Engine::new(FixedClock::new(bj(2025, 1, 1, 0, 0)), &store)
        .execute::<SeatAccount>(&account, &buy, &policy, None)
        .unwrap();

    let upgrade = SeatAccountCommand::Upgrade {
        order: SeatOrder::new(20, 1),
    };
    let shown_at = bj(2025, 9, 22, 23, 50);
    let engine = Engine::new(FixedClock::new(bj(2025, 9, 23, 0, 5)), &store);
    let state = engine.state::<SeatAccount>(&account).unwrap();
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade, shown_at, &policy).unwrap();
    let quoted = upgrade.with_quote(ACCOUNT, preview.clone());
    let key = IdempotencyKey::from("upgrade-1");
    let first = engine
        .execute::<SeatAccount>(&account, &quoted, &policy, Some(&key))
        .unwrap();
    assert_eq!(first.events.len(), 1);
    assert_eq!(first.events[0].charge().credit.to_string(), "CNY 273.97");
    assert_eq!(first.events[0].charge().amount_due, preview.amount_due);
    let again = engine
        .execute::<SeatAccount>(&account, &quoted, &policy, Some(&key))
        .unwrap();
    assert_eq!(again.version, first.version);
    assert_eq!(store.events::<SeatAccount>(&account).len(), 2);
}

/// The charge hashes only the seal (the digest of the inputs and the
/// instant): an instant moved within the window, with its window moved
/// along, or an edited digest or seal, is refused as altered.
#[test]
fn an_edited_instant_digest_or_seal_is_refused() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let paid = shown + TimeDelta::minutes(10);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    let earlier = Preview {
        priced_at: shown - TimeDelta::minutes(5),
        valid_until: preview.valid_until - TimeDelta::minutes(5),
        ..preview.clone()
    };
    let inputs = Preview {
        inputs: billing_rules::Fingerprint::from_u128(preview.inputs.as_u128() ^ 1),
        ..preview.clone()
    };
    let seal = Preview {
        fingerprint: billing_rules::Fingerprint::from_u128(preview.fingerprint.as_u128() ^ 1),
        ..preview.clone()
    };
    for edited in [earlier, inputs, seal] {
        let text = refused(
            &state,
            &upgrade_to(20).with_quote(ACCOUNT, edited),
            paid,
            &policy,
        );
        assert!(text.contains("altered after it was made"), "{text}");
    }
    // The untouched preview still charges.
    assert!(
        SeatAccount::run(
            &state,
            &upgrade_to(20).with_quote(ACCOUNT, preview),
            paid,
            &policy
        )
        .is_ok()
    );
}

/// The quote carries the order and the holding it priced, compared as
/// values: an order or holding edited in the quote is refused by name.
#[test]
fn an_order_or_holding_edited_in_the_quote_is_refused_by_name() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    assert_eq!(
        preview.order,
        billing_rules::pricing::SeatRequest::Upgrade(SeatOrder::new(20, 1))
    );
    assert_eq!(preview.state, state.current);
    let order = Preview {
        order: billing_rules::pricing::SeatRequest::Upgrade(SeatOrder::new(25, 1)),
        ..preview.clone()
    };
    let text = refused(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, order),
        shown,
        &policy,
    );
    assert!(
        text.contains("the order changed since the preview"),
        "{text}"
    );
    let holding = Preview {
        state: None,
        ..preview.clone()
    };
    let text = refused(
        &state,
        &upgrade_to(20).with_quote(ACCOUNT, holding),
        shown,
        &policy,
    );
    assert!(
        text.contains("the current purchase changed since the preview"),
        "{text}"
    );
    // A charged quote is spent: the holding it priced is gone.
    let quoted = upgrade_to(20).with_quote(ACCOUNT, preview);
    let after = SeatAccount::run(&state, &quoted, shown, &policy).unwrap().0;
    let text = refused(&after, &quoted, shown, &policy);
    assert!(
        text.contains("the current purchase changed since the preview"),
        "{text}"
    );
}

/// The preview's JSON names the order and holding it priced; read back it
/// is the same preview and still charges.
#[test]
fn preview_json_carries_the_order_and_holding() {
    let policy = app_store_seat_pricing().unwrap();
    let state = ten_seats();
    let shown = bj(2025, 9, 22, 10, 0);
    let preview = SeatAccount::preview(ACCOUNT, &state, &upgrade_to(20), shown, &policy).unwrap();
    let json = serde_json::to_value(&preview).unwrap();
    assert_eq!(
        json["order"],
        serde_json::json!({"upgrade": {"seats": 20, "periods": 1, "start": null}})
    );
    assert_eq!(json["state"]["seats"], 10);
    assert_eq!(json["state"]["purchase"]["paid"]["amount"], "1000.00");
    let back: Preview = serde_json::from_value(json).unwrap();
    assert_eq!(back, preview);
    assert!(
        SeatAccount::run(
            &state,
            &upgrade_to(20).with_quote(ACCOUNT, back),
            shown,
            &policy
        )
        .is_ok()
    );
}
