//! Preview = charge for package purchases (issue 16, item 1: "seat quote,
//! upgrade, extension, package purchase"): a purchase carrying its
//! package preview is charged exactly the preview, or refused naming what
//! changed, writing nothing.
//!
//! Figures from RULES.md R-USE-05: the 365-day catalogue sells 10,000 calls
//! for 300 and 1,000,000 for 28,000 (list 30,000); a custom order of 250
//! calls for 90 days costs 7.50 (0.03 a call).

use billing_rules::engine::{Aggregate, AggregateId, Engine, IdempotencyKey, MemoryStore};
use billing_rules::presets::{verification_usage, verification_usage_spec};
use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
use billing_rules::time::{FixedClock, Zone};
use billing_rules::usage::{
    CallCounts, Component, PackageOrder, PackagePreview, PackageSpec, PackageWallet, UsagePolicy,
    UsagePolicySpec, WalletCommand, WalletEvent, WalletStamp, WalletState,
};
use billing_rules::{DateTime, Decider, Decimal, Error, RuleId, TimeDelta, Utc};
use proptest::prelude::*;

const APP: &str = "app-1";

fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Zone::BEIJING.at(y, m, d, h, min, 0).unwrap()
}

fn quoted(order: PackageOrder, quote: &PackagePreview) -> WalletCommand {
    quoted_for(APP, order, quote)
}

fn quoted_for(account: &str, order: PackageOrder, quote: &PackagePreview) -> WalletCommand {
    WalletCommand::PurchaseQuoted {
        account: account.to_owned(),
        order,
        quote: Box::new(quote.clone()),
    }
}

/// Refused with a rule-style reason naming R-USE-05, and nothing written:
/// `apply` leaves the wallet as it was.
fn refused(
    state: &WalletState,
    command: &WalletCommand,
    at: DateTime<Utc>,
    policy: &UsagePolicy,
) -> String {
    let mut after = state.clone();
    let err: Error = PackageWallet::apply(&mut after, command, at, policy).unwrap_err();
    assert_eq!(
        err.refusal().map(|r| r.rule()),
        Some(RuleId::Use05),
        "{err}"
    );
    assert_eq!(&after, state, "a refused purchase wrote nothing");
    err.to_string()
}

fn with_spec(change: impl FnOnce(&mut UsagePolicySpec)) -> UsagePolicy {
    let mut spec = verification_usage_spec();
    change(&mut spec);
    UsagePolicy::try_from(spec).unwrap()
}

/// The listed 10,000-call package previewed at 09:00 and paid at 09:20:
/// charged the preview's 300, the package paid (and valid) from 09:20.
#[test]
fn package_preview_equals_charge() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
    assert_eq!(preview.total.amount(), Decimal::from(300));
    assert!(preview.credit.is_zero());
    assert_eq!(preview.amount_due, preview.total);
    assert_eq!(preview.kind, "package_wallet");
    assert_eq!(preview.state, WalletStamp { packages: 0 });
    assert_eq!(preview.valid_until, shown + TimeDelta::minutes(30));

    let paid = bj(2025, 6, 1, 9, 20);
    let (after, events) =
        PackageWallet::run(&wallet, &quoted(order, &preview), paid, &policy).unwrap();
    let WalletEvent::Purchased(p) = &events[0] else {
        panic!("a purchase: {events:?}")
    };
    assert_eq!(p.price.to_string(), preview.amount_due.to_string());
    assert_eq!((p.calls, p.paid_at, p.effective_at), (10_000, paid, paid));
    assert_eq!(p.expires_at, bj(2026, 6, 1, 9, 20));
    // The same purchase unquoted at the same instant records the same event.
    let (_, plain) =
        PackageWallet::run(&wallet, &WalletCommand::Purchase { order }, paid, &policy).unwrap();
    assert_eq!(plain, events);
    assert_eq!(after.packages().len(), 1);
}

