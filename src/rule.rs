//! Rule ids: one value for every rule of the catalogue (`shared/RULES.md`).
//!
//! Every refusal, quote step and policy error names the rule behind it, so a
//! service can show "R-PAY-03: 4 of 4 switches used" and an engineer can
//! `grep -r R-PAY-03` to find the rule's code, tests and docs.
//!
//! ```
//! use billing_rules::{RuleFamily, RuleId};
//!
//! assert_eq!(RuleId::Seat08.to_string(), "R-SEAT-08");
//! assert_eq!("R-PAY-03".parse::<RuleId>(), Ok(RuleId::Pay03));
//! assert_eq!(RuleId::Pay03.family(), RuleFamily::Pay);
//! assert_eq!(RuleId::Seat08.title(), "Upgrade credit (proration)");
//! assert_eq!(RuleId::ALL.len(), 49);
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The six families of rules, in catalogue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleFamily {
    /// Seat plans: per-seat pricing of an app sold by subscription.
    Seat,
    /// Trials, expiry and interception.
    Life,
    /// Per-use charges and resource packages.
    Use,
    /// Licences.
    Lic,
    /// Payment methods and switching.
    Pay,
    /// Refunds.
    Ref,
}

impl RuleFamily {
    /// Every family, in catalogue order.
    pub const ALL: [RuleFamily; 6] = [
        RuleFamily::Seat,
        RuleFamily::Life,
        RuleFamily::Use,
        RuleFamily::Lic,
        RuleFamily::Pay,
        RuleFamily::Ref,
    ];

    /// The family's heading in the catalogue.
    pub fn title(self) -> &'static str {
        match self {
            RuleFamily::Seat => "Seat plans: per-seat pricing of an app sold by subscription",
            RuleFamily::Life => "Trials, expiry and interception",
            RuleFamily::Use => "Per-use charges and resource packages",
            RuleFamily::Lic => "Licences",
            RuleFamily::Pay => "Payment methods and switching",
            RuleFamily::Ref => "Refunds",
        }
    }

    /// The rules of this family, in catalogue order.
    pub fn rules(self) -> impl Iterator<Item = RuleId> {
        RuleId::ALL.into_iter().filter(move |r| r.family() == self)
    }
}

macro_rules! rule_ids {
    ($($variant:ident => $family:ident, $id:literal, $title:literal;)+) => {
        /// A rule of the catalogue, displayed exactly as it is numbered there
        /// (`R-SEAT-01`). Serialized as that string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $id, "` ", $title, ".")]
                $variant,
            )+
        }

        impl RuleId {
            /// Every rule, in catalogue order.
            pub const ALL: [RuleId; rule_ids!(@count $($variant)+)] = [$(RuleId::$variant),+];

            /// The id as written in the catalogue, e.g. `"R-SEAT-01"`.
            pub const fn as_str(self) -> &'static str {
                match self { $(RuleId::$variant => $id,)+ }
            }

            /// The rule's short title in the catalogue.
            pub const fn title(self) -> &'static str {
                match self { $(RuleId::$variant => $title,)+ }
            }

            /// The family the rule belongs to.
            pub const fn family(self) -> RuleFamily {
                match self { $(RuleId::$variant => RuleFamily::$family,)+ }
            }
        }
    };
    (@count $($x:ident)+) => { 0 $(+ rule_ids!(@one $x))+ };
    (@one $x:ident) => { 1 };
}

rule_ids! {
    Seat01 => Seat, "R-SEAT-01", "Periods";
    Seat02 => Seat, "R-SEAT-02", "Unit price";
    Seat03 => Seat, "R-SEAT-03", "Tiers";
    Seat04 => Seat, "R-SEAT-04", "Price discount by duration";
    Seat05 => Seat, "R-SEAT-05", "Bonus days by duration";
    Seat06 => Seat, "R-SEAT-06", "Price cap";
    Seat07 => Seat, "R-SEAT-07", "Seat limits";
    Seat08 => Seat, "R-SEAT-08", "Upgrade credit (proration)";
    Seat09 => Seat, "R-SEAT-09", "Renewal / extension";
    Seat10 => Seat, "R-SEAT-10", "Payment channels";
    Life01 => Life, "R-LIFE-01", "Trial";
    Life02 => Life, "R-LIFE-02", "Extra trial";
    Life03 => Life, "R-LIFE-03", "Expiry notice";
    Life04 => Life, "R-LIFE-04", "Interception";
    Life05 => Life, "R-LIFE-05", "Reminder window";
    Life06 => Life, "R-LIFE-06", "Grace then suspension";
    Life07 => Life, "R-LIFE-07", "Auto-renewal";
    Life08 => Life, "R-LIFE-08", "Postpaid bills";
    Life09 => Life, "R-LIFE-09", "Arrears grace";
    Life10 => Life, "R-LIFE-10", "Isolation";
    Use01 => Use, "R-USE-01", "Per-call price";
    Use02 => Use, "R-USE-02", "Trial quota";
    Use03 => Use, "R-USE-03", "Exemptions";
    Use04 => Use, "R-USE-04", "Feature switch";
    Use05 => Use, "R-USE-05", "Packages";
    Use06 => Use, "R-USE-06", "Effective date";
    Use07 => Use, "R-USE-07", "Consumption order";
    Use08 => Use, "R-USE-08", "Planner";
    Use09 => Use, "R-USE-09", "Traffic and bandwidth";
    Use10 => Use, "R-USE-10", "Add-ons";
    Lic01 => Lic, "R-LIC-01", "Licence price";
    Lic02 => Lic, "R-LIC-02", "One app, one licence";
    Lic03 => Lic, "R-LIC-03", "Stacking";
    Lic04 => Lic, "R-LIC-04", "One owner";
    Lic05 => Lic, "R-LIC-05", "States";
    Lic06 => Lic, "R-LIC-06", "Bundled licence";
    Pay01 => Pay, "R-PAY-01", "Methods";
    Pay02 => Pay, "R-PAY-02", "First purchase";
    Pay03 => Pay, "R-PAY-03", "Switch count";
    Pay04 => Pay, "R-PAY-04", "Pay-as-you-go is final";
    Pay05 => Pay, "R-PAY-05", "Never prepaid";
    Pay06 => Pay, "R-PAY-06", "Invoice balance";
    Pay07 => Pay, "R-PAY-07", "Unsupported context";
    Pay08 => Pay, "R-PAY-08", "Isolation blocks switching";
    Pay09 => Pay, "R-PAY-09", "Where invoices come from";
    Ref01 => Ref, "R-REF-01", "App orders";
    Ref02 => Ref, "R-REF-02", "Latest first";
    Ref03 => Ref, "R-REF-03", "Licence refund";
    Ref04 => Ref, "R-REF-04", "Not refundable";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not the id of a rule in the catalogue. Serialized as the
/// text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("`{0}` is not a rule id; ids are written like R-SEAT-01 (see RuleId::ALL)")]
pub struct UnknownRuleId(pub String);

impl FromStr for RuleId {
    type Err = UnknownRuleId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRuleId(s.to_owned()))
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
