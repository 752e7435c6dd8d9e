//! A deterministic simulation of the engine with the five real aggregates
//! and their presets (issue 7).
//!
//! Thousands of accounts receive random commands through one
//! `Engine<FixedClock, Arc<MemoryStore>>` while the clock jumps forward by
//! random amounts (a minute to three months) over three simulated years:
//! seat purchases priced by `SeatPolicy::quote` and recorded as orders
//! in the account's ledger, upgrades credited by `SeatPolicy::upgrade`
//! (the credit recorded in a credit-note ledger), renewals priced by
//! `extend`, auto-renewals, trials, package purchases, consumption and
//! expiry, licence purchases (also by a second account for the same app
//! id), payment-method switches with random facts, refund requests,
//! invoices, and the scheduler's Advance sweeps. Some commands
//! carry an idempotency key and are sent again at a random later step.
//! Every few hundred steps two engines sharing the store race on one
//! account's aggregate from two threads.
//!
//! The engine reaches the store through `faults::FaultyStore`, which fails
//! a few calls in a hundred (seeded): transient errors that write nothing,
//! and for keyed commands lost acknowledgements (written, then an error)
//! and a competing writer (the same keyed command on another instance wins
//! the race). Every command is sent again until it is answered, and every
//! check below holds as without faults.
//! `every_aggregate_converges_over_a_faulty_store` runs all nine
//! aggregates (the eight deciders and `SeatAccount`), sync and async, over
//! a store failing far more often, against a fault-free run of the same
//! commands (`SIM_FAULT_COMMANDS` commands per kind, default 300).
//!
//! After every step the touched account is checked, and after every clock
//! jump every account's access (the invariants are listed on
//! `Sim::check_account`, `Sim::retry_one` and `Sim::race`); at the
//! end every stream in the store is replayed and booked again from
//! scratch, and every remembered key is retried once more.
//!
//! # Reproducing and deep runs
//!
//! The run is a pure function of its seed and size. Every failure message
//! starts with the seed and the step and ends with the command that
//! reproduces it:
//!
//! ```text
//! SIM_SEED=12345 cargo test --test simulation
//! SIM_SEED=12345 SIM_ACCOUNTS=20000 SIM_STEPS=1000000 cargo test --release --test simulation -- --nocapture
//! ```
//!
//! - `SIM_SEED`: the seed (decimal, or hex with `0x`); default
//!   `DEFAULT_SEED`. `SIM_SEED=random` picks one from the system time
//!   (printed at the start).
//! - `SIM_ACCOUNTS`: how many accounts; default 2,000.
//! - `SIM_STEPS`: how many steps over the three years; default 100,000,
//!   which runs in a few seconds in a debug build. Larger runs belong in a
//!   release build (`--release`).
//!
//! The race between two threads is the only source of nondeterminism: its
//! two commands are chosen so that they commute (the final state is the
//! same in either order), and only the order of their events in the stream
//! may differ from run to run.

use std::collections::BTreeMap;
use std::fmt::{Debug, Display};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Instant;

use billing_rules::Decider;
use billing_rules::TimeDriven;
use billing_rules::engine::{
    Aggregate, AggregateId, Engine, EngineError, IdempotencyKey, MemoryStore, Outcome, Store,
    StoreError,
};
use billing_rules::lifecycle::{
    AccountId, AppId, BundleClaim, BundleClaimCommand, BundleClaimEvent, Funds, Licence,
    LicenceCommand, LicenceEvent, LicencePolicy, LicenceStatus, Phase, PostpaidAccount, Role,
    Subscription, SubscriptionCommand, SubscriptionEvent, SubscriptionPolicy, SubscriptionStatus,
    TrafficPackage,
};
use billing_rules::money::{Currency, Money, RoundingMode};
use billing_rules::payment::{
    EnvironmentPayment, PaymentCommand, PaymentEvent, PaymentMethod, PaymentPolicy, PaymentState,
    SwitchFacts,
};
use billing_rules::pricing::{CurrentPurchase, ExtensionOrder, SeatAccount, SeatOrder, SeatPolicy};
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::refund::{
    AppRefundPolicy, LedgerCommand, LedgerEvent, LedgerState, OrderId, OrderLedger, OrderStatus,
    RefundFlags,
};
use billing_rules::time::{Clock, FixedClock, Period};
use billing_rules::usage::{
    AccountProfile, BillingMethods, CallCounts, Category, Component, FeatureSwitch, Organisation,
    PackageOrder, PackageStatus, PackageWallet, UsagePolicy, WalletCommand, WalletEvent,
};
use billing_rules::{Error, RuleFamily, RuleId, presets};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

