//! What each account does: seat purchases and renewals, packages,
//! licences, payment switches, refunds and invoices.

use super::*;

impl Sim {
    // -------------------------------------------------------- seats

    /// A seat purchase: a fresh order is priced by `quote`; while a
    /// purchase is running it is an upgrade priced by `upgrade`, whose
    /// credit (R-SEAT-08) is recorded against the new order in the
    /// account's credit-note ledger.
    pub(super) fn seat_purchase(&mut self, n: usize) {
        let now = self.now();
        let seats = self.rng.range(1, 300) as u32;
        let periods = self.rng.range(1, 2) as u32;
        let order = SeatOrder::new(seats, periods);
        let running = self.services[n].current.clone().filter(|c| now < c.end);
        let (due, credit, days) = match &running {
            Some(current) => {
                let bought = CurrentPurchase {
                    paid: current.paid,
                    start: current.start,
                    end: current.end,
                };
                let up = self
                    .ctx
                    .ok(self.policies.seat.upgrade(&bought, &order, now), "upgrade");
                check!(
                    self.ctx,
                    !up.amount_due.is_negative()
                        && up.credit.amount.checked_cmp(&current.paid)
                            != Some(std::cmp::Ordering::Greater)
                        && up.credit.amount.checked_cmp(&up.quote.total)
                            != Some(std::cmp::Ordering::Greater),
                    "account {n}: upgrade of {current:?} to {order:?} credits {} against {} (R-SEAT-08)",
                    up.credit.amount,
                    up.quote.total
                );
                (
                    up.amount_due,
                    up.credit.amount,
                    up.quote.validity.total_days,
                )
            }
            None => {
                let priced = self.ctx.ok(self.policies.seat.quote(&order), "quote");
                (priced.total, Money::zero(CNY), priced.validity.total_days)
            }
        };
        let Some(validity) = Period::days(days.0) else {
            self.ctx.fail(format!("a quote of {days:?}"));
        };
        let id = self.services[n].id.clone();
        let Ok(outcome) =
            self.exec::<Subscription>(n, &id, SubscriptionCommand::Purchase { validity })
        else {
            self.ctx.fail(format!(
                "account {n}: a purchase is accepted in every state"
            ));
        };
        let Some(&SubscriptionEvent::Purchased { at, end }) = outcome.events.first() else {
            self.ctx
                .fail(format!("account {n}: a purchase answered {outcome:?}"));
        };
        let order_id = self.record_order(n, at, due);
        if !credit.is_zero() {
            self.stats.upgrades_with_credit += 1;
            let credits = self.services[n].credits.clone();
            let noted = self.exec::<OrderLedger>(
                n,
                &credits,
                LedgerCommand::RecordOrder {
                    order: order_id.clone(),
                    paid_at: at,
                    amount: credit,
                },
            );
            check!(
                self.ctx,
                noted.is_ok(),
                "account {n}: credit note refused: {noted:?}"
            );
        }
        self.services[n].current = Some(Current {
            orders: vec![order_id],
            paid: due,
            start: at,
            end,
            seats,
        });
    }

    /// Records a paid order in the account's ledger; it must be accepted.
    pub(super) fn record_order(
        &mut self,
        n: usize,
        paid_at: DateTime<Utc>,
        amount: Money,
    ) -> OrderId {
        let service = &mut self.services[n];
        service.next_order += 1;
        let order = OrderId::from(format!("acct-{n}-o{}", service.next_order));
        service.orders.push(order.clone());
        let id = service.id.clone();
        let recorded = self.exec::<OrderLedger>(
            n,
            &id,
            LedgerCommand::RecordOrder {
                order: order.clone(),
                paid_at,
                amount,
            },
        );
        check!(
            self.ctx,
            recorded.is_ok(),
            "account {n}: order {order} refused: {recorded:?}"
        );
        order
    }

