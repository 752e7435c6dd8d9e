//! Payment channels by platform (R-SEAT-10).
//!
//! The rules this file implements are described in the
//! [pricing module docs](crate::pricing#payment-channels).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Figure, PolicyError, Reason};
use crate::rule::RuleId;

/// Where the buyer places the order (R-SEAT-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// A phone or tablet client.
    Mobile,
    /// A desktop client or the web console.
    Desktop,
}

impl Platform {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Mobile, Self::Desktop];

    /// The platform's name as serialized (`"mobile"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Mobile => "mobile",
            Platform::Desktop => "desktop",
        }
    }
}

/// A way to pay a seat order (R-SEAT-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentChannel {
    /// The buyer's wallet (WeChat Pay at the app store).
    Wallet,
    /// A transfer from the buyer's corporate bank account.
    CorporateBankTransfer,
}

impl PaymentChannel {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 2] = [Self::Wallet, Self::CorporateBankTransfer];

    /// The channel's name as serialized (`"wallet"`).
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentChannel::Wallet => "wallet",
            PaymentChannel::CorporateBankTransfer => "corporate_bank_transfer",
        }
    }
}

/// The channels offered on each platform (R-SEAT-10).
///
/// Serialized as `{"mobile": ["wallet"], "desktop": ["wallet",
/// "corporate_bank_transfer"]}`. A seat policy accepts it only when every
/// platform offers at least one channel and no channel is listed twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Channels offered on mobile, in display order.
    pub mobile: Vec<PaymentChannel>,
    /// Channels offered on desktop, in display order.
    pub desktop: Vec<PaymentChannel>,
}

impl Default for ChannelSpec {
    /// The app store's channels: [`ChannelSpec::APP_STORE_MOBILE`] and
    /// [`ChannelSpec::APP_STORE_DESKTOP`].
    fn default() -> Self {
        ChannelSpec {
            mobile: ChannelSpec::APP_STORE_MOBILE.to_vec(),
            desktop: ChannelSpec::APP_STORE_DESKTOP.to_vec(),
        }
    }
}

impl ChannelSpec {
    /// R-SEAT-10, published: the app store offers only the wallet (WeChat
    /// Pay) on mobile.
    pub const APP_STORE_MOBILE: &'static [PaymentChannel] = &[PaymentChannel::Wallet];

    /// R-SEAT-10, published: the app store offers the wallet or a corporate
    /// bank transfer on desktop.
    pub const APP_STORE_DESKTOP: &'static [PaymentChannel] = &[
        PaymentChannel::Wallet,
        PaymentChannel::CorporateBankTransfer,
    ];

    /// The channels offered on `platform`.
    pub fn on(&self, platform: Platform) -> &[PaymentChannel] {
        match platform {
            Platform::Mobile => &self.mobile,
            Platform::Desktop => &self.desktop,
        }
    }

    /// Checks that every platform offers a channel, each listed once.
    pub(crate) fn validate(&self) -> Result<(), PolicyError> {
        for platform in Platform::ALL {
            let channels = self.on(platform);
            let field = format!("channels.{}", platform.as_str());
            if channels.is_empty() {
                return Err(PolicyError::new(
                    field,
                    "no payment channel is offered",
                    "at least one of wallet, corporate_bank_transfer",
                )
                .with_rule(RuleId::Seat10));
            }
            for (i, channel) in channels.iter().enumerate() {
                if channels.iter().take(i).any(|c| c == channel) {
                    return Err(PolicyError::new(
                        format!("{field}[{i}]"),
                        format!("{} is listed twice", channel.as_str()),
                        "each channel at most once",
                    )
                    .with_rule(RuleId::Seat10));
                }
            }
        }
        Ok(())
    }

    /// `Ok` when `channel` is offered on `platform`; otherwise a refusal
    /// naming R-SEAT-10, the platform and the channels it offers.
    pub(crate) fn check(&self, platform: Platform, channel: PaymentChannel) -> Result<(), Error> {
        let offered = self.on(platform);
        if offered.contains(&channel) {
            return Ok(());
        }
        let names: Vec<&str> = offered.iter().map(|c| c.as_str()).collect();
        Err(Reason::new(
            RuleId::Seat10,
            format!(
                "{} is not offered on {}; pay with {}",
                channel.as_str(),
                platform.as_str(),
                names.join(" or ")
            ),
        )
        .with(Figure::text("platform", platform.as_str()))
        .with(Figure::text("channel", channel.as_str()))
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::{PaymentChannel, Platform};

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(Platform: Mobile, Desktop);
        assert_all_variants!(PaymentChannel: Wallet, CorporateBankTransfer);
    }
}