/// The seed of a run that sets no `SIM_SEED`.
const DEFAULT_SEED: u64 = 0x5EED_0007_B111_0001;
const DEFAULT_ACCOUNTS: usize = 2_000;
const DEFAULT_STEPS: u64 = 100_000;
/// Three simulated years.
const SPAN_DAYS: i64 = 3 * 365 + 1;
/// A race every this many steps.
const RACE_EVERY: u64 = 250;
/// Keyed commands kept for a later retry.
const RETRY_POOL: usize = 512;
/// How many recently touched accounts are favoured, so an account often
/// gets several commands within a refund window.
const RECENT: usize = 16;
/// The main run's store faults, in percent of the calls: low enough to
/// keep the run's pace, high enough that thousands are met.
const SIM_FAULTS: Rates = Rates {
    read_error: 2,
    transient: 2,
    lost_ack: 3,
    competing: 3,
};
/// A command not answered after this many sends fails the run.
const SEND_ATTEMPTS: u32 = 40;
/// Below this many steps the coverage checks (every rule refused at least
/// once, refunds accepted, ...) are skipped: a tiny run proves less.
const COVERAGE_STEPS: u64 = 10_000;

const CNY: Currency = Currency::CNY;

// The fault-injecting store and the runs of every aggregate over it
// (issue 13, item 8).
#[path = "simulation/converge.rs"]
mod converge;
#[path = "simulation/faults.rs"]
mod faults;

use faults::{FaultyStore, Rates};

// ------------------------------------------------------------ the seed

/// splitmix64: small, fast, and the same on every platform. No floating
/// point anywhere in the simulation, so a seed replays bit for bit.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by the multiply-shift reduction.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Log-uniform in `1 ..= 2^(max_exp+1) - 1`: as many jumps of minutes
    /// as of hours, days or months.
    fn log_uniform(&mut self, max_exp: u32) -> u64 {
        let exp = self.below(u64::from(max_exp) + 1) as u32;
        (1u64 << exp) + self.below(1u64 << exp)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

// ------------------------------------------------------------ failing

/// Who and where: every failure message names the seed and the step.
#[derive(Debug, Clone)]
struct Ctx {
    seed: u64,
    step: u64,
    accounts: usize,
    steps: u64,
}

impl Ctx {
    fn reproduce(&self) -> String {
        format!(
            "SIM_SEED={} SIM_ACCOUNTS={} SIM_STEPS={} cargo test --test simulation",
            self.seed, self.accounts, self.steps
        )
    }

    #[track_caller]
    fn fail(&self, what: impl Display) -> ! {
        panic!(
            "simulation seed {} step {}: {what}\n  reproduce: {}",
            self.seed,
            self.step,
            self.reproduce()
        )
    }

    #[track_caller]
    fn ok<T, E: Display>(&self, result: Result<T, E>, doing: &str) -> T {
        match result {
            Ok(value) => value,
            Err(e) => self.fail(format!("{doing}: {e}")),
        }
    }
}

macro_rules! check {
    ($ctx:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            $ctx.fail(format!($($msg)+));
        }
    };
}

// ------------------------------------------------------------ the kinds

struct Policies {
    seat: SeatPolicy,
    /// By account: n % 3 is the app store's seat plan (intercepted at the
    /// end), the chat service (grace, suspension, auto-renewal) or the
    /// cloud environment (isolation).
    lifecycles: [SubscriptionPolicy; 3],
    usage: UsagePolicy,
    licence: LicencePolicy,
    payment: PaymentPolicy,
    refunds: AppRefundPolicy,
}

/// A command sent with a key, and its first answer, to send again later.
struct Sent<D: Decider> {
    account: usize,
    id: AggregateId,
    command: D::Command,
    key: IdempotencyKey,
    answer: Result<Outcome<D::Event>, EngineError>,
    step: u64,
}