    /// A renewal (R-SEAT-09) priced by `extend` for the running seat count,
    /// one period from the current end.
    pub(super) fn seat_renewal(&mut self, n: usize) {
        let now = self.now();
        let current = self.services[n].current.clone();
        let seats = current
            .as_ref()
            .map_or_else(|| self.rng.range(1, 300) as u32, |c| c.seats);
        let current_end = current.as_ref().map_or(now, |c| c.end);
        let extension = ExtensionOrder {
            seats,
            periods: 1,
            current_end,
        };
        let priced = self
            .ctx
            .ok(self.policies.seat.extend(&extension, now), "extend");
        let Some(validity) = Period::days(priced.validity.total_days.0) else {
            self.ctx.fail("an extension of no days");
        };
        let id = self.services[n].id.clone();
        let Ok(outcome) =
            self.exec::<Subscription>(n, &id, SubscriptionCommand::Renew { validity })
        else {
            self.ctx
                .fail(format!("account {n}: a renewal is accepted in every state"));
        };
        let Some(&SubscriptionEvent::Renewed { at, start, end }) = outcome.events.first() else {
            self.ctx
                .fail(format!("account {n}: a renewal answered {outcome:?}"));
        };
        let order = self.record_order(n, at, priced.total);
        self.extend_current(n, order, priced.total, start, end, seats);
    }

    /// The running purchase grows by an order that extends it from its end;
    /// any other order starts a new one.
    pub(super) fn extend_current(
        &mut self,
        n: usize,
        order: OrderId,
        paid: Money,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        seats: u32,
    ) {
        let ctx = self.ctx.clone();
        let service = &mut self.services[n];
        service.current = match service.current.take() {
            Some(mut current) if current.end == start => {
                current.orders.push(order);
                current.paid = add(&ctx, current.paid, paid);
                current.end = end;
                Some(current)
            }
            _ => Some(Current {
                orders: vec![order],
                paid,
                start,
                end,
                seats,
            }),
        };
    }

    pub(super) fn subscription_settings(&mut self, n: usize) {
        let command = match self.rng.below(4) {
            0 => SubscriptionCommand::GoLive,
            1 => SubscriptionCommand::StartExtraTrial {
                by: self.rng.pick(&[Role::Admin, Role::Admin, Role::Member]),
            },
            _ => SubscriptionCommand::SetAutoRenewal {
                on: self.rng.chance(70),
            },
        };
        let id = self.services[n].id.clone();
        let _ = self.exec::<Subscription>(n, &id, command);
    }

    /// The scheduler's sweep (R-LIFE-03..07): the chat service's accounts
    /// pass their balance for an auto-renewal (one time in ten they forget,
    /// which is refused under R-LIFE-07 when one is due). Each auto-renewal
    /// is paid by an order recorded in the ledger. After a sweep nothing
    /// more is due at `now`: one `Advance` applies at most
    /// `MAX_AUTO_RENEWALS_PER_SWEEP` renewals (R-LIFE-07), and these balances
    /// cover a few, so one call always catches up here (a scheduler in
    /// general repeats it until it returns no events).
    pub(super) fn subscription_sweep(&mut self, n: usize) {
        let seats = self.services[n].current.as_ref().map_or(10, |c| c.seats);
        let price = Money::cny(Decimal::from(seats) * Decimal::from(8));
        let funds = (n % 3 == 1 && self.rng.chance(90)).then(|| Funds {
            balance: Money::cny(Decimal::from(self.rng.below(u64::from(seats) * 30))),
            renewal_price: price,
        });
        let id = self.services[n].id.clone();
        let Ok(outcome) = self.exec::<Subscription>(n, &id, SubscriptionCommand::Advance { funds })
        else {
            return;
        };
        for event in &outcome.events {
            if let SubscriptionEvent::AutoRenewed { at, end, price } = *event {
                self.stats.auto_renewals += 1;
                let order = self.record_order(n, at, price);
                self.extend_current(n, order, price, at, end, seats);
            }
        }
        let policy = &self.policies.lifecycles[n % 3];
        let state = self.ctx.ok(self.engine.state::<Subscription>(&id), "load");
        let next = self
            .ctx
            .ok(Subscription::next_due_at(&state, policy), "next due");
        check!(
            self.ctx,
            next.is_none_or(|at| at > self.now()),
            "account {n}: after a sweep at {}, something is still due at {next:?}: {state:?}",
            self.now()
        );
    }

    // -------------------------------------------------------- packages

    pub(super) fn package_purchase(&mut self, n: usize) {
        let order = match self.rng.below(10) {
            0..6 => {
                PackageOrder::listed(self.rng.pick(&[1_000, 5_000, 10_000, 50_000, 100_000]), 365)
            }
            6..9 => PackageOrder::custom(self.rng.range(1, 5_000), self.rng.pick(&[90, 180, 365])),
            // Not in the catalogue: refused (R-USE-05).
            _ => PackageOrder::listed(1_234, self.rng.pick(&[30, 365])),
        };
        let id = self.services[n].id.clone();
        let _ = self.exec::<PackageWallet>(n, &id, WalletCommand::Purchase { order });
    }

