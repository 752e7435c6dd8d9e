//! [`Money::allocate`]: one amount split by weights into parts that add up
//! to it exactly, at the currency's minor unit (largest remainder).

use rust_decimal::Decimal;

use super::amount::Money;
use crate::error::ArithmeticError;

impl Money {
    /// Splits this amount into one part per weight, in proportion to the
    /// weights, at the currency's minor unit, so that the parts add up to
    /// the amount exactly (the largest remainder method).
    ///
    /// Each part is first its exact share rounded toward zero; the minor
    /// units left over go one each to the parts with the largest dropped
    /// remainders, ties to the earliest index. So every part is within one
    /// minor unit of its exact share, the result is the same on every run,
    /// and equal weights differ by at most one minor unit, the earlier
    /// parts taking the extra. A negative amount is split as its absolute
    /// value, negated.
    ///
    /// ```
    /// use billing_rules::money::Money;
    /// use billing_rules::Decimal;
    ///
    /// // 100.00 in three equal parts: 33.34 + 33.33 + 33.33.
    /// let parts = Money::cny(Decimal::from(100)).allocate(&[Decimal::ONE; 3])?;
    /// let shown: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    /// assert_eq!(shown, ["CNY 33.34", "CNY 33.33", "CNY 33.33"]);
    /// // 0.05 by 70/20/10: shares 0.035, 0.01, 0.005; the spare fen goes to the
    /// // largest remainder, a tie of 0.035 and 0.005 won by the earlier: 0.04 + 0.01 + 0.00.
    /// let parts = Money::cny(Decimal::new(5, 2)).allocate(&[70.into(), 20.into(), 10.into()])?;
    /// assert_eq!(parts.iter().map(|p| p.amount()).sum::<Decimal>(), Decimal::new(5, 2));
    /// assert_eq!(parts[0].to_string(), "CNY 0.04");
    /// // No weights, a negative weight, or all zero: an error naming why.
    /// assert!(Money::cny(Decimal::ONE).allocate(&[]).is_err());
    /// # Ok::<(), billing_rules::ArithmeticError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ArithmeticError::InvalidAllocation`] for no weights, a negative
    /// weight, all weights zero, or an amount with digits below the minor
    /// unit (round it first); [`ArithmeticError::Overflow`] when the amount
    /// in minor units times a weight (at the weights' common scale) passes
    /// 2^128.
    pub fn allocate(self, weights: &[Decimal]) -> Result<Vec<Money>, ArithmeticError> {
        let invalid = |problem: String| ArithmeticError::InvalidAllocation {
            amount: self.to_string(),
            problem,
        };
        if weights.is_empty() {
            return Err(invalid(
                "no weights were given; give one weight per part".to_owned(),
            ));
        }
        if let Some((i, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
        {
            return Err(invalid(format!(
                "weight {i} is {w}, negative; weights are zero or more"
            )));
        }
        let overflow = || ArithmeticError::overflow("allocate by weights");
        let currency = self.currency();
        let minor = currency.scale();
        let amount = self.amount();
        // The amount in minor units, exactly.
        let units = match amount.scale().checked_sub(minor) {
            None | Some(0) => {
                let up = minor.saturating_sub(amount.scale());
                amount
                    .mantissa()
                    .unsigned_abs()
                    .checked_mul(pow10(up).ok_or_else(overflow)?)
                    .ok_or_else(overflow)?
            }
            Some(extra) => {
                let divisor = pow10(extra).ok_or_else(overflow)?;
                let mantissa = amount.mantissa().unsigned_abs();
                if !mantissa.is_multiple_of(divisor) {
                    return Err(invalid(format!(
                        "it has digits below the minor unit of {currency} (scale {minor}); \
                         round it to the minor unit first"
                    )));
                }
                mantissa / divisor
            }
        };
        // The weights as whole numbers at their common scale.
        let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
        let whole = weights
            .iter()
            .map(|w| {
                pow10(scale - w.scale())
                    .and_then(|f| w.mantissa().unsigned_abs().checked_mul(f))
                    .ok_or_else(overflow)
            })
            .collect::<Result<Vec<u128>, _>>()?;
        let total = whole
            .iter()
            .try_fold(0u128, |sum, w| sum.checked_add(*w))
            .ok_or_else(overflow)?;
        if total == 0 {
            return Err(invalid(
                "every weight is zero; give at least one positive weight".to_owned(),
            ));
        }
        let mut parts = Vec::with_capacity(whole.len());
        let mut remainders = Vec::with_capacity(whole.len());
        let mut given = 0u128;
        for (i, w) in whole.iter().enumerate() {
            let product = units.checked_mul(*w).ok_or_else(overflow)?;
            parts.push(product / total);
            remainders.push((product % total, i));
            given += product / total;
        }
        // Fewer than one unit per part is left: largest remainder first,
        // ties to the earliest index.
        let left = units - given;
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders
            .iter()
            .take(usize::try_from(left).unwrap_or(usize::MAX))
        {
            parts[*i] += 1;
        }
        let negative = amount.is_sign_negative();
        parts
            .into_iter()
            .map(|p| {
                let signed = i128::try_from(p).map_err(|_| overflow())?;
                let signed = if negative { -signed } else { signed };
                Decimal::try_from_i128_with_scale(signed, minor)
                    .map(|d| Money::new(d, currency))
                    .map_err(|_| overflow())
            })
            .collect()
    }
}

/// 10^n, when it fits.
fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}
