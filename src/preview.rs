//! Preview = charge: a [`Preview`] is a price shown before a purchase,
//! bound by a [`Fingerprint`] to everything that decided it, so that the
//! purchase carrying it is charged exactly what was shown, or refused with
//! the reason, never charged something else.
//!
//! A preview records:
//!
//! - the aggregate kind and account it was priced for;
//! - what it prices ([`PreviewAction`]);
//! - the policy's fingerprint, the order priced, and the part of the
//!   aggregate's state the price depends on (for a seat account, the
//!   current holding; for a package wallet, how many packages it holds);
//! - the instant the price was computed at (`priced_at`), which is also
//!   the instant the charge prorates at (Stripe's `proration_date` idea);
//! - `valid_until`, `priced_at` plus the policy's window (30 minutes by
//!   default);
//! - `inputs`, the fingerprint of kind, account, action, policy, order and
//!   state, and `fingerprint`, the quote's own, of `inputs` and the two
//!   instants: of everything that decided the price and how long it holds;
//! - the figures shown: total, credit and amount due.
//!
//! A command carrying a preview is charged only when, at the charge, the
//! kind, account and action match, the window is open, the policy's
//! fingerprint, the order and the state are those recorded, the
//! fingerprint is that of `inputs` and the instants, and pricing the order
//! again at `priced_at` gives the recorded figures to the digit. Anything
//! else is refused, naming what changed, and nothing is written.
//!
//! **Compared, not hashed.** The order and the state are carried as values
//! and compared with the command's and the aggregate's, so the charge
//! hashes one word (the seal over `inputs` and the instants) rather than
//! the order and state again: a quoted charge costs little more than an
//! unquoted one. An edit to a carried value is refused as a change; an
//! edit to the instant, the window, `inputs` or the fingerprint as an
//! alteration. (Like every [`Fingerprint`], the seal detects edits, not a
//! forger who recomputes it: sign the fingerprint to prove origin.)
//!
//! **The state, not the version.** The preview records the state the
//! price depends on rather than the engine's version number: the decider
//! sees the state, not the version, so the check is pure and runs the same
//! inside and outside the engine; an event that does not change the price
//! (a setting, a notice, a consumption) does not void a preview; and a
//! charged preview is spent, since the charge changes that state.
//!
//! The seat account ([`SeatAccount`](crate::pricing::SeatAccount)) charges
//! purchases, upgrades and extensions this way:
//!
//! ```
//! use billing_rules::Decider;
//! use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
//! use billing_rules::time::Zone;
//!
//! let policy = billing_rules::presets::app_store_seat_pricing()?;
//! let bought = Zone::BEIJING.at(2025, 1, 1, 0, 0, 0)?;
//! let buy = SeatAccountCommand::Purchase { order: SeatOrder::new(10, 1) };
//! let (state, _) = SeatAccount::run(&SeatAccount::initial(), &buy, bought, &policy)?;
//!
//! // The customer previews an upgrade to 20 seats...
//! let shown_at = Zone::BEIJING.at(2025, 9, 22, 23, 50, 0)?;
//! let upgrade = SeatAccountCommand::Upgrade { order: SeatOrder::new(20, 1) };
//! let preview = SeatAccount::preview("acct-1", &state, &upgrade, shown_at, &policy)?;
//! assert_eq!(preview.credit.to_string(), "CNY 273.97"); // 100 of 365 days of 1000.00
//! assert_eq!(preview.amount_due.to_string(), "CNY 1726.03");
//!
//! // ...and confirms 15 minutes later, after midnight: the charge prorates at
//! // the preview's instant, so the credit is not a day short.
//! let paid_at = Zone::BEIJING.at(2025, 9, 23, 0, 5, 0)?;
//! let confirm = upgrade.with_quote("acct-1", preview.clone());
//! let (_, events) = SeatAccount::run(&state, &confirm, paid_at, &policy)?;
//! let charge = events[0].charge();
//! assert_eq!((charge.credit, charge.amount_due), (preview.credit, preview.amount_due));
//!
//! // Past the window the preview is refused, naming why.
//! let late = Zone::BEIJING.at(2025, 9, 23, 1, 0, 0)?;
//! let err = SeatAccount::run(&state, &confirm, late, &policy).unwrap_err();
//! assert!(err.to_string().contains("the quote expired at"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, PolicyError, Reason};
use crate::fingerprint::Fingerprint;
use crate::money::Money;
use crate::rule::RuleId;