    pub(super) fn package_consume(&mut self, n: usize) {
        let now = self.now();
        let succeeded = self.rng.log_uniform(11) - 1;
        let failed = self.rng.below(20);
        let late = Duration::minutes(self.rng.below(3 * 24 * 60) as i64);
        let command = WalletCommand::Consume {
            component: self.rng.pick(&Component::ALL),
            calls: CallCounts { succeeded, failed },
            at: now - late,
        };
        let id = self.services[n].id.clone();
        let _ = self.exec::<PackageWallet>(n, &id, command);
    }

    /// After Advance, no open package has reached its end (R-USE-07).
    pub(super) fn check_expired(&mut self, n: usize) {
        let now = self.now();
        let wallet = self.ctx.ok(
            self.engine.state::<PackageWallet>(&self.services[n].id),
            "load",
        );
        for package in wallet.packages() {
            check!(
                self.ctx,
                package.status() != PackageStatus::Open || now < package.expires_at(),
                "account {n}: package {:?} still open after Advance at {now}",
                package.id()
            );
        }
    }

    pub(super) fn wallet_settings(&mut self, n: usize) {
        let command = if self.rng.chance(60) {
            WalletCommand::SwitchFeature {
                switch: if self.rng.chance(50) {
                    FeatureSwitch::Off
                } else {
                    FeatureSwitch::On
                },
            }
        } else {
            let organisation = self.rng.pick(&[
                Organisation::Enterprise,
                Organisation::Enterprise,
                Organisation::Government,
                Organisation::PublicInstitution,
            ]);
            let category = self
                .rng
                .pick(&[Category::Other, Category::PublicLivelihood]);
            WalletCommand::SetProfile {
                profile: AccountProfile::new(organisation, category),
            }
        };
        let id = self.services[n].id.clone();
        let _ = self.exec::<PackageWallet>(n, &id, command);
    }

    // -------------------------------------------------------- licences

    /// A licence for the account's own app, or (one time in five) for
    /// another account's app id: refused under R-LIC-04 once that one is
    /// bound to its owner.
    pub(super) fn licence_purchase(&mut self, n: usize) {
        let app_of = if self.rng.chance(80) {
            n
        } else {
            self.rng.index(self.services.len())
        };
        let app = self.services[app_of].app.clone();
        let owner = self.books.owners.get(&app.0).copied();
        let command = LicenceCommand::Purchase {
            app: app.clone(),
            account: self.services[n].account.clone(),
        };
        let id = AggregateId::from(app.0.clone());
        let answer = self.exec::<Licence>(n, &id, command);
        if let Some(owner) = owner.filter(|owner| *owner != n) {
            check!(
                self.ctx,
                answer
                    .as_ref()
                    .err()
                    .and_then(EngineError::refusal)
                    .is_some_and(|r| r.refused_by(RuleId::Lic04)),
                "account {n} bought a licence for {app}, bound to account {owner} (R-LIC-04): {answer:?}"
            );
        }
        if answer.is_ok() {
            check!(
                self.ctx,
                self.books.owners.get(&app.0) == Some(&n),
                "account {n} bought a licence for {app} it does not own"
            );
        }
    }

    pub(super) fn licence_claim(&mut self, n: usize) {
        let buyer = if self.rng.chance(90) {
            n
        } else {
            self.rng.index(self.services.len())
        };
        // Few enough ids that packages are claimed again, for another app
        // (refused, R-LIC-06) or the holder (accepted, nothing new).
        let package = TrafficPackage {
            id: format!("tp-{}", self.rng.below(500)),
            size: Quantity::new(Decimal::from(self.rng.range(150, 260)), Unit::Terabyte),
            buyer: self.services[buyer].account.clone(),
        };
        let app = self.services[n].app.clone();
        let account = self.services[n].account.clone();
        // The service's two steps: the package's claim, then the licence
        // with the claim's receipt.
        let claim_id = AggregateId::from(package.id.clone());
        let claim = BundleClaimCommand::Claim {
            app: app.clone(),
            account: account.clone(),
            package,
        };
        if self.exec::<BundleClaim>(n, &claim_id, claim).is_err() {
            return;
        }
        let claims = self
            .ctx
            .ok(self.engine.state::<BundleClaim>(&claim_id), "load");
        let Some(receipt) = claims.receipt().cloned() else {
            self.ctx
                .fail(format!("claim {claim_id} accepted with no receipt"));
        };
        let command = LicenceCommand::ClaimBundled {
            app: app.clone(),
            account,
            receipt,
        };
        let id = AggregateId::from(app.0.clone());
        let _ = self.exec::<Licence>(n, &id, command);
    }

