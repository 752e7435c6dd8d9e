//! Per-call pricing: the billed components and their prices (R-USE-01),
//! the calls of a batch, exemptions (R-USE-03) and the merchant's feature
//! switch (R-USE-04). See [per-call charges](super#per-call-charges).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, PolicyError, Reason};
use crate::money::{Currency, Money};
use crate::policy::check;
use crate::rule::RuleId;

/// A billed component (R-USE-01): the feature a call is made to.
///
/// Serialized as `"quick_verification"` or `"real_time_verification"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Component {
    /// Quick verification (published: 0.03 a successful call).
    QuickVerification,
    /// Real-time verification (published: 0.04 a successful call).
    RealTimeVerification,
}

impl Component {
    /// Every component, in catalogue order.
    pub const ALL: [Component; 2] = [
        Component::QuickVerification,
        Component::RealTimeVerification,
    ];

    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Component::QuickVerification => "quick_verification",
            Component::RealTimeVerification => "real_time_verification",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A component's price per successful call, as written in a spec (R-USE-01).
///
/// # JSON
///
/// ```json
/// {"component": "real_time_verification", "price": "0.04"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentPriceSpec {
    /// The component.
    pub component: Component,
    /// The price of one successful call, in the policy's currency; kept
    /// exactly (a price of 0.035 is allowed; the bill rounds once).
    #[serde(with = "crate::decimal_serde::strict")]
    pub price: Decimal,
}

impl ComponentPriceSpec {
    /// R-USE-01: the verification component's published prices, 0.03 a
    /// successful quick verification and 0.04 a successful real-time one.
    // 3 and 4 at scale 2, written `0.03` and `0.04` as published.
    pub const VERIFICATION: [ComponentPriceSpec; 2] = [
        ComponentPriceSpec {
            component: Component::QuickVerification,
            price: Decimal::from_parts(3, 0, 0, false, 2),
        },
        ComponentPriceSpec {
            component: Component::RealTimeVerification,
            price: Decimal::from_parts(4, 0, 0, false, 2),
        },
    ];
}

/// The validated per-call price list: at most one price per component.
///
/// Built from a [`StandalonePriceListSpec`] (its currency and prices) with
/// `PriceList::try_from`, which refuses a negative price or a component
/// priced twice; serialized as that spec, and validated again when
/// deserialized:
///
/// ```
/// use billing_rules::usage::PriceList;
///
/// let policy = billing_rules::presets::verification_usage()?;
/// let json = serde_json::to_string(policy.prices()).unwrap();
/// assert_eq!(
///     json,
///     r#"{"currency":"CNY","prices":[{"component":"quick_verification","price":"0.03"},{"component":"real_time_verification","price":"0.04"}]}"#
/// );
/// assert_eq!(&serde_json::from_str::<PriceList>(&json).unwrap(), policy.prices());
/// // A negative price is refused on the way in, as when a policy is built.
/// let bad = r#"{"currency":"CNY","prices":[{"component":"quick_verification","price":"-1"}]}"#;
/// assert!(serde_json::from_str::<PriceList>(bad).is_err());
/// # Ok::<(), billing_rules::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StandalonePriceListSpec", into = "StandalonePriceListSpec")]
pub struct PriceList {
    currency: Currency,
    prices: Vec<(Component, Money)>,
}

/// A price list standing alone, outside a policy: the per-call prices a
/// [`UsagePolicySpec`](super::UsagePolicySpec) holds, with the currency the
/// policy would otherwise give. A [`PriceList`] is built from it with
/// `PriceList::try_from` and (de)serializes as it.
///
/// # JSON
///
/// ```json
/// {"currency": "CNY", "prices": [{"component": "quick_verification", "price": "0.03"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandalonePriceListSpec {
    /// The currency of the prices (when left out, the preset's).
    #[serde(default)]
    pub currency: Currency,
    /// The price of a successful call, per component (R-USE-01).
    pub prices: Vec<ComponentPriceSpec>,
}

impl TryFrom<StandalonePriceListSpec> for PriceList {
    type Error = PolicyError;

    /// Validates the prices with amounts in the spec's currency: prices are
    /// not negative and no component is priced twice (R-USE-01).
    fn try_from(spec: StandalonePriceListSpec) -> Result<Self, PolicyError> {
        let StandalonePriceListSpec {
            currency,
            prices: specs,
        } = spec;
        let mut prices: Vec<(Component, Money)> = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let field = format!("prices[{i}].price");
            let price = check::amount(&field, spec.price, currency)
                .map_err(|e| e.with_rule(RuleId::Use01))?;
            if prices.iter().any(|(c, _)| *c == spec.component) {
                return Err(PolicyError::new(
                    format!("prices[{i}].component"),
                    format!("{} is priced twice", spec.component),
                    "one price per component",
                )
                .with_rule(RuleId::Use01));
            }
            prices.push((spec.component, price));
        }
        Ok(PriceList { currency, prices })
    }
}