/// The preset window of a preview, 30 minutes: long enough to read and
/// pay, short enough that a shown price is not charged a day later. One
/// definition for every policy that makes previews.
pub(crate) const DEFAULT_WINDOW_MINUTES: u32 = 30;

/// The longest window a policy may give a preview: 30 days.
pub(crate) const MAX_WINDOW_MINUTES: u32 = 30 * 24 * 60;

/// Refuses a policy's `quote_window_minutes` outside 1 to
/// [`MAX_WINDOW_MINUTES`].
pub(crate) fn check_window_minutes(minutes: u32) -> Result<(), PolicyError> {
    if (1..=MAX_WINDOW_MINUTES).contains(&minutes) {
        return Ok(());
    }
    Err(PolicyError::new(
        "quote_window_minutes",
        format!("a preview valid for {minutes} minutes"),
        format!("1 to {MAX_WINDOW_MINUTES} minutes"),
    ))
}

/// A policy's window as a duration.
pub(crate) fn window_of(minutes: u32) -> chrono::TimeDelta {
    chrono::TimeDelta::minutes(i64::from(minutes))
}

/// What a [`Preview`] prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewAction {
    /// A first (or renewed after expiry) seat purchase (R-SEAT-01..07).
    SeatPurchase,
    /// An upgrade with credit for the current purchase (R-SEAT-08).
    SeatUpgrade,
    /// More periods for the current seat count (R-SEAT-09).
    SeatExtension,
    /// A package bought from the catalogue into a package wallet (R-USE-05).
    PackagePurchase,
}

impl PreviewAction {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 4] = [
        Self::SeatPurchase,
        Self::SeatUpgrade,
        Self::SeatExtension,
        Self::PackagePurchase,
    ];

    /// The rule whose price the action charges: what a refusal names.
    pub fn rule(self) -> RuleId {
        match self {
            PreviewAction::SeatPurchase => RuleId::Seat01,
            PreviewAction::SeatUpgrade => RuleId::Seat08,
            PreviewAction::SeatExtension => RuleId::Seat09,
            PreviewAction::PackagePurchase => RuleId::Use05,
        }
    }
}

/// A price shown before a purchase, bound to what decided it (see the
/// [module](self) docs).
///
/// `O` is the order as priced and `S` the part of the aggregate's state
/// the price depends on; each decider names its own:
/// [`SeatPreview`](crate::pricing::SeatPreview) and
/// [`PackagePreview`](crate::usage::PackagePreview).
///
/// # JSON
///
/// Every field is required and no other is accepted: a preview edited by
/// hand or by an older client is an error, never half-read. A seat
/// upgrade's:
///
/// ```json
/// {
///   "kind": "seat_account",
///   "account": "acct-1",
///   "action": "seat_upgrade",
///   "priced_at": "2025-09-22T15:50:00Z",
///   "valid_until": "2025-09-22T16:20:00Z",
///   "policy": "…32 hex digits…",
///   "order": {"upgrade": {"seats": 20, "periods": 1, "start": null}},
///   "state": {"seats": 10, "purchase": {"paid": {"amount": "1000.00", "currency": "CNY"}, "start": "…", "end": "…"}},
///   "inputs": "…", "fingerprint": "…",
///   "total": {"amount": "2000.00", "currency": "CNY"},
///   "credit": {"amount": "273.97", "currency": "CNY"},
///   "amount_due": {"amount": "1726.03", "currency": "CNY"}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preview<O, S> {
    /// The aggregate kind it was priced for (`"seat_account"`,
    /// `"package_wallet"`).
    pub kind: String,
    /// The account it was priced for.
    pub account: String,
    /// What it prices.
    pub action: PreviewAction,
    /// The instant the price was computed at; the charge prorates at it.
    pub priced_at: DateTime<Utc>,
    /// The last instant it may be charged: `priced_at` plus the policy's
    /// window.
    pub valid_until: DateTime<Utc>,
    /// The policy's fingerprint.
    pub policy: Fingerprint,
    /// The order priced.
    pub order: O,
    /// The part of the aggregate's state the price was computed from.
    pub state: S,
    /// The fingerprint of kind, account, action, policy, order and state.
    pub inputs: Fingerprint,
    /// The quote's own fingerprint, of `inputs`, `priced_at` and
    /// `valid_until`: of everything that decided the price and how long
    /// it holds. A charge records it.
    pub fingerprint: Fingerprint,
    /// The order's price before credit.
    pub total: Money,
    /// The credit subtracted (zero when none).
    pub credit: Money,
    /// What the charge takes: `total - credit`.
    pub amount_due: Money,
}

