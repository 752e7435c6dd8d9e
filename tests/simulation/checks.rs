//! The invariants checked after each step, the race between two engines,
//! the audit from the recorded events, and the report.

use super::*;

impl Sim {
    // -------------------------------------------------------- invariants

    /// The invariants of one account, after every step that touched it:
    ///
    /// - money paid - refunded - credited >= 0, from its events only;
    /// - its ledger's totals equal the sums of its events, exactly, and are
    ///   whole fen; so do the credit notes';
    /// - its payment method was switched at most 4 times, as its events
    ///   count, and pays as you go exactly when its events say so;
    /// - no access while suspended, intercepted or isolated (R-LIFE-04,
    ///   R-LIFE-06, R-LIFE-10), nor on an expired licence (R-LIC-05).
    pub(super) fn check_account(&mut self, n: usize) {
        let ctx = &self.ctx;
        let books = &self.books.accounts[n];
        let service = &self.services[n];

        let balance = sub(ctx, sub(ctx, books.paid, books.refunded), books.credited);
        check!(
            ctx,
            !balance.is_negative(),
            "account {n}: paid {} - refunded {} - credited {} = {balance} < 0",
            books.paid,
            books.refunded,
            books.credited
        );

        let ledger: LedgerState = ctx.ok(self.engine.state::<OrderLedger>(&service.id), "load");
        let (paid, refunded) = (
            ctx.ok(ledger.total_paid(CNY), "total paid"),
            ctx.ok(ledger.total_refunded(CNY), "total refunded"),
        );
        check!(
            ctx,
            paid == books.ledger_paid && refunded == books.ledger_refunded,
            "account {n}: ledger totals paid {paid} refunded {refunded}, its events sum to {} and {}",
            books.ledger_paid,
            books.ledger_refunded
        );
        for total in [paid, refunded, books.credit_notes_total] {
            check!(
                ctx,
                total.round_to_minor(RoundingMode::TowardZero) == total,
                "account {n}: {total} is not whole fen"
            );
        }
        check!(
            ctx,
            ledger.orders().len() == books.orders.len()
                && ledger.orders().iter().all(|o| books.orders.get(&o.id)
                    == Some(&(o.amount, o.status == OrderStatus::Refunded))),
            "account {n}: the ledger's orders differ from its events: {:?} vs {:?}",
            ledger.orders(),
            books.orders
        );
        let notes: LedgerState = ctx.ok(self.engine.state::<OrderLedger>(&service.credits), "load");
        let notes_total = ctx.ok(notes.total_paid(CNY), "credit notes");
        check!(
            ctx,
            notes_total == books.credit_notes_total,
            "account {n}: credit notes total {notes_total}, events {}",
            books.credit_notes_total
        );

        let payment = ctx.ok(self.engine.state::<EnvironmentPayment>(&service.id), "load");
        check!(
            ctx,
            payment.switches_used() <= 4 && payment.switches_used() == books.switches,
            "account {n}: {} switches used, {} seen in its events (R-PAY-03)",
            payment.switches_used(),
            books.switches
        );
        check!(
            ctx,
            matches!(payment, PaymentState::PayAsYouGo { .. }) == books.payg,
            "account {n}: {payment:?}, its events say pay-as-you-go {}",
            books.payg
        );

        self.check_access(n);
    }