spec_from!(PriceList => StandalonePriceListSpec);

impl PriceList {
    /// The price of one successful call to `component`, or `None` when the
    /// policy does not sell it.
    pub fn price(&self, component: Component) -> Option<Money> {
        self.prices
            .iter()
            .find(|(c, _)| *c == component)
            .map(|(_, p)| *p)
    }

    /// The price of `component`, or a refusal naming R-USE-01 when the
    /// policy does not price it.
    pub fn require(&self, component: Component) -> Result<Money, Error> {
        self.price(component).ok_or_else(|| {
            let priced: Vec<&str> = self.prices.iter().map(|(c, _)| c.name()).collect();
            Reason::new(
                RuleId::Use01,
                format!(
                    "{component} has no per-call price in this policy; it prices: {}",
                    if priced.is_empty() {
                        "nothing".to_owned()
                    } else {
                        priced.join(", ")
                    }
                ),
            )
            .with(Figure::text("component", component.name()))
            .into()
        })
    }

    /// Every (component, price) pair, in the spec's order.
    pub fn iter(&self) -> impl Iterator<Item = (Component, Money)> + '_ {
        self.prices.iter().copied()
    }

    /// The spec this list was built from, with its currency.
    pub fn to_spec(&self) -> StandalonePriceListSpec {
        StandalonePriceListSpec {
            currency: self.currency,
            prices: self
                .prices
                .iter()
                .map(|(component, price)| ComponentPriceSpec {
                    component: *component,
                    price: price.amount(),
                })
                .collect(),
        }
    }
}

/// The calls of one batch, by outcome. Only successful calls are billed
/// (R-USE-01); failed calls are recorded and never drawn or charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CallCounts {
    /// Calls that succeeded: the billable ones.
    pub succeeded: u64,
    /// Calls that failed: never billed.
    pub failed: u64,
}

impl CallCounts {
    /// `n` successful calls.
    pub const fn succeeded(n: u64) -> CallCounts {
        CallCounts {
            succeeded: n,
            failed: 0,
        }
    }

    /// The calls that are billed: the successful ones (R-USE-01).
    pub const fn billable(&self) -> u64 {
        self.succeeded
    }
}

/// The organisation type an app account is certified as (R-USE-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Organisation {
    /// A company (the default: pays).
    #[default]
    Enterprise,
    /// A private person.
    Individual,
    /// A government body (published: exempt).
    Government,
    /// A non-profit organisation (published: exempt).
    NonProfit,
    /// A public institution (published: exempt in some categories).
    PublicInstitution,
    /// Any other certification.
    Other,
}

impl Organisation {
    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Organisation::Enterprise => "enterprise",
            Organisation::Individual => "individual",
            Organisation::Government => "government",
            Organisation::NonProfit => "non_profit",
            Organisation::PublicInstitution => "public_institution",
            Organisation::Other => "other",
        }
    }
}

/// The service category an app is registered in (R-USE-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Category {
    /// Government services.
    GovernmentServices,
    /// Public livelihood (utilities, health, education).
    PublicLivelihood,
    /// Any other category (the default).
    #[default]
    Other,
}

impl Category {
    /// The snake_case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Category::GovernmentServices => "government_services",
            Category::PublicLivelihood => "public_livelihood",
            Category::Other => "other",
        }
    }
}

/// What an app account is certified as and registered under: the facts
/// exemptions are decided on (R-USE-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AccountProfile {
    /// The certified organisation type.
    pub organisation: Organisation,
    /// The app's service category.
    pub category: Category,
}

impl AccountProfile {
    /// A profile.
    pub const fn new(organisation: Organisation, category: Category) -> AccountProfile {
        AccountProfile {
            organisation,
            category,
        }
    }
}

/// Organisations exempt only in some categories, as written in a spec.
///
/// # JSON
///
/// ```json
/// {"organisation": "public_institution", "categories": ["government_services", "public_livelihood"]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryExemptionSpec {
    /// The organisation type.
    pub organisation: Organisation,
    /// The categories in which it pays nothing.
    pub categories: Vec<Category>,
}

/// Who pays nothing (R-USE-03), as written in a spec.
///
/// The preset: government and non-profit organisations always; public
/// institutions in government services or public livelihood.
///
/// # JSON
///
/// The preset; both fields may be left out (nobody is exempt).
///
/// ```json
/// {"organisations": ["government", "non_profit"], "by_category": [{"organisation": "public_institution", "categories": ["government_services", "public_livelihood"]}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptionsSpec {
    /// Organisation types that never pay.
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    /// Organisation types that pay nothing in the listed categories.
    #[serde(default)]
    pub by_category: Vec<CategoryExemptionSpec>,
}

impl ExemptionsSpec {
    /// R-USE-03: the organisation types published as never paying,
    /// government and non-profit organisations.
    pub const ORGANISATIONS: [Organisation; 2] =
        [Organisation::Government, Organisation::NonProfit];

