//! The run: the clock, the choice of account and action, and sending a
//! command the way a service does (a key, retries, duplicate deliveries).

use super::*;

impl Sim {
    pub(super) fn new(seed: u64, accounts: usize, steps: u64) -> Sim {
        let ctx = Ctx {
            seed,
            step: 0,
            accounts,
            steps,
        };
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let store = Arc::new(MemoryStore::new());
        let policies = Policies {
            seat: ctx.ok(presets::app_store_seat_pricing(), "seat preset"),
            lifecycles: [
                presets::app_store_subscription().unwrap(),
                presets::chat_service_subscription().unwrap(),
                presets::cloud_environment_subscription().unwrap(),
            ],
            usage: ctx.ok(presets::verification_usage(), "usage preset"),
            licence: presets::live_plugin_licence().unwrap(),
            payment: presets::cloud_payment().unwrap(),
            refunds: presets::app_store_refunds().unwrap(),
        };
        let services = (0..accounts)
            .map(|n| Service {
                id: AggregateId::from(format!("acct-{n}")),
                credits: AggregateId::from(format!("acct-{n}/credits")),
                app: AppId::new(format!("app-{n}")),
                account: AccountId::new(format!("acct-{n}")),
                current: None,
                orders: Vec::new(),
                next_order: 0,
            })
            .collect();
        Sim {
            rng: Rng(seed),
            start,
            engine: Engine::new(
                FixedClock::new(start),
                FaultyStore::new(Arc::clone(&store), seed, SIM_FAULTS),
            ),
            store,
            policies,
            services,
            books: Books {
                accounts: vec![AccountBooks::new(); accounts],
                owners: BTreeMap::new(),
                bundle_holders: BTreeMap::new(),
                bundle_grants: BTreeMap::new(),
            },
            retries: Vec::new(),
            recent: Vec::new(),
            next_key: 0,
            stats: Stats::default(),
            ctx,
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.engine.clock().now()
    }

    pub(super) fn run(&mut self) {
        for step in 1..=self.ctx.steps {
            self.ctx.step = step;
            STEP.store(step, Ordering::Relaxed);
            if self.advance_clock(step) {
                self.check_all_access();
            }
            if step % RACE_EVERY == 0 {
                self.race();
            } else if !self.retries.is_empty() && self.rng.chance(8) {
                self.retry_one();
            } else {
                let n = self.pick_account();
                self.act(n);
                self.check_account(n);
            }
        }
        self.ctx.step = self.ctx.steps + 1;
        let pool = std::mem::take(&mut self.retries);
        for retry in pool {
            self.check_retry(retry);
        }
        self.check_all_access();
        self.audit();
    }

    /// Keeps the clock on its way to three years: it jumps forward by a
    /// random 1 minute to 91 days whenever it is behind the step's share of
    /// the span. True when it moved.
    pub(super) fn advance_clock(&mut self, step: u64) -> bool {
        let span = Duration::days(SPAN_DAYS).num_minutes() as u64;
        let due = self.start
            + Duration::minutes(
                (u128::from(span) * u128::from(step) / u128::from(self.ctx.steps)) as i64,
            );
        let mut moved = false;
        while self.now() < due {
            let minutes = self.rng.log_uniform(16);
            let jumped = self
                .engine
                .clock()
                .advance(Duration::minutes(minutes as i64));
            self.ctx.ok(jumped, "advance the clock");
            self.stats.jumps += 1;
            moved = true;
        }
        moved
    }

    pub(super) fn pick_account(&mut self) -> usize {
        let n = if !self.recent.is_empty() && self.rng.chance(50) {
            self.recent[self.rng.index(self.recent.len())]
        } else {
            self.rng.index(self.services.len())
        };
        if self.recent.len() < RECENT {
            self.recent.push(n);
        } else {
            let slot = self.rng.index(RECENT);
            self.recent[slot] = n;
        }
        n
    }

    pub(super) fn act(&mut self, n: usize) {
        match self.rng.below(100) {
            0..10 => self.seat_purchase(n),
            10..15 => self.seat_renewal(n),
            15..18 => self.subscription_settings(n),
            18..26 => self.subscription_sweep(n),
            26..32 => self.package_purchase(n),
            32..42 => self.package_consume(n),
            42..45 => {
                let id = self.services[n].id.clone();
                if self
                    .exec::<PackageWallet>(n, &id, WalletCommand::Advance)
                    .is_ok()
                {
                    self.check_expired(n);
                }
            }
            45..47 => self.wallet_settings(n),
            47..53 => self.licence_purchase(n),
            53..55 => {
                let id = AggregateId::from(self.services[n].app.0.clone());
                let _ = self.exec::<Licence>(n, &id, LicenceCommand::Advance);
            }
            55..56 => self.licence_claim(n),
            56..59 => {
                let method = self.rng.pick(&PaymentMethod::ALL);
                let id = self.services[n].id.clone();
                let _ = self.exec::<EnvironmentPayment>(
                    n,
                    &id,
                    PaymentCommand::FirstPurchase { method },
                );
            }
            59..67 => self.payment_switch(n),
            67..82 => self.refund(n),
            _ => self.invoice(n),
        }
    }

    /// Runs one command through the engine and checks what any command
    /// must: an accepted one appended exactly its events at the next
    /// versions, decided at the clock's instant; a refused one wrote
    /// nothing and names a rule of its aggregate's family; nothing else
    /// (arithmetic, store) ever comes back. Four in ten carry a key and
    /// are kept for a retry at a later step.
    pub(super) fn exec<D: Kind>(
        &mut self,
        n: usize,
        id: &AggregateId,
        command: D::Command,
    ) -> Result<Outcome<D::Event>, EngineError> {
        let key = self.rng.chance(40).then(|| {
            self.next_key += 1;
            IdempotencyKey::from(format!("k{}", self.next_key))
        });
        let now = self.now();
        let before = self.store.events::<D>(id);
        let answer = self.send::<D>(n, id, &command, key.as_ref());
        let after = self.store.events::<D>(id);
        let version = self
            .ctx
            .ok(Store::<D>::load(&*self.store, id), "load")
            .version;
        check!(
            self.ctx,
            version.get() == after.len() as u64,
            "{} {id}: version {version} but {} events",
            D::KIND,
            after.len()
        );
        match &answer {
            Ok(outcome) => {
                check!(
                    self.ctx,
                    outcome.decided_at == now
                        && outcome.version == version
                        && after.len() == before.len() + outcome.events.len()
                        && after[..before.len()] == before[..]
                        && after[before.len()..] == outcome.events[..],
                    "{} {id}: {command:?} answered {outcome:?} but the stream went from {before:?} to {after:?}",
                    D::KIND
                );
                self.stats.accepted += 1;
                D::observe(&mut self.books, &self.ctx, n, id, &outcome.events);
            }
            Err(EngineError::Command(Error::Refused(refusal))) => {
                check!(
                    self.ctx,
                    after == before,
                    "{} {id}: refused {command:?} ({refusal}) but the stream changed",
                    D::KIND
                );
                check!(
                    self.ctx,
                    refusal.rules().all(|rule| rule.family() == D::FAMILY),
                    "{} {id}: {command:?} refused by a rule of another family: {refusal}",
                    D::KIND
                );
                for rule in refusal.rules() {
                    *self.stats.refused.entry(rule).or_default() += 1;
                }
            }
            Err(other) => self.ctx.fail(format!(
                "{} {id}: {command:?} failed with {other}, not a refusal",
                D::KIND
            )),
        }
        if let Some(key) = key {
            let sent = Sent {
                account: n,
                id: id.clone(),
                command,
                key,
                answer: answer.clone(),
                step: self.ctx.step,
            };
            self.remember(D::retry(sent));
        }
        answer
    }

    /// Sends a command until it is answered, as a service does: a
    /// retryable store error (an injected fault) means "send it again",
    /// with the same key when it has one. Unkeyed commands only meet
    /// faults that write nothing (see `faults`), so sending them again is
    /// safe too.
    pub(super) fn send<D: Kind>(
        &mut self,
        n: usize,
        id: &AggregateId,
        command: &D::Command,
        key: Option<&IdempotencyKey>,
    ) -> Result<Outcome<D::Event>, EngineError> {
        for _ in 0..SEND_ATTEMPTS {
            match self
                .engine
                .execute::<D>(id, command, D::policy(&self.policies, n), key)
            {
                Err(EngineError::Store(error)) if error.is_retryable() => {
                    self.stats.resent += 1;
                }
                answer => return answer,
            }
        }
        self.ctx.fail(format!(
            "{} {id}: {command:?} not answered after {SEND_ATTEMPTS} sends",
            D::KIND
        ))
    }

    pub(super) fn remember(&mut self, retry: Retry) {
        if self.retries.len() < RETRY_POOL {
            self.retries.push(retry);
        } else {
            let slot = self.rng.index(RETRY_POOL);
            self.retries[slot] = retry;
        }
    }

    /// A retried command (same key, sent again at a later step) returns
    /// its first answer and leaves the stream and its version as they
    /// were, whatever happened in between.
    pub(super) fn retry_one(&mut self) {
        let slot = self.rng.index(self.retries.len());
        let retry = self.retries.swap_remove(slot);
        let again = self.rng.chance(30);
        let retry = self.check_retry(retry);
        if again {
            self.retries.push(retry);
        }
    }

    pub(super) fn check_retry(&mut self, retry: Retry) -> Retry {
        self.stats.retried += 1;
        match retry {
            Retry::Subscription(sent) => Retry::Subscription(self.resend(sent)),
            Retry::Wallet(sent) => Retry::Wallet(self.resend(sent)),
            Retry::Licence(sent) => Retry::Licence(self.resend(sent)),
            Retry::BundleClaim(sent) => Retry::BundleClaim(self.resend(sent)),
            Retry::Payment(sent) => Retry::Payment(self.resend(sent)),
            Retry::Ledger(sent) => Retry::Ledger(self.resend(sent)),
        }
    }

    pub(super) fn resend<D: Kind>(&mut self, sent: Sent<D>) -> Sent<D> {
        let before = self.store.events::<D>(&sent.id);
        let version = self
            .ctx
            .ok(Store::<D>::load(&*self.store, &sent.id), "load")
            .version;
        let answer = self.send::<D>(sent.account, &sent.id, &sent.command, Some(&sent.key));
        let after = self.store.events::<D>(&sent.id);
        let version_after = self
            .ctx
            .ok(Store::<D>::load(&*self.store, &sent.id), "load")
            .version;
        check!(
            self.ctx,
            answer == sent.answer,
            "{} {}: {:?} sent again under key {} (first sent at step {}) answered {answer:?}, first {:?}",
            D::KIND,
            sent.id,
            sent.command,
            sent.key,
            sent.step,
            sent.answer
        );
        check!(
            self.ctx,
            after == before && version_after == version,
            "{} {}: the retry of key {} (first sent at step {}) changed the stream from version {version} to {version_after}",
            D::KIND,
            sent.id,
            sent.key,
            sent.step
        );
        sent
    }
}
