use serde::{Deserialize, Serialize};

use crate::money::{Currency, RoundingMode};
use crate::time::Zone;

/// The currency, calendar and final rounding a policy works in.
///
/// Every policy embeds one. The preset ([`Locale::default`]) is yuan, days
/// counted in UTC+08:00, and final amounts rounded half-up to the fen.
///
/// Serialized as `{"currency": "CNY", "time_zone": "+08:00", "rounding": "half_up"}`
/// or, in Berlin in euros, `{"currency": "EUR", "time_zone": "Europe/Berlin",
/// "rounding": "half_up"}`. Every policy spec's JSON must carry its
/// `locale` (a spec without one is refused: a policy never guesses its
/// currency); inside it, a field left out takes its preset value.
///
/// ```
/// use billing_rules::policy::Locale;
/// use billing_rules::money::Currency;
/// use billing_rules::time::Zone;
///
/// let locale = Locale::default();
/// assert_eq!(locale.currency, Currency::CNY);
/// assert_eq!(locale.time_zone, Zone::BEIJING);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Locale {
    /// The currency of every amount in the policy.
    pub currency: Currency,
    /// The zone calendar days are counted in.
    pub time_zone: Zone,
    /// How a final amount is rounded to the minor unit where no rule says
    /// otherwise.
    pub rounding: RoundingMode,
}

impl Default for Locale {
    fn default() -> Self {
        Locale {
            currency: Currency::CNY,
            time_zone: Zone::BEIJING,
            rounding: RoundingMode::HalfUp,
        }
    }
}
