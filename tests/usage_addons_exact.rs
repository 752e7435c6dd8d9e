//! R-USE-10: an add-on charge is `price x quantity / per`, multiplied
//! before it is divided and rounded once, exactly (issue 19, item 1).

use billing_rules::money::{Currency, Rounding, RoundingMode};
use billing_rules::policy::Locale;
use billing_rules::quantity::{Quantity, Unit};
use billing_rules::usage::{
    AddOnPolicy, AddOnPolicySpec, AddOnUsage, MeteredPriceSpec, Resolution,
};
use billing_rules::{ArithmeticError, exact};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// The issue's policy, with moderation priced `price` for every `per` items
/// and the final rounding `rounding`.
fn policy(rounding: &str, per: &str, price: &str) -> AddOnPolicy {
    let json = format!(
        r#"{{"locale":{{"currency":"CNY","time_zone":"+08:00","rounding":"{rounding}"}},"transcoding":[],
            "recording":{{"unit":"channels","per":"1","price":"30"}},
            "snapshots":{{"unit":"count","per":"1000","price":"0.10"}},
            "moderation":{{"unit":"count","per":"{per}","price":"{price}"}}}}"#
    );
    serde_json::from_str(&json).unwrap()
}

fn moderation_total(rounding: &str, per: &str, price: &str, count: u64) -> String {
    let p = policy(rounding, per, price);
    let c = p.charge(&AddOnUsage::Moderation { count }).unwrap();
    c.total.amount().to_string()
}

#[test]
fn r_use_10_addon_charge_multiplies_before_dividing_floor_3_per_3() {
    // 3 x 1 / 3 is exactly 1; 1/3 first gave 0.999...9, floored to 0.99.
    assert_eq!(moderation_total("floor", "3", "3", 1), "1.00");
}

#[test]
fn r_use_10_addon_charge_multiplies_before_dividing_ceiling_7_per_7() {
    // 7 x 3 / 7 is exactly 3; 3/7 first gave 3.000...01, raised to 3.01.
    assert_eq!(moderation_total("ceiling", "7", "7", 3), "3.00");
}

#[test]
fn r_use_10_addon_charge_multiplies_before_dividing_ceiling_6_per_3() {
    // 3 x 1 / 6 is exactly 0.5; 1/6 first gave 0.500...01, raised to 0.51.
    assert_eq!(moderation_total("ceiling", "6", "3", 1), "0.50");
}

/// The policy of [`policy`] with an HD transcoding price of `price` for
/// every `per` minutes.
fn transcoding_policy(per: &str, price: &str) -> AddOnPolicy {
    let json = format!(
        r#"{{"locale":{{"currency":"CNY","time_zone":"+08:00","rounding":"half_up"}},"transcoding":[{{"resolution":"hd","price":{{"unit":"minutes","per":"{per}","price":"{price}"}}}}],
            "recording":{{"unit":"channels","per":"1","price":"30"}},
            "snapshots":{{"unit":"count","per":"1000","price":"0.10"}},
            "moderation":{{"unit":"count","per":"3","price":"0.07"}}}}"#
    );
    serde_json::from_str(&json).unwrap()
}

#[test]
fn r_use_10_addon_charge_at_0_5_per_60_minutes_is_no_longer_a_precision_loss() {
    // 0.5 x 1 / 60 = 0.008333...: 1/60 cut to 28 places times 0.5 needed
    // 29 places, and the charge was refused.
    let p = transcoding_policy("60", "0.5");
    let minutes = AddOnUsage::Transcoding {
        resolution: Resolution::Hd,
        minutes: Quantity::new(Decimal::ONE, Unit::Minute),
    };
    let c = p.charge(&minutes).unwrap();
    assert_eq!(c.total.amount().to_string(), "0.01");
    assert_eq!(
        c.exact.amount().to_string(),
        "0.0083333333333333333333333333"
    );
    // An hour is exactly 0.5, shown with the price's places.
    let hour = AddOnUsage::Transcoding {
        resolution: Resolution::Hd,
        minutes: Quantity::new(Decimal::from(60), Unit::Minute),
    };
    let c = p.charge(&hour).unwrap();
    assert_eq!(c.exact.amount().to_string(), "0.5");
    assert_eq!(c.total.amount().to_string(), "0.50");
}

