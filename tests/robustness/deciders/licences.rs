//! Licences and bundle claims fed arbitrary command sequences.

use super::*;

// --------------------------------------------------------------- licence

fn licence_command() -> impl Strategy<Value = LicenceCommand> {
    let app =
        || prop::sample::select(vec!["app-1", "app-1", "app-1", "app-2", ""]).prop_map(AppId::new);
    let account = || prop::sample::select(vec!["alice", "alice", "bob"]).prop_map(AccountId::new);
    let package = (
        prop::sample::select(vec!["p1", "p2", "p3"]),
        quantity(),
        account(),
    )
        .prop_map(|(id, size, buyer)| TrafficPackage {
            id: id.to_owned(),
            size,
            buyer,
        });
    // Receipts with any facts: the licence checks what it can see again.
    let receipt =
        (app(), package, instant()).prop_map(|(app, package, at)| receipt_of(&app, &package, at));
    prop_oneof![
        1 => (app(), account()).prop_map(|(app, account)| LicenceCommand::Bind { app, account }),
        3 => (app(), account()).prop_map(|(app, account)| LicenceCommand::Purchase { app, account }),
        2 => (app(), account(), receipt)
            .prop_map(|(app, account, receipt)| LicenceCommand::ClaimBundled { app, account, receipt }),
        2 => Just(LicenceCommand::Advance),
    ]
}

fn probe_licence(policy: &LicencePolicy) -> impl Fn(&LicenceState, DateTime<Utc>) {
    move |state, now| {
        let status = Licence::status(state, now, policy);
        round_trip(&status);
        let answer = Licence::access(state, now, policy);
        assert_eq!(
            answer.is_allowed(),
            matches!(status, LicenceStatus::Available { .. })
        );
        let events = Licence::due_events(state, now, policy).unwrap();
        let after = events.iter().fold(state.clone(), Licence::evolve);
        assert!(
            Licence::due_events(&after, now, policy).unwrap().is_empty(),
            "nothing more is due at {now}"
        );
        if let LicenceState::Available(held) | LicenceState::Expired(held) = state {
            let _ = held.granted(policy);
        }
    }
}

/// Nothing recorded is lost: the binding never changes once made (R-LIC-04),
/// the first purchase stays the first, the validity never shrinks
/// (R-LIC-03), and every granted package stays granted (R-LIC-06).
fn licence_kept(before: &LicenceState, after: &LicenceState, _: &[LicenceEvent]) {
    if let Some(binding) = before.binding() {
        assert_eq!(Some(binding), after.binding());
    }
    let held = |s: &LicenceState| match s {
        LicenceState::Available(h) | LicenceState::Expired(h) => Some(h.clone()),
        _ => None,
    };
    if let Some(was) = held(before) {
        let now = held(after).expect("a bought licence stays bought");
        assert_eq!(was.first_purchase, now.first_purchase);
        assert!(now.end >= was.end);
        assert!(now.terms >= was.terms);
        assert!(now.bundled_packages.starts_with(&was.bundled_packages));
    }
}

proptest! {
    /// R-LIC-01..06: arbitrary licence commands at arbitrary instants.
    #[test]
    fn r_lic_licence_any_commands_at_any_instants(
        policy in licence_policy(),
        commands in prop::collection::vec(licence_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
        probes in probes(),
    ) {
        exercise::<Licence>(
            &policy,
            &steps(commands, ticks, start),
            &probes,
            licence_kept,
            probe_licence(&policy),
        );
    }
}

// ---------------------------------------------------------- bundle claim

fn bundle_claim_command() -> impl Strategy<Value = BundleClaimCommand> {
    let app = prop::sample::select(vec!["app-1", "app-2", "app-3", ""]).prop_map(AppId::new);
    let account = || prop::sample::select(vec!["alice", "alice", "bob"]).prop_map(AccountId::new);
    let size = prop_oneof![
        2 => quantity(),
        1 => Just(Quantity::new(Decimal::from(200), Unit::Terabyte)),
        1 => Just(Quantity::new(Decimal::from(300_000), Unit::Gigabyte)),
    ];
    let package = (
        prop::sample::select(vec!["p1", "p1", "p2", ""]),
        size,
        account(),
    )
        .prop_map(|(id, size, buyer)| TrafficPackage {
            id: id.to_owned(),
            size,
            buyer,
        });
    (app, account(), package).prop_map(|(app, account, package)| BundleClaimCommand::Claim {
        app,
        account,
        package,
    })
}

/// R-LIC-06: a package's free term is claimed at most once, and the holder
/// and its receipt never change after.
fn bundle_claim_kept(
    before: &BundleClaimState,
    after: &BundleClaimState,
    events: &[BundleClaimEvent],
) {
    assert!(events.len() <= 1, "one claim at a time");
    if let Some(held) = before.receipt() {
        assert_eq!(after.receipt(), Some(held), "the holder keeps the term");
        assert!(events.is_empty(), "a package is claimed once");
    }
}

proptest! {
    /// R-LIC-06: arbitrary claims of packages for apps at arbitrary instants.
    #[test]
    fn r_lic_06_bundle_claim_any_commands_at_any_instants(
        policy in licence_policy(),
        commands in prop::collection::vec(bundle_claim_command(), 1..=24),
        ticks in prop::collection::vec(tick(), 24),
        start in instant(),
    ) {
        exercise::<BundleClaim>(
            &policy,
            &steps(commands, ticks, start),
            &[],
            bundle_claim_kept,
            |_, _| {},
        );
    }
}