    pub(super) fn check_access(&mut self, n: usize) {
        let now = self.now();
        let ctx = &self.ctx;
        let service = &self.services[n];
        let policy = &self.policies.lifecycles[n % 3];
        let state = ctx.ok(self.engine.state::<Subscription>(&service.id), "load");
        let at_now = Subscription::status(&state, now, policy);
        let allowed = Subscription::access(&state, now, policy).is_allowed();
        let lapsed = matches!(
            at_now,
            SubscriptionStatus::Suspended { .. }
                | SubscriptionStatus::Intercepted { .. }
                | SubscriptionStatus::Isolated { .. }
        );
        let recorded_lapse = matches!(
            state.phase,
            Phase::Suspended { .. } | Phase::Intercepted { .. } | Phase::Isolated { .. }
        );
        check!(
            ctx,
            !(allowed && (lapsed || recorded_lapse)),
            "account {n}: access allowed at {now} while {at_now} (recorded {:?})",
            state.phase
        );
        check!(
            ctx,
            allowed == at_now.is_served(),
            "account {n}: access {allowed} at {now} while {at_now}"
        );
        let app = AggregateId::from(service.app.0.clone());
        let licence = ctx.ok(self.engine.state::<Licence>(&app), "load");
        let licensed = Licence::access(&licence, now, &self.policies.licence).is_allowed();
        check!(
            ctx,
            licensed
                == matches!(
                    Licence::status(&licence, now, &self.policies.licence),
                    LicenceStatus::Available { .. }
                ),
            "app {}: licence access {licensed} at {now} while {}",
            service.app,
            Licence::status(&licence, now, &self.policies.licence)
        );
        match at_now {
            SubscriptionStatus::Suspended { .. } => self.stats.suspended += 1,
            SubscriptionStatus::Intercepted { .. } => self.stats.intercepted += 1,
            SubscriptionStatus::Isolated { .. } => self.stats.isolated += 1,
            _ => {}
        }
    }

    /// After a clock jump, every account's access at the new instant.
    pub(super) fn check_all_access(&mut self) {
        for n in 0..self.services.len() {
            self.check_access(n);
        }
    }

    // -------------------------------------------------------- the race

    /// Two engines sharing the store race from two threads on one account's
    /// aggregate with different commands that commute: on the wallet, one
    /// buys two packages while the other switches the feature off and on;
    /// on the ledger (when it has open orders), one records two orders
    /// while the other invoices open ones. No event is lost: the stream
    /// after is the stream before followed by the accepted outcomes'
    /// events in version order, the versions are contiguous, a command that
    /// lost every retry wrote nothing, and the stored state is the replay
    /// of the stream.
    pub(super) fn race(&mut self) {
        self.stats.races += 1;
        let n = self.pick_account();
        let now = self.now();
        let id = self.services[n].id.clone();
        let ledger = self.ctx.ok(self.engine.state::<OrderLedger>(&id), "load");
        let open: Vec<OrderId> = ledger
            .orders()
            .iter()
            .filter(|o| o.status == OrderStatus::Open)
            .map(|o| o.id.clone())
            .take(2)
            .collect();
        if open.is_empty() || self.rng.chance(50) {
            let buys = vec![
                WalletCommand::Purchase {
                    order: PackageOrder::listed(1_000, 365),
                },
                WalletCommand::Purchase {
                    order: PackageOrder::custom(self.rng.range(1, 500), 90),
                },
            ];
            let switches = vec![
                WalletCommand::SwitchFeature {
                    switch: FeatureSwitch::Off,
                },
                WalletCommand::SwitchFeature {
                    switch: FeatureSwitch::On,
                },
            ];
            self.race_on::<PackageWallet>(n, &id, buys, switches);
        } else {
            let race = self.stats.races;
            let records: Vec<LedgerCommand> = (0..2)
                .map(|i| {
                    let order = OrderId::from(format!("acct-{n}-race{race}-{i}"));
                    LedgerCommand::RecordOrder {
                        order,
                        paid_at: now - Duration::minutes(2 - i),
                        amount: Money::cny(Decimal::new(self.rng.range(1, 100_000) as i64, 2)),
                    }
                })
                .collect();
            for command in &records {
                if let LedgerCommand::RecordOrder { order, .. } = command {
                    self.services[n].orders.push(order.clone());
                }
            }
            let invoices = open
                .into_iter()
                .map(|order| LedgerCommand::MarkInvoiced { order })
                .collect();
            self.race_on::<OrderLedger>(n, &id, records, invoices);
        }
        self.check_account(n);
    }

