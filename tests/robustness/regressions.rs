//! One test per bug the hardening pass found, named after its rule (the
//! time-zone ones after the foundation value, as in `tests/foundation.rs`).
//! One module per fix.

/// Local dates at chrono's ends (foundation, R-LIFE-05, R-LIFE-08).
mod local_dates {
    use billing_rules::decider::Decider;
    use billing_rules::error::Error;
    use billing_rules::lifecycle::postpaid::billed_month;
    use billing_rules::lifecycle::subscription::{self, Status, Subscription, SubscriptionEvent};
    use billing_rules::presets;
    use billing_rules::time::Zone;
    use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

    /// `Zone::local_date` panicked ("Local time out of range for
    /// `NaiveDateTime`") for an instant whose local day lies past chrono's last
    /// date: `MAX_UTC` in +08:00.
    #[test]
    fn zone_local_date_at_chrono_ends_is_clamped_or_an_error_not_a_panic() {
        let max = DateTime::<Utc>::MAX_UTC;
        let min = DateTime::<Utc>::MIN_UTC;
        assert_eq!(Zone::BEIJING.local_date(max), NaiveDate::MAX);
        assert!(Zone::BEIJING.checked_local_date(max).is_err());
        assert!(Zone::BEIJING.start_of_local_day(max).is_err());
        let west = Zone::new(FixedOffset::west_opt(3600).unwrap());
        assert_eq!(west.local_date(min), NaiveDate::MIN);
        assert!(west.checked_local_date(min).is_err());
        // An hour earlier the local day exists and is exact.
        assert_eq!(
            Zone::BEIJING
                .checked_local_date(max - Duration::hours(9))
                .unwrap(),
            NaiveDate::MAX
        );
    }

    /// R-LIFE-08: the bill day is a local day; at the last instant there is
    /// none, and that is an error value.
    #[test]
    fn r_life_08_the_bill_day_at_chrono_last_instant_is_an_error_not_a_panic() {
        let policy = presets::lifecycle::cloud_environment_postpaid();
        let err = billed_month(DateTime::<Utc>::MAX_UTC, &policy).unwrap_err();
        assert!(matches!(err, Error::Arithmetic(_)), "{err}");
    }

    /// R-LIFE-05: a paid term ending at chrono's last instant has no expiry
    /// day; its reminders are an error value, its status and access answer.
    #[test]
    fn r_life_05_reminders_of_a_term_ending_at_chrono_end_are_an_error_not_a_panic() {
        let policy = presets::lifecycle::chat_service();
        let max = DateTime::<Utc>::MAX_UTC;
        let state = Subscription::evolve(
            Subscription::initial(),
            &SubscriptionEvent::Purchased {
                at: max - Duration::days(3),
                end: max,
            },
        );
        assert!(subscription::due_events(&state, max, &policy, None).is_err());
        assert_eq!(
            subscription::status(&state, max - Duration::days(1), &policy),
            Status::Active { ends: max }
        );
        assert!(billing_rules::lifecycle::access::access(&state, max, &policy).is_allowed());
    }
}
