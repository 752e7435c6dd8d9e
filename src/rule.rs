//! [`RuleId`] and [`RuleFamily`]: the rule catalogue, re-exported at the
//! crate root. The catalogue itself is documented on [`RuleId`].

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

/// Defines [`RuleId`]. Each entry is the rule's documentation (doc comments),
/// then `Variant => Family, "R-FAMILY-NN", "Title";`. The variant's docs
/// start with a summary line made of the id and the title, so the title is
/// written once.
macro_rules! rule_ids {
    ($($(#[doc = $doc:expr])* $variant:ident => $family:ident, $id:literal, $title:literal;)+) => {
        /// A rule of the catalogue, displayed exactly as it is numbered
        /// (`R-SEAT-01`). Serialized as that string.
        ///
        /// Each variant documents its rule: what it says, the published
        /// figures and the crate's decisions.
        ///
        /// # The catalogue
        ///
        /// The 49 rules come from the billing terms five platforms publish: how an
        /// app store prices apps per seat, how a chat service renews its plans, how
        /// a live-streaming plugin is bought, how a verification component sells
        /// calls in packages, and how a cloud environment is paid for. Each variant
        /// restates its rule in the crate's words, with the figures the platform
        /// publishes. Where the published text leaves a choice open, a
        /// **Decision** paragraph says what the crate does. Every figure is a
        /// policy field; its published value is a constant of the policy (such as
        /// [`SeatPolicy::DISCOUNT_FLOOR`](crate::pricing::SeatPolicy::DISCOUNT_FLOOR)),
        /// composed into the [`presets`](crate::presets).
        ///
        /// Unless a policy says otherwise, amounts are in yuan (CNY, minor unit
        /// 0.01) and days are calendar days of the policy's zone (preset
        /// UTC+08:00).
        ///
        /// | ids | family ([`RuleFamily`]) | code |
        /// |---|---|---|
        /// | `R-SEAT-01..10` | Seat plans: per-seat pricing of an app sold by subscription | [`pricing`](crate::pricing) |
        /// | `R-LIFE-01..10` | Trials, expiry and interception | [`lifecycle`](crate::lifecycle) |
        /// | `R-USE-01..10` | Per-use charges and resource packages | [`usage`](crate::usage) |
        /// | `R-LIC-01..06` | Licences | [`lifecycle`](crate::lifecycle) |
        /// | `R-PAY-01..09` | Payment methods and switching | [`payment`](crate::payment) |
        /// | `R-REF-01..04` | Refunds | [`refund`](crate::refund) |
        ///
        /// # Reading an id
        ///
        /// An id is `R-`, the family's code (`SEAT`, `LIFE`, `USE`, `LIC`, `PAY`,
        /// `REF`) and a two-digit number within the family: `R-SEAT-08` is the
        /// eighth seat-plan rule, the variant [`RuleId::Seat08`]. "Spec field"
        /// names the field of a policy spec that carries a rule's figure.
        ///
        /// Every refusal, quote step and policy error names the rule behind it, so a
        /// service can show "R-PAY-03: 4 of 4 switches used". Code and docs cite the
        /// id and tests are named after it (`r_seat_06_...`), so `grep -ri R-SEAT-06`
        /// and `grep -ri r_seat_06` list everything that implements, tests or
        /// documents that rule.
        ///
        /// ```
        /// use billing_rules::{RuleFamily, RuleId};
        ///
        /// assert_eq!(RuleId::Seat08.to_string(), "R-SEAT-08");
        /// assert_eq!("R-PAY-03".parse::<RuleId>(), Ok(RuleId::Pay03));
        /// assert_eq!(RuleId::Pay03.family(), RuleFamily::Pay);
        /// assert_eq!(RuleId::Seat08.title(), "Upgrade credit (proration)");
        /// assert_eq!(RuleId::ALL.len(), 49);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $id, "` ", $title, ".")]
                #[doc = ""]
                $(#[doc = $doc])*
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
    // ------------------------------------------------------------ Seat plans

    /// A seat plan is priced per period: a year counts 365 days and a month
    /// 31. An order buys a whole number of periods and stays valid for the
    /// number of periods times the period's days, plus any bonus days
    /// ([`RuleId::Seat05`]). Spec field: `SeatPolicySpec::period`.
    Seat01 => Seat, "R-SEAT-01", "Periods";
    /// The "fixed unit price" rule: one period costs the number of seats
    /// times a single per-seat price. Spec field: `SeatPolicySpec::pricing`.
    Seat02 => Seat, "R-SEAT-02", "Unit price";
    /// The "tiered" rule: the seat count is split into ranges (the published
    /// example: 1-50, 51-200, 201 and up), each priced by a flat amount for
    /// the range or by a price per seat. Spec field: `SeatPolicySpec::pricing`.
    ///
    /// **Decision:** the app store's preset prices in *volume* mode: the
    /// range holding the order's seat count prices every seat of it. *Graduated* mode (each
    /// range prices only its own seats, and the parts are added) is offered
    /// too, and one tier may have both a flat and a per-seat part. Ranges
    /// with gaps or overlaps, out of order, or unbounded anywhere but last
    /// are refused when the policy is built.
    Seat03 => Seat, "R-SEAT-03", "Tiers";
    /// Optional: a factor on the list price, chosen by the duration bought
    /// (published example: 2 years cost 85% of list). The floor is 0.70: a
    /// policy offering more than 30% off is refused when it is built. A discount applies to exactly the duration it lists (one for 2
    /// years does not apply to 3). Spec fields: `SeatPolicySpec::discounts`,
    /// `SeatPolicySpec::discount_floor`.
    Seat04 => Seat, "R-SEAT-04", "Price discount by duration";
    /// Optional, instead of a discount: extra days of validity granted for the
    /// duration bought, at most 35% of the days bought. Spec fields:
    /// `SeatPolicySpec::bonuses`, `SeatPolicySpec::bonus_cap_percent`.
    ///
    /// **Decision:** a bonus written as a percentage grants the whole days
    /// below it (35% of 365 days is 127.75, granted as 127), so the cap
    /// always holds. "Instead of" is read per duration: one duration carries a
    /// discount or bonus days, never both, while different durations of a
    /// plan may use different offers.
    Seat05 => Seat, "R-SEAT-05", "Bonus days by duration";
    /// Optional: a ceiling on an order's total. It applies to the price after
    /// the discount ([`RuleId::Seat04`]): when that price is higher, the
    /// customer pays the ceiling. Spec field: `SeatPolicySpec::max_total`.
    Seat06 => Seat, "R-SEAT-06", "Price cap";
    /// Optional: the fewest and the most seats an order may have. An order
    /// outside that range is refused; it is never adjusted to fit. Spec
    /// fields: `SeatPolicySpec::min_seats`, `SeatPolicySpec::max_seats`.
    Seat07 => Seat, "R-SEAT-07", "Seat limits";
    /// Adding seats before the current purchase ends credits its unused part
    /// against the new order: amount paid x days remaining / days of validity
    /// (bonus days included). The platform's example: 1000 paid for 365 days
    /// with 100 days left credits at most 273.97. The credit is never more
    /// than the new order's price (nothing is owed back) nor than the amount
    /// paid.
    ///
    /// **Decision:** time counts in whole days, a started day counting as
    /// spent, and the credit is rounded toward zero to the minor unit, so it
    /// is never above the exact pro-rata amount. Both are policy choices
    /// (day or second granularity, rounding mode). Spec field:
    /// `SeatPolicySpec::upgrade`.
    Seat08 => Seat, "R-SEAT-08", "Upgrade credit (proration)";
    /// An extension starts where the current term ends. Its price is that of
    /// a fresh order of the same duration at today's seat count (so that
    /// duration's discount, bonus days and cap apply).
    ///
    /// **Decision:** a term that has already ended when it is extended is
    /// extended from that moment, so nobody pays for days already gone.
    Seat09 => Seat, "R-SEAT-09", "Renewal / extension";
    /// Mobile offers one payment channel, the wallet (WeChat Pay); desktop
    /// offers the wallet and a corporate bank transfer. Spec field:
    /// `SeatPolicySpec::channels`.
    Seat10 => Seat, "R-SEAT-10", "Payment channels";

    // ---------------------------------------------------------- Lifecycle

    /// A plan may offer a trial of a set length. Its clock starts when the
    /// customer's app is launched, not when the plan is configured. Spec field: `SubscriptionPolicySpec::trial_days`.
    Life01 => Life, "R-LIFE-01", "Trial";
    /// Optional: after the trial has run out, an administrator of the
    /// customer can grant one further trial of a configured length; only
    /// one. Spec field:
    /// `SubscriptionPolicySpec::extra_trial_days`.
    Life02 => Life, "R-LIFE-02", "Extra trial";
    /// A trial or a paid term gets a notice 7 days before it ends (due at
    /// the end minus 7 days of 24 h); when the whole term is shorter, the
    /// notice is due immediately.
    /// Spec field: `SubscriptionPolicySpec::notice`.
    Life03 => Life, "R-LIFE-03", "Expiry notice";
    /// Once a trial or a paid term is over, every access is refused with a
    /// displayable reason; a purchase or a renewal lifts the refusal
    /// immediately. An ended trial gets no grace
    /// ([`RuleId::Life06`]): it is intercepted at once.
    Life04 => Life, "R-LIFE-04", "Interception";
    /// The chat service's prepaid plans: reminders cover the last 7 days of a
    /// term (the expiry day being the seventh) plus the day following
    /// expiry.
    ///
    /// **Decision:** one reminder a local day in that window; the channels
    /// (published: SMS and email) and the recipient (published: the account
    /// creator) are data. The time of day is not published (presets: 10:00).
    /// Spec field: `SubscriptionPolicySpec::reminders`.
    Life05 => Life, "R-LIFE-05", "Reminder window";
    /// The chat service gives an expired app 24 hours to renew; after that
    /// it is suspended (no login, no advanced console features) until a plan
    /// is bought. States: Active, then Expired (the grace, still served),
    /// then Suspended. Spec fields:
    /// `SubscriptionPolicySpec::grace_hours`, `SubscriptionPolicySpec::lapse`.
    Life06 => Life, "R-LIFE-06", "Grace then suspension";
    /// With auto-renewal switched on, an expiring plan is extended by a month
    /// if the balance can pay for it; if not, it lapses the ordinary way
    /// ([`RuleId::Life06`]). Spec field:
    /// `SubscriptionPolicySpec::auto_renewal`.
    Life07 => Life, "R-LIFE-07", "Auto-renewal";
    /// Each pay-as-you-go month is billed on the 1st, 2nd or 3rd of the
    /// following month. An account that then owes money is reminded; if it
    /// still owes a day (24 h) after the bill, all its services stop until
    /// it tops up.
    /// Spec fields: `PostpaidPolicySpec::latest_bill_day`,
    /// `PostpaidPolicySpec::suspend_after_hours`.
    Life08 => Life, "R-LIFE-08", "Postpaid bills";
    /// The live plugin: after the balance reaches zero, the account has a day
    /// (24 h) to add funds. In time, service goes on untouched; too late,
    /// the service is paused and its recordings are unreadable until it
    /// resumes. Spec
    /// field: `PostpaidPolicySpec::suspend_after_hours`.
    Life09 => Life, "R-LIFE-09", "Arrears grace";
    /// A cloud environment whose prepaid term ended without renewal is
    /// isolated: some operations, switching the payment method among them
    /// ([`RuleId::Pay08`]), are refused until it is renewed. Spec field:
    /// `SubscriptionPolicySpec::lapse`.
    Life10 => Life, "R-LIFE-10", "Isolation";

    // ------------------------------------------------------------ Per use

    /// Only successful calls are charged: 0.03 for a quick verification, 0.04
    /// for a real-time verification. Spec field: `UsagePolicySpec::prices`.
    Use01 => Use, "R-USE-01", "Per-call price";
    /// Every app account has 1000 free calls for development, used up before
    /// any call is billed. Spec field: `UsagePolicySpec::trial_quota`.
    Use02 => Use, "R-USE-02", "Trial quota";
    /// Free for apps certified as government bodies or non-profits; free for
    /// public institutions only in the government-services or
    /// public-livelihood category; charged for everyone else. Spec field:
    /// `UsagePolicySpec::exemptions`.
    Use03 => Use, "R-USE-03", "Exemptions";
    /// A merchant can disable the billed feature: calls are then refused
    /// instead of made, and nothing is charged.
    Use04 => Use, "R-USE-04", "Feature switch";
    /// Calls are bought ahead in packages, each with a number of calls and a
    /// validity of 365, 180 or 90 days. The published 365-day prices: 1,000
    /// calls 30; 5,000 150; 10,000 300; 50,000 1,500; 100,000 3,000; 500,000
    /// 15,000; 1,000,000 28,000 (list 30,000); 5,000,000 140,000 (list
    /// 150,000); 10,000,000 270,000 (list 300,000). Smaller custom packages
    /// cost 0.03 a call (250 calls for 90 days: 7.50). Spec field:
    /// `UsagePolicySpec::catalogue`.
    Use05 => Use, "R-USE-05", "Packages";
    /// A package bought before billing begins takes effect when billing
    /// begins (published: 2023-08-26 00:00 at UTC+08:00), any other on
    /// payment; it expires its validity in days after taking effect. Spec
    /// field: `UsagePolicySpec::billing_start`.
    Use06 => Use, "R-USE-06", "Effective date";
    /// **Decision:** billed calls use up the trial quota, then the package in
    /// force with the earliest expiry (earliest purchase breaks ties). Once
    /// nothing covers a call, the policy either charges it per call
    /// ([`RuleId::Use01`]) or refuses it. Calls left in an expired package
    /// are forfeited. Spec field: `UsagePolicySpec::when_exhausted`.
    Use07 => Use, "R-USE-07", "Consumption order";
    /// Given how many calls are expected over some period, find the least
    /// expensive combination of packages, topped up with per-call overage
    /// where needed, and the saving compared with paying call by call. The crate plans one validity window: a horizon longer
    /// than the longest validity is refused (split the forecast).
    Use08 => Use, "R-USE-08", "Planner";
    /// Live playback traffic is postpaid and settled each day at graduated
    /// tier prices that depend on the region (mainland China; international
    /// with Hong Kong, Macao and Taiwan). The customer chooses billing by
    /// volume of traffic or by peak bandwidth, and can change the choice;
    /// units are decimal (1 TB = 1000 GB).
    /// No prices are published: the preset's are illustrative.
    ///
    /// **Decision:** a switch asked for on one day takes effect at the start
    /// of a later day (preset: the next), so each day is billed one way only.
    /// Spec field: `TrafficPolicySpec::switch_delay_days`.
    Use09 => Use, "R-USE-09", "Traffic and bandwidth";
    /// Metered extras, each with its own unit: transcoding in minutes per
    /// resolution, recording in concurrent channels at the monthly peak,
    /// snapshots and content moderation per item. No prices are published:
    /// the preset's are illustrative.
    Use10 => Use, "R-USE-10", "Add-ons";

    // ------------------------------------------------------------ Licences

    /// A licence for the live plugin is prepaid at 30,000 and lasts one year
    /// from the day it is bought. Spec fields:
    /// `LicencePolicySpec::price_per_term`, `LicencePolicySpec::term`.
    Lic01 => Lic, "R-LIC-01", "Licence price";
    /// A licence is tied to a single app id; every further app needs a
    /// licence of its own.
    Lic02 => Lic, "R-LIC-02", "One app, one licence";
    /// Another licence bought for an app id that has one adds a year after
    /// the current end date, not after today.
    Lic03 => Lic, "R-LIC-03", "Stacking";
    /// One app id is bound by one account only: a second account's binding
    /// is refused.
    Lic04 => Lic, "R-LIC-04", "One owner";
    /// The plugin's states are PendingPayment, Available and Expired;
    /// buying a licence is allowed in each.
    Lic05 => Lic, "R-LIC-05", "States";
    /// Buying at least 200 TB of traffic in one package entitles the buyer,
    /// upon request, to a year of licence free of charge. Spec fields: `LicencePolicySpec::bundled_min_traffic`,
    /// `LicencePolicySpec::bundled_terms`.
    Lic06 => Lic, "R-LIC-06", "Bundled licence";

    // ------------------------------------------------------------ Payment

    /// There are three ways to pay: prepaying from one's personal wallet
    /// (the default), prepaying from the cloud account, or paying as you go
    /// through the cloud account. Spec field:
    /// `PaymentPolicySpec::default_method`.
    Pay01 => Pay, "R-PAY-01", "Methods";
    /// The first prepaid order chooses the method, which then holds for the
    /// environment.
    Pay02 => Pay, "R-PAY-02", "First purchase";
    /// An account may switch method 4 times at most, over its whole life; a
    /// fifth switch is refused. Spec field: `PaymentPolicySpec::switch_limit`.
    Pay03 => Pay, "R-PAY-03", "Switch count";
    /// Once an account is on pay-as-you-go it cannot switch again, neither
    /// back to prepaid nor elsewhere.
    Pay04 => Pay, "R-PAY-04", "Pay-as-you-go is final";
    /// Without any prepaid purchase behind it, an account has nothing to
    /// switch from: it chooses a method when it first buys, or starts on
    /// pay-as-you-go straight away.
    Pay05 => Pay, "R-PAY-05", "Never prepaid";
    /// Switching gives back the unspent prepaid money. If the sum that may
    /// still be invoiced falls short of that refund (invoices already exceed
    /// what remains), switching is refused until the shortfall is gone or
    /// an invoice is handed back.
    Pay06 => Pay, "R-PAY-06", "Invoice balance";
    /// Switching is refused whenever the payment context in force cannot
    /// carry it out.
    ///
    /// **Decision:** a switch to the method already in use is refused under
    /// this rule: it changes nothing and would spend one of the limited
    /// switches ([`RuleId::Pay03`]).
    Pay07 => Pay, "R-PAY-07", "Unsupported context";
    /// While an environment is isolated ([`RuleId::Life10`]) it has to be
    /// renewed before it may switch method.
    Pay08 => Pay, "R-PAY-08", "Isolation blocks switching";
    /// Invoices for wallet-paid orders are requested in the environment's
    /// console; invoices for orders the cloud account paid, in that
    /// account's billing centre. Spec field: `PaymentPolicySpec::invoice_routing`.
    Pay09 => Pay, "R-PAY-09", "Where invoices come from";

    // ------------------------------------------------------------ Refunds

    /// An app order that has not been invoiced is refundable for 10 days
    /// after payment. Spec field: `AppRefundPolicySpec::window_days`.
    ///
    /// **Decision:** every window of N days in the catalogue runs from the
    /// instant that opens it, end included: `now` qualifies while
    /// `now <= opened + N days of 24 h`.
    Ref01 => Ref, "R-REF-01", "App orders";
    /// An app's refunds go backwards from its latest order: only the latest
    /// order not yet refunded may be refunded.
    ///
    /// **Decision:** of orders paid at the same instant, the one recorded
    /// later counts as the later one.
    Ref02 => Ref, "R-REF-02", "Latest first";
    /// A plugin licence is refundable without a reason for 14 days after the
    /// account's first licence purchase, if playback traffic in those 14 days
    /// is 20 GB or less (exactly 20 GB qualifies). With several licences,
    /// both the window and the traffic count from the first purchase. Spec
    /// fields: `LicenceRefundPolicySpec::window_days`,
    /// `LicenceRefundPolicySpec::traffic_limit`.
    Ref03 => Ref, "R-REF-03", "Licence refund";
    /// No refund is ever made of traffic fees, nor to an account banned over
    /// its content; a refund marked abnormal can be turned down (spec field:
    /// `refuse_abnormal` of the refund policy specs).
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

#[cfg(test)]
mod tests {
    use super::RuleFamily;

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(RuleFamily: Seat, Life, Use, Lic, Pay, Ref);
    }
}
