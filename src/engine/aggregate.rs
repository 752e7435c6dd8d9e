//! [`Aggregate`]: a decider with a stable name for its kind, so a store
//! that keeps several kinds in one table can tell their rows apart.

use crate::decider::Decider;
use crate::lifecycle::{BundleClaim, Licence, Subscription};
use crate::payment::EnvironmentPayment;
use crate::refund::OrderLedger;
use crate::usage::PackageWallet;

/// A [`Decider`] whose kind has a name a store can write down.
///
/// [`MemoryStore`](crate::engine::MemoryStore) tells kinds apart by their
/// Rust type and needs no name; a store over a database keeps every kind
/// in the same tables and writes [`Aggregate::KIND`] in a `kind` column
/// (see the [module docs](crate::engine) for the tables). The name is part
/// of the stored data: it never changes once rows were written with it,
/// and no two kinds share one. The six aggregates of this crate are named:
///
/// | decider | `KIND` |
/// |---|---|
/// | [`Subscription`] (seat plans, chat service, cloud environment: R-LIFE-01..10) | `"subscription"` |
/// | [`PackageWallet`] (R-USE-01..07) | `"package_wallet"` |
/// | [`Licence`] (R-LIC-01..06) | `"licence"` |
/// | [`BundleClaim`] (R-LIC-06, one per traffic package) | `"bundle_claim"` |
/// | [`EnvironmentPayment`] (R-PAY-01..08) | `"payment_method"` |
/// | [`OrderLedger`] (R-REF-01, R-REF-02, R-REF-04) | `"order_ledger"` |
///
/// A store written for every aggregate implements `Store<D>` for all
/// `D: Aggregate` whose events serialize. Below, a store that keeps rows the
/// way the SQL tables do (an event per `(kind, id, version)`, a recorded
/// answer per `(kind, id, key)`, as JSON text) runs a real package purchase
/// and its retry:
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Mutex;
///
/// use billing_rules::Decider;
/// use billing_rules::engine::{
///     Aggregate, AggregateId, Commit, Engine, IdempotencyKey, Recorded, Snapshot, Store,
///     StoreError, Version,
/// };
/// use billing_rules::time::FixedClock;
/// use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
/// use chrono::{TimeZone, Utc};
/// use serde::{de::DeserializeOwned, Serialize};
///
/// /// The `events` and `idempotency_keys` tables, primary keys first.
/// #[derive(Default)]
/// struct Rows {
///     tables: Mutex<(BTreeMap<(&'static str, String, u64), String>, BTreeMap<(&'static str, String, String), String>)>,
/// }
///
/// fn backend(e: impl std::fmt::Display) -> StoreError { StoreError::backend(e.to_string()) }
///
/// impl<D: Aggregate> Store<D> for Rows where D::Event: Serialize + DeserializeOwned {
///     fn load(&self, id: &AggregateId) -> Result<Snapshot<D::State>, StoreError> {
///         let tables = self.tables.lock().map_err(backend)?;
///         let rows = tables.0.range((D::KIND, id.to_string(), 1)..=(D::KIND, id.to_string(), u64::MAX));
///         let events = rows
///             .map(|(_, json)| serde_json::from_str::<D::Event>(json).map_err(backend))
///             .collect::<Result<Vec<_>, _>>()?;
///         Ok(Snapshot { version: Version::new(events.len() as u64), state: D::replay(events.iter()) })
///     }
///     fn recorded(&self, id: &AggregateId, key: &IdempotencyKey) -> Result<Option<Recorded<D::Event>>, StoreError> {
///         let tables = self.tables.lock().map_err(backend)?;
///         match tables.1.get(&(D::KIND, id.to_string(), key.to_string())) {
///             Some(json) => serde_json::from_str(json).map(Some).map_err(backend),
///             None => Ok(None),
///         }
///     }
///     fn append(&self, id: &AggregateId, commit: Commit<D::Event>) -> Result<(), StoreError> {
///         let mut tables = self.tables.lock().map_err(backend)?;
///         let (events, keys) = &mut *tables;
///         // What the unique (kind, id, version) key and the transaction do in SQL.
///         let actual = Version::new(events.range((D::KIND, id.to_string(), 1)..=(D::KIND, id.to_string(), u64::MAX)).count() as u64);
///         if actual != commit.expected {
///             return Err(StoreError::Conflict { expected: commit.expected, actual });
///         }
///         let mut key_row = None;
///         if let Some((key, recorded)) = &commit.idempotency {
///             if keys.contains_key(&(D::KIND, id.to_string(), key.to_string())) {
///                 return Err(StoreError::Duplicate { key: key.clone() });
///             }
///             key_row = Some((key.to_string(), serde_json::to_string(recorded).map_err(backend)?));
///         }
///         let rows = commit.events.iter().map(|e| serde_json::to_string(e).map_err(backend)).collect::<Result<Vec<_>, _>>()?;
///         for (version, json) in (actual.get() + 1..).zip(rows) {
///             events.insert((D::KIND, id.to_string(), version), json);
///         }
///         if let Some((key, json)) = key_row {
///             keys.insert((D::KIND, id.to_string(), key), json);
///         }
///         Ok(())
///     }
/// }
///
/// let policy = billing_rules::presets::verification_usage()?;
/// let now = Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap();
/// let engine = Engine::new(FixedClock::new(now), Rows::default());
/// let wallet = AggregateId::from("app-7");
/// let buy = WalletCommand::Purchase { order: PackageOrder::listed(10_000, 365) };
/// let key = IdempotencyKey::from("order-1");
///
/// let first = engine.execute::<PackageWallet>(&wallet, &buy, &policy, Some(&key))?;
/// assert_eq!(engine.execute::<PackageWallet>(&wallet, &buy, &policy, Some(&key))?, first);
/// assert_eq!(engine.state::<PackageWallet>(&wallet)?.packages()[0].price().to_string(), "CNY 300.00");
///
/// let tables = engine.store().tables.lock().unwrap();
/// assert_eq!(tables.0.keys().collect::<Vec<_>>(), [&("package_wallet", "app-7".to_owned(), 1)]);
/// assert!(tables.0.values().all(|json| json.starts_with(r#"{"event":"purchased""#)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Aggregate: Decider {
    /// The kind's name in a store: lower snake case, stable, unique among
    /// the kinds a store keeps.
    const KIND: &'static str;
}

impl Aggregate for Subscription {
    const KIND: &'static str = "subscription";
}

impl Aggregate for PackageWallet {
    const KIND: &'static str = "package_wallet";
}

impl Aggregate for Licence {
    const KIND: &'static str = "licence";
}

impl Aggregate for BundleClaim {
    const KIND: &'static str = "bundle_claim";
}

impl Aggregate for EnvironmentPayment {
    const KIND: &'static str = "payment_method";
}

impl Aggregate for OrderLedger {
    const KIND: &'static str = "order_ledger";
}