/// What decided a price: the inputs a [`Preview`] is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Inputs<'a, O, S> {
    pub kind: &'static str,
    pub account: &'a str,
    pub action: PreviewAction,
    pub priced_at: DateTime<Utc>,
    pub policy: Fingerprint,
    pub order: &'a O,
    pub state: &'a S,
    /// The policy's window: a preview holds from `priced_at` for exactly
    /// this long.
    pub window: chrono::TimeDelta,
    /// What a refusal says when the state differs ("the current purchase
    /// changed since the preview; ...").
    pub state_changed: &'static str,
    /// What a refusal says when the policy differs, when the decider can
    /// say more than "the policy changed" (computed only then).
    pub policy_changed: Option<String>,
}

/// The figures of a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Figures {
    pub total: Money,
    pub credit: Money,
    pub amount_due: Money,
}

impl<O: Serialize + Clone + PartialEq, S: Serialize + Clone + PartialEq> Inputs<'_, O, S> {
    /// The fingerprint of everything but the instant, in a fixed order:
    /// computed once, when the preview is made.
    fn digest(&self) -> Result<Fingerprint, Error> {
        Fingerprint::of(&(
            self.kind,
            self.account,
            self.action,
            self.policy,
            self.order,
            self.state,
        ))
        .map_err(|e| Reason::new(self.action.rule(), e.to_string()).into())
    }

    /// The preview of `figures` priced from these inputs, valid for the
    /// policy's window.
    pub fn preview(&self, figures: Figures) -> Result<Preview<O, S>, Error> {
        let valid_until = self.valid_until(self.window)?;
        let inputs = self.digest()?;
        Ok(Preview {
            kind: self.kind.to_owned(),
            account: self.account.to_owned(),
            action: self.action,
            priced_at: self.priced_at,
            valid_until,
            policy: self.policy,
            order: self.order.clone(),
            state: self.state.clone(),
            inputs,
            fingerprint: seal(inputs, self.priced_at, valid_until),
            total: figures.total,
            credit: figures.credit,
            amount_due: figures.amount_due,
        })
    }

    fn valid_until(&self, window: chrono::TimeDelta) -> Result<DateTime<Utc>, Error> {
        self.priced_at.checked_add_signed(window).ok_or_else(|| {
            Reason::new(
                self.action.rule(),
                format!(
                    "a preview priced at {} would end past the calendar's end",
                    self.priced_at.to_rfc3339()
                ),
            )
            .with(Figure::instant("priced_at", self.priced_at))
            .into()
        })
    }
}

/// The quote's fingerprint: one word, `inputs` with the two instants
/// (`priced_at`, then `valid_until`, each its seconds and nanoseconds as
/// one 96-bit number) folded in and mixed. The charge recomputes only
/// this: every other field is compared with what the command, the policy
/// and the state hold at the charge, so hashing them again would cost
/// more than the price itself and prove nothing more. An edit to one
/// instant or to `inputs` changes the word, so the seal; an edit of two
/// fields together, or a recomputed seal, can keep it (see
/// [`Fingerprint`]: it detects change, not forgery).
///
/// What bounds a forger is not the seal but the checks beside it: kind,
/// account, action, policy, order and state are compared as values, and
/// the instant the charge prices at must satisfy `valid_until - priced_at
/// == the policy's window` and `priced_at <= now <= valid_until`. So
/// whatever a quote says, the charge prices at an instant within the
/// policy's window before it: what a fresh preview at that instant would
/// have shown.
///
/// Why a mixer and not FNV over the words' bytes: FNV takes one multiply
/// per byte in a chain; one xor-shift and odd multiply over the whole word
/// costs a fraction of that.
fn seal(inputs: Fingerprint, priced_at: DateTime<Utc>, valid_until: DateTime<Utc>) -> Fingerprint {
    seal_words(
        inputs,
        Instant::of(priced_at).word(),
        Instant::of(valid_until).word(),
    )
}

