//! The package wallet's state: the packages it holds and the index that
//! orders them for [`PackageWallet`](super::PackageWallet), so a
//! command costs what it draws or closes, not a scan of the wallet.
//!
//! The decider (commands, events, the rules of a consume) lives in
//! [`wallet`](super::wallet), which re-exports every public item here.

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::time::Days;

use super::calls::{AccountProfile, FeatureSwitch};
use super::catalogue::PackageOrder;
use super::policy::UsagePolicy;
use super::wallet_events::{Consumption, Expiry, PackageId, Purchase};

/// Whether a held package can still be drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PackageStatus {
    /// Not yet closed: drawable between its effective and expiry instants.
    Open,
    /// Closed by an [`Expiry`]: its remainder was lost.
    Expired {
        /// Calls lost at expiry.
        lost: u64,
    },
}

/// A package in the wallet: its size, what is left, and when it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPackage {
    id: PackageId,
    order: PackageOrder,
    calls: u64,
    remaining: u64,
    price: Money,
    validity: Days,
    paid_at: DateTime<Utc>,
    effective_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    status: PackageStatus,
}

impl HeldPackage {
    /// Its number in the wallet.
    pub fn id(&self) -> PackageId {
        self.id
    }

    /// What was ordered.
    pub fn order(&self) -> PackageOrder {
        self.order
    }

    /// Calls bought.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Calls not yet drawn (after expiry, what was lost).
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The price paid.
    pub fn price(&self) -> Money {
        self.price
    }

    /// Days it is valid once it takes effect.
    pub fn validity(&self) -> Days {
        self.validity
    }

    /// When it was paid for.
    pub fn paid_at(&self) -> DateTime<Utc> {
        self.paid_at
    }

    /// When it takes effect (R-USE-06).
    pub fn effective_at(&self) -> DateTime<Utc> {
        self.effective_at
    }

    /// When it expires: the first instant it is no longer valid.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Open or expired.
    pub fn status(&self) -> PackageStatus {
        self.status
    }

    /// True when calls made at `at` may draw from it: open, not empty,
    /// effective and not expired (`effective_at <= at < expires_at`).
    pub fn drawable_at(&self, at: DateTime<Utc>) -> bool {
        self.status == PackageStatus::Open
            && self.remaining > 0
            && self.effective_at <= at
            && at < self.expires_at
    }

    /// True when the draw index holds it: open with calls left.
    fn in_draw_order(&self) -> bool {
        self.status == PackageStatus::Open && self.remaining > 0
    }
}

/// What a wallet holds at an instant: [`PackageWallet`]'s
/// [`TimeDriven::status`](crate::decider::TimeDriven::status).
///
/// [`PackageWallet`]: super::PackageWallet
///
/// # JSON
///
/// ```json
/// {"feature": "on", "trial_remaining": 0, "package_calls": 9500, "next_expiry": "2026-06-01T00:00:00Z"}
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WalletStatus {
    /// The merchant's feature switch (R-USE-04).
    pub feature: FeatureSwitch,
    /// Trial calls left (R-USE-02).
    pub trial_remaining: u64,
    /// Calls the packages valid at the instant can still serve (R-USE-06,
    /// R-USE-07).
    pub package_calls: u64,
    /// The first instant after this one at which an open package's
    /// validity ends: when the next expiry falls due. `None` when no open
    /// package ends later.
    pub next_expiry: Option<DateTime<Utc>>,
}

/// The state of a wallet.
///
/// # JSON
///
/// After 1500 calls drawn from the trial quota and a 10,000-call package:
///
/// ```json
/// {
///   "feature": "on",
///   "profile": {"organisation": "enterprise", "category": "other"},
///   "trial_used": 1000,
///   "packages": [
///     {
///       "id": 0,
///       "order": {"kind": "listed", "calls": 10000, "validity_days": 365},
///       "calls": 10000,
///       "remaining": 9500,
///       "price": {"amount": "300", "currency": "CNY"},
///       "validity": 365,
///       "paid_at": "2025-06-01T00:00:00Z",
///       "effective_at": "2025-06-01T00:00:00Z",
///       "expires_at": "2026-06-01T00:00:00Z",
///       "status": {"status": "open"}
///     }
///   ]
/// }
/// ```
///
/// Only these four fields are stored. The orders a command needs (the
/// R-USE-07 draw order of the packages with calls left, the open packages
/// by expiry) are kept in an index beside them, so a consume or an expire
/// costs O(log n) plus what it draws or closes, not a scan of the wallet
/// (issue 19). The index is rebuilt when a wallet is read back, and two
/// wallets are equal when their fields are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "WalletRepr")]
pub struct WalletState {
    feature: FeatureSwitch,
    profile: AccountProfile,
    trial_used: u64,
    packages: Vec<HeldPackage>,
    #[serde(skip)]
    index: WalletIndex,
}

