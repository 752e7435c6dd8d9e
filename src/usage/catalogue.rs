//! The package catalogue (R-USE-05): calls bought in packages, each with a
//! size, a price, an optional list price and a validity. See
//! [packages](super#packages).

use std::collections::HashSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, PolicyError, Reason};
use crate::money::{Currency, Money};
use crate::policy::check;
use crate::rule::RuleId;
use crate::time::Days;

/// One listed package, as written in a spec.
///
/// # JSON
///
/// The published 1,000,000-call package; `list_price` may be left out.
///
/// ```json
/// {"calls": 1000000, "price": "28000", "list_price": "30000", "validity_days": 365}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// Calls in the package (at least 1).
    pub calls: u64,
    /// The price, in the policy's currency.
    #[serde(with = "crate::decimal_serde::strict")]
    pub price: Decimal,
    /// The list price shown struck through, when there is one (at least the
    /// price).
    #[serde(default)]
    #[serde(with = "crate::decimal_serde::strict_option")]
    pub list_price: Option<Decimal>,
    /// Days the package is valid once it takes effect (R-USE-06); one of the
    /// catalogue's validities.
    pub validity_days: u32,
}

/// Custom packages, as written in a spec: any size, priced per call.
///
/// # JSON
///
/// ```json
/// {"unit_price": "0.03"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomPackagesSpec {
    /// The price of one call in a custom package.
    #[serde(with = "crate::decimal_serde::strict")]
    pub unit_price: Decimal,
}

/// A package catalogue as written in a spec (R-USE-05).
///
/// # JSON
///
/// `custom` may be left out (no custom packages).
///
/// ```json
/// {"validities": [365, 180, 90], "packages": [{"calls": 1000, "price": "30", "validity_days": 365}], "custom": {"unit_price": "0.03"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSpec {
    /// The validities packages may have, in days (preset: 365, 180, 90).
    pub validities: Vec<u32>,
    /// The listed packages.
    pub packages: Vec<PackageSpec>,
    /// Custom packages, when the catalogue sells them.
    #[serde(default)]
    pub custom: Option<CustomPackagesSpec>,
}

impl CatalogueSpec {
    /// R-USE-05: the validities packages are published with, in days.
    pub const VALIDITIES: [u32; 3] = [365, 180, 90];

    /// R-USE-05: the published 365-day packages, smallest first; the three
    /// largest with a list price above their price.
    pub const PACKAGES_365: [PackageSpec; 9] = [
        package_365(1_000, 30, None),
        package_365(5_000, 150, None),
        package_365(10_000, 300, None),
        package_365(50_000, 1_500, None),
        package_365(100_000, 3_000, None),
        package_365(500_000, 15_000, None),
        package_365(1_000_000, 28_000, Some(30_000)),
        package_365(5_000_000, 140_000, Some(150_000)),
        package_365(10_000_000, 270_000, Some(300_000)),
    ];
}

/// A 365-day package of `calls` at a whole `price` (and list price).
const fn package_365(calls: u64, price: u32, list_price: Option<u32>) -> PackageSpec {
    PackageSpec {
        calls,
        price: Decimal::from_parts(price, 0, 0, false, 0),
        list_price: match list_price {
            Some(list) => Some(Decimal::from_parts(list, 0, 0, false, 0)),
            None => None,
        },
        validity_days: 365,
    }
}

impl CustomPackagesSpec {
    /// R-USE-05: custom packages of the verification component at 0.03 a
    /// call (published: 250 calls for 90 days cost 7.50).
    // 3 at scale 2, written `0.03`.
    pub const VERIFICATION: CustomPackagesSpec = CustomPackagesSpec {
        unit_price: Decimal::from_parts(3, 0, 0, false, 2),
    };
}

/// A validated listed package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Calls in the package.
    pub calls: u64,
    /// The price.
    pub price: Money,
    /// The list price, when there is one.
    pub list_price: Option<Money>,
    /// Days the package is valid once it takes effect.
    pub validity: Days,
}