/// [`seal`] of the instants' words.
#[inline]
fn seal_words(inputs: Fingerprint, priced_at: u128, valid_until: u128) -> Fingerprint {
    // An odd constant (the 128-bit PCG multiplier): odd, so the multiply
    // is invertible mod 2^128.
    const M: u128 = 0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645;
    // Every step (xor of a word, xor-shift, odd multiply) is a bijection
    // of the running word, so an edit to any one of the three inputs
    // changes the seal. The end of the window is folded in after the
    // multiply: one multiply per charge.
    let x = inputs.as_u128() ^ priced_at;
    let x = (x ^ (x >> 64)).wrapping_mul(M) ^ valid_until;
    Fingerprint::from_u128(x ^ (x >> 64))
}

/// An instant as seconds since the epoch and nanoseconds: read once at a
/// charge for both the window's length and the seal.
#[derive(Clone, Copy)]
struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Instant {
    #[inline]
    fn of(at: DateTime<Utc>) -> Instant {
        Instant {
            seconds: at.timestamp(),
            nanos: at.timestamp_subsec_nanos(),
        }
    }

    /// The seal's word: `as u64` keeps every bit of the seconds (two's
    /// complement), so two instants never share a word.
    #[inline]
    fn word(self) -> u128 {
        (u128::from(self.seconds as u64) << 32) | u128::from(self.nanos)
    }

    /// Whether `end` is exactly `window` after this instant. Integer
    /// seconds and nanoseconds: no date arithmetic on the charge's path.
    #[inline]
    fn spans(self, end: Instant, window: chrono::TimeDelta) -> bool {
        end.nanos == self.nanos
            && window.subsec_nanos() == 0
            && end.seconds.checked_sub(self.seconds) == Some(window.num_seconds())
    }
}

