//! Issue 18 item 8: every model's spec round-trips; bad specs and bad
//! usage are errors naming the field, never a panic; the sample policies
//! in examples/policies/ build and price.

use std::io::Read;

use super::*;

#[test]
fn every_model_round_trips_through_its_spec() {
    let models = [
        lago_package("10"),
        lago_percentage("3", r#""250.0""#, r#""2.0""#),
        kill_bill_blocks("all_tiers", "top_tier", &[("100", "10", "1")]),
        lago_prorated(LAGO_TWO_RANGES, "prorated", "graduated"),
        model(
            r#"{"tiered": {"mode": "volume", "tiers": [{"from": "0", "unit_price": "1"}]}}"#,
            r#", "minimum": "5""#,
        ),
    ];
    for m in models {
        assert_eq!(PricingModel::try_from(m.to_spec()).unwrap(), m);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            serde_json::from_str::<PricingModel>(&json).unwrap(),
            m,
            "{json}"
        );
    }
}

/// The error reading `model` (a JSON `model` object) gives.
fn refused(model: &str, extra: &str) -> String {
    let json = format!(r#"{{{LOCALE}, "model": {model}{extra}}}"#);
    serde_json::from_str::<PricingModel>(&json)
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_specs_name_the_field() {
    let cases = [
        (
            r#"{"package": {"size": "0", "amount": "1"}}"#,
            "",
            "`model.package.size`: 0 is not above zero",
        ),
        (
            r#"{"package": {"size": "-5", "amount": "1"}}"#,
            "",
            "`model.package.size`",
        ),
        (
            r#"{"package": {"size": "5", "amount": "1", "free_units": "-1"}}"#,
            "",
            "`model.package.free_units`: -1 is negative",
        ),
        (r#"{"package": {"size": "NaN", "amount": "1"}}"#, "", "NaN"),
        (r#"{"package": {"size": "inf", "amount": "1"}}"#, "", "inf"),
        (
            r#"{"percentage": {"rate": "1", "min_per_transaction": "5", "max_per_transaction": "2"}}"#,
            "",
            "`model.percentage.min_per_transaction`: 5 is above max_per_transaction (2)",
        ),
        (
            r#"{"percentage": {"rate": "-1"}}"#,
            "",
            "`model.percentage.rate`: -1 is negative",
        ),
        (
            r#"{"block_tiers": {"mode": "all_tiers", "tiers": [{"size": "0", "price": "1"}]}}"#,
            "",
            "`model.block_tiers.tiers[0].size`: 0 is not above zero",
        ),
        (
            r#"{"block_tiers": {"mode": "all_tiers", "tiers": [{"size": "1", "price": "1"}, {"size": "1", "price": "1"}]}}"#,
            "",
            "`model.block_tiers.tiers[0].max_blocks`: only the last tier may be unbounded",
        ),
        (
            r#"{"block_tiers": {"mode": "all_tiers", "tiers": [{"size": "1", "price": "1", "max_blocks": 0}]}}"#,
            "",
            "`model.block_tiers.tiers[0].max_blocks`: a tier of 0 blocks holds nothing",
        ),
        (
            r#"{"prorated": {"mode": "graduated", "tiers": [{"from": "0", "to": "5", "unit_price": "1"}]}}"#,
            "",
            "`model.prorated.tiers[0].to`: the last tier ends at 5",
        ),
        (
            r#"{"tiered": {"mode": "graduated", "tiers": [{"from": "1", "unit_price": "1"}]}}"#,
            "",
            "`model.tiered.tiers[0].from`",
        ),
        (
            r#"{"package": {"size": "5", "amount": "1"}}"#,
            r#", "minimum": "0.001""#,
            "`minimum`: USD 0.001 is not in whole minor units",
        ),
        (
            r#"{"package": {"size": "5", "amount": "1"}}"#,
            r#", "minimum": "-1""#,
            "`minimum`: -1 is negative",
        ),
    ];
    for (spec, extra, expected) in cases {
        let err = refused(spec, extra);
        assert!(err.contains(expected), "{spec}{extra}: {err}");
    }
}

#[test]
fn bad_usage_is_an_error_naming_the_field() {
    let m = lago_package("0");
    let Err(Error::Data(err)) = m.price(d("-1")) else {
        panic!("refused")
    };
    assert_eq!(
        (err.field.as_str(), err.problem.as_str()),
        ("quantity", "-1 is negative")
    );
    let p = lago_percentage("null", "null", "null");
    let Err(Error::Data(err)) = p.quote_transactions(&[d("1"), d("-2")]) else {
        panic!("refused")
    };
    assert_eq!(err.field, "transactions[1]");
    let pr = lago_prorated(LAGO_TWO_RANGES, "full", "graduated");
    let Err(Error::Data(err)) = pr.quote_prorated(&[ProratedUnits::new(d("1"), d("1.5"))]) else {
        panic!("refused")
    };
    assert_eq!(err.field, "usage[0].fraction");
}

/// A reader that writes a model listing `tiers` block tiers, one at a time,
/// without holding the document: 10^9 tiers would be about 30 GB.
struct ManyTiers {
    head: Vec<u8>,
    left: u64,
    at: usize,
    tier: &'static [u8],
    read: u64,
}

impl Read for ManyTiers {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.head.len() {
            if self.left == 0 {
                self.head = b"]}}}".to_vec();
                self.left = u64::MAX;
            } else if self.left != u64::MAX {
                self.left -= 1;
                self.head = self.tier.to_vec();
            } else {
                return Ok(0);
            }
            self.at = 0;
        }
        let n = buf.len().min(self.head.len() - self.at);
        buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
        self.at += n;
        self.read += n as u64;
        Ok(n)
    }
}

#[test]
fn a_billion_tiers_in_json_are_refused_after_the_cap() {
    let head = format!(
        r#"{{{LOCALE}, "model": {{"block_tiers": {{"mode": "all_tiers", "tiers": [{{"size": "1", "price": "1", "max_blocks": 1}}"#
    );
    let mut reader = ManyTiers {
        head: head.into_bytes(),
        left: 1_000_000_000,
        at: 0,
        tier: br#",{"size": "1", "price": "1", "max_blocks": 1}"#,
        read: 0,
    };
    let err = serde_json::from_reader::<_, PricingModel>(&mut reader).unwrap_err();
    assert!(err.to_string().contains("more than 10000 tiers"), "{err}");
    // Refused after about MAX_TIERS tiers' worth of text, not 10^9.
    assert!(reader.read < 1_000_000, "read {} bytes", reader.read);
}

#[test]
fn the_sample_policies_build_and_price() {
    // examples/policies/<model>.json, each with an explicit locale; the
    // figures are the peers' examples above.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    let read = |name: &str| -> PricingModel {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(text.contains("\"locale\""), "{name} states its locale");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let cases = [
        ("package.json", ModelId::Package, "121", "USD 1200.00"),
        ("percentage.json", ModelId::Percentage, "0", "USD 0.00"),
        ("tiered.json", ModelId::Tiered, "25", "USD 40.00"),
        (
            "block_tiers.json",
            ModelId::BlockTiers,
            "101001",
            "USD 51.00",
        ),
        ("prorated.json", ModelId::Prorated, "75", "USD 370.00"),
        (
            "minimum_commitment.json",
            ModelId::Package,
            "0",
            "USD 100.00",
        ),
    ];
    for (name, id, quantity, total) in cases {
        let m = read(name);
        assert_eq!(m.model(), id, "{name}");
        assert_eq!(m.price(d(quantity)).unwrap().to_string(), total, "{name}");
    }
    let lago = transactions(&LAGO_TRANSACTIONS);
    let q = read("percentage.json").quote_transactions(&lago).unwrap();
    assert_eq!(q.total, usd("11.15"));
}

#[test]
fn a_spec_is_written_back_as_it_was_read() {
    // A zero fixed fee stays in the spec (the model skips adding it).
    let spec = r#"{"percentage":{"rate":"1.3","fixed_amount":"0","free_transactions":null,"free_amount":null,"min_per_transaction":null,"max_per_transaction":null}}"#;
    let m = model(spec, "");
    let written = serde_json::to_value(&m).unwrap();
    assert_eq!(
        written["model"],
        serde_json::from_str::<serde_json::Value>(spec).unwrap()
    );
    // A step's JSON: model, kind, tier, quantity and amount.
    let q = lago_package("0").quote(d("121")).unwrap();
    assert_eq!(
        serde_json::to_string(&q.steps[0]).unwrap(),
        r#"{"model":"package","kind":"packages","tier":null,"quantity":"13","amount":{"amount":"1300","currency":"USD"}}"#
    );
}
