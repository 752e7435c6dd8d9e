//! What the simulation needs of each aggregate kind (the `Kind` trait) and
//! its impls for the six kinds a service sends.

use super::*;

/// What the simulation needs of each aggregate kind.
pub(crate) trait Kind:
    Aggregate<
        State: Send + PartialEq + Debug + 'static,
        Command: Debug + serde::Serialize,
        Event: Send + PartialEq + Debug + 'static,
    > + Sized
    + 'static
{
    /// The only family its refusals may name.
    const FAMILY: RuleFamily;
    fn policy(policies: &Policies, account: usize) -> &Self::Policy;
    /// Books the events of an accepted command (or of a stream, in the
    /// audit), checking what the events alone can tell.
    fn observe(
        books: &mut Books,
        ctx: &Ctx,
        account: usize,
        id: &AggregateId,
        events: &[Self::Event],
    );
    fn retry(sent: Sent<Self>) -> Retry;
}

impl Kind for Subscription {
    const FAMILY: RuleFamily = RuleFamily::Life;
    fn policy(policies: &Policies, account: usize) -> &SubscriptionPolicy {
        &policies.lifecycles[account % 3]
    }
    fn observe(_: &mut Books, _: &Ctx, _: usize, _: &AggregateId, _: &[SubscriptionEvent]) {
        // No money moves here: a purchase is paid by the order recorded in
        // the ledger, an auto-renewal likewise.
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::Subscription(sent)
    }
}

impl Kind for PackageWallet {
    const FAMILY: RuleFamily = RuleFamily::Use;
    fn policy(policies: &Policies, _: usize) -> &UsagePolicy {
        &policies.usage
    }
    fn observe(
        books: &mut Books,
        ctx: &Ctx,
        account: usize,
        _: &AggregateId,
        events: &[WalletEvent],
    ) {
        for event in events {
            let amount = match event {
                WalletEvent::Purchased(p) => p.price,
                WalletEvent::Consumed(c) => {
                    check!(
                        ctx,
                        c.waived + c.drawn() + c.overage + c.refused == c.requested,
                        "account {account}: consumption does not add up: {c:?}"
                    );
                    c.charge
                }
                _ => continue,
            };
            let acct = &mut books.accounts[account];
            acct.paid = add(ctx, acct.paid, amount);
        }
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::Wallet(sent)
    }
}

impl Kind for Licence {
    const FAMILY: RuleFamily = RuleFamily::Lic;
    fn policy(policies: &Policies, _: usize) -> &LicencePolicy {
        &policies.licence
    }
    fn observe(books: &mut Books, ctx: &Ctx, _: usize, id: &AggregateId, events: &[LicenceEvent]) {
        for event in events {
            match event {
                LicenceEvent::Bound { app, owner, .. } => {
                    let owner = account_number(ctx, owner);
                    let previous = books.owners.insert(app.0.clone(), owner);
                    check!(ctx, previous.is_none(), "app {app} bound twice (R-LIC-04)");
                }
                LicenceEvent::Purchased { price, .. } => {
                    // The payer is the owner: R-LIC-04 lets no one else buy.
                    let Some(&owner) = books.owners.get(id.as_str()) else {
                        ctx.fail(format!("licence {id} sold before it was bound"));
                    };
                    let acct = &mut books.accounts[owner];
                    acct.paid = add(ctx, acct.paid, *price);
                }
                LicenceEvent::BundledGranted { package_id, .. } => {
                    // R-LIC-06: granted once, to the app holding the claim.
                    check!(
                        ctx,
                        books.bundle_holders.get(package_id).map(String::as_str)
                            == Some(id.as_str()),
                        "app {id} was granted package {package_id}'s free term held by {:?} (R-LIC-06)",
                        books.bundle_holders.get(package_id)
                    );
                    let previous = books
                        .bundle_grants
                        .insert(package_id.clone(), id.to_string());
                    check!(
                        ctx,
                        previous.is_none(),
                        "package {package_id}'s free term granted to {id} and {previous:?} (R-LIC-06)"
                    );
                }
                LicenceEvent::Expired { .. } => {}
            }
        }
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::Licence(sent)
    }
}

