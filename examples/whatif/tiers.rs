//! `whatif tiers`: price against seat count across the tier boundaries,
//! volume beside graduated (R-SEAT-03).

use billing_rules::prelude::*;
use billing_rules::pricing::{PriceBasis, PricingSpec, StepDetail, TierMode};
use serde::Serialize;

use crate::args;
use crate::out::{Output, Result};
use crate::seats::{Fallible, TiersArgs, load, per};

#[derive(Serialize)]
struct TierRow {
    seats: u32,
    tier: String,
    volume: Money,
    graduated: Money,
    /// How much less the volume total is than the row before, when less.
    cliff: Option<Money>,
}

/// `whatif tiers`.
pub fn run(args: TiersArgs, out: &Output) -> Result {
    let (policy, name, periods) = load(&args.policy, &args.duration)?;
    if args::printed(&args.policy.file, &policy.to_spec(), out)? {
        return Ok(());
    }
    let PricingSpec::Tiered(table) = policy.to_spec().pricing else {
        return Err(format!("{name} is priced by a unit price, not by tiers").into());
    };
    let both = |mode| -> Fallible<SeatPolicy> {
        let mut spec = policy.to_spec();
        if let PricingSpec::Tiered(t) = &mut spec.pricing {
            t.mode = mode;
        }
        Ok(SeatPolicy::try_from(spec)?)
    };
    let volume = both(TierMode::Volume)?;
    let graduated = both(TierMode::Graduated)?;

    // Each boundary from both sides, the first seat, and past the last.
    let mut counts = vec![1u32];
    for tier in &table.tiers {
        let from = u32::try_from(tier.from).unwrap_or(u32::MAX);
        if from > 1 {
            counts.extend([
                from.saturating_sub(2),
                from - 1,
                from,
                from.saturating_add(1),
            ]);
        }
    }
    if let Some(last) = table.tiers.last() {
        let from = u32::try_from(last.from).unwrap_or(u32::MAX);
        counts.push(from.saturating_mul(2));
    }
    counts.extend(&args.seats);
    counts.retain(|&n| n > 0);
    counts.sort_unstable();
    counts.dedup();

    let mut rows: Vec<TierRow> = Vec::new();
    for seats in counts {
        let order = SeatOrder::new(seats, periods);
        let (Ok(v), Ok(g)) = (volume.quote(&order), graduated.quote(&order)) else {
            continue; // outside the seat limits or the tiers
        };
        let bounds = v.steps().iter().find_map(|s| match s.detail {
            StepDetail::BasePrice {
                basis: PriceBasis::Tier { from, to, .. },
                ..
            } => Some((from, to)),
            _ => None,
        });
        let tier = match bounds {
            Some((from, Some(to))) => format!("{from}-{to}"),
            Some((from, None)) => format!("{from}+"),
            None => String::new(),
        };
        let cliff = rows
            .last()
            .filter(|prev| v.total.amount() < prev.volume.amount())
            .and_then(|prev| prev.volume.checked_sub(v.total).ok());
        rows.push(TierRow {
            seats,
            tier,
            volume: v.total,
            graduated: g.total,
            cliff,
        });
    }
    if out.json {
        return out.json(&rows);
    }
    out.heading(&format!(
        "Price against seat count, {periods} {}{} ({name})",
        per(policy.period()),
        if periods == 1 { "" } else { "s" }
    ));
    let per_seat = |m: Money, seats: u32| {
        m.checked_div(Decimal::from(seats))
            .map(|p| p.round_to_minor(RoundingMode::HalfUp).to_string())
            .unwrap_or_default()
    };
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                r.seats.to_string(),
                r.tier.clone(),
                r.volume.to_string(),
                per_seat(r.volume, r.seats),
                r.graduated.to_string(),
                per_seat(r.graduated, r.seats),
                r.cliff
                    .map(|c| format!("cliff: {c} cheaper than the row above"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    out.table(
        &[
            "seats",
            "tier",
            "volume total",
            "volume / seat",
            "graduated total",
            "graduated / seat",
            "note",
        ],
        table_rows,
    );
    out.line(
        "Volume mode prices every seat at the containing tier's price, so crossing a boundary can \
         make a larger order cheaper; graduated mode never falls as seats grow (R-SEAT-03).",
    );
    Ok(())
}
