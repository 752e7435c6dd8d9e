use std::fmt;

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
/// currency), and the locale its `currency` and `time_zone`: a locale
/// without either is refused naming the missing field. Only `rounding` may
/// be left out: final amounts then round half-up.
///
/// ```
/// use billing_rules::policy::Locale;
/// use billing_rules::money::{Currency, RoundingMode};
/// use billing_rules::time::Zone;
///
/// let locale = Locale::default();
/// assert_eq!(locale.currency, Currency::CNY);
/// assert_eq!(locale.time_zone, Zone::BEIJING);
///
/// let berlin: Locale = serde_json::from_str(r#"{"currency": "EUR", "time_zone": "Europe/Berlin"}"#)?;
/// assert_eq!(berlin.rounding, RoundingMode::HalfUp);
/// let err = serde_json::from_str::<Locale>(r#"{"currency": "EUR"}"#).unwrap_err();
/// assert!(err.to_string().starts_with("`locale.time_zone` is missing"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "LocaleFields")]
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

/// A locale as written: every field may be left out, so the refusal can
/// name the missing one and say what to write (serde's own message only
/// names it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocaleFields {
    currency: Option<Currency>,
    time_zone: Option<Zone>,
    #[serde(default)]
    rounding: Option<RoundingMode>,
}

/// A locale field left out of a spec: a policy never guesses its currency
/// or the zone it counts days in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MissingLocaleField(&'static str);

impl fmt::Display for MissingLocaleField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let example = match self.0 {
            "currency" => r#""currency": "EUR" (an ISO 4217 code, or {"code": "XTS", "scale": 2})"#,
            _ => {
                r#""time_zone": "Europe/Berlin" (an IANA zone name, or a UTC offset such as "+08:00")"#
            }
        };
        write!(
            f,
            "`locale.{}` is missing: a policy never guesses it; write it out, e.g. {example}",
            self.0
        )
    }
}

impl TryFrom<LocaleFields> for Locale {
    type Error = MissingLocaleField;

    fn try_from(fields: LocaleFields) -> Result<Locale, MissingLocaleField> {
        Ok(Locale {
            currency: fields.currency.ok_or(MissingLocaleField("currency"))?,
            time_zone: fields.time_zone.ok_or(MissingLocaleField("time_zone"))?,
            rounding: fields.rounding.unwrap_or(RoundingMode::HalfUp),
        })
    }
}