#[test]
fn r_use_10_addon_charge_at_0_07_per_3_is_no_longer_a_precision_loss() {
    // 0.07 x 1 / 3 = 0.02333...; 1/3 first then times 0.07 needed 30 places.
    let p = transcoding_policy("60", "0.5");
    let c = p.charge(&AddOnUsage::Moderation { count: 1 }).unwrap();
    assert_eq!(c.total.amount().to_string(), "0.02");
    assert_eq!(
        c.exact.amount().to_string(),
        "0.0233333333333333333333333333"
    );
    // 0.07 x 3 / 3 is exactly 0.07.
    let c = p.charge(&AddOnUsage::Moderation { count: 3 }).unwrap();
    assert_eq!(c.exact.amount().to_string(), "0.07");
    assert_eq!(c.total.amount().to_string(), "0.07");
}

#[test]
fn r_use_10_addon_exact_figure_has_a_sticky_last_digit_when_it_does_not_end() {
    // 2 x 1 / 3 = 0.666...: the cut 0.666...6 is made odd (...7), so that
    // it rounds, in every mode, as the true value does.
    for (rounding, total) in [
        ("floor", "0.66"),
        ("toward_zero", "0.66"),
        ("ceiling", "0.67"),
        ("away_from_zero", "0.67"),
        ("half_up", "0.67"),
        ("half_even", "0.67"),
    ] {
        let p = policy(rounding, "3", "2");
        let c = p.charge(&AddOnUsage::Moderation { count: 1 }).unwrap();
        assert_eq!(
            c.exact.amount().to_string(),
            "0.6666666666666666666666666667"
        );
        assert_eq!(c.total.amount().to_string(), total, "{rounding}");
    }
    // 1 x 1 / 8 = 0.125 exactly: a true tie, which half-even takes to 0.12.
    let p = policy("half_even", "8", "1");
    let c = p.charge(&AddOnUsage::Moderation { count: 1 }).unwrap();
    assert_eq!(c.exact.amount().to_string(), "0.125");
    assert_eq!(c.total.amount().to_string(), "0.12");
}

// -------------------------------------------------------------- properties

/// The rounding of a non-negative `q + r / d` (`0 <= r < d`) in `mode`,
/// written from the definitions, independently of the crate.
fn oracle_round(mode: RoundingMode, negative: bool, q: i128, r: i128, d: i128) -> i128 {
    let inexact = r != 0;
    let up = match mode {
        RoundingMode::TowardZero => false,
        RoundingMode::AwayFromZero => inexact,
        RoundingMode::Floor => negative && inexact,
        RoundingMode::Ceiling => !negative && inexact,
        RoundingMode::HalfUp => 2 * r >= d && inexact,
        RoundingMode::HalfEven => 2 * r > d || (2 * r == d && q % 2 == 1),
    };
    q + i128::from(up)
}

fn mode() -> impl Strategy<Value = RoundingMode> {
    prop_oneof![
        Just(RoundingMode::HalfUp),
        Just(RoundingMode::HalfEven),
        Just(RoundingMode::TowardZero),
        Just(RoundingMode::AwayFromZero),
        Just(RoundingMode::Floor),
        Just(RoundingMode::Ceiling),
    ]
}