/// A validated package catalogue (R-USE-05), as part of a
/// [`UsagePolicy`](super::UsagePolicy). Built from a
/// [`StandaloneCatalogueSpec`] (a [`CatalogueSpec`] with its currency) with
/// `Catalogue::try_from`; serialized as that spec, and validated again when
/// deserialized:
///
/// ```
/// use billing_rules::usage::Catalogue;
///
/// let json = r#"{"currency":"CNY","validities":[90],"packages":[{"calls":250,"price":"7.50","list_price":null,"validity_days":90}],"custom":null}"#;
/// let catalogue: Catalogue = serde_json::from_str(json).unwrap();
/// assert_eq!(catalogue.packages()[0].price.to_string(), "CNY 7.50");
/// assert_eq!(serde_json::to_string(&catalogue).unwrap(), json);
/// // A validity the catalogue does not allow is refused on the way in.
/// let bad = json.replace(r#""validity_days":90"#, r#""validity_days":30"#);
/// assert!(serde_json::from_str::<Catalogue>(&bad).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StandaloneCatalogueSpec", into = "StandaloneCatalogueSpec")]
pub struct Catalogue {
    currency: Currency,
    validities: Vec<Days>,
    packages: Vec<Package>,
    custom_unit_price: Option<Money>,
}

impl CatalogueSpec {
    /// This catalogue standing alone, its amounts in `currency`: ready for
    /// `Catalogue::try_from`.
    pub fn in_currency(self, currency: Currency) -> StandaloneCatalogueSpec {
        StandaloneCatalogueSpec {
            currency,
            validities: self.validities,
            packages: self.packages,
            custom: self.custom,
        }
    }
}

/// A package catalogue standing alone, outside a policy: a
/// [`CatalogueSpec`] with the currency its policy would otherwise give. A
/// [`Catalogue`] is built from it with `Catalogue::try_from` and
/// (de)serializes as it.
///
/// # JSON
///
/// ```json
/// {"currency": "CNY", "validities": [90], "packages": [{"calls": 250, "price": "7.50", "validity_days": 90}], "custom": null}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandaloneCatalogueSpec {
    /// The currency of the prices (when left out, the preset's).
    #[serde(default)]
    pub currency: Currency,
    /// The validities packages may have, in days.
    pub validities: Vec<u32>,
    /// The listed packages.
    pub packages: Vec<PackageSpec>,
    /// Custom packages, when the catalogue sells them.
    #[serde(default)]
    pub custom: Option<CustomPackagesSpec>,
}

impl From<StandaloneCatalogueSpec> for CatalogueSpec {
    /// The validities and packages, as a policy's spec holds them (the
    /// policy gives the currency).
    fn from(spec: StandaloneCatalogueSpec) -> CatalogueSpec {
        CatalogueSpec {
            validities: spec.validities,
            packages: spec.packages,
            custom: spec.custom,
        }
    }
}

/// What a customer orders.
///
/// Serialized as `{"kind": "listed", "calls": 1000000, "validity_days": 365}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PackageOrder {
    /// A package listed in the catalogue.
    Listed {
        /// Its size.
        calls: u64,
        /// Its validity in days.
        validity_days: u32,
    },
    /// A custom package, priced per call.
    Custom {
        /// Its size.
        calls: u64,
        /// Its validity in days: one the catalogue allows.
        validity_days: u32,
    },
}

impl PackageOrder {
    /// A listed package of `calls` valid `validity_days`.
    pub const fn listed(calls: u64, validity_days: u32) -> PackageOrder {
        PackageOrder::Listed {
            calls,
            validity_days,
        }
    }

    /// A custom package of `calls` valid `validity_days`.
    pub const fn custom(calls: u64, validity_days: u32) -> PackageOrder {
        PackageOrder::Custom {
            calls,
            validity_days,
        }
    }
}