/// The published custom order (250 calls for 90 days: 7.50) and the
/// listed million with its list price: each charged as previewed.
#[test]
fn custom_and_listed_previews_charge_their_published_prices() {
    let policy = verification_usage().unwrap();
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    for (order, price) in [
        (PackageOrder::custom(250, 90), "CNY 7.50"),
        (PackageOrder::listed(1_000_000, 365), "CNY 28000.00"),
    ] {
        let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
        assert_eq!(preview.amount_due.to_string(), price);
        let (_, events) =
            PackageWallet::run(&wallet, &quoted(order, &preview), shown, &policy).unwrap();
        let WalletEvent::Purchased(p) = &events[0] else {
            panic!("a purchase")
        };
        assert_eq!(p.price.to_string(), price);
    }
}

#[test]
fn an_expired_package_quote_is_refused_at_the_window_edge() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
    // The last instant of the window still charges; a second later does not.
    let edge = shown + TimeDelta::minutes(30);
    assert!(PackageWallet::run(&wallet, &quoted(order, &preview), edge, &policy).is_ok());
    let text = refused(
        &wallet,
        &quoted(order, &preview),
        edge + TimeDelta::seconds(1),
        &policy,
    );
    assert!(
        text.contains("the quote expired at 2025-06-01T01:30:00+00:00"),
        "{text}"
    );
    // A quote is not charged before it was made.
    let text = refused(
        &wallet,
        &quoted(order, &preview),
        shown - TimeDelta::seconds(1),
        &policy,
    );
    assert!(text.contains("cannot come from the future"), "{text}");
    // The policy's window decides: 60 minutes.
    let longer = with_spec(|s| s.quote_window_minutes = 60);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &longer).unwrap();
    assert_eq!(preview.valid_until, shown + TimeDelta::minutes(60));
    let late = shown + TimeDelta::minutes(45);
    assert!(PackageWallet::run(&wallet, &quoted(order, &preview), late, &longer).is_ok());
}

#[test]
fn a_window_outside_one_minute_to_thirty_days_is_a_policy_error() {
    for minutes in [0, UsagePolicy::MAX_QUOTE_WINDOW_MINUTES + 1] {
        let mut spec = verification_usage_spec();
        spec.quote_window_minutes = minutes;
        let err = UsagePolicy::try_from(spec).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("quote_window_minutes"), "{text}");
        assert!(text.contains("1 to 43200 minutes"), "{text}");
    }
    // Left out of the JSON, the window is the preset's 30 minutes.
    let mut json = serde_json::to_value(verification_usage_spec()).unwrap();
    assert_eq!(json["quote_window_minutes"], 30);
    json.as_object_mut().unwrap().remove("quote_window_minutes");
    let spec: UsagePolicySpec = serde_json::from_value(json).unwrap();
    assert_eq!(spec.quote_window_minutes, UsagePolicy::QUOTE_WINDOW_MINUTES);
}

/// A changed policy is refused; when the package's own catalogue entry
/// changed, the refusal says how (its price then and now, or that it is no
/// longer sold).
#[test]
fn a_changed_policy_or_catalogue_entry_is_refused_by_name() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    let paid = shown + TimeDelta::minutes(5);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();

    let trial = with_spec(|s| s.trial_quota = 2000);
    let text = refused(&wallet, &quoted(order, &preview), paid, &trial);
    assert!(
        text.contains("the policy changed since the preview"),
        "{text}"
    );
    assert!(!text.contains("catalogue"), "{text}");

    let dearer = with_spec(|s| {
        for p in &mut s.catalogue.packages {
            if p.calls == 10_000 {
                p.price = Decimal::from(350);
            }
        }
    });
    let text = refused(&wallet, &quoted(order, &preview), paid, &dearer);
    assert!(
        text.contains("the catalogue entry for this package: CNY 300.00 then, CNY 350.00 now"),
        "{text}"
    );

    let withdrawn = with_spec(|s| {
        s.catalogue
            .packages
            .retain(|p: &PackageSpec| p.calls != 10_000)
    });
    let text = refused(&wallet, &quoted(order, &preview), paid, &withdrawn);
    assert!(
        text.contains("its catalogue no longer sells this package"),
        "{text}"
    );
}