/// What a wallet derives from its packages, so that no command scans them.
///
/// Entries name a package by its position in `packages` (ids of a wallet
/// read from elsewhere need not be positions, nor unique). A package's
/// expiry and id never change once bought, so an entry's key never moves:
/// only whether it is there does, as the package is drawn or closed.
#[derive(Debug, Clone, Default)]
struct WalletIndex {
    /// (expires at, id, position) of every open package with calls left:
    /// the R-USE-07 draw order (expires first, then bought first).
    drawable: BTreeSet<(DateTime<Utc>, PackageId, usize)>,
    /// (expires at, position) of every open package: what Advance closes.
    open: BTreeSet<(DateTime<Utc>, usize)>,
}

impl PartialEq for WalletState {
    /// The stored fields decide; the index is derived from them.
    fn eq(&self, other: &WalletState) -> bool {
        self.feature == other.feature
            && self.profile == other.profile
            && self.trial_used == other.trial_used
            && self.packages == other.packages
    }
}

impl Eq for WalletState {}

#[derive(Deserialize)]
struct WalletRepr {
    feature: FeatureSwitch,
    profile: AccountProfile,
    trial_used: u64,
    packages: Vec<HeldPackage>,
}

impl From<WalletRepr> for WalletState {
    fn from(repr: WalletRepr) -> WalletState {
        let mut state = WalletState {
            feature: repr.feature,
            profile: repr.profile,
            trial_used: repr.trial_used,
            packages: repr.packages,
            index: WalletIndex::default(),
        };
        for position in 0..state.packages.len() {
            state.index_package(position);
        }
        state
    }
}

impl WalletState {
    /// The merchant's feature switch (R-USE-04).
    pub fn feature(&self) -> FeatureSwitch {
        self.feature
    }

    /// The account's certification and category (R-USE-03).
    pub fn profile(&self) -> AccountProfile {
        self.profile
    }

    /// Trial calls used (R-USE-02).
    pub fn trial_used(&self) -> u64 {
        self.trial_used
    }

    /// Trial calls left under `policy` (R-USE-02).
    pub fn trial_remaining(&self, policy: &UsagePolicy) -> u64 {
        policy.trial_quota().saturating_sub(self.trial_used)
    }

    /// Every package bought, in purchase order.
    pub fn packages(&self) -> &[HeldPackage] {
        &self.packages
    }

    /// The package numbered `id`.
    pub fn package(&self, id: PackageId) -> Option<&HeldPackage> {
        let index = usize::try_from(id.0).ok()?;
        self.packages.get(index).filter(|p| p.id == id)
    }

    /// Calls that packages can still serve at `at` (trial quota excluded).
    pub fn package_calls_at(&self, at: DateTime<Utc>) -> u64 {
        self.valid_at(at)
            .fold(0u64, |sum, p| sum.saturating_add(p.remaining))
    }

    /// Every package calls made at `at` may draw from
    /// ([`HeldPackage::drawable_at`]), in the R-USE-07 order: the one that
    /// expires first, then the one bought first. Of packages that share an
    /// expiry and an id (only in a wallet read from elsewhere), only the
    /// first bought is drawn.
    ///
    /// O(log n) to start, then O(1) amortized per package given, plus the
    /// packages passed over because they take effect after `at` (bought
    /// after calls reported late).
    pub(super) fn draw_order(&self, at: DateTime<Utc>) -> impl Iterator<Item = &HeldPackage> {
        let mut last = None;
        self.valid_at(at).filter(move |p| {
            let key = Some((p.expires_at, p.id));
            let first = key != last;
            last = key;
            first
        })
    }

    /// The packages drawable at `at`, in index order.
    fn valid_at(&self, at: DateTime<Utc>) -> impl Iterator<Item = &HeldPackage> {
        // Every key above this one expires after `at`.
        let after = (at, PackageId(u32::MAX), usize::MAX);
        self.index
            .drawable
            .range((Bound::Excluded(after), Bound::Unbounded))
            .filter_map(|&(_, _, position)| self.packages.get(position))
            .filter(move |p| p.effective_at <= at)
    }

