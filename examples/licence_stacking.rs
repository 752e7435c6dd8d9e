//! A live-plugin licence (R-LIC-01..06), a decider per app id: 30,000 a
//! year, a second licence stacks a year onto the current end, another
//! account cannot take the app id, and a traffic package of 200 TB or more
//! earns a free year on application, for one app: the package's claim
//! (`BundleClaim`) issues one receipt, and the licence grants against it.
//!
//! ```text
//! cargo run --example licence_stacking
//! ```

use billing_rules::NaiveDate;
use billing_rules::lifecycle::{AccountId, AppId, LicenceEvent, TrafficPackage};
use billing_rules::prelude::*;

/// Local midnight (UTC+08:00) of a calendar day.
fn day(y: i32, m: u32, d: u32) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("not a date")?;
    Ok(Zone::BEIJING.start_of_day(date)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = presets::live_plugin_licence()?;
    println!(
        "a licence: {} for {} days (R-LIC-01)",
        policy.price(),
        policy.term().0
    );
    let app = AppId::new("live-app");
    let (alice, bob) = (AccountId::new("alice"), AccountId::new("bob"));
    let buy = |account: &AccountId| LicenceCommand::Purchase {
        app: app.clone(),
        account: account.clone(),
    };
    let size = Quantity::new(Decimal::from(200), Unit::Terabyte);
    let package = TrafficPackage {
        id: "pkg-200tb".into(),
        size,
        buyer: alice.clone(),
    };
    // R-LIC-06: the package's claim first; it goes to one app only.
    let claim_for = |app: &AppId| BundleClaimCommand::Claim {
        app: app.clone(),
        account: alice.clone(),
        package: package.clone(),
    };
    let claimed_at = day(2025, 6, 1)?;
    let (claims, _) = BundleClaim::run(
        &BundleClaim::initial(),
        &claim_for(&app),
        claimed_at,
        &policy,
    )?;
    let other_app = AppId::new("live-app-2");
    if let Err(err) = BundleClaim::run(&claims, &claim_for(&other_app), claimed_at, &policy) {
        println!("alice claims 200 TB for {other_app}: {err}");
    }
    let receipt = claims.receipt().ok_or("the claim was accepted")?.clone();
    let claim = LicenceCommand::ClaimBundled {
        app: app.clone(),
        account: alice.clone(),
        receipt,
    };

    let steps = [
        ("alice buys", buy(&alice), day(2025, 1, 1)?),
        ("alice buys again", buy(&alice), day(2025, 4, 11)?), // stacks from the end (R-LIC-03)
        ("bob buys", buy(&bob), day(2025, 5, 1)?),            // one owner per app id (R-LIC-04)
        ("alice claims 200 TB", claim.clone(), claimed_at),   // a free year (R-LIC-06)
        ("alice claims again", claim, day(2025, 6, 2)?),      // once per package
    ];
    let local = |t| Zone::BEIJING.local_date(t);
    let mut state = Licence::initial();
    for (what, command, now) in steps {
        match Licence::run(&state, &command, now, &policy) {
            Ok((next, events)) => {
                state = next;
                for event in events {
                    if let LicenceEvent::Purchased { end, .. }
                    | LicenceEvent::BundledGranted { end, .. } = event
                    {
                        println!("{} {what}: valid until {}", local(now), local(end));
                    }
                }
            }
            Err(err) => println!("{} {what}: {err}", local(now)),
        }
    }
    let later = day(2028, 1, 1)?;
    println!(
        "{}: the licence is {}",
        local(later),
        Licence::status(&state, later, &policy)
    );
    Ok(())
}