impl Kind for BundleClaim {
    const FAMILY: RuleFamily = RuleFamily::Lic;
    fn policy(policies: &Policies, _: usize) -> &LicencePolicy {
        &policies.licence
    }
    fn observe(
        books: &mut Books,
        ctx: &Ctx,
        _: usize,
        id: &AggregateId,
        events: &[BundleClaimEvent],
    ) {
        for BundleClaimEvent::Claimed(receipt) in events {
            check!(
                ctx,
                receipt.package().id == id.as_str(),
                "claim aggregate {id} issued a receipt for package {}",
                receipt.package().id
            );
            let previous = books
                .bundle_holders
                .insert(id.to_string(), receipt.app().0.clone());
            check!(
                ctx,
                previous.is_none(),
                "package {id} claimed for {} after {previous:?} (R-LIC-06)",
                receipt.app()
            );
        }
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::BundleClaim(sent)
    }
}

impl Kind for EnvironmentPayment {
    const FAMILY: RuleFamily = RuleFamily::Pay;
    fn policy(policies: &Policies, _: usize) -> &PaymentPolicy {
        &policies.payment
    }
    fn observe(
        books: &mut Books,
        ctx: &Ctx,
        account: usize,
        _: &AggregateId,
        events: &[PaymentEvent],
    ) {
        let acct = &mut books.accounts[account];
        for event in events {
            match event {
                PaymentEvent::MethodChosen { method, .. } => {
                    acct.payg = *method == PaymentMethod::PayAsYouGo;
                }
                PaymentEvent::MethodSwitched {
                    to, switch_number, ..
                } => {
                    check!(
                        ctx,
                        !acct.payg,
                        "account {account}: switch {switch_number} to {to} accepted after pay-as-you-go (R-PAY-04)"
                    );
                    acct.switches += 1;
                    check!(
                        ctx,
                        *switch_number == acct.switches && acct.switches <= 4,
                        "account {account}: switch number {switch_number}, {} switches seen (R-PAY-03)",
                        acct.switches
                    );
                    acct.payg = *to == PaymentMethod::PayAsYouGo;
                }
            }
        }
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::Payment(sent)
    }
}

impl Kind for OrderLedger {
    const FAMILY: RuleFamily = RuleFamily::Ref;
    fn policy(policies: &Policies, _: usize) -> &AppRefundPolicy {
        &policies.refunds
    }
    fn observe(
        books: &mut Books,
        ctx: &Ctx,
        account: usize,
        id: &AggregateId,
        events: &[LedgerEvent],
    ) {
        let credit_notes = id.as_str().ends_with("/credits");
        let acct = &mut books.accounts[account];
        for event in events {
            match (credit_notes, event) {
                (false, LedgerEvent::OrderRecorded { order, amount, .. }) => {
                    acct.paid = add(ctx, acct.paid, *amount);
                    acct.ledger_paid = add(ctx, acct.ledger_paid, *amount);
                    acct.orders.insert(order.clone(), (*amount, false));
                }
                (false, LedgerEvent::OrderRefunded { order, amount, .. }) => {
                    let Some((paid, refunded)) = acct.orders.get_mut(order) else {
                        ctx.fail(format!(
                            "account {account}: refund of unknown order {order}"
                        ));
                    };
                    check!(
                        ctx,
                        !*refunded,
                        "account {account}: order {order} refunded twice"
                    );
                    check!(
                        ctx,
                        paid == amount,
                        "account {account}: order {order} paid {paid}, refunded {amount}"
                    );
                    *refunded = true;
                    acct.refunded = add(ctx, acct.refunded, *amount);
                    acct.ledger_refunded = add(ctx, acct.ledger_refunded, *amount);
                    // A refunded order's credit goes back with it.
                    if let Some(credit) = acct.credit_notes.get(order) {
                        acct.credited = sub(ctx, acct.credited, *credit);
                    }
                }
                (false, LedgerEvent::OrderInvoiced { .. }) => {}
                (true, LedgerEvent::OrderRecorded { order, amount, .. }) => {
                    acct.credit_notes_total = add(ctx, acct.credit_notes_total, *amount);
                    acct.credit_notes.insert(order.clone(), *amount);
                    if !acct
                        .orders
                        .get(order)
                        .is_some_and(|(_, refunded)| *refunded)
                    {
                        acct.credited = add(ctx, acct.credited, *amount);
                    }
                }
                (true, other) => ctx.fail(format!("credit notes are only recorded: {other:?}")),
            }
        }
    }
    fn retry(sent: Sent<Self>) -> Retry {
        Retry::Ledger(sent)
    }
}