enum Retry {
    Subscription(Sent<Subscription>),
    Wallet(Sent<PackageWallet>),
    Licence(Sent<Licence>),
    BundleClaim(Sent<BundleClaim>),
    Payment(Sent<EnvironmentPayment>),
    Ledger(Sent<OrderLedger>),
}

// ------------------------------------------------------------ the books

/// One account's money, from events only.
#[derive(Debug, Clone, PartialEq)]
struct AccountBooks {
    /// Orders recorded in its ledger, packages bought, per-call charges,
    /// licences it owns.
    paid: Money,
    /// Orders refunded.
    refunded: Money,
    /// Upgrade credit given against orders that were not refunded.
    credited: Money,
    ledger_paid: Money,
    ledger_refunded: Money,
    credit_notes_total: Money,
    /// Every order of the ledger: amount, refunded.
    orders: BTreeMap<OrderId, (Money, bool)>,
    /// The credit given against an order, by the order's id.
    credit_notes: BTreeMap<OrderId, Money>,
    switches: u32,
    payg: bool,
}

impl AccountBooks {
    fn new() -> AccountBooks {
        AccountBooks {
            paid: Money::zero(CNY),
            refunded: Money::zero(CNY),
            credited: Money::zero(CNY),
            ledger_paid: Money::zero(CNY),
            ledger_refunded: Money::zero(CNY),
            credit_notes_total: Money::zero(CNY),
            orders: BTreeMap::new(),
            credit_notes: BTreeMap::new(),
            switches: 0,
            payg: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Books {
    accounts: Vec<AccountBooks>,
    /// App id -> owning account, from the Bound events.
    owners: BTreeMap<String, usize>,
    /// Package id -> the app holding its free term, from the claims.
    bundle_holders: BTreeMap<String, String>,
    /// Package id -> the app granted its free term, from the licences.
    bundle_grants: BTreeMap<String, String>,
}

fn add(ctx: &Ctx, a: Money, b: Money) -> Money {
    ctx.ok(a.checked_add(b), "add money")
}

fn sub(ctx: &Ctx, a: Money, b: Money) -> Money {
    ctx.ok(a.checked_sub(b), "subtract money")
}

fn account_number(ctx: &Ctx, account: &AccountId) -> usize {
    match account.0.strip_prefix("acct-").map(str::parse) {
        Some(Ok(n)) => n,
        _ => ctx.fail(format!("not a simulated account: {account}")),
    }
}

// ------------------------------------------------------------ the service

/// What the service knows of an account's running seat purchase: the
/// orders that paid for it, so an upgrade credits exactly them.
#[derive(Debug, Clone)]
struct Current {
    orders: Vec<OrderId>,
    paid: Money,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    seats: u32,
}

#[derive(Debug, Clone)]
struct Service {
    id: AggregateId,
    credits: AggregateId,
    app: AppId,
    account: AccountId,
    current: Option<Current>,
    /// Order ids in the ledger, in recording order.
    orders: Vec<OrderId>,
    next_order: u32,
}

#[derive(Debug, Default)]
struct Stats {
    accepted: u64,
    refused: BTreeMap<RuleId, u64>,
    retried: u64,
    /// Sends again after an injected store fault.
    resent: u64,
    races: u64,
    jumps: u64,
    upgrades_with_credit: u64,
    auto_renewals: u64,
    refunds: u64,
    /// Access checks that found an account suspended, intercepted or
    /// isolated.
    suspended: u64,
    intercepted: u64,
    isolated: u64,
}

// ------------------------------------------------------------ the run

struct Sim {
    ctx: Ctx,
    rng: Rng,
    start: DateTime<Utc>,
    store: Arc<MemoryStore>,
    /// Over the same store, failing now and then (`faults::FaultyStore`):
    /// every command is sent until it is answered.
    engine: Engine<FixedClock, FaultyStore<Arc<MemoryStore>>>,
    policies: Policies,
    services: Vec<Service>,
    books: Books,
    retries: Vec<Retry>,
    recent: Vec<usize>,
    next_key: u64,
    stats: Stats,
}

/// The step being run, for a panic that does not come from a check.
static STEP: AtomicU64 = AtomicU64::new(0);

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => {
            let text = text.trim().replace('_', "");
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => text.parse().ok(),
            };
            parsed.unwrap_or_else(|| panic!("{name}={text} is not a number"))
        }
    }
}