#[test]
fn a_changed_order_or_wallet_is_refused_and_consumption_is_not_a_change() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let shown = bj(2025, 6, 1, 9, 0);
    let paid = shown + TimeDelta::minutes(5);
    let first = WalletCommand::Purchase {
        order: PackageOrder::listed(1_000, 365),
    };
    let wallet = PackageWallet::run(
        &PackageWallet::initial(),
        &first,
        bj(2025, 5, 1, 0, 0),
        &policy,
    )
    .unwrap()
    .0;
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
    assert_eq!(preview.state, WalletStamp { packages: 1 });

    // Another order under the same quote.
    let text = refused(
        &wallet,
        &quoted(PackageOrder::listed(50_000, 365), &preview),
        paid,
        &policy,
    );
    assert!(
        text.contains("the order changed since the preview"),
        "{text}"
    );

    // Another package bought since the preview.
    let bought = PackageWallet::run(&wallet, &first, shown, &policy)
        .unwrap()
        .0;
    let text = refused(&bought, &quoted(order, &preview), paid, &policy);
    assert!(
        text.contains("the wallet's packages changed since the preview"),
        "{text}"
    );

    // Calls drawn since change no price: the quote still charges, and once
    // charged it is spent.
    let consume = WalletCommand::Consume {
        component: Component::QuickVerification,
        calls: CallCounts {
            succeeded: 1500,
            failed: 0,
        },
        at: shown,
    };
    let drawn = PackageWallet::run(&wallet, &consume, shown, &policy)
        .unwrap()
        .0;
    assert_ne!(drawn, wallet);
    let charged = PackageWallet::run(&drawn, &quoted(order, &preview), paid, &policy)
        .unwrap()
        .0;
    let text = refused(&charged, &quoted(order, &preview), paid, &policy);
    assert!(
        text.contains("the wallet's packages changed since the preview"),
        "{text}"
    );
}

#[test]
fn a_package_quote_for_another_account_or_kind_is_refused() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
    let text = refused(
        &wallet,
        &quoted_for("app-2", order, &preview),
        shown,
        &policy,
    );
    assert!(text.contains("made for account \"app-1\""), "{text}");

    let seats = PackagePreview {
        kind: "seat_account".to_owned(),
        ..preview.clone()
    };
    let text = refused(&wallet, &quoted(order, &seats), shown, &policy);
    assert!(text.contains("\"seat_account\""), "{text}");

    // A seat preview's JSON is not a package preview: an error, never charged.
    let seat_policy = billing_rules::presets::app_store_seat_pricing().unwrap();
    let buy = SeatAccountCommand::Purchase {
        order: SeatOrder::new(10, 1),
    };
    let seat_preview =
        SeatAccount::preview(APP, &SeatAccount::initial(), &buy, shown, &seat_policy).unwrap();
    let json = serde_json::to_value(&seat_preview).unwrap();
    let err = serde_json::from_value::<PackagePreview>(json).unwrap_err();
    assert!(err.to_string().contains("kind"), "{err}");
}

