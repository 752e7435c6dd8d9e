//! Notices and reminders as values: when, on which channels, to whom
//! (R-LIFE-03, R-LIFE-05), and the roles and channels the policies name.
//! See [Notices and reminders](crate::lifecycle#notices-and-reminders).

use std::fmt;

use chrono::{DateTime, Days as ChronoDays, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ArithmeticError;
use crate::rule::RuleId;
use crate::time::Zone;

/// The longest lead, window side or grace the lifecycle policies accept, in
/// days: a year and a day. Not a rule figure: a sanity bound so every
/// derived instant stays far inside chrono's range.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// A way of reaching a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A text message to the recipient's phone.
    Sms,
    /// An email.
    Email,
    /// A message inside the app or console (site message).
    InApp,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Email, Channel::InApp];

    const fn bit(self) -> u8 {
        match self {
            Channel::Sms => 1,
            Channel::Email => 2,
            Channel::InApp => 4,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Channel::Sms => "SMS",
            Channel::Email => "email",
            Channel::InApp => "in-app message",
        })
    }
}

/// A set of [`Channel`]s, kept as a small bit set so notices copy for free.
///
/// Serialized as a list: `["sms", "email"]`.
///
/// ```
/// use billing_rules::lifecycle::{Channel, Channels};
/// let both = Channels::of(&[Channel::Email, Channel::Sms]);
/// assert!(both.contains(Channel::Sms));
/// assert!(!both.contains(Channel::InApp));
/// assert_eq!(serde_json::to_string(&both).unwrap(), r#"["sms","email"]"#);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Channels(u8);

impl Channels {
    /// No channel.
    pub const NONE: Channels = Channels(0);

    /// The set of `channels` (duplicates count once). A `const fn`, so the
    /// policies' published channels are constants.
    pub const fn of(channels: &[Channel]) -> Channels {
        let mut bits = 0;
        let mut i = 0;
        while i < channels.len() {
            bits |= channels[i].bit();
            i += 1;
        }
        Channels(bits)
    }

    /// True when `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & channel.bit() != 0
    }

    /// True when the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The channels in display order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl fmt::Display for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for channel in self.iter() {
            if !first {
                f.write_str(" + ")?;
            }
            first = false;
            write!(f, "{channel}")?;
        }
        if first {
            f.write_str("no channel")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Channels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Channels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let list = Vec::<Channel>::deserialize(deserializer)?;
        Ok(Channels::of(&list))
    }
}

/// A person's role on the customer's account: who receives a notice, or who
/// gives a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person who created the account (R-LIFE-05's recipient).
    AccountCreator,
    /// An administrator of the customer's organisation (R-LIFE-02 lets the
    /// admin start the extra trial).
    Admin,
    /// Any other member.
    Member,
}

impl Role {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 3] = [Self::AccountCreator, Self::Admin, Self::Member];
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::AccountCreator => "account creator",
            Role::Admin => "admin",
            Role::Member => "member",
        })
    }
}

/// What kind of term a notice, an expiry or an interception is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// The trial that starts when the app goes live (R-LIFE-01).
    Trial,
    /// The one extra trial (R-LIFE-02).
    ExtraTrial,
    /// A bought or renewed term.
    Paid,
}

impl TermKind {
    /// Every variant, in declaration order.
    pub const ALL: [Self; 3] = [Self::Trial, Self::ExtraTrial, Self::Paid];
}

impl fmt::Display for TermKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TermKind::Trial => "trial",
            TermKind::ExtraTrial => "extra trial",
            TermKind::Paid => "paid term",
        })
    }
}

/// R-LIFE-03: the expiry notice of a trial or a paid term.
///
/// Due at `term_end - lead` (preset 7 x 24 h), or at the term's start when
/// the term is shorter than the lead. A notice whose local day would fall
/// past the calendar's end (chrono's last instant) is not scheduled: it
/// never comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The instant the notice is due.
    pub due: DateTime<Utc>,
    /// The local day it is due on (in the policy's zone).
    pub date: NaiveDate,
    /// Which term ends.
    pub term: TermKind,
    /// The exclusive end of that term.
    pub term_end: DateTime<Utc>,
    /// Where to send it.
    pub channels: Channels,
    /// Who receives it.
    pub recipient: Role,
}

impl Notice {
    /// The rule behind every notice: R-LIFE-03.
    pub const RULE: RuleId = RuleId::Life03;
}

/// R-LIFE-05: one daily reminder of the window around a paid term's expiry.
///
/// A reminder whose instant or local day would fall past the calendar's
/// end (chrono's last instant), or of a term whose expiry day lies past
/// it, is not scheduled: it never comes due, and the days of the window
/// before it still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// The instant the reminder is due.
    pub due: DateTime<Utc>,
    /// The local day it belongs to; always inside
    /// [`ReminderWindow::around`]`(expiry_day, ..)` (cut at the calendar's
    /// ends).
    pub date: NaiveDate,
    /// The expiry day of the term (its last local day).
    pub expiry_day: NaiveDate,
    /// The exclusive end of the term.
    pub term_end: DateTime<Utc>,
    /// Where to send it.
    pub channels: Channels,
    /// Who receives it.
    pub recipient: Role,
}