fn seed_from_env() -> u64 {
    match std::env::var("SIM_SEED").as_deref() {
        Ok("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(DEFAULT_SEED),
        _ => env_number("SIM_SEED", DEFAULT_SEED),
    }
}

#[test]
fn simulation_keeps_every_invariant_over_three_years() {
    let seed = seed_from_env();
    let accounts = env_number("SIM_ACCOUNTS", DEFAULT_ACCOUNTS as u64) as usize;
    let steps = env_number("SIM_STEPS", DEFAULT_STEPS);
    assert!(
        accounts > 0 && steps > 0,
        "SIM_ACCOUNTS and SIM_STEPS must be above 0"
    );
    eprintln!(
        "simulation: SIM_SEED={seed} SIM_ACCOUNTS={accounts} SIM_STEPS={steps} (set them to reproduce)"
    );
    let started = Instant::now();
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut sim = Sim::new(seed, accounts, steps);
        sim.run();
        sim.report(started.elapsed());
        sim.check_coverage();
    }));
    if let Err(panic) = run {
        // A panic that is not a check (the library's, or an index) still
        // names the seed and the step.
        eprintln!(
            "simulation panicked at step {} of seed {seed}; reproduce: SIM_SEED={seed} SIM_ACCOUNTS={accounts} SIM_STEPS={steps} cargo test --test simulation",
            STEP.load(Ordering::Relaxed)
        );
        resume_unwind(panic);
    }
}

/// Every aggregate of the crate (the eight deciders and `SeatAccount`),
/// sync and async, over a store that fails at random: each keyed command
/// sent again until answered converges to the answer of a fault-free run,
/// and the streams and key records end up the same (see
/// `tests/simulation/converge.rs` for every check).
#[test]
fn every_aggregate_converges_over_a_faulty_store() {
    let seed = seed_from_env();
    let commands = env_number("SIM_FAULT_COMMANDS", 300);
    let reports = [
        (
            Subscription::KIND,
            converge::converge::<Subscription>(seed, commands),
        ),
        (
            PostpaidAccount::KIND,
            converge::converge::<PostpaidAccount>(seed, commands),
        ),
        (
            PackageWallet::KIND,
            converge::converge::<PackageWallet>(seed, commands),
        ),
        (
            BillingMethods::KIND,
            converge::converge::<BillingMethods>(seed, commands),
        ),
        (Licence::KIND, converge::converge::<Licence>(seed, commands)),
        (
            BundleClaim::KIND,
            converge::converge::<BundleClaim>(seed, commands),
        ),
        (
            EnvironmentPayment::KIND,
            converge::converge::<EnvironmentPayment>(seed, commands),
        ),
        (
            OrderLedger::KIND,
            converge::converge::<OrderLedger>(seed, commands),
        ),
        (
            SeatAccount::KIND,
            converge::converge::<SeatAccount>(seed, commands),
        ),
    ];
    for (kind, report) in &reports {
        println!("{kind}: {report:?}");
        // A run that met no fault, or whose commands were all refused,
        // proves nothing about convergence.
        let injected = report.injected;
        assert!(
            injected.read_errors > 0
                && injected.transient > 0
                && injected.lost_acks > 0
                && injected.competing > 0
                && report.accepted > 0
                && report.redelivered > 0,
            "seed {seed}: {kind} met too few faults or accepted nothing: {report:?}"
        );
    }
    assert!(
        reports.iter().map(|(_, r)| r.refused).sum::<u64>() > 0,
        "seed {seed}: no command of any kind was refused"
    );
    // The scheduler's ticks ran over the faulty stores too, and recorded
    // events.
    assert!(
        reports.iter().map(|(_, r)| r.tick_events).sum::<u64>() > 0,
        "seed {seed}: no tick recorded an event"
    );
}

#[path = "simulation/checks.rs"]
mod checks;
#[path = "simulation/commands.rs"]
mod commands;
#[path = "simulation/driver.rs"]
mod driver;

#[path = "simulation/kinds.rs"]
mod kinds;
use kinds::*;