#[test]
fn a_tampered_package_quote_is_refused() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::listed(10_000, 365);
    let wallet = PackageWallet::initial();
    let shown = bj(2025, 6, 1, 9, 0);
    let paid = shown + TimeDelta::minutes(10);
    let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
    let cheaper = PackagePreview {
        amount_due: billing_rules::money::Money::cny(Decimal::from(30)),
        ..preview.clone()
    };
    let text = refused(&wallet, &quoted(order, &cheaper), paid, &policy);
    assert!(
        text.contains("this quote says amount_due CNY 30.00, and its inputs price to CNY 300.00"),
        "{text}"
    );
    let later = PackagePreview {
        priced_at: preview.priced_at + TimeDelta::minutes(20),
        valid_until: preview.valid_until + TimeDelta::minutes(20),
        ..preview.clone()
    };
    let text = refused(
        &wallet,
        &quoted(order, &later),
        paid + TimeDelta::minutes(30),
        &policy,
    );
    assert!(text.contains("altered after it was made"), "{text}");
    let wallet_edit = PackagePreview {
        state: WalletStamp { packages: 3 },
        ..preview.clone()
    };
    let text = refused(&wallet, &quoted(order, &wallet_edit), paid, &policy);
    assert!(text.contains("the wallet's packages changed"), "{text}");
    // The end of the window is sealed: moved later it is not honoured,
    // moved before the charge it is an alteration, not an expiry.
    for moved in [TimeDelta::hours(2), -TimeDelta::minutes(25)] {
        let edited = PackagePreview {
            valid_until: preview.valid_until + moved,
            ..preview.clone()
        };
        let at = paid + TimeDelta::minutes(30);
        let text = refused(&wallet, &quoted(order, &edited), at, &policy);
        assert!(
            text.contains("altered after it was made"),
            "{moved}: {text}"
        );
    }
    // Unedited, the same charge 40 minutes after the preview has expired.
    let text = refused(
        &wallet,
        &quoted(order, &preview),
        paid + TimeDelta::minutes(30),
        &policy,
    );
    assert!(text.contains("the quote expired at"), "{text}");
}

#[test]
fn package_quote_json_round_trips_and_refuses_an_unknown_field() {
    let policy = verification_usage().unwrap();
    let order = PackageOrder::custom(250, 90);
    let preview = PackageWallet::preview(
        APP,
        &PackageWallet::initial(),
        &order,
        bj(2025, 6, 1, 9, 0),
        &policy,
    )
    .unwrap();
    let mut json = serde_json::to_value(&preview).unwrap();
    assert_eq!(
        json["order"],
        serde_json::json!({"kind": "custom", "calls": 250, "validity_days": 90})
    );
    assert_eq!(json["state"], serde_json::json!({"packages": 0}));
    assert_eq!(json["action"], "package_purchase");
    assert_eq!(
        serde_json::from_value::<PackagePreview>(json.clone()).unwrap(),
        preview
    );
    // The command too.
    let command = quoted(order, &preview);
    let text = serde_json::to_string(&command).unwrap();
    assert!(
        text.starts_with(r#"{"command":"purchase_quoted","account":"app-1""#),
        "{text}"
    );
    assert_eq!(
        serde_json::from_str::<WalletCommand>(&text).unwrap(),
        command
    );
    json["discount"] = serde_json::json!("100");
    let err = serde_json::from_value::<PackagePreview>(json).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `discount`"),
        "{err}"
    );
}

/// The wallet stays an engine aggregate: a package preview taken from the
/// stored wallet is charged exactly through `Engine` and `MemoryStore`; the
/// same key again answers without a second purchase, and the quote sent
/// under a new key is refused (the wallet changed), nothing written.
#[test]
fn package_preview_is_charged_exactly_through_the_engine() {
    assert_eq!(<PackageWallet as Aggregate>::KIND, PackageWallet::KIND);
    let policy = verification_usage().unwrap();
    let app = AggregateId::from(APP);
    let store = MemoryStore::new();
    let shown = bj(2025, 6, 1, 9, 0);
    let engine = Engine::new(FixedClock::new(shown + TimeDelta::minutes(20)), &store);
    let order = PackageOrder::listed(10_000, 365);
    let state = engine.state::<PackageWallet>(&app).unwrap();
    let preview = PackageWallet::preview(APP, &state, &order, shown, &policy).unwrap();
    let command = quoted(order, &preview);
    let key = IdempotencyKey::from("buy-1");
    let first = engine
        .execute::<PackageWallet>(&app, &command, &policy, Some(&key))
        .unwrap();
    let WalletEvent::Purchased(p) = &first.events[0] else {
        panic!("a purchase")
    };
    assert_eq!(p.price, preview.amount_due);
    let again = engine
        .execute::<PackageWallet>(&app, &command, &policy, Some(&key))
        .unwrap();
    assert_eq!(again.version, first.version);
    let err = engine
        .execute::<PackageWallet>(
            &app,
            &command,
            &policy,
            Some(&IdempotencyKey::from("buy-2")),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the wallet's packages changed since the preview"),
        "{err}"
    );
    assert_eq!(store.events::<PackageWallet>(&app).len(), 1);
    assert_eq!(
        engine
            .state::<PackageWallet>(&app)
            .unwrap()
            .packages()
            .len(),
        1
    );
}

