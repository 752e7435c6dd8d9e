//! `whatif tiers`: price against seat count across the tier boundaries,
//! volume beside graduated (R-SEAT-03).

use billing_rules::prelude::*;
use billing_rules::pricing::{PriceBasis, PricingSpec, StepDetail, TierMode};
use serde::Serialize;

use crate::args;
use crate::out::{Output, Result};
use crate::picture;
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
    if let Some(path) = &args.svg {
        let last = rows.last().map_or(1, |r| r.seats);
        picture(
            path,
            &volume,
            &graduated,
            periods,
            &table.tiers,
            last,
            &name,
        )?;
        if !out.json {
            out.line(&format!("Picture: {}", path.display()));
        }
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

/// The SVG of `--svg`: total and per-seat price against every seat count
/// from 1 to `last`, volume beside graduated, each boundary labelled.
fn picture(
    path: &std::path::Path,
    volume: &SeatPolicy,
    graduated: &SeatPolicy,
    periods: u32,
    tiers: &[billing_rules::pricing::TierSpec],
    last: u32,
    name: &str,
) -> Result {
    let currency = volume.locale().currency;
    // At most about 1000 points a line: every seat up to 1000 seats.
    let step = (last / 1000).max(1) as usize;
    let mut totals = [Vec::new(), Vec::new()];
    let mut per_seat = [Vec::new(), Vec::new()];
    for seats in (1..=last).step_by(step) {
        let order = SeatOrder::new(seats, periods);
        for (i, policy) in [volume, graduated].into_iter().enumerate() {
            let Ok(quote) = policy.quote(&order) else {
                continue; // outside the seat limits
            };
            let x = f64::from(seats);
            totals[i].push((x, picture::coordinate(quote.total.amount())));
            let each = quote.total.checked_div(Decimal::from(seats))?;
            per_seat[i].push((x, picture::coordinate(each.amount())));
        }
    }
    let marks: Vec<picture::Mark> = tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.from > Decimal::ONE)
        .map(|(i, t)| picture::Mark {
            x: picture::coordinate(t.from),
            label: format!("tier {}: {}+ seats", i + 1, t.from),
        })
        .collect();
    let series = |lines: [Vec<(f64, f64)>; 2]| {
        let [v, g] = lines;
        vec![
            picture::Series {
                name: "volume (all seats at the tier's price)".to_owned(),
                points: v,
            },
            picture::Series {
                name: "graduated (each tier prices its own seats)".to_owned(),
                points: g,
            },
        ]
    };
    let span = format!(
        "{periods} {}{}",
        per(volume.period()),
        if periods == 1 { "" } else { "s" }
    );
    let panels = [
        picture::Panel {
            title: format!("Total price against seat count, {span} ({name})"),
            x_desc: "seats".to_owned(),
            y_desc: format!("total price ({currency})"),
            series: series(totals),
            marks: marks
                .iter()
                .map(|m| picture::Mark {
                    x: m.x,
                    label: m.label.clone(),
                })
                .collect(),
        },
        picture::Panel {
            title: format!("Price per seat against seat count, {span}"),
            x_desc: "seats".to_owned(),
            y_desc: format!("price per seat ({currency})"),
            series: series(per_seat),
            marks,
        },
    ];
    picture::draw(path, &panels)?;
    Ok(())
}