impl Reminder {
    /// The rule behind every reminder: R-LIFE-05.
    pub const RULE: RuleId = RuleId::Life05;

    /// Days from the expiry day to this reminder's day: -6 ..= 1 in the
    /// preset window.
    pub fn days_from_expiry(&self) -> i64 {
        (self.date - self.expiry_day).num_days()
    }
}

/// The local day a term ending (exclusively) at `end` expires on: the day of
/// its last instant, so a term ending at local midnight expires the day
/// before. Within a day of chrono's first or last instant the day is
/// clamped as [`Zone::local_date`] does.
pub fn expiry_day(end: DateTime<Utc>, zone: Zone) -> NaiveDate {
    zone.local_date(last_instant(end))
}

/// [`expiry_day`], or an error when the day lies outside chrono's range.
pub(crate) fn checked_expiry_day(
    end: DateTime<Utc>,
    zone: Zone,
) -> Result<NaiveDate, ArithmeticError> {
    zone.checked_local_date(last_instant(end))
}

/// The last instant a term ending (exclusively) at `end` serves.
fn last_instant(end: DateTime<Utc>) -> DateTime<Utc> {
    // `end` is exclusive; its last served instant is one nanosecond earlier.
    // Only chrono's very first instant has no predecessor; it then counts as
    // its own last instant.
    end.checked_sub_signed(TimeDelta::nanoseconds(1))
        .unwrap_or(end)
}

/// R-LIFE-05's reminder window: an inclusive range of local days.
///
/// "The 7 days up to and including the expiry day, and the day after" is
/// `ReminderWindow::around(expiry_day, 7, 1)`: from `expiry_day - 6` to
/// `expiry_day + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReminderWindow {
    first: NaiveDate,
    last: NaiveDate,
}

impl ReminderWindow {
    /// The window of `up_to_expiry` days ending with `expiry_day` (0 for none
    /// before) and `after_expiry` days after it; `None` when both are zero
    /// (the window would be empty) or a day falls outside chrono's range.
    pub fn around(
        expiry_day: NaiveDate,
        up_to_expiry: u32,
        after_expiry: u32,
    ) -> Option<ReminderWindow> {
        if up_to_expiry == 0 && after_expiry == 0 {
            return None;
        }
        // up_to_expiry counts the expiry day itself; with 0 the window
        // starts the day after.
        let first = match up_to_expiry.checked_sub(1) {
            None => expiry_day.checked_add_days(ChronoDays::new(1))?,
            Some(before) => expiry_day.checked_sub_days(ChronoDays::new(u64::from(before)))?,
        };
        let last = expiry_day.checked_add_days(ChronoDays::new(u64::from(after_expiry)))?;
        Some(ReminderWindow { first, last })
    }

    /// [`ReminderWindow::around`] cut at the ends of chrono's calendar: the
    /// window's days that exist. `None` when both counts are zero or none
    /// of its days exists (a window that starts after the calendar's last
    /// day). A reminder of a day past the calendar is not scheduled; the
    /// days before it still are.
    pub(crate) fn within_calendar(
        expiry_day: NaiveDate,
        up_to_expiry: u32,
        after_expiry: u32,
    ) -> Option<ReminderWindow> {
        if up_to_expiry == 0 && after_expiry == 0 {
            return None;
        }
        let first = match up_to_expiry.checked_sub(1) {
            None => expiry_day.checked_add_days(ChronoDays::new(1))?,
            Some(before) => expiry_day
                .checked_sub_days(ChronoDays::new(u64::from(before)))
                .unwrap_or(NaiveDate::MIN),
        };
        let last = expiry_day
            .checked_add_days(ChronoDays::new(u64::from(after_expiry)))
            .unwrap_or(NaiveDate::MAX);
        Some(ReminderWindow { first, last })
    }

    /// The first day of the window.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// The last day of the window (included).
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// True when `date` lies inside the window (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// The number of days in the window (one reminder each).
    pub fn len(&self) -> u64 {
        u64::try_from((self.last - self.first).num_days())
            .unwrap_or(0)
            .saturating_add(1)
    }

    /// Never true: a window has at least one day.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The days of the window, first to last.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last;
        self.first.iter_days().take_while(move |d| *d <= last)
    }
}

#[cfg(test)]
mod tests {
    use super::{Channel, Role, TermKind};

    #[test]
    fn all_has_every_variant_in_declaration_order() {
        assert_all_variants!(Role: AccountCreator, Admin, Member);
        assert_all_variants!(TermKind: Trial, ExtraTrial, Paid);
        assert_all_variants!(Channel: Sms, Email, InApp);
    }
}