/// The price of a [`PackageOrder`].
///
/// # JSON
///
/// The published custom order, 250 calls for 90 days:
///
/// ```json
/// {
///   "order": {"kind": "custom", "calls": 250, "validity_days": 90},
///   "calls": 250,
///   "validity": 90,
///   "price": {"amount": "7.50", "currency": "CNY"},
///   "list_price": null
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageQuote {
    /// What was ordered.
    pub order: PackageOrder,
    /// Calls in the package.
    pub calls: u64,
    /// Days the package is valid once it takes effect.
    pub validity: Days,
    /// The price to pay.
    pub price: Money,
    /// The listed package's list price, when it has one.
    pub list_price: Option<Money>,
}

impl TryFrom<StandaloneCatalogueSpec> for Catalogue {
    type Error = PolicyError;

    /// Validates the catalogue with amounts in the spec's currency.
    ///
    /// Checks (each error names R-USE-05 and the field): at least one
    /// validity, each at least one day and listed once; every package has at
    /// least one call, a non-negative price, a list price not below its
    /// price, a validity the catalogue allows, and no two packages share a
    /// size and validity.
    fn try_from(spec: StandaloneCatalogueSpec) -> Result<Catalogue, PolicyError> {
        let currency = spec.currency;
        let rule = |e: PolicyError| e.with_rule(RuleId::Use05);
        if spec.validities.is_empty() {
            return Err(rule(PolicyError::new(
                "catalogue.validities",
                "no validity is given",
                "at least one validity in days (the preset allows 365, 180 and 90)",
            )));
        }
        // Hash sets keep the checks linear: a catalogue of 10^6 packages
        // builds in well under a second.
        let mut validities: HashSet<u32> = HashSet::with_capacity(spec.validities.len());
        for (i, &days) in spec.validities.iter().enumerate() {
            if days == 0 || !validities.insert(days) {
                return Err(rule(PolicyError::new(
                    format!("catalogue.validities[{i}]"),
                    format!("{days} is zero or listed twice"),
                    "distinct validities of at least one day",
                )));
            }
        }
        let mut packages: Vec<Package> = Vec::with_capacity(spec.packages.len());
        let mut listed: HashSet<(u64, u32)> = HashSet::with_capacity(spec.packages.len());
        for (i, p) in spec.packages.iter().enumerate() {
            let field = |name: &str| format!("catalogue.packages[{i}].{name}");
            if p.calls == 0 {
                return Err(rule(PolicyError::new(
                    field("calls"),
                    "a package of 0 calls",
                    "at least one call",
                )));
            }
            let price = check::amount(&field("price"), p.price, currency).map_err(rule)?;
            let list_price = match p.list_price {
                None => None,
                Some(list) => {
                    check::ordered(&field("price"), p.price, &field("list_price"), list)
                        .map_err(rule)?;
                    Some(Money::new(list, currency))
                }
            };
            if !validities.contains(&p.validity_days) {
                return Err(rule(PolicyError::new(
                    field("validity_days"),
                    format!(
                        "{} days is not a validity of this catalogue",
                        p.validity_days
                    ),
                    format!("one of {:?}", spec.validities),
                )));
            }
            let validity = Days(p.validity_days);
            if !listed.insert((p.calls, p.validity_days)) {
                return Err(rule(PolicyError::new(
                    field("calls"),
                    format!(
                        "a package of {} calls valid {validity} is listed twice",
                        p.calls
                    ),
                    "one package per size and validity",
                )));
            }
            packages.push(Package {
                calls: p.calls,
                price,
                list_price,
                validity,
            });
        }
        let custom_unit_price = match &spec.custom {
            None => None,
            Some(c) => Some(
                check::amount("catalogue.custom.unit_price", c.unit_price, currency)
                    .map_err(rule)?,
            ),
        };
        Ok(Catalogue {
            currency,
            validities: spec.validities.iter().map(|&d| Days(d)).collect(),
            packages,
            custom_unit_price,
        })
    }
}

spec_from!(Catalogue => StandaloneCatalogueSpec);

