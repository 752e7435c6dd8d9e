//! Payment-method switching (R-PAY-01..09), a decider: the first purchase
//! chooses the method, four switches are allowed, and a refused switch
//! lists every rule that refuses it, each with its figures.
//!
//! ```text
//! cargo run --example payment_switch
//! ```

use billing_rules::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = presets::cloud_payment()?; // 4 switches, wallet by default
    let now = Zone::UTC.at(2025, 6, 1, 0, 0, 0)?;
    let mut state = EnvironmentPayment::initial();
    println!(
        "before any purchase: {} (R-PAY-01)",
        policy.method_in_use(&state)
    );

    // The first prepaid order chooses the method (R-PAY-02).
    let first = PaymentCommand::FirstPurchase {
        method: PaymentMethod::PrepaidPersonalWallet,
    };
    state = EnvironmentPayment::run(&state, &first, now, &policy)?.0;

    // Four switches, the last to pay-as-you-go; each answer says where
    // invoices now come from (R-PAY-09).
    use PaymentMethod::{PayAsYouGo, PrepaidCloudAccount, PrepaidPersonalWallet};
    for to in [
        PrepaidCloudAccount,
        PrepaidPersonalWallet,
        PrepaidCloudAccount,
        PayAsYouGo,
    ] {
        let switch = PaymentCommand::switch(to, SwitchFacts::default());
        state = EnvironmentPayment::run(&state, &switch, now, &policy)?.0;
        println!(
            "switched to {to}: {} of {} switches used, invoices from {}",
            state.switches_used(),
            policy.switch_limit(),
            policy.invoice_source(&state)
        );
    }

    // A fifth switch, asked in isolation, from a context that does not
    // support it, refunding more than is open for invoicing.
    let cny = |n: i64| Money::cny(Decimal::from(n));
    let facts = SwitchFacts::default()
        .in_isolation()
        .in_unsupported_context()
        .with_refund(cny(150), cny(100));
    let fifth = PaymentCommand::switch(PrepaidPersonalWallet, facts);
    match EnvironmentPayment::run(&state, &fifth, now, &policy) {
        Ok(_) => println!("the fifth switch was accepted"),
        Err(err) => {
            // Every reason, in the documented order; nothing was recorded.
            for reason in err.refusal().map(|r| r.reasons()).unwrap_or_default() {
                let figures: Vec<String> = reason.figures.iter().map(|f| f.to_string()).collect();
                println!(
                    "refused: {}: {} [{}]",
                    reason.rule,
                    reason.message,
                    figures.join(", ")
                );
            }
        }
    }
    println!("still {} after the refusal", policy.method_in_use(&state));
    Ok(())
}
