//! Preview = charge: an upgrade and a package purchase charged with their
//! previews against the same commands charged without one (issue 16: at
//! most 1.3x).

use std::hint::black_box;

use billing_rules::Decider;
use billing_rules::pricing::{SeatAccount, SeatAccountCommand, SeatOrder};
use billing_rules::time::Zone;
use criterion::{Criterion, criterion_group, criterion_main};

fn upgrade(c: &mut Criterion) {
    let policy = billing_rules::presets::app_store_seat_pricing().expect("the preset builds");
    let bought = Zone::BEIJING
        .at(2025, 1, 1, 0, 0, 0)
        .expect("a valid instant");
    let buy = SeatAccountCommand::Purchase {
        order: SeatOrder::new(10, 1),
    };
    let state = SeatAccount::run(&SeatAccount::initial(), &buy, bought, &policy)
        .expect("the purchase is charged")
        .0;
    let now = Zone::BEIJING
        .at(2025, 9, 22, 23, 50, 0)
        .expect("a valid instant");
    let plain = SeatAccountCommand::Upgrade {
        order: SeatOrder::new(120, 2),
    };
    let preview = SeatAccount::preview("acct-1", &state, &plain, now, &policy).expect("a preview");
    let quoted = plain.with_quote("acct-1", preview);
    let mut group = c.benchmark_group("seat_upgrade_charge");
    group.bench_function("without_quote", |b| {
        b.iter(|| SeatAccount::decide(black_box(&state), black_box(&plain), now, &policy))
    });
    group.bench_function("with_quote", |b| {
        b.iter(|| SeatAccount::decide(black_box(&state), black_box(&quoted), now, &policy))
    });
    group.finish();
}

/// A package purchase charged with its preview against the same purchase
/// without one (the catalogue's 10,000 calls for 300).
fn package(c: &mut Criterion) {
    use billing_rules::usage::{PackageOrder, PackageWallet, WalletCommand};
    let policy = billing_rules::presets::verification_usage().expect("the preset builds");
    let now = Zone::BEIJING
        .at(2025, 6, 1, 9, 0, 0)
        .expect("a valid instant");
    let order = PackageOrder::listed(10_000, 365);
    let state = PackageWallet::initial();
    let preview = PackageWallet::preview("app-1", &state, &order, now, &policy).expect("a preview");
    let plain = WalletCommand::Purchase { order };
    let quoted = WalletCommand::PurchaseQuoted {
        account: "app-1".to_owned(),
        order,
        quote: Box::new(preview),
    };
    let mut group = c.benchmark_group("package_purchase_charge");
    group.bench_function("without_quote", |b| {
        b.iter(|| PackageWallet::decide(black_box(&state), black_box(&plain), now, &policy))
    });
    group.bench_function("with_quote", |b| {
        b.iter(|| PackageWallet::decide(black_box(&state), black_box(&quoted), now, &policy))
    });
    group.finish();
}

criterion_group!(benches, upgrade, package);
criterion_main!(benches);
