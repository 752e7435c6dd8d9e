//! What-ifs of the pricing models (issue 18): a quantity priced by any
//! model (package, percentage, tiered, block tiers, prorated, with or
//! without a minimum commitment), step by step.
//!
//! ```text
//! cargo run --example whatif -- price --quantity 121
//! cargo run --example whatif -- price --policy examples/policies/block_tiers.json --quantity 101001
//! cargo run --example whatif -- price --policy examples/policies/percentage.json --transactions 50,100,250,400
//! cargo run --example whatif -- price --print-policy > model.json
//! ```

use billing_rules::prelude::*;
use billing_rules::pricing::{ModelQuote, ModelSpec, PricingModel};

use crate::args::{self, PolicyFile};
use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {
    /// A quantity (or a list of transactions) priced by a pricing model,
    /// with each step; the default model is Lago's package example (100 a
    /// package of 10 units).
    Price {
        /// The quantity to price (units, or for a percentage model one
        /// transaction's amount).
        #[arg(
            long,
            required_unless_present_any = ["print_policy", "transactions"],
            allow_negative_numbers = true,
            value_parser = args::decimal)]
        quantity: Option<Decimal>,
        /// Transactions one by one, comma-separated (a percentage model
        /// charges each; any other model prices their sum).
        #[arg(long, value_delimiter = ',', allow_negative_numbers = true, value_parser = args::decimal)]
        transactions: Vec<Decimal>,
        /// `--policy FILE`: a `ModelSpec` (see examples/policies/);
        /// `--print-policy`.
        #[command(flatten)]
        file: PolicyFile,
    },
}

/// The default model: Lago's package charge example, in US dollars.
fn preset() -> std::result::Result<ModelSpec, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(
        r#"{"locale": {"currency": "USD", "time_zone": "+00:00", "rounding": "half_up"},
            "model": {"package": {"size": "10", "amount": "100"}}}"#,
    )?)
}

/// Runs one subcommand.
pub fn run(command: Command, out: &Output) -> Result {
    let Command::Price {
        quantity,
        transactions,
        file,
    } = command;
    let Some((model, name)) = args::policy_or::<ModelSpec, PricingModel>(
        &file,
        preset,
        "Lago package example",
        "ModelSpec",
        "whatif price --print-policy",
        out,
    )?
    else {
        return Ok(());
    };
    let (quote, what) = match quantity {
        Some(quantity) => (model.quote(quantity)?, format!("{quantity}")),
        None => {
            let list: Vec<String> = transactions.iter().map(|t| t.to_string()).collect();
            (
                model.quote_transactions(&transactions)?,
                format!("transactions {}", list.join(", ")),
            )
        }
    };
    show(&quote, &what, &name, out)
}

fn show(quote: &ModelQuote, what: &str, source: &str, out: &Output) -> Result {
    if out.json {
        return out.json(quote);
    }
    out.heading(&format!("{} model ({source}): {what}", quote.model));
    let rows = quote
        .steps
        .iter()
        .map(|s| {
            vec![
                s.model.to_string(),
                name(&s.kind),
                s.tier.map_or(String::new(), |t| t.to_string()),
                s.quantity.to_string(),
                s.amount.to_string(),
            ]
        })
        .collect();
    out.table(&["model", "step", "tier", "quantity", "amount"], rows);
    out.line(&format!(
        "exact {}; total {} (rounded once, {})",
        quote.exact,
        quote.total,
        name(&quote.rounding)
    ));
    Ok(())
}

/// A unit enum's JSON name (`fixed_fees`, `half_up`).
fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