    // -------------------------------------------------------- payment

    /// A switch with random facts: isolation, an unsupported context, an
    /// invoice balance that may not cover the refund. The amount a switch
    /// refunds is the environment's unused prepaid quota, which the caller
    /// states and the simulation does not sell, so it is not booked as a
    /// refund of the account's orders.
    pub(super) fn payment_switch(&mut self, n: usize) {
        // Mostly between the prepaid sources, so some accounts reach the
        // limit (R-PAY-03) before pay-as-you-go ends their switching.
        let to = if self.rng.chance(15) {
            PaymentMethod::PayAsYouGo
        } else {
            self.rng.pick(&[
                PaymentMethod::PrepaidPersonalWallet,
                PaymentMethod::PrepaidCloudAccount,
            ])
        };
        let mut facts = SwitchFacts::default();
        if self.rng.chance(10) {
            facts = facts.in_isolation();
        }
        if self.rng.chance(10) {
            facts = facts.in_unsupported_context();
        }
        if self.rng.chance(30) {
            let unused = Money::cny(Decimal::new(self.rng.below(50_000) as i64, 2));
            let open = Money::cny(Decimal::new(self.rng.below(50_000) as i64, 2));
            facts = facts.with_refund(unused, open);
        }
        let books = &self.books.accounts[n];
        let (payg, used) = (books.payg, books.switches);
        let id = self.services[n].id.clone();
        let answer = self.exec::<EnvironmentPayment>(n, &id, PaymentCommand::switch(to, facts));
        let refusal = answer.as_ref().err().and_then(EngineError::refusal);
        if payg {
            check!(
                self.ctx,
                refusal.is_some_and(|r| r.refused_by(RuleId::Pay04)),
                "account {n}: a switch after pay-as-you-go answered {answer:?} (R-PAY-04)"
            );
        }
        if used >= 4 {
            check!(
                self.ctx,
                refusal.is_some_and(|r| r.refused_by(RuleId::Pay03)),
                "account {n}: a switch after {used} switches answered {answer:?} (R-PAY-03)"
            );
        }
    }

    // -------------------------------------------------------- refunds

    /// A refund request, usually for the latest order: the ledger decides
    /// (R-REF-01, R-REF-02, R-REF-04). A refunded order ends the running
    /// purchase it paid for, so its value is never credited afterwards.
    pub(super) fn refund(&mut self, n: usize) {
        let roll = self.rng.below(100);
        let pick = self.rng.index(self.services[n].orders.len());
        let orders = &self.services[n].orders;
        let order = match (orders.last(), roll) {
            (_, 0..5) | (None, _) => OrderId::from(format!("acct-{n}-none")),
            (Some(last), 5..75) => last.clone(),
            _ => orders[pick].clone(),
        };
        let flags = RefundFlags {
            banned_for_content: self.rng.chance(4),
            flagged_abnormal: self.rng.chance(4),
        };
        let id = self.services[n].id.clone();
        let answer = self.exec::<OrderLedger>(
            n,
            &id,
            LedgerCommand::Refund {
                order: order.clone(),
                flags,
            },
        );
        if answer.is_ok() {
            self.stats.refunds += 1;
            let service = &mut self.services[n];
            if service
                .current
                .as_ref()
                .is_some_and(|c| c.orders.contains(&order))
            {
                service.current = None;
            }
        }
    }

    pub(super) fn invoice(&mut self, n: usize) {
        if self.services[n].orders.is_empty() {
            return;
        }
        let pick = self.rng.index(self.services[n].orders.len());
        let order = self.services[n].orders[pick].clone();
        let id = self.services[n].id.clone();
        let _ = self.exec::<OrderLedger>(n, &id, LedgerCommand::MarkInvoiced { order });
    }
}