    /// R-USE-03: the categories in which a public institution pays nothing,
    /// government services and public livelihood.
    pub const PUBLIC_INSTITUTION_CATEGORIES: [Category; 2] =
        [Category::GovernmentServices, Category::PublicLivelihood];
}

/// Why an account pays nothing (R-USE-03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Exemption {
    /// The organisation type is exempt in every category.
    Organisation {
        /// The exempt organisation type.
        organisation: Organisation,
    },
    /// The organisation type is exempt in this category.
    Category {
        /// The organisation type.
        organisation: Organisation,
        /// The exempting category.
        category: Category,
    },
}

/// The validated exemption rules (R-USE-03).
///
/// Serialized as its [`ExemptionsSpec`], and validated again when
/// deserialized:
///
/// ```
/// use billing_rules::usage::Exemptions;
///
/// let json = r#"{"organisations":["government","non_profit"],"by_category":[]}"#;
/// let exemptions: Exemptions = serde_json::from_str(json).unwrap();
/// assert_eq!(serde_json::to_string(&exemptions).unwrap(), json);
/// // An organisation listed twice is refused, as when a policy is built.
/// let twice = r#"{"organisations":["government","government"]}"#;
/// assert!(serde_json::from_str::<Exemptions>(twice).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "ExemptionsSpec", into = "ExemptionsSpec")]
pub struct Exemptions {
    spec: ExemptionsSpec,
}

impl TryFrom<ExemptionsSpec> for Exemptions {
    type Error = PolicyError;

    /// Validates `spec` (R-USE-03): no organisation listed twice, none both
    /// always exempt and exempt by category (that would be ambiguous to
    /// read), and every exemption by category names at least one category.
    fn try_from(spec: ExemptionsSpec) -> Result<Self, PolicyError> {
        let rule = |e: PolicyError| e.with_rule(RuleId::Use03);
        for (i, org) in spec.organisations.iter().enumerate() {
            if spec.organisations[..i].contains(org) {
                return Err(rule(PolicyError::new(
                    format!("exemptions.organisations[{i}]"),
                    format!("{} is listed twice", org.name()),
                    "each organisation type once",
                )));
            }
        }
        for (i, by) in spec.by_category.iter().enumerate() {
            let listed_before = spec.by_category[..i]
                .iter()
                .any(|b| b.organisation == by.organisation);
            if listed_before || spec.organisations.contains(&by.organisation) {
                return Err(rule(PolicyError::new(
                    format!("exemptions.by_category[{i}].organisation"),
                    format!("{} is already listed", by.organisation.name()),
                    "each organisation type once, either always exempt or exempt by category",
                )));
            }
            if by.categories.is_empty() {
                return Err(rule(PolicyError::new(
                    format!("exemptions.by_category[{i}].categories"),
                    "no category is given",
                    "at least one category",
                )));
            }
        }
        Ok(Exemptions { spec })
    }
}

spec_from!(Exemptions => ExemptionsSpec);

impl Exemptions {
    /// Why `profile` pays nothing, or `None` when it pays (R-USE-03).
    pub fn check(&self, profile: &AccountProfile) -> Option<Exemption> {
        if self.spec.organisations.contains(&profile.organisation) {
            return Some(Exemption::Organisation {
                organisation: profile.organisation,
            });
        }
        self.spec
            .by_category
            .iter()
            .find(|b| {
                b.organisation == profile.organisation && b.categories.contains(&profile.category)
            })
            .map(|_| Exemption::Category {
                organisation: profile.organisation,
                category: profile.category,
            })
    }

    /// The spec this was built from.
    pub fn to_spec(&self) -> ExemptionsSpec {
        self.spec.clone()
    }
}

/// The merchant's switch for a billed feature (R-USE-04). On by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSwitch {
    /// Calls are made and billed.
    #[default]
    On,
    /// No call is made and nothing is billed.
    Off,
}

impl FeatureSwitch {
    /// Refuses `calls` calls when the feature is switched off (R-USE-04):
    /// the calls must not be made, and nothing is drawn or billed.
    ///
    /// The refusal carries the figure `calls` (the calls that were not
    /// made).
    ///
    /// ```
    /// use billing_rules::usage::FeatureSwitch;
    /// use billing_rules::RuleId;
    ///
    /// let refused = FeatureSwitch::Off.authorize(3).unwrap_err();
    /// assert_eq!(refused.refusal().map(|r| r.rule()), Some(RuleId::Use04));
    /// assert!(FeatureSwitch::On.authorize(3).is_ok());
    /// ```
    pub fn authorize(self, calls: u64) -> Result<(), Error> {
        match self {
            FeatureSwitch::On => Ok(()),
            FeatureSwitch::Off => Err(Reason::new(
                RuleId::Use04,
                format!(
                    "the merchant has switched the feature off: {calls} calls are not made and \
                     nothing is billed; switch it on to make calls"
                ),
            )
            .with(Figure::count("calls", calls))
            .with(Figure::text("feature_switch", "off"))
            .into()),
        }
    }
}
