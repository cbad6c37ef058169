//! Each command applied: the one place a [`Command`] is matched and handed
//! to the flow that carries it out, with coverage checked after every
//! command but a read.

use crate::command::Command;
use crate::reply::{Reply, TickReport};
use crate::{Role, Shop, ShopError};

impl Shop {
    /// Applies one command at `now` (nanoseconds, never before the last).
    /// After every command but a read, coverage is checked: outflows stop
    /// the moment it fails.
    pub fn apply(&mut self, now: u64, command: Command) -> Result<Reply, ShopError> {
        let read = matches!(command, Command::Query(_));
        let reply = self.run(now, command);
        if !read {
            self.check_coverage(now);
        }
        reply
    }

    fn run(&mut self, now: u64, command: Command) -> Result<Reply, ShopError> {
        use Command as C;
        Ok(match command {
            C::Register {
                login,
                role,
                referrer_code,
                password: None,
            } => Reply::User(self.register(now, &login, role, referrer_code.as_deref())?),
            C::Register {
                login,
                role: Role::Buyer,
                referrer_code,
                password: Some(password),
            } => Reply::User(self.sign_up(now, &login, referrer_code.as_deref(), password)?),
            C::Register {
                login,
                role,
                referrer_code,
                password: Some(password),
            } => Reply::User(self.register_with_password(
                now,
                &login,
                role,
                referrer_code.as_deref(),
                password,
            )?),
            C::CreateMerchant {
                owner,
                name,
                fee,
                holding_days,
                wrapped_key,
            } => Reply::Merchant(self.open_merchant_checked(now, owner, |shop| {
                shop.create_merchant(now, owner, &name, fee, holding_days, wrapped_key)
            })?),
            C::EnrollSecondFactor {
                actor,
                user,
                sealed,
            } => {
                self.enroll_second_factor(now, actor, user, sealed)?;
                Reply::Done
            }
            C::AddApiKey {
                actor: owner,
                key_id,
                sealed,
            } => {
                self.add_api_key(now, owner, &key_id, sealed)?;
                Reply::Done
            }
            C::SetMerchantStatusBy {
                actor,
                merchant,
                status,
            } => {
                self.set_merchant_status_by(now, actor, merchant, status)?;
                Reply::Done
            }
            C::SetMerchantStatus { merchant, status } => {
                self.set_merchant_status(now, merchant, status)?;
                Reply::Done
            }
            C::CreateProduct { merchant, spec } => {
                Reply::Product(self.create_product(now, merchant, spec)?)
            }
            C::AddProduct { actor: owner, spec } => {
                let merchant = self.owned_merchant(owner)?.id;
                Reply::Product(self.create_product(now, merchant, spec)?)
            }
            C::ImportOwnKeys {
                actor: owner,
                product,
                keys,
                invalid,
            } => {
                self.owned_product(owner, product)?;
                Reply::Imported(self.import_keys(now, product, keys, invalid)?)
            }
            C::SetOwnOnSale {
                actor: owner,
                product,
                on_sale,
            } => {
                self.owned_product(owner, product)?;
                self.set_on_sale(now, product, on_sale)?;
                Reply::Done
            }
            C::EditProduct {
                actor,
                product,
                spec,
            } => {
                self.edit_product(now, actor, product, spec)?;
                Reply::Done
            }
            C::SetOnSale { product, on_sale } => {
                self.set_on_sale(now, product, on_sale)?;
                Reply::Done
            }
            C::ImportKeys {
                product,
                keys,
                invalid,
            } => Reply::Imported(self.import_keys(now, product, keys, invalid)?),
            C::CreateCoupon {
                actor,
                merchant,
                spec,
            } => {
                self.create_coupon(now, actor, merchant, spec)?;
                Reply::Done
            }
            C::CreateOrder {
                actor: buyer,
                product,
                quantity,
                coupon,
            } => {
                let order = self.create_order(now, buyer, product, quantity, coupon.as_deref())?;
                self.keep_context(crate::risk::Subject::Order(order));
                Reply::Order(order)
            }
            C::CancelOrder {
                actor: buyer,
                order,
            } => {
                self.cancel_order(now, buyer, order)?;
                Reply::Done
            }
            C::BuyWithBalance {
                actor: buyer,
                product,
                quantity,
                coupon,
            } => {
                let (order, keys) =
                    self.buy_with_balance(now, buyer, product, quantity, coupon.as_deref())?;
                Reply::Bought { order, keys }
            }
            C::PayByBalance {
                actor: buyer,
                order,
            } => Reply::Delivered(self.pay_by_balance(now, buyer, order)?),
            C::StartPayment {
                actor: buyer,
                order,
                channel,
            } => Reply::Attempt(self.start_payment(now, buyer, order, &channel)?),
            C::StartRecharge {
                actor: user,
                channel,
                amount,
                currency,
            } => {
                let attempt = self.start_recharge(now, user, &channel, amount, currency)?;
                self.keep_context(crate::risk::Subject::Attempt(attempt));
                Reply::Attempt(attempt)
            }
            C::PaymentSucceeded {
                attempt,
                channel_txn,
                amount,
                currency,
            } => Reply::Payment(self.payment_succeeded(
                now,
                attempt,
                &channel_txn,
                amount,
                currency,
            )?),
            C::PaymentSucceededBy {
                actor: staff,
                attempt,
                channel_txn,
                amount,
                currency,
            } => Reply::Payment(self.payment_succeeded_by(
                now,
                staff,
                attempt,
                &channel_txn,
                (amount, currency),
            )?),
            C::ReserveChannelRefund { attempt } => {
                Reply::Send(self.reserve_channel_refund(now, attempt)?)
            }
            C::FinishChannelRefund { send, outcome } => {
                self.finish_channel_refund(now, send, outcome)?;
                Reply::Done
            }
            C::ResolveChannelRefund { actor, send, sent } => {
                self.resolve_channel_refund(now, actor, send, sent)?;
                Reply::Done
            }
            C::StopOutflows { actor, note } => {
                self.stop_outflows(now, actor, &note)?;
                Reply::Done
            }
            C::LiftOutflows { actor } => {
                self.lift_outflows(now, actor)?;
                Reply::Done
            }
            C::BreakGlassLift { note } => {
                self.break_glass_lift(now, &note)?;
                Reply::Done
            }
            C::BookLoss {
                actor,
                currency,
                amount,
                note,
            } => {
                self.book_loss(now, actor, (currency, amount), &note)?;
                Reply::Done
            }
            C::SendsInterrupted => {
                self.sends_interrupted(now)?;
                Reply::Done
            }
            C::AskApproval { actor, action } => {
                Reply::Approval(self.ask_approval(now, actor, action)?)
            }
            C::DecideApproval {
                actor,
                approval,
                approve,
            } => {
                self.decide_approval(now, actor, approval, approve)?;
                Reply::Done
            }
            C::ChangeRules { rules } => {
                self.change_rules(rules)?;
                Reply::Done
            }
            C::BookSettlement {
                actor,
                channel,
                reference,
                currency,
                gross,
                fee,
                source,
            } => {
                let (settlement, approval) = self.book_settlement(
                    now,
                    actor,
                    (&channel, &reference),
                    (currency, gross, fee),
                    source,
                )?;
                Reply::Settlement {
                    settlement,
                    approval,
                }
            }
            C::SweepFees {
                actor,
                currency,
                amount,
            } => Reply::Sweep(self.sweep_fees(now, actor, currency, amount)?),
            C::AddDestination {
                actor,
                label,
                masked,
                sealed,
            } => Reply::Destination(self.add_destination(now, actor, (&label, &masked), sealed)?),
            C::SetProductDetails {
                actor,
                product,
                details,
            } => {
                self.set_product_details(now, actor, product, details)?;
                Reply::Done
            }
            C::SetLook { actor, look } => {
                self.set_look(now, actor, look)?;
                Reply::Done
            }
            C::SetEmail { actor, email } => {
                self.set_email(now, actor, email.as_deref())?;
                Reply::Done
            }
            C::AddDisputeMessage { actor, order, text } => {
                self.add_dispute_message(now, actor, order, &text)?;
                Reply::Done
            }
            C::RemoveDestination { actor, destination } => {
                self.remove_destination(now, actor, destination)?;
                Reply::Done
            }
            C::RequestWithdrawalTo {
                actor,
                from,
                currency,
                amount,
                destination,
            } => Reply::Withdrawal(self.request_withdrawal_to(
                now,
                actor,
                from,
                (currency, amount),
                destination,
            )?),
            C::StartPayout { actor, withdrawal } => {
                self.start_payout(now, actor, withdrawal)?;
                Reply::Done
            }
            C::StartDepositPayment {
                actor,
                channel,
                amount,
                currency,
            } => {
                Reply::Attempt(self.start_deposit_payment(now, actor, &channel, amount, currency)?)
            }
            C::ChannelRefundSent { attempt, amount } => {
                self.channel_refund_sent(now, attempt, amount)?;
                Reply::Done
            }
            C::PaymentFailed { attempt } => {
                self.payment_failed(now, attempt)?;
                Reply::Done
            }
            C::CreditWallet {
                user,
                currency,
                amount,
            } => {
                self.credit_wallet(now, user, currency, amount)?;
                Reply::Done
            }
            C::ConfirmOrder {
                actor: buyer,
                order,
            } => Reply::Settled(self.confirm_order(now, buyer, order)?),
            C::Refund {
                actor,
                order,
                amount,
                to,
            } => {
                self.refund(now, actor, order, amount, to)?;
                Reply::Done
            }
            C::OpenDispute {
                actor: buyer,
                order,
                reason,
            } => {
                self.open_dispute(now, buyer, order, &reason)?;
                Reply::Done
            }
            C::ReplaceKeys { actor, order } => {
                Reply::Delivered(self.replace_keys(now, actor, order)?)
            }
            C::RefundDispute { actor, order } => {
                self.refund_dispute(now, actor, order)?;
                Reply::Done
            }
            C::EscalateDispute { actor, order } => {
                self.escalate_dispute(now, actor, order)?;
                Reply::Done
            }
            C::DecideDispute {
                actor: staff,
                order,
                decision,
            } => {
                self.decide_dispute(now, staff, order, decision)?;
                Reply::Done
            }
            C::FundDeposit {
                actor,
                merchant,
                currency,
                amount,
            } => {
                self.fund_deposit(now, actor, merchant, currency, amount)?;
                Reply::Done
            }
            C::CreateGuestOrder {
                product,
                quantity,
                coupon,
                lookup,
                email,
            } => {
                let order = self.create_guest_order(
                    now,
                    (product, quantity, coupon.as_deref()),
                    lookup,
                    email.as_deref(),
                )?;
                self.keep_context(crate::risk::Subject::Order(order));
                Reply::Order(order)
            }
            C::RequestWithdrawal {
                actor,
                from,
                currency,
                amount,
                destination,
            } => Reply::Withdrawal(self.request_withdrawal(
                now,
                actor,
                from,
                currency,
                amount,
                &destination,
            )?),
            C::ApproveWithdrawal {
                actor: staff,
                withdrawal,
            } => Reply::WithdrawalStatus(self.approve_withdrawal(now, staff, withdrawal)?),
            C::RejectWithdrawal {
                actor: staff,
                withdrawal,
            } => {
                self.reject_withdrawal(now, staff, withdrawal)?;
                Reply::Done
            }
            C::FinishPayout {
                actor: staff,
                withdrawal,
                paid,
                reference,
            } => {
                self.finish_payout(now, staff, withdrawal, paid, &reference)?;
                Reply::Done
            }
            C::SetRoleBy { actor, user, role } => {
                self.set_role_by(now, actor, user, role)?;
                Reply::Done
            }
            C::CreateMerchantBy {
                actor,
                owner,
                name,
                fee,
                holding_days,
                wrapped_key,
            } => {
                self.require_admin(actor)?;
                Reply::Merchant(self.open_merchant_checked(now, owner, |shop| {
                    shop.create_merchant_by(
                        now,
                        actor,
                        owner,
                        (&name, fee, holding_days),
                        wrapped_key,
                    )
                })?)
            }
            C::CreditWalletBy {
                actor,
                user,
                currency,
                amount,
                note,
            } => {
                Reply::Credit(self.credit_wallet_by(now, actor, user, (currency, amount), &note)?)
            }
            C::DecideCreditBy {
                actor,
                credit,
                approve,
            } => {
                self.decide_credit_by(now, actor, credit, approve)?;
                Reply::Done
            }
            C::Idempotent {
                actor: caller,
                key,
                fingerprint,
                command,
            } => self.apply_idempotent(now, caller, &key, &fingerprint, *command)?,
            C::Query(query) => Reply::View(self.query(&query)?),
            C::ChangeSettings { settings } => {
                self.change_settings(settings)?;
                Reply::Done
            }
            C::Tick => Reply::Ticked(TickReport {
                expired: self.expire_orders(now)?,
                confirmed: self.confirm_due_orders(now)?,
                released: self.release_due(now)?,
                escalated: self.escalate_unanswered(now)?,
                escalated_reviews: self.escalate_reviews(now),
                forgotten_keys: self.forget_old_keys(now),
                closed_days: self.close_days(now),
            }),
            C::StartFigures => {
                self.start_figures(now);
                Reply::Done
            }
            C::WithContext { context, command } => {
                self.risk.request = Some(context);
                let reply = self.run(now, *command);
                self.risk.request = None;
                reply?
            }
            C::StartRisk { settings } => {
                self.start_risk(now, settings)?;
                Reply::Done
            }
            C::SaveRiskRule { actor, spec } => {
                Reply::RuleSaved(self.save_risk_rule(now, actor, spec)?)
            }
            C::ListRisk { actor, entry } => {
                self.list_risk(now, actor, entry)?;
                Reply::Done
            }
            C::UnlistRisk { actor, kind, value } => {
                self.unlist_risk(now, actor, kind, &value)?;
                Reply::Done
            }
            C::SignIn { user, ok } => {
                self.sign_in(now, user, ok)?;
                Reply::Done
            }
            C::AddDefaultRules => {
                self.add_default_rules(now)?;
                Reply::Done
            }
            C::ClaimReview { actor, review } => {
                self.claim_review(now, actor, review)?;
                Reply::Done
            }
            C::DecideReview {
                actor,
                review,
                approve,
                note,
            } => {
                self.decide_review(now, actor, review, approve, &note)?;
                Reply::Done
            }
            C::DecideCaseMember {
                actor,
                case,
                member,
                ban,
                note,
            } => {
                self.decide_case_member(now, actor, case, member, ban, &note)?;
                Reply::Done
            }
        })
    }
}
