//! Every state change of the shop as one command value: what the writer
//! queues, applies, and journals. A command's journal entry holds the
//! command, the time it was applied at and the reply it got, so replaying
//! the journal on a fresh shop rebuilds the same state — and proves it, by
//! getting the same replies.

use serde::{Deserialize, Serialize};

use crate::AttemptId;
use crate::coupons::NewCoupon;
use crate::inventory::{InvalidLine, SealedKey};
use crate::orders::Decision;
use crate::refunds::RefundTo;
use crate::reply::{Reply, TickReport};
use crate::users::PasswordHash;
use crate::withdrawals::WithdrawFrom;
use crate::{
    Bps, Currency, MerchantId, MerchantStatus, NewProduct, OrderId, ProductId, Role, Shop,
    ShopError, UserId, WithdrawalId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Register {
        login: String,
        role: Role,
        referrer_code: Option<String>,
        /// The password's hash, made at the edge; none for accounts that do
        /// not sign in with a password.
        #[serde(default)]
        password: Option<PasswordHash>,
    },
    /// A TOTP secret, sealed at the edge, for `user`.
    EnrollSecondFactor {
        actor: UserId,
        user: UserId,
        sealed: Vec<u8>,
    },
    /// A merchant's owner adds an API key (the secret sealed at the edge).
    AddApiKey {
        #[serde(alias = "owner")]
        actor: UserId,
        key_id: String,
        sealed: Vec<u8>,
    },
    /// Staff set a merchant's status.
    SetMerchantStatusBy {
        actor: UserId,
        merchant: MerchantId,
        status: MerchantStatus,
    },
    CreateMerchant {
        owner: UserId,
        name: String,
        fee: Bps,
        holding_days: u32,
        /// The merchant's data key, wrapped by the master key at the edge.
        wrapped_key: Vec<u8>,
    },
    SetMerchantStatus {
        merchant: MerchantId,
        status: MerchantStatus,
    },
    CreateProduct {
        merchant: MerchantId,
        spec: NewProduct,
    },
    /// A merchant's owner adds a product to their own catalog.
    AddProduct {
        #[serde(alias = "owner")]
        actor: UserId,
        spec: NewProduct,
    },
    /// A merchant's owner imports keys into their own product.
    ImportOwnKeys {
        #[serde(alias = "owner")]
        actor: UserId,
        product: ProductId,
        keys: Vec<SealedKey>,
        invalid: Vec<InvalidLine>,
    },
    SetOnSale {
        product: ProductId,
        on_sale: bool,
    },
    /// A merchant's owner puts one of their own products on sale or off.
    SetOwnOnSale {
        #[serde(alias = "owner")]
        actor: UserId,
        product: ProductId,
        on_sale: bool,
    },
    ImportKeys {
        product: ProductId,
        keys: Vec<SealedKey>,
        invalid: Vec<InvalidLine>,
    },
    CreateCoupon {
        actor: UserId,
        merchant: MerchantId,
        spec: NewCoupon,
    },
    CreateOrder {
        #[serde(alias = "buyer")]
        actor: UserId,
        product: ProductId,
        quantity: u32,
        coupon: Option<String>,
    },
    CancelOrder {
        #[serde(alias = "buyer")]
        actor: UserId,
        order: OrderId,
    },
    /// Create and pay by balance in one step (the checkout).
    BuyWithBalance {
        #[serde(alias = "buyer")]
        actor: UserId,
        product: ProductId,
        quantity: u32,
        coupon: Option<String>,
    },
    PayByBalance {
        #[serde(alias = "buyer")]
        actor: UserId,
        order: OrderId,
    },
    StartPayment {
        #[serde(alias = "buyer")]
        actor: UserId,
        order: OrderId,
        channel: String,
    },
    StartRecharge {
        #[serde(alias = "user")]
        actor: UserId,
        channel: String,
        amount: u64,
        currency: Currency,
    },
    PaymentSucceeded {
        attempt: AttemptId,
        channel_txn: String,
        amount: u64,
        currency: Currency,
    },
    PaymentFailed {
        attempt: AttemptId,
    },
    /// An attempt's channel has sent back `amount` of what it owes
    /// (written by releases before sends were reserved first).
    ChannelRefundSent {
        attempt: AttemptId,
        amount: u64,
    },
    /// Finance marks an attempt paid after checking with the channel.
    PaymentSucceededBy {
        #[serde(alias = "staff")]
        actor: UserId,
        attempt: AttemptId,
        channel_txn: String,
        amount: u64,
        currency: Currency,
    },
    CreditWallet {
        user: UserId,
        currency: Currency,
        amount: u64,
    },
    ConfirmOrder {
        #[serde(alias = "buyer")]
        actor: UserId,
        order: OrderId,
    },
    Refund {
        actor: UserId,
        order: OrderId,
        amount: u64,
        to: RefundTo,
    },
    OpenDispute {
        #[serde(alias = "buyer")]
        actor: UserId,
        order: OrderId,
        reason: String,
    },
    ReplaceKeys {
        actor: UserId,
        order: OrderId,
    },
    RefundDispute {
        actor: UserId,
        order: OrderId,
    },
    EscalateDispute {
        actor: UserId,
        order: OrderId,
    },
    DecideDispute {
        #[serde(alias = "staff")]
        actor: UserId,
        order: OrderId,
        decision: Decision,
    },
    FundDeposit {
        actor: UserId,
        merchant: MerchantId,
        currency: Currency,
        amount: u64,
    },
    /// A guest's order (no account), read back with its lookup secret.
    CreateGuestOrder {
        product: ProductId,
        quantity: u32,
        coupon: Option<String>,
        /// The lookup secret's hash, made at the edge.
        lookup: PasswordHash,
    },
    RequestWithdrawal {
        actor: UserId,
        from: WithdrawFrom,
        currency: Currency,
        amount: u64,
        destination: String,
    },
    ApproveWithdrawal {
        #[serde(alias = "staff")]
        actor: UserId,
        withdrawal: WithdrawalId,
    },
    RejectWithdrawal {
        #[serde(alias = "staff")]
        actor: UserId,
        withdrawal: WithdrawalId,
    },
    /// An approved withdrawal paid out (`paid`) or failed.
    FinishPayout {
        #[serde(alias = "staff")]
        actor: UserId,
        withdrawal: WithdrawalId,
        paid: bool,
        reference: String,
    },
    /// An admin changes a user's role.
    SetRoleBy {
        actor: UserId,
        user: UserId,
        role: Role,
    },
    /// An admin opens a merchant for its owner.
    CreateMerchantBy {
        actor: UserId,
        owner: UserId,
        name: String,
        fee: Bps,
        holding_days: u32,
        wrapped_key: Vec<u8>,
    },
    /// Finance asks to credit a wallet with money received outside a
    /// channel; another approves it.
    CreditWalletBy {
        actor: UserId,
        user: UserId,
        currency: Currency,
        amount: u64,
        note: String,
    },
    /// A second member of finance approves or rejects a credit.
    DecideCreditBy {
        actor: UserId,
        credit: crate::CreditId,
        approve: bool,
    },
    /// A command under a caller's idempotency key; `fingerprint` is a
    /// digest of the request, so the same key with another request is told
    /// apart.
    Idempotent {
        #[serde(alias = "caller")]
        actor: UserId,
        key: String,
        fingerprint: String,
        command: Box<Command>,
    },
    /// A read, answered after the group it is in has committed; changes
    /// nothing and is not journaled.
    Query(crate::query::Query),
    /// Time-driven work, submitted by the scheduler when due: expire unpaid
    /// orders, confirm orders past their window, release held shares,
    /// escalate unanswered disputes.
    Tick,
    /// The operator's shop-wide settings (from the config file at start):
    /// recorded as an entry when they differ from the journal's, so every
    /// command is replayed under the settings it ran under.
    ChangeSettings {
        settings: crate::Config,
    },
    /// Reserves what an attempt owes back before its channel is asked to
    /// send it (a send, `R<id>`).
    ReserveChannelRefund {
        attempt: AttemptId,
    },
    /// The channel's answer to a send.
    FinishChannelRefund {
        send: crate::SendId,
        outcome: crate::SendOutcome,
    },
    /// Finance resolves an open send as sent or not sent.
    ResolveChannelRefund {
        actor: UserId,
        send: crate::SendId,
        sent: bool,
    },
    /// At start: sends still in flight lost their answers with the last
    /// process.
    SendsInterrupted,
    /// An admin stops every outflow by hand.
    StopOutflows {
        actor: UserId,
        note: String,
    },
    /// An admin asks to lift the outflow stop (two different ones lift it).
    LiftOutflows {
        actor: UserId,
    },
    /// The operator lifts the stop at the command line (one-admin shops).
    BreakGlassLift {
        note: String,
    },
    /// Finance books a loss the platform bears, out of custody.
    BookLoss {
        actor: UserId,
        currency: Currency,
        amount: u64,
        note: String,
    },
    /// Asks a second member of staff to approve an action.
    AskApproval {
        actor: UserId,
        action: crate::Approvable,
    },
    /// Finance approves (it runs) or rejects a waiting action.
    DecideApproval {
        actor: UserId,
        approval: crate::ApprovalId,
        approve: bool,
    },
    /// The operator's money rules per currency (from the config file at
    /// start): recorded when they differ from the journal's.
    ChangeRules {
        rules: crate::Rules,
    },
    /// Finance books what a channel paid into custody.
    BookSettlement {
        actor: UserId,
        channel: String,
        reference: String,
        currency: Currency,
        gross: u64,
        fee: u64,
        source: crate::SettlementSource,
    },
    /// Finance sweeps earned fees out of custody.
    SweepFees {
        actor: UserId,
        currency: Currency,
        amount: u64,
    },
    /// A user adds a withdrawal destination (sealed at the edge).
    AddDestination {
        actor: UserId,
        label: String,
        masked: String,
        sealed: Vec<u8>,
    },
    RemoveDestination {
        actor: UserId,
        destination: crate::DestinationId,
    },
    /// A withdrawal to a destination from the caller's book.
    RequestWithdrawalTo {
        actor: UserId,
        from: WithdrawFrom,
        currency: Currency,
        amount: u64,
        destination: crate::DestinationId,
    },
    /// Finance starts paying a withdrawal out through a channel (journaled
    /// before the channel is asked).
    StartPayout {
        actor: UserId,
        withdrawal: WithdrawalId,
    },
    /// A merchant's owner starts paying into its deposit through a channel.
    StartDepositPayment {
        actor: UserId,
        channel: String,
        amount: u64,
        currency: Currency,
    },
}

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
            } => Reply::Merchant(self.create_merchant(
                now,
                owner,
                &name,
                fee,
                holding_days,
                wrapped_key,
            )?),
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
                Reply::Order(self.create_order(now, buyer, product, quantity, coupon.as_deref())?)
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
            } => Reply::Attempt(self.start_recharge(now, user, &channel, amount, currency)?),
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
            } => Reply::Order(self.create_guest_order(
                now,
                product,
                quantity,
                coupon.as_deref(),
                lookup,
            )?),
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
            } => Reply::Merchant(self.create_merchant_by(
                now,
                actor,
                owner,
                (&name, fee, holding_days),
                wrapped_key,
            )?),
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
                forgotten_keys: self.forget_old_keys(now),
            }),
        })
    }
}