fn any_order() -> impl Strategy<Value = PackageOrder> {
    prop_oneof![
        prop::sample::select(vec![1_000u64, 5_000, 10_000, 50_000, 100_000, 1_000_000])
            .prop_map(|calls| PackageOrder::listed(calls, 365)),
        (1u64..2_000_000, prop::sample::select(vec![365u32, 180, 90]))
            .prop_map(|(calls, days)| PackageOrder::custom(calls, days)),
    ]
}

proptest! {
    /// For any order, wallet and instant, charging with a fresh quote
    /// anywhere in its window gives exactly the quote's price; any change
    /// to a deciding input (policy, order, wallet, account, window) makes
    /// it refused, writing nothing.
    #[test]
    fn fresh_package_quote_charges_exactly_and_any_change_refuses(
        order in any_order(),
        other in any_order(),
        held in 0usize..4,
        shown_minutes in 0i64..1_000_000,
        wait in 0i64..=30,
    ) {
        let policy = verification_usage().unwrap();
        let start = bj(2025, 1, 1, 0, 0);
        let mut wallet = PackageWallet::initial();
        for _ in 0..held {
            let buy = WalletCommand::Purchase { order: PackageOrder::listed(1_000, 365) };
            PackageWallet::apply(&mut wallet, &buy, start, &policy).unwrap();
        }
        let shown = start + TimeDelta::minutes(shown_minutes);
        let preview = PackageWallet::preview(APP, &wallet, &order, shown, &policy).unwrap();
        let paid = shown + TimeDelta::minutes(wait);
        let (_, events) = PackageWallet::run(&wallet, &quoted(order, &preview), paid, &policy).unwrap();
        let WalletEvent::Purchased(p) = &events[0] else { panic!("a purchase") };
        prop_assert_eq!(p.price.to_string(), preview.amount_due.to_string());
        prop_assert_eq!(p.price.amount().scale(), preview.amount_due.amount().scale());

        // Another account, another order, another policy, another wallet,
        // past the window: each refused, nothing written.
        let other_policy = with_spec(|s| s.quote_window_minutes = 31);
        let mut bigger = wallet.clone();
        PackageWallet::apply(&mut bigger, &WalletCommand::Purchase { order: PackageOrder::listed(1_000, 365) }, start, &policy).unwrap();
        let cases = [
            (wallet.clone(), quoted_for("app-2", order, &preview), paid, &policy),
            (wallet.clone(), quoted(other, &preview), paid, &policy),
            (wallet.clone(), quoted(order, &preview), paid, &other_policy),
            (bigger, quoted(order, &preview), paid, &policy),
            (wallet.clone(), quoted(order, &preview), shown + TimeDelta::minutes(31), &policy),
        ];
        for (i, (state, command, at, policy)) in cases.into_iter().enumerate() {
            if i == 1 && other == order {
                continue;
            }
            let mut after = state.clone();
            prop_assert!(PackageWallet::apply(&mut after, &command, at, policy).is_err(), "case {}", i);
            prop_assert_eq!(after, state);
        }
    }
}