    pub(super) fn race_on<D>(
        &mut self,
        n: usize,
        id: &AggregateId,
        left: Vec<D::Command>,
        right: Vec<D::Command>,
    ) where
        D: Kind<Command: Send + Sync, Policy: Sync>,
    {
        let ctx = self.ctx.clone();
        let before = self.store.events::<D>(id);
        let now = self.now();
        let policy = D::policy(&self.policies, n);
        let store = &self.store;
        let answers: Vec<Result<Outcome<D::Event>, EngineError>> = thread::scope(|scope| {
            let handles: Vec<_> = [left, right]
                .into_iter()
                .map(|commands| {
                    let engine =
                        Engine::new(FixedClock::new(now), Arc::clone(store)).with_retries(100);
                    scope.spawn(move || {
                        commands
                            .iter()
                            .map(|command| engine.execute::<D>(id, command, policy, None))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| match handle.join() {
                    Ok(answers) => answers,
                    Err(panic) => resume_unwind(panic),
                })
                .collect()
        });
        let mut accepted: Vec<Outcome<D::Event>> = Vec::new();
        for answer in answers {
            match answer {
                Ok(outcome) => accepted.push(outcome),
                Err(EngineError::Store(StoreError::Conflict { .. })) => {}
                Err(other) => ctx.fail(format!(
                    "{} {id}: a racing command failed: {other}",
                    D::KIND
                )),
            }
        }
        accepted.sort_by_key(|outcome| outcome.version);
        let after = self.store.events::<D>(id);
        let mut expected = before.clone();
        let mut version = before.len() as u64;
        for outcome in &accepted {
            version += outcome.events.len() as u64;
            check!(
                ctx,
                outcome.version.get() == version,
                "{} {id}: racing outcomes are not contiguous: {outcome:?} after version {}",
                D::KIND,
                version - outcome.events.len() as u64
            );
            expected.extend(outcome.events.iter().cloned());
        }
        check!(
            ctx,
            after == expected,
            "{} {id}: the race lost or invented events: stream {after:?}, accepted {accepted:?}",
            D::KIND
        );
        let state = ctx.ok(Store::<D>::load(&**store, id), "load").state;
        check!(
            ctx,
            state == D::replay(after.iter()),
            "{} {id}: state is not the replay of its stream",
            D::KIND
        );
        for outcome in &accepted {
            D::observe(&mut self.books, &ctx, n, id, &outcome.events);
        }
    }

    // -------------------------------------------------------- the audit

    /// Every stream of the store, replayed: its state is the stored one,
    /// and booking every stream from scratch gives exactly the books kept
    /// step by step from the commands' answers (so the streams hold the
    /// accepted outcomes and nothing else).
    pub(super) fn audit(&mut self) {
        let mut fresh = Books {
            accounts: vec![AccountBooks::new(); self.services.len()],
            owners: BTreeMap::new(),
            bundle_holders: BTreeMap::new(),
            bundle_grants: BTreeMap::new(),
        };
        // Claims before licences: a licence's grant is checked against the
        // claim's holder.
        let packages: Vec<String> = self.books.bundle_holders.keys().cloned().collect();
        for package in packages {
            self.audit_stream::<BundleClaim>(&mut fresh, 0, &AggregateId::from(package));
        }
        for n in 0..self.services.len() {
            let service = self.services[n].clone();
            self.audit_stream::<Subscription>(&mut fresh, n, &service.id);
            self.audit_stream::<PackageWallet>(&mut fresh, n, &service.id);
            self.audit_stream::<EnvironmentPayment>(&mut fresh, n, &service.id);
            self.audit_stream::<OrderLedger>(&mut fresh, n, &service.id);
            self.audit_stream::<OrderLedger>(&mut fresh, n, &service.credits);
            self.audit_stream::<Licence>(&mut fresh, n, &AggregateId::from(service.app.0.clone()));
        }
        for n in 0..self.services.len() {
            check!(
                self.ctx,
                fresh.accounts[n] == self.books.accounts[n],
                "account {n}: the store's events book {:?}, the answers booked {:?}",
                fresh.accounts[n],
                self.books.accounts[n]
            );
        }
        check!(
            self.ctx,
            fresh.owners == self.books.owners,
            "licence owners differ"
        );
        check!(
            self.ctx,
            fresh.bundle_holders == self.books.bundle_holders
                && fresh.bundle_grants == self.books.bundle_grants,
            "bundle claims or grants differ (R-LIC-06)"
        );
    }

    pub(super) fn audit_stream<D: Kind>(&self, fresh: &mut Books, n: usize, id: &AggregateId) {
        let events = self.store.events::<D>(id);
        let stored = self.ctx.ok(Store::<D>::load(&*self.store, id), "load");
        check!(
            self.ctx,
            stored.version.get() == events.len() as u64 && stored.state == D::replay(events.iter()),
            "{} {id}: the stored state is not the replay of its {} events",
            D::KIND,
            events.len()
        );
        D::observe(fresh, &self.ctx, n, id, &events);
    }

    pub(super) fn report(&self, elapsed: std::time::Duration) {
        let span = self.now() - self.start;
        eprintln!(
            "simulation: seed {} | {} accounts, {} steps, {} days simulated in {} clock jumps, {:.1?}",
            self.ctx.seed,
            self.services.len(),
            self.ctx.steps,
            span.num_days(),
            self.stats.jumps,
            elapsed
        );
        eprintln!(
            "  accepted {} | retried {} | races {} | upgrades with credit {} | auto-renewals {} | refunds {} | access checks finding suspended {}, intercepted {}, isolated {}",
            self.stats.accepted,
            self.stats.retried,
            self.stats.races,
            self.stats.upgrades_with_credit,
            self.stats.auto_renewals,
            self.stats.refunds,
            self.stats.suspended,
            self.stats.intercepted,
            self.stats.isolated
        );
        let refused: Vec<String> = self
            .stats
            .refused
            .iter()
            .map(|(rule, n)| format!("{rule} {n}"))
            .collect();
        eprintln!("  refused: {}", refused.join(", "));
        eprintln!(
            "  store faults injected: {:?}, commands sent again {}",
            self.engine.store().injected(),
            self.stats.resent
        );
    }

    /// A run long enough to prove something exercised every path it
    /// claims to: a simulation whose refunds are never accepted proves
    /// nothing about refunds.
    pub(super) fn check_coverage(&self) {
        if self.ctx.steps < COVERAGE_STEPS {
            return;
        }
        check!(
            self.ctx,
            self.now() - self.start >= Duration::days(SPAN_DAYS),
            "less than three years simulated"
        );
        let injected = self.engine.store().injected();
        check!(
            self.ctx,
            injected.read_errors > 0
                && injected.transient > 0
                && injected.lost_acks > 0
                && injected.competing > 0,
            "a store fault was never injected: {injected:?}"
        );
        for rule in [
            RuleId::Life01,
            RuleId::Life02,
            RuleId::Life07,
            RuleId::Use04,
            RuleId::Use05,
            RuleId::Lic04,
            RuleId::Lic06,
            RuleId::Pay02,
            RuleId::Pay03,
            RuleId::Pay04,
            RuleId::Pay05,
            RuleId::Pay06,
            RuleId::Pay07,
            RuleId::Pay08,
            RuleId::Ref01,
            RuleId::Ref02,
            RuleId::Ref04,
        ] {
            check!(
                self.ctx,
                self.stats.refused.contains_key(&rule),
                "no command was refused by {rule}"
            );
        }
        let stats = &self.stats;
        check!(
            self.ctx,
            stats.upgrades_with_credit > 0
                && stats.auto_renewals > 0
                && stats.refunds > 0
                && stats.suspended > 0
                && stats.intercepted > 0
                && stats.isolated > 0
                && stats.retried > 0
                && stats.races > 0,
            "a path was never taken: {stats:?}"
        );
    }
}
