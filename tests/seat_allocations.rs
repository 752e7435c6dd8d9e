//! Heap allocations of the seat calculators (issue 3 asked for at most one
//! per quote; since issue 8 a quote keeps its steps' figures inline and
//! makes none), counted by a global allocator. The count is per thread, so
//! tests running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use billing_rules::money::Money;
use billing_rules::presets::{app_store_seat_pricing, app_store_seat_pricing_spec};
use billing_rules::pricing::{
    CurrentPurchase, ExtensionOrder, PricingSpec, SeatOrder, SeatPolicy, TierMode, TierSpec,
    TierTableSpec,
};
use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is a const-initialized thread local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (ALLOCATIONS.with(Cell::get) - before, value)
}

/// Every optional step present: limits, discount, cap (and tiers).
fn full_policy(mode: TierMode) -> SeatPolicy {
    let mut spec = app_store_seat_pricing_spec();
    spec.pricing = PricingSpec::Tiered(TierTableSpec {
        mode,
        tiers: (0..10u64)
            .map(|i| {
                let to = (i < 9).then_some((i + 1) * 100);
                TierSpec::unit(i * 100 + 1, to, Decimal::from(20 - i))
            })
            .collect(),
    });
    spec.min_seats = Some(1);
    spec.max_seats = Some(5000);
    spec.max_total = Some(Decimal::from(100_000));
    SeatPolicy::try_from(spec).unwrap()
}

#[test]
fn the_counter_sees_a_heap_allocation() {
    // A test that cannot fail is a defect: the counter must count.
    let (count, v) = allocations(|| std::hint::black_box(Vec::<u64>::with_capacity(4)));
    assert_eq!(count, 1);
    assert_eq!(v.capacity(), 4);
}

#[test]
fn a_quote_makes_no_heap_allocation() {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let preset = app_store_seat_pricing().unwrap();
    for policy in [
        preset,
        full_policy(TierMode::Volume),
        full_policy(TierMode::Graduated),
    ] {
        for order in [
            SeatOrder::new(120, 2),
            SeatOrder::new(950, 1).starting(start),
        ] {
            let (count, q) = allocations(|| policy.quote(&order));
            let q = q.unwrap();
            assert_eq!(count, 0, "{q:?}");
            // Laying the steps out allocates nothing either.
            let (count, steps) = allocations(|| q.steps());
            assert_eq!(count, 0);
            assert!(steps.len() >= 3, "{steps:?}");
        }
    }
}

#[test]
fn an_extension_makes_no_heap_allocation() {
    let policy = full_policy(TierMode::Graduated);
    let current_end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let order = ExtensionOrder {
        seats: 120,
        periods: 2,
        current_end,
    };
    let (count, q) = allocations(|| policy.extend(&order, current_end - Duration::days(9)));
    assert_eq!(count, 0);
    assert_eq!(q.unwrap().steps().len(), 7);
}

#[test]
fn an_upgrade_and_its_credit_make_no_heap_allocation() {
    let policy = app_store_seat_pricing().unwrap();
    let start = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
    let current = CurrentPurchase {
        paid: Money::cny(Decimal::from(1000)),
        start,
        end: start + Duration::days(365),
    };
    let now = current.end - Duration::days(100);
    let (count, c) = allocations(|| policy.credit(&current, Money::cny(Decimal::from(5000)), now));
    assert_eq!(count, 0);
    assert_eq!(c.unwrap().amount.to_string(), "CNY 273.97");

    // A whole upgrade: the new order's quote and the credit, no heap.
    let (count, up) = allocations(|| policy.upgrade(&current, &SeatOrder::new(120, 1), now));
    assert_eq!(count, 0);
    assert_eq!(up.unwrap().amount_due.to_string(), "CNY 9326.03");
}