/// A decimal `mantissa x 10^-scale` with the mantissa in `0..=max`.
fn decimal(
    min: i64,
    max: i64,
    scales: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = Decimal> {
    (min..=max, scales).prop_map(|(m, s)| Decimal::new(m, s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// For any price, per, count, currency scale and rounding mode, the
    /// charge is `round(price x count / per)` of the exact rational, and the
    /// figure shown before rounding rounds to it. The oracle is `i128`
    /// arithmetic on the mantissas (the values are bounded so it cannot
    /// overflow).
    #[test]
    fn r_use_10_addon_charge_is_the_exact_rational_rounded_once(
        // Small figures often: they make true ties and exact quotients.
        price in prop_oneof![decimal(0, 1_000, 0..=3), decimal(0, 1_000_000_000, 0..=4)],
        per in prop_oneof![decimal(1, 16, 0..=2), decimal(1, 1_000_000_000, 0..=4)],
        count in prop_oneof![0u64..=100, 0u64..=1_000_000_000],
        scale in 0u32..=4,
        mode in mode(),
    ) {
        let currency = Currency::new("XTS", scale).unwrap();
        let metered = |per: Decimal, price: Decimal, unit| MeteredPriceSpec { unit, per, price };
        let spec = AddOnPolicySpec {
            locale: Locale { currency, rounding: mode, ..Locale::default() },
            transcoding: vec![],
            recording: metered(Decimal::ONE, Decimal::ONE, Unit::Channel),
            snapshots: metered(Decimal::ONE, Decimal::ONE, Unit::Count),
            moderation: metered(per, price, Unit::Count),
        };
        let p = AddOnPolicy::try_from(spec).unwrap();
        let c = p.charge(&AddOnUsage::Moderation { count }).unwrap();

        // price x count / per x 10^scale = pm x count x 10^(ps' + scale) / (qm x 10^ps).
        let (pm, ps) = (price.mantissa(), price.scale());
        let (qm, qs) = (per.mantissa(), per.scale());
        let n = pm * i128::from(count) * 10i128.pow(qs + scale);
        let d = qm * 10i128.pow(ps);
        let expected = oracle_round(mode, false, n / d, n % d, d);
        prop_assert_eq!(c.total.amount(), Decimal::from_i128_with_scale(expected, scale));
        prop_assert_eq!(c.total.amount().scale(), scale);
        prop_assert_eq!(c.exact.round_to_minor(mode), c.total);

        // The figure before rounding is exact, or cut with an odd last digit
        // and within one unit of its last place of the true value.
        let shown = c.exact.amount();
        let (sm, ss) = (Big::from(shown.mantissa().unsigned_abs()), shown.scale());
        // The true value times 10^ss is n / d, with n = pm x count x 10^(qs + ss).
        let n = Big::from(pm.unsigned_abs())
            .times(&Big::from(u128::from(count)))
            .times(&Big::ten_to(qs + ss));
        let d = Big::from(d.unsigned_abs());
        prop_assert!(check_cut(&sm, &n, &d), "{} for {} x {} / {}", shown, price, count, per);
    }
}

/// Any decimal: small mantissas (prices and counts) and mantissas of up to
/// 96 bits, at any scale, of either sign.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    const MAX: i128 = (1 << 96) - 1;
    let mantissa = prop_oneof![
        2 => -20i128..=20,
        2 => -1_000_000i128..=1_000_000,
        2 => -MAX..=MAX,
    ];
    let scale = prop_oneof![0u32..=3, 0u32..=28];
    (mantissa, scale).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
}

/// `|a x b / c| x 10^scale` as `n / d`.
fn ratio(a: Decimal, b: Decimal, c: Decimal, scale: u32) -> (Big, Big) {
    let n = Big::from(a.mantissa().unsigned_abs())
        .times(&Big::from(b.mantissa().unsigned_abs()))
        .times(&Big::ten_to(c.scale() + scale));
    let d = Big::from(c.mantissa().unsigned_abs()).times(&Big::ten_to(a.scale() + b.scale()));
    (n, d)
}

/// `q` is `n / d` rounded in `mode` (for a value of sign `negative`).
fn check_rounded(q: &Big, n: &Big, d: &Big, mode: RoundingMode, negative: bool) -> bool {
    let floor = if q.times(d) <= *n {
        q.clone()
    } else {
        q.minus_one()
    };
    let rest = n.minus(&floor.times(d));
    if floor.times(d) > *n || rest >= *d {
        return false;
    }
    let twice = rest.times(&Big::from(2));
    let inexact = !rest.0.is_empty();
    let odd = floor.0.first().is_some_and(|l| l % 2 == 1);
    let up = match mode {
        RoundingMode::TowardZero => false,
        RoundingMode::AwayFromZero => inexact,
        RoundingMode::Floor => negative && inexact,
        RoundingMode::Ceiling => !negative && inexact,
        RoundingMode::HalfUp => inexact && twice >= *d,
        RoundingMode::HalfEven => twice > *d || (twice == *d && odd),
    };
    let expected = if up { floor.plus_one() } else { floor };
    expected == *q
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `exact::mul_div_round` over the whole range of `Decimal` (mantissas
    /// of 96 bits, scales 0 to 28, both signs), against a big-integer
    /// oracle: the result is the true quotient rounded in the mode, or an
    /// overflow only where the rounded value cannot fit.
    #[test]
    fn exact_mul_div_round_rounds_the_true_quotient_once(
        a in any_decimal(),
        b in any_decimal(),
        c in any_decimal().prop_filter("a divisor", |c| !c.is_zero()),
        scale in 0u32..=28,
        mode in mode(),
    ) {
        let negative = !a.is_zero() && !b.is_zero()
            && (a.is_sign_negative() != b.is_sign_negative()) != c.is_sign_negative();
        let (n, d) = ratio(a, b, c, scale);
        match exact::mul_div_round(a, b, c, Rounding::new(mode, scale)) {
            Ok(v) => {
                prop_assert!(v.scale() <= scale);
                let q = Big::from(v.mantissa().unsigned_abs())
                    .times(&Big::ten_to(scale - v.scale()));
                if v.scale() < scale {
                    // Unpadded: only an exact value too large for the places.
                    prop_assert_eq!(q.times(&d), n.clone());
                }
                prop_assert!(check_rounded(&q, &n, &d, mode, negative), "{} x {} / {} -> {}", a, b, c, v);
                prop_assert_eq!(v.is_sign_negative() && !v.is_zero(), negative && !v.is_zero());
            }
            Err(ArithmeticError::Overflow { .. }) => {
                let max = Big::from((1u128 << 96) - 1);
                prop_assert!(n >= max.times(&d), "{} x {} / {} overflowed", a, b, c);
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    /// `exact::mul_div` is exact, or the cut with an odd last digit, and it
    /// rounds, in every mode, to two or more places fewer as
    /// `exact::mul_div_round` rounds the true quotient.
    #[test]
    fn exact_mul_div_is_exact_or_sticky_and_rounds_as_the_true_quotient(
        a in any_decimal(),
        b in any_decimal(),
        c in any_decimal().prop_filter("a divisor", |c| !c.is_zero()),
        fewer in 2u32..=28,
        mode in mode(),
    ) {
        let Ok(v) = exact::mul_div(a, b, c) else {
            let (n, d) = ratio(a, b, c, 0);
            let max = Big::from((1u128 << 96) - 1);
            prop_assert!(n >= max.times(&d), "{} x {} / {} overflowed", a, b, c);
            return Ok(());
        };
        let (n, d) = ratio(a, b, c, v.scale());
        prop_assert!(check_cut(&Big::from(v.mantissa().unsigned_abs()), &n, &d), "{}", v);
        if let Some(scale) = v.scale().checked_sub(fewer) {
            let rounding = Rounding::new(mode, scale);
            let once = exact::mul_div_round(a, b, c, rounding);
            prop_assert_eq!(Ok(rounding.apply(v)), once);
        }
    }
}

/// `shown` (a mantissa) is `n / d` exactly, or is odd and within one unit
/// of `n / d` (the cut with a sticky last digit).
fn check_cut(shown: &Big, n: &Big, d: &Big) -> bool {
    let at = shown.times(d);
    if at == *n {
        return true;
    }
    let odd = shown.0.first().is_some_and(|l| l % 2 == 1);
    let below = shown.minus_one().times(d);
    let above = shown.plus_one().times(d);
    odd && below < *n && *n < above
}

/// A small unsigned big integer for the oracles: little-endian 32-bit
/// limbs, no leading zero limbs. Multiplication, comparison, and one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big(limbs)
    }

    fn ten_to(e: u32) -> Big {
        (0..e).fold(Big::from(1), |b, _| b.times(&Big::from(10)))
    }

    fn times(&self, other: &Big) -> Big {
        let mut out = vec![0u64; self.0.len() + other.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.0.iter().enumerate() {
                let v = out[i + j] + u64::from(a) * u64::from(b) + carry;
                out[i + j] = v & 0xFFFF_FFFF;
                carry = v >> 32;
            }
            let mut k = i + other.0.len();
            while carry > 0 {
                let v = out[k] + carry;
                out[k] = v & 0xFFFF_FFFF;
                carry = v >> 32;
                k += 1;
            }
        }
        Big::trimmed(out.into_iter().map(|l| l as u32).collect())
    }

    fn trimmed(mut limbs: Vec<u32>) -> Big {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        Big(limbs)
    }

    fn plus_one(&self) -> Big {
        let mut limbs = self.0.clone();
        for l in limbs.iter_mut() {
            let (v, carry) = l.overflowing_add(1);
            *l = v;
            if !carry {
                return Big(limbs);
            }
        }
        limbs.push(1);
        Big(limbs)
    }

    /// `self - 1`; `self` is not zero.
    fn minus_one(&self) -> Big {
        let mut limbs = self.0.clone();
        for l in limbs.iter_mut() {
            let (v, borrow) = l.overflowing_sub(1);
            *l = v;
            if !borrow {
                break;
            }
        }
        Big::trimmed(limbs)
    }

    /// `self - other`; `other` is not larger.
    fn minus(&self, other: &Big) -> Big {
        let mut limbs = self.0.clone();
        let mut borrow = 0i64;
        for (i, l) in limbs.iter_mut().enumerate() {
            let v = i64::from(*l) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *l = (v + (borrow << 32)) as u32;
        }
        Big::trimmed(limbs)
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}
