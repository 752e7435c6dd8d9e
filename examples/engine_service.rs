//! A billing service on the engine: one `Engine` over a `MemoryStore`, with
//! a `FixedClock` standing in for the system clock. It sells seats, is
//! refused a late refund, and survives a retried request.
//!
//! ```text
//! cargo run --example engine_service
//! ```
//!
//! A real service builds the engine once with `SystemClock` and its own
//! `Store` (see `billing_rules::engine` for the SQL tables) and shares it
//! between requests; each command the client may send twice carries a key.

use billing_rules::TimeDelta;
use billing_rules::lifecycle::SubscriptionEvent;
use billing_rules::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let june_1 = Zone::UTC.at(2025, 6, 1, 2, 0, 0)?; // 10:00 in Beijing
    let engine = Engine::new(FixedClock::new(june_1), MemoryStore::new());
    let seat_plan = presets::app_store_seat_pricing()?;
    let lifecycle = presets::app_store_subscription()?;
    let refunds = presets::app_store_refunds()?;
    let org = AggregateId::from("org-42");

    // 1. A purchase: the seat plan prices 120 seats for a year (volume
    //    tier 51-200 at 80.00), the subscription starts the paid term, and
    //    the order goes into the ledger, where refunds are decided.
    let priced = seat_plan.quote(&SeatOrder::new(120, 1))?;
    let validity = priced.validity_period().ok_or("a quote of no days")?;
    let bought = engine.execute::<Subscription>(
        &org,
        &SubscriptionCommand::Purchase { validity },
        &lifecycle,
        Some(&IdempotencyKey::from("org-42/purchase-1")),
    )?;
    let record = LedgerCommand::RecordOrder {
        order: "o-1".into(),
        paid_at: engine.clock().now(),
        amount: priced.total,
    };
    let order_key = IdempotencyKey::from("org-42/order-1");
    let recorded = engine.execute::<OrderLedger>(&org, &record, &refunds, Some(&order_key))?;
    if let [SubscriptionEvent::Purchased { end, .. }] = bought.events.as_slice() {
        println!(
            "purchase: 120 seats for {} ({} days), valid until {end}",
            priced.total,
            validity.length().0
        );
    }
    println!(
        "          order o-1 recorded at ledger version {}",
        recorded.version
    );

    // 2. A refused command: eleven days later the customer asks for a
    //    refund. The 10-day window (R-REF-01) has closed; the ledger says
    //    why, with the figures, and nothing is written.
    engine.clock().advance(TimeDelta::days(11))?;
    let refund = LedgerCommand::Refund {
        order: "o-1".into(),
        flags: RefundFlags::default(),
    };
    match engine.execute::<OrderLedger>(&org, &refund, &refunds, None) {
        Err(EngineError::Command(Error::Refused(refusal))) => {
            println!("refund:   refused by {}", refusal.rule());
            println!("          {refusal}");
            let events = engine.store().events::<OrderLedger>(&org).len();
            println!("          the ledger still holds {events} event");
        }
        other => println!("refund:   unexpected answer {other:?}"),
    }

    // 3. A retried command: the client timed out while recording o-1 and
    //    sends the same command with the same key. The first answer comes
    //    back (the same version, the same instant) and nothing is paid twice.
    let retried = engine.execute::<OrderLedger>(&org, &record, &refunds, Some(&order_key))?;
    assert_eq!(retried, recorded);
    let ledger = engine.state::<OrderLedger>(&org)?;
    println!(
        "retry:    same answer (version {}, decided {}); {} order, {} paid, {} refunded",
        retried.version,
        retried.decided_at,
        ledger.orders().len(),
        ledger.total_paid(priced.total.currency())?,
        ledger.total_refunded(priced.total.currency())?
    );

    // 4. The same key with another command is refused (Stripe's rule): the
    //    client reused a key by mistake, and nothing is written.
    let other = LedgerCommand::RecordOrder {
        order: "o-2".into(),
        paid_at: engine.clock().now(),
        amount: priced.total,
    };
    match engine.execute::<OrderLedger>(&org, &other, &refunds, Some(&order_key)) {
        Err(error @ EngineError::KeyReused { .. }) => println!("reuse:    {error}"),
        other => println!("reuse:    unexpected answer {other:?}"),
    }

    // 5. The due-work loop: a year later the scheduler's tick finds the
    //    subscription in the store's due index and records what came due.
    let later = june_1 + TimeDelta::days(400);
    let tick = engine.tick::<Subscription>(later, 1_000, &lifecycle)?;
    println!(
        "tick:     {} subscription advanced, {} events recorded",
        tick.advanced, tick.events
    );
    Ok(())
}