    /// The first expiry of an open package after `now`: O(log n).
    pub(super) fn next_expiry_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.index
            .open
            .range((Bound::Excluded((now, usize::MAX)), Bound::Unbounded))
            .next()
            .map(|&(expires_at, _)| expires_at)
    }

    /// Every open package whose validity has ended by `now`, in purchase
    /// order: O(log n + k log k) for k packages.
    pub(super) fn expired_by(&self, now: DateTime<Utc>) -> Vec<&HeldPackage> {
        let mut positions: Vec<usize> = self
            .index
            .open
            .range(..=(now, usize::MAX))
            .map(|&(_, position)| position)
            .collect();
        positions.sort_unstable();
        positions
            .into_iter()
            .filter_map(|position| self.packages.get(position))
            .collect()
    }

    pub(super) fn set_feature(&mut self, switch: FeatureSwitch) {
        self.feature = switch;
    }

    pub(super) fn set_profile(&mut self, profile: AccountProfile) {
        self.profile = profile;
    }

    /// Holds the package `p` bought.
    pub(super) fn add(&mut self, p: &Purchase) {
        let position = self.packages.len();
        let held = HeldPackage {
            id: p.package,
            order: p.order,
            calls: p.calls,
            remaining: p.calls,
            price: p.price,
            validity: p.validity,
            paid_at: p.paid_at,
            effective_at: p.effective_at,
            expires_at: p.expires_at,
            status: PackageStatus::Open,
        };
        if held.in_draw_order() {
            self.index
                .drawable
                .insert((held.expires_at, held.id, position));
        }
        self.index.open.insert((held.expires_at, position));
        self.packages.push(held);
    }

    /// Takes the calls `c` drew from the trial quota and the packages.
    pub(super) fn draw(&mut self, c: &Consumption) {
        self.trial_used = self.trial_used.saturating_add(c.from_trial);
        for draw in &c.draws {
            let Some(position) = self.position(draw.package) else {
                continue;
            };
            let Some(p) = self.packages.get_mut(position) else {
                continue;
            };
            let had_calls = p.remaining > 0;
            // decide never draws more than is left; saturating keeps evolve
            // total on a hand-made event.
            p.remaining = p.remaining.saturating_sub(draw.calls);
            // Only an emptied package leaves the draw order; a package keeps
            // its other entries until it is closed.
            if had_calls && p.remaining == 0 {
                self.index.drawable.remove(&(p.expires_at, p.id, position));
            }
        }
    }

    /// Closes the package `e` names; its remainder is lost.
    pub(super) fn close(&mut self, e: &Expiry) {
        let Some(position) = self.position(e.package) else {
            return;
        };
        let Some(p) = self.packages.get_mut(position) else {
            return;
        };
        if p.in_draw_order() {
            self.index.drawable.remove(&(p.expires_at, p.id, position));
        }
        if p.status == PackageStatus::Open {
            self.index.open.remove(&(p.expires_at, position));
        }
        p.status = PackageStatus::Expired { lost: e.lost };
        p.remaining = 0;
    }

    /// The position of the package numbered `id`: its own position when the
    /// wallet numbered it, else the first with that id (a wallet read from
    /// elsewhere).
    fn position(&self, id: PackageId) -> Option<usize> {
        let index = usize::try_from(id.0).ok()?;
        if self.packages.get(index).is_some_and(|p| p.id == id) {
            return Some(index);
        }
        self.packages.iter().position(|p| p.id == id)
    }

    /// Puts the package at `position` in the index entries its status and
    /// remainder call for (a package read back, not yet indexed).
    fn index_package(&mut self, position: usize) {
        let Some(p) = self.packages.get(position) else {
            return;
        };
        if p.in_draw_order() {
            self.index.drawable.insert((p.expires_at, p.id, position));
        }
        if p.status == PackageStatus::Open {
            self.index.open.insert((p.expires_at, position));
        }
    }
}

/// When the wallet is next due (for the engine's due-work index): the first
/// expiry of a package still open, or of one `events` buy, skipping those
/// `events` close; past instants included (a package past its end is due
/// until `Advance` closes it). O(log n + k) for k closed packages; no copy.
impl WalletState {
    pub(crate) fn next_due_after(
        &self,
        events: &[super::wallet_events::WalletEvent],
    ) -> Option<DateTime<Utc>> {
        use super::wallet_events::WalletEvent;
        let mut closed = Vec::new();
        let mut bought: Option<DateTime<Utc>> = None;
        for event in events {
            match event {
                WalletEvent::Expired(e) => closed.push(e.package),
                WalletEvent::Purchased(p) => {
                    bought = Some(bought.map_or(p.expires_at, |b| b.min(p.expires_at)));
                }
                WalletEvent::Consumed(_)
                | WalletEvent::FeatureSwitched { .. }
                | WalletEvent::ProfileSet { .. } => {}
            }
        }
        closed.sort_unstable();
        let open = self
            .index
            .open
            .iter()
            .find(|&&(_, position)| {
                self.packages
                    .get(position)
                    .is_none_or(|p| closed.binary_search(&p.id).is_err())
            })
            .map(|&(expires_at, _)| expires_at);
        match (open, bought) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
