//! The quote's integrity checks, driven with edits a client could make to
//! a quote's JSON: each is refused, and none prices at an instant further
//! back than the policy's window.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::{Figures, Inputs, Instant, Preview, PreviewAction, seal};
use crate::error::Error;
use crate::fingerprint::Fingerprint;
use crate::money::Money;

#[test]
fn all_has_every_variant_in_declaration_order() {
    assert_all_variants!(PreviewAction: SeatPurchase, SeatUpgrade, SeatExtension, PackagePurchase);
}

const ORDER: u32 = 20;
const STATE: u32 = 10;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, day, hour, minute, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn current(priced_at: DateTime<Utc>) -> Inputs<'static, u32, u32> {
    Inputs {
        kind: "seat_account",
        account: "org-1",
        action: PreviewAction::SeatUpgrade,
        priced_at,
        policy: Fingerprint::from_u128(7),
        order: &ORDER,
        state: &STATE,
        window: TimeDelta::minutes(30),
        state_changed: "the current purchase changed since the preview; preview again",
        policy_changed: None,
    }
}

fn quote() -> Result<Preview<u32, u32>, Error> {
    let cny = |cents: i64| Money::cny(rust_decimal::Decimal::new(cents, 2));
    let figures = Figures {
        total: cny(200_000),
        credit: cny(27_397),
        amount_due: cny(172_603),
    };
    current(at(22, 15, 50)).preview(figures)
}

/// An edit a client could make to a quote's JSON.
type Edit = fn(&mut Preview<u32, u32>);

/// The refusal's message, or "charged".
fn charge(quote: &Preview<u32, u32>, now: DateTime<Utc>) -> String {
    match quote.check_inputs(&current(quote.priced_at), now) {
        Ok(()) => "charged".to_owned(),
        Err(Error::Refused(refusal)) => refusal.primary().message.clone(),
        Err(other) => other.to_string(),
    }
}

#[test]
fn an_unedited_quote_is_charged_within_its_window_only() -> Result<(), Error> {
    let quote = quote()?;
    assert_eq!(quote.valid_until, at(22, 16, 20));
    assert_eq!(charge(&quote, at(22, 16, 5)), "charged");
    assert_eq!(charge(&quote, at(22, 16, 20)), "charged");
    assert!(charge(&quote, at(22, 16, 21)).contains("expired"));
    Ok(())
}

/// `inputs ^ word(priced_at)` is what the seal mixes first, so moving
/// `priced_at` and xoring the difference into `inputs` keeps the seal.
/// The window's length gives the edit away: refused, never priced at
/// the earlier instant (a larger credit).
#[test]
fn a_backdated_quote_whose_seal_still_matches_is_refused() -> Result<(), Error> {
    let mut quote = quote()?;
    let earlier = at(1, 0, 0);
    let moved = Instant::of(quote.priced_at).word() ^ Instant::of(earlier).word();
    quote.inputs = Fingerprint::from_u128(quote.inputs.as_u128() ^ moved);
    quote.priced_at = earlier;
    assert!(quote.sealed(), "the edit keeps the seal");
    let answer = charge(&quote, at(22, 16, 5));
    assert!(answer.contains("altered"), "{answer}");
    Ok(())
}

/// A forger who recomputes the seal (the algorithm is public) for a
/// stretched window is still held to the policy's 30 minutes.
#[test]
fn a_stretched_window_with_a_recomputed_seal_is_refused() -> Result<(), Error> {
    let mut quote = quote()?;
    quote.valid_until = at(23, 15, 50);
    quote.fingerprint = seal(quote.inputs, quote.priced_at, quote.valid_until);
    assert!(quote.sealed());
    for now in [at(22, 16, 5), at(23, 12, 0)] {
        let answer = charge(&quote, now);
        assert!(answer.contains("altered"), "{now}: {answer}");
    }
    Ok(())
}

/// Backdated and resealed with a window of the policy's length: the
/// charge still prices within 30 minutes before `now`, or refuses.
#[test]
fn a_backdated_resealed_quote_prices_no_earlier_than_the_window() -> Result<(), Error> {
    let mut quote = quote()?;
    quote.priced_at = at(1, 0, 0);
    quote.valid_until = at(1, 0, 30);
    quote.fingerprint = seal(quote.inputs, quote.priced_at, quote.valid_until);
    let answer = charge(&quote, at(22, 16, 5));
    assert!(answer.contains("expired"), "{answer}");
    Ok(())
}

#[test]
fn every_single_field_edit_is_refused() -> Result<(), Error> {
    let now = at(22, 16, 5);
    let edits: [(&str, Edit); 9] = [
        ("kind", |q| q.kind = "package_wallet".to_owned()),
        ("account", |q| q.account = "org-2".to_owned()),
        ("action", |q| q.action = PreviewAction::SeatExtension),
        ("priced_at", |q| q.priced_at -= TimeDelta::seconds(1)),
        ("valid_until", |q| q.valid_until += TimeDelta::seconds(1)),
        ("policy", |q| q.policy = Fingerprint::from_u128(8)),
        ("order", |q| q.order = 21),
        ("state", |q| q.state = 11),
        ("inputs", |q| {
            q.inputs = Fingerprint::from_u128(q.inputs.as_u128() ^ 1);
        }),
    ];
    for (field, edit) in edits {
        let mut quote = quote()?;
        edit(&mut quote);
        assert_ne!(charge(&quote, now), "charged", "{field}");
    }
    let mut quote = quote()?;
    quote.fingerprint = Fingerprint::from_u128(quote.fingerprint.as_u128() ^ 1);
    assert!(charge(&quote, now).contains("altered"));
    Ok(())
}