impl<O, S> Preview<O, S>
where
    O: Serialize + Clone + PartialEq + std::fmt::Debug,
    S: Serialize + Clone + PartialEq + std::fmt::Debug,
{
    /// Refuses this preview unless it was priced from `current` (with its
    /// own `priced_at`, the only input the charge takes from the preview)
    /// and is charged at `now` between `priced_at` and `valid_until`,
    /// which must be exactly the policy's window apart (so no quote,
    /// however edited, prices at an instant further back than the
    /// window). Checked in the order a customer can act on: the wrong
    /// account or kind or action, the window, then what changed (policy,
    /// order, state), then the quote's own integrity (its window's length
    /// and its seal). One exception to that order: a quote past its end
    /// whose seal or window length does not match is refused as altered,
    /// not as expired, since its end is then not the one it was made with.
    ///
    /// No field is hashed but the seal's one word: kind, account,
    /// action, policy, order and state are compared as values.
    #[inline]
    pub(crate) fn check_inputs(
        &self,
        current: &Inputs<'_, O, S>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // The charge's path: every test at once, no refusal built. Only a
        // refused quote takes the ordered tests below, which name the
        // first thing that differs.
        let (priced_at, valid_until) = (Instant::of(self.priced_at), Instant::of(self.valid_until));
        if self.kind == current.kind
            && self.account == current.account
            && self.action == current.action
            && self.priced_at <= now
            && now <= self.valid_until
            && priced_at.spans(valid_until, current.window)
            && self.policy == current.policy
            && self.order == *current.order
            && self.state == *current.state
            && self.fingerprint == seal_words(self.inputs, priced_at.word(), valid_until.word())
        {
            return Ok(());
        }
        Err(self.refusal(current, now))
    }

    /// Why [`check_inputs`](Self::check_inputs) refuses this preview.
    #[cold]
    #[inline(never)]
    fn refusal(&self, current: &Inputs<'_, O, S>, now: DateTime<Utc>) -> Error {
        let rule = current.action.rule();
        let refuse = |message: String, figure: Figure| -> Error {
            Reason::new(rule, message).with(figure).into()
        };
        let altered = || {
            refuse(
                altered(),
                Figure::text("fingerprint", self.fingerprint.to_string()),
            )
        };
        // The window's length is the policy's: an end moved with a
        // recomputed seal is an alteration too.
        let spans_the_window =
            Instant::of(self.priced_at).spans(Instant::of(self.valid_until), current.window);
        if self.kind != current.kind {
            return refuse(
                format!(
                    "this quote prices a {:?}, not a {:?}; ask a {} for a quote",
                    self.kind, current.kind, current.kind
                ),
                Figure::text("quote_kind", self.kind.clone()),
            );
        }
        if self.account != current.account {
            return refuse(
                format!(
                    "this quote was made for account {:?}, not {:?}; preview the purchase on this account",
                    self.account, current.account
                ),
                Figure::text("quote_account", self.account.clone()),
            );
        }
        if self.action != current.action {
            return refuse(
                format!(
                    "this quote prices a {:?}, and the command is a {:?}; preview what is bought",
                    self.action, current.action
                ),
                Figure::text("quote_action", format!("{:?}", self.action)),
            );
        }
        if now < self.priced_at {
            return refuse(
                format!(
                    "the quote was priced at {}, after the charge at {}; a quote cannot come from the future",
                    self.priced_at.to_rfc3339(),
                    now.to_rfc3339()
                ),
                Figure::instant("priced_at", self.priced_at),
            );
        }
        // Two instants compared, no date arithmetic: the end is sealed.
        if now > self.valid_until {
            if !self.sealed() || !spans_the_window {
                return altered();
            }
            return refuse(
                format!(
                    "the quote expired at {} (priced at {}, valid {} minutes); preview again",
                    self.valid_until.to_rfc3339(),
                    self.priced_at.to_rfc3339(),
                    self.valid_until
                        .signed_duration_since(self.priced_at)
                        .num_minutes()
                ),
                Figure::instant("valid_until", self.valid_until),
            );
        }
        if self.policy != current.policy {
            let default = || {
                "the policy changed since the preview; preview again to see the current price"
                    .to_owned()
            };
            return refuse(
                current.policy_changed.clone().unwrap_or_else(default),
                Figure::text("quote_policy", self.policy.to_string()),
            );
        }
        if self.order != *current.order {
            return refuse(
                "the order changed since the preview; preview the order being bought".to_owned(),
                Figure::text("quote_order", format!("{:?}", self.order)),
            );
        }
        if self.state != *current.state {
            return refuse(
                current.state_changed.to_owned(),
                Figure::text("quote_state", format!("{:?}", self.state)),
            );
        }
        // Every named part matches, and the fast path refused: the preview
        // itself was edited (an instant, the window's end, its digest or
        // its seal). Refused whatever differs, so this path never charges
        // a quote the fast path did not.
        altered()
    }

    /// Whether the seal is that of `inputs` and the two instants.
    fn sealed(&self) -> bool {
        self.fingerprint == seal(self.inputs, self.priced_at, self.valid_until)
    }

    /// Refuses this preview unless its figures are, to the digit, those
    /// its inputs price to now.
    #[inline]
    pub(crate) fn check_figures(&self, rule: RuleId, priced: &Figures) -> Result<(), Error> {
        if same_digits(self.total, priced.total)
            && same_digits(self.credit, priced.credit)
            && same_digits(self.amount_due, priced.amount_due)
        {
            return Ok(());
        }
        self.figures_refusal(rule, priced)
    }

    /// Why [`check_figures`](Self::check_figures) refuses this preview.
    #[cold]
    #[inline(never)]
    fn figures_refusal(&self, rule: RuleId, priced: &Figures) -> Result<(), Error> {
        let pairs = [
            ("total", self.total, priced.total),
            ("credit", self.credit, priced.credit),
            ("amount_due", self.amount_due, priced.amount_due),
        ];
        for (name, shown, actual) in pairs {
            if !same_digits(shown, actual) {
                return Err(Reason::new(
                    rule,
                    format!(
                        "this quote says {name} {shown}, and its inputs price to {actual}: \
                         the quote was altered; preview again"
                    ),
                )
                .with(Figure::money(name, shown))
                .into());
            }
        }
        Ok(())
    }
}

/// The refusal of a preview edited after it was made.
fn altered() -> String {
    "this quote was altered after it was made (its fingerprint does not match its inputs); \
     preview again"
        .to_owned()
}

/// Equal amount, currency and number of decimals: "1.5" is not "1.50" on a
/// receipt.
#[inline]
fn same_digits(a: Money, b: Money) -> bool {
    // Same scale and mantissa is the same digits, hence the same value:
    // no normalizing comparison needed. The same 16 bytes (sign, scale,
    // mantissa) say so without building the mantissa; only a zero whose
    // sign bit differs needs the second look.
    a.currency() == b.currency()
        && (a.amount().serialize() == b.amount().serialize()
            || (a.amount().scale() == b.amount().scale()
                && a.amount().mantissa() == b.amount().mantissa()))
}

#[cfg(test)]
mod tests;