impl Catalogue {
    /// The spec this was built from, with its currency.
    pub fn to_spec(&self) -> StandaloneCatalogueSpec {
        StandaloneCatalogueSpec {
            currency: self.currency,
            validities: self.validities.iter().map(|d| d.0).collect(),
            packages: self
                .packages
                .iter()
                .map(|p| PackageSpec {
                    calls: p.calls,
                    price: p.price.amount(),
                    list_price: p.list_price.map(|l| l.amount()),
                    validity_days: p.validity.0,
                })
                .collect(),
            custom: self.custom_unit_price.map(|u| CustomPackagesSpec {
                unit_price: u.amount(),
            }),
        }
    }

    /// The listed packages, in the spec's order.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// The validities packages may have.
    pub fn validities(&self) -> &[Days] {
        &self.validities
    }

    /// The per-call price of custom packages, when they are sold.
    pub fn custom_unit_price(&self) -> Option<Money> {
        self.custom_unit_price
    }

    /// The price of `order` (R-USE-05), or a refusal naming R-USE-05 when
    /// the catalogue does not sell it.
    pub fn quote(&self, order: &PackageOrder) -> Result<PackageQuote, Error> {
        match *order {
            PackageOrder::Listed {
                calls,
                validity_days,
            } => {
                let validity = Days(validity_days);
                let found = self
                    .packages
                    .iter()
                    .find(|p| p.calls == calls && p.validity == validity);
                match found {
                    Some(p) => Ok(PackageQuote {
                        order: *order,
                        calls,
                        validity,
                        price: p.price,
                        list_price: p.list_price,
                    }),
                    None => Err(self.not_listed(calls, validity)),
                }
            }
            PackageOrder::Custom {
                calls,
                validity_days,
            } => {
                let unit_price = self.custom_unit_price.ok_or_else(|| {
                    Error::from(
                        Reason::new(
                            RuleId::Use05,
                            "this catalogue sells no custom packages; order a listed package",
                        )
                        .with(Figure::count("calls", calls)),
                    )
                })?;
                if calls == 0 {
                    return Err(Reason::new(
                        RuleId::Use05,
                        "a custom package of 0 calls; order at least one call",
                    )
                    .with(Figure::count("calls", 0))
                    .into());
                }
                let validity = Days(validity_days);
                if !self.validities.contains(&validity) {
                    return Err(Reason::new(
                        RuleId::Use05,
                        format!(
                            "a validity of {validity} is not offered; choose one of {}",
                            self.validities_text()
                        ),
                    )
                    .with(Figure::count("validity_days", u64::from(validity_days)))
                    .into());
                }
                let price = unit_price.checked_mul(Decimal::from(calls))?;
                Ok(PackageQuote {
                    order: *order,
                    calls,
                    validity,
                    price,
                    list_price: None,
                })
            }
        }
    }

    fn validities_text(&self) -> String {
        format!(
            "{} days",
            listing(self.validities.iter().map(|d| d.0.to_string()))
        )
    }

    fn not_listed(&self, calls: u64, validity: Days) -> Error {
        let mut sizes = self
            .packages
            .iter()
            .filter(|p| p.validity == validity)
            .map(|p| p.calls.to_string())
            .peekable();
        let listed = if sizes.peek().is_none() {
            format!(
                "no package is listed with that validity (validities: {})",
                self.validities_text()
            )
        } else {
            format!("sizes listed for {validity}: {}", listing(sizes))
        };
        Reason::new(
            RuleId::Use05,
            format!("no package of {calls} calls valid {validity} is listed; {listed}"),
        )
        .with(Figure::count("calls", calls))
        .with(Figure::count("validity_days", u64::from(validity.0)))
        .into()
    }
}

/// At most [`LISTED_IN_MESSAGES`] items joined with commas, then how many
/// more there are: a catalogue of a million packages gives a short error
/// message, not megabytes of it.
fn listing(items: impl Iterator<Item = String>) -> String {
    let mut items = items;
    let shown: Vec<String> = items.by_ref().take(LISTED_IN_MESSAGES).collect();
    match items.count() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// How many sizes or validities an error message lists.
const LISTED_IN_MESSAGES: usize = 12;
