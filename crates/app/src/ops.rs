//! The typed operations: one request type per change or read, each tied to
//! the reply it gets. The caller is never a field — it is filled in from
//! who is calling — so a request cannot act as someone else.

use trigate_core::query::{MeView, ProductView, Query};
use trigate_core::{
    Attempt, AttemptId, Command, CreditId, Currency, Decision, KeyId, MerchantId, MerchantStatus,
    NewCoupon, NewProduct, OrderId, OrderSummary, OwnProduct, PasswordHash, ProductId, RefundTo,
    Role, Settlement, UserId, WalletView, Withdrawal, WithdrawalId, WithdrawalStatus,
};

use crate::{Caller, Change, Read};

/// Ties a request type to its reply and the command it makes.
macro_rules! change {
    ($request:ident -> $reply:ty, |$self_:ident, $caller:ident| $command:expr) => {
        impl Change for $request {
            type Reply = $reply;
            fn command($self_, $caller: Caller) -> Command {
                $command
            }
        }
    };
    (logged $request:ident -> $reply:ty, |$self_:ident, $caller:ident| $command:expr) => {
        impl Change for $request {
            type Reply = $reply;
            const LOGGED: bool = true;
            fn command($self_, $caller: Caller) -> Command {
                $command
            }
        }
    };
}

/// Ties a request type to its view and the query it asks.
macro_rules! read {
    ($request:ident -> $view:ty, |$self_:ident, $caller:ident| $query:expr) => {
        impl Read for $request {
            type View = $view;
            fn query($self_, $caller: Caller) -> Query {
                $query
            }
        }
    };
}

/// A new buyer account with a password (hashed at the edge).
#[derive(Debug, Clone)]
pub struct Register {
    pub login: String,
    pub referrer_code: Option<String>,
    pub password: PasswordHash,
}
change!(Register -> UserId, |self, _caller| Command::Register {
    login: self.login,
    role: Role::Buyer,
    referrer_code: self.referrer_code,
    password: Some(self.password),
});

/// Create an order and pay it from the wallet at once: the order and its
/// delivered keys.
#[derive(Debug, Clone)]
pub struct BuyWithBalance {
    pub product: ProductId,
    pub quantity: u32,
    pub coupon: Option<String>,
}
change!(BuyWithBalance -> (OrderId, Vec<KeyId>), |self, caller| Command::BuyWithBalance {
    actor: caller.0,
    product: self.product,
    quantity: self.quantity,
    coupon: self.coupon,
});

/// Create an order to pay later; its keys are reserved.
#[derive(Debug, Clone)]
pub struct CreateOrder {
    pub product: ProductId,
    pub quantity: u32,
    pub coupon: Option<String>,
}
change!(CreateOrder -> OrderId, |self, caller| Command::CreateOrder {
    actor: caller.0,
    product: self.product,
    quantity: self.quantity,
    coupon: self.coupon,
});

/// Pay one of the caller's orders from the wallet: its keys.
#[derive(Debug, Clone, Copy)]
pub struct PayByBalance {
    pub order: OrderId,
}
change!(PayByBalance -> Vec<KeyId>, |self, caller| Command::PayByBalance {
    actor: caller.0,
    order: self.order,
});

/// The buyer confirms delivery; the order settles.
#[derive(Debug, Clone, Copy)]
pub struct ConfirmOrder {
    pub order: OrderId,
}
change!(ConfirmOrder -> Settlement, |self, caller| Command::ConfirmOrder {
    actor: caller.0,
    order: self.order,
});

/// The buyer cancels an unpaid order.
#[derive(Debug, Clone, Copy)]
pub struct CancelOrder {
    pub order: OrderId,
}
change!(CancelOrder -> (), |self, caller| Command::CancelOrder {
    actor: caller.0,
    order: self.order,
});

/// The seller (or staff) refunds part or all of an order.
#[derive(Debug, Clone, Copy)]
pub struct Refund {
    pub order: OrderId,
    pub amount: u64,
    pub to: RefundTo,
}
change!(logged Refund -> (), |self, caller| Command::Refund {
    actor: caller.0,
    order: self.order,
    amount: self.amount,
    to: self.to,
});

/// The buyer disputes a delivered order.
#[derive(Debug, Clone)]
pub struct OpenDispute {
    pub order: OrderId,
    pub reason: String,
}
change!(OpenDispute -> (), |self, caller| Command::OpenDispute {
    actor: caller.0,
    order: self.order,
    reason: self.reason,
});

/// The merchant answers a dispute with new keys.
#[derive(Debug, Clone, Copy)]
pub struct ReplaceKeys {
    pub order: OrderId,
}
change!(ReplaceKeys -> Vec<KeyId>, |self, caller| Command::ReplaceKeys {
    actor: caller.0,
    order: self.order,
});

/// The merchant (or staff) refunds a disputed order in full.
#[derive(Debug, Clone, Copy)]
pub struct RefundDispute {
    pub order: OrderId,
}
change!(logged RefundDispute -> (), |self, caller| Command::RefundDispute {
    actor: caller.0,
    order: self.order,
});

/// The buyer or the merchant hands a dispute to staff.
#[derive(Debug, Clone, Copy)]
pub struct EscalateDispute {
    pub order: OrderId,
}
change!(EscalateDispute -> (), |self, caller| Command::EscalateDispute {
    actor: caller.0,
    order: self.order,
});

/// Staff decide an escalated dispute.
#[derive(Debug, Clone, Copy)]
pub struct DecideDispute {
    pub order: OrderId,
    pub decision: Decision,
}
change!(logged DecideDispute -> (), |self, caller| Command::DecideDispute {
    actor: caller.0,
    order: self.order,
    decision: self.decision,
});

/// The caller's merchant moves available balance into its deposit.
#[derive(Debug, Clone, Copy)]
pub struct FundDeposit {
    pub merchant: MerchantId,
    pub currency: Currency,
    pub amount: u64,
}
change!(FundDeposit -> (), |self, caller| Command::FundDeposit {
    actor: caller.0,
    merchant: self.merchant,
    currency: self.currency,
    amount: self.amount,
});

/// The caller's merchant adds a product.
#[derive(Debug, Clone)]
pub struct AddProduct {
    pub spec: NewProduct,
}
change!(AddProduct -> ProductId, |self, caller| Command::AddProduct {
    actor: caller.0,
    spec: self.spec,
});

/// The caller's merchant puts one of its products on sale or off.
#[derive(Debug, Clone, Copy)]
pub struct SetOnSale {
    pub product: ProductId,
    pub on_sale: bool,
}
change!(SetOnSale -> (), |self, caller| Command::SetOwnOnSale {
    actor: caller.0,
    product: self.product,
    on_sale: self.on_sale,
});

/// The caller's merchant changes one of its products.
#[derive(Debug, Clone)]
pub struct EditProduct {
    pub product: ProductId,
    pub spec: NewProduct,
}
change!(logged EditProduct -> (), |self, caller| Command::EditProduct {
    actor: caller.0,
    product: self.product,
    spec: self.spec,
});

/// A coupon for the caller's merchant.
#[derive(Debug, Clone)]
pub struct CreateCoupon {
    pub merchant: MerchantId,
    pub spec: NewCoupon,
}
change!(CreateCoupon -> (), |self, caller| Command::CreateCoupon {
    actor: caller.0,
    merchant: self.merchant,
    spec: self.spec,
});

/// Staff set a merchant's status.
#[derive(Debug, Clone, Copy)]
pub struct SetMerchantStatus {
    pub merchant: MerchantId,
    pub status: MerchantStatus,
}
change!(logged SetMerchantStatus -> (), |self, caller| Command::SetMerchantStatusBy {
    actor: caller.0,
    merchant: self.merchant,
    status: self.status,
});

/// An admin gives a user another role.
#[derive(Debug, Clone, Copy)]
pub struct SetRole {
    pub user: UserId,
    pub role: Role,
}
change!(logged SetRole -> (), |self, caller| Command::SetRoleBy {
    actor: caller.0,
    user: self.user,
    role: self.role,
});

/// Finance asks to credit a wallet with money received outside a channel.
#[derive(Debug, Clone)]
pub struct CreditWallet {
    pub user: UserId,
    pub currency: Currency,
    pub amount: u64,
    pub note: String,
}
change!(logged CreditWallet -> CreditId, |self, caller| Command::CreditWalletBy {
    actor: caller.0,
    user: self.user,
    currency: self.currency,
    amount: self.amount,
    note: self.note,
});

/// A second member of finance approves or rejects a credit.
#[derive(Debug, Clone, Copy)]
pub struct DecideCredit {
    pub credit: CreditId,
    pub approve: bool,
}
change!(logged DecideCredit -> (), |self, caller| Command::DecideCreditBy {
    actor: caller.0,
    credit: self.credit,
    approve: self.approve,
});

/// Finance approves a withdrawal: its status after this approval.
#[derive(Debug, Clone, Copy)]
pub struct ApproveWithdrawal {
    pub withdrawal: WithdrawalId,
}
change!(logged ApproveWithdrawal -> WithdrawalStatus, |self, caller| Command::ApproveWithdrawal {
    actor: caller.0,
    withdrawal: self.withdrawal,
});

/// Finance rejects a waiting withdrawal.
#[derive(Debug, Clone, Copy)]
pub struct RejectWithdrawal {
    pub withdrawal: WithdrawalId,
}
change!(logged RejectWithdrawal -> (), |self, caller| Command::RejectWithdrawal {
    actor: caller.0,
    withdrawal: self.withdrawal,
});

/// Finance records a payout made outside a channel, as made or failed.
#[derive(Debug, Clone)]
pub struct FinishPayout {
    pub withdrawal: WithdrawalId,
    pub paid: bool,
    pub reference: String,
}
change!(logged FinishPayout -> (), |self, caller| Command::FinishPayout {
    actor: caller.0,
    withdrawal: self.withdrawal,
    paid: self.paid,
    reference: self.reference,
});

/// The caller's own account.
#[derive(Debug, Clone, Copy)]
pub struct Me;
read!(Me -> MeView, |self, caller| Query::Me { actor: caller.0 });

/// Products on sale, with their stock.
#[derive(Debug, Clone, Copy)]
pub struct Catalog;
read!(Catalog -> Vec<ProductView>, |self, _caller| Query::Catalog);

/// The caller's wallet in a currency.
#[derive(Debug, Clone, Copy)]
pub struct Wallet {
    pub currency: Currency,
}
read!(Wallet -> WalletView, |self, caller| Query::Wallet {
    actor: caller.0,
    user: caller.0,
    currency: self.currency,
});

/// The audit log's latest entries (admins and auditors).
#[derive(Debug, Clone, Copy)]
pub struct Audit;
read!(Audit -> Vec<trigate_core::audit::AuditEntry>, |self, caller| Query::Audit {
    actor: caller.0
});

/// The caller's merchant's balances in a currency.
#[derive(Debug, Clone, Copy)]
pub struct MerchantBalances {
    pub currency: Currency,
}
read!(MerchantBalances -> trigate_core::query::Balances, |self, caller| {
    Query::MerchantBalances {
        actor: caller.0,
        currency: self.currency,
    }
});

/// The caller's withdrawals (every one, for finance and auditors).
#[derive(Debug, Clone, Copy)]
pub struct Withdrawals;
read!(Withdrawals -> Vec<Withdrawal>, |self, caller| Query::Withdrawals {
    actor: caller.0
});

/// Asks a second member of staff to approve an action.
#[derive(Debug, Clone, Copy)]
pub struct AskApproval {
    pub action: trigate_core::Approvable,
}
change!(logged AskApproval -> trigate_core::ApprovalId, |self, caller| Command::AskApproval {
    actor: caller.0,
    action: self.action,
});

/// Finance approves (it runs) or rejects a waiting action.
#[derive(Debug, Clone, Copy)]
pub struct DecideApproval {
    pub approval: trigate_core::ApprovalId,
    pub approve: bool,
}
change!(logged DecideApproval -> (), |self, caller| Command::DecideApproval {
    actor: caller.0,
    approval: self.approval,
    approve: self.approve,
});

/// Coverage, the outflow stop and losses.
#[derive(Debug, Clone, Copy)]
pub struct Custody;
read!(Custody -> trigate_core::query::CustodyView, |self, caller| Query::Custody {
    actor: caller.0
});

/// Users, newest first, a page at a time (staff).
#[derive(Debug, Clone)]
pub struct Users {
    /// Part of the login, any case; empty for every user.
    pub login: String,
    pub role: Option<Role>,
    pub before: Option<UserId>,
    pub limit: u32,
}
read!(Users -> Vec<trigate_core::UserLine>, |self, caller| Query::Users {
    actor: caller.0,
    login: self.login,
    role: self.role,
    before: self.before,
    limit: self.limit,
});

/// The shop-wide settings (staff).
#[derive(Debug, Clone, Copy)]
pub struct Settings;
read!(Settings -> trigate_core::Config, |self, caller| Query::Settings {
    actor: caller.0
});

/// Wallet credits waiting for a second member of finance.
#[derive(Debug, Clone, Copy)]
pub struct WaitingCredits;
read!(WaitingCredits -> Vec<trigate_core::ManualCredit>, |self, caller| Query::WaitingCredits {
    actor: caller.0
});

/// Today's figures and the recorded days (staff who see the books).
#[derive(Debug, Clone, Copy)]
pub struct Dashboard;
read!(Dashboard -> trigate_core::DashboardView, |self, caller| Query::Dashboard {
    actor: caller.0
});

/// An admin stops every outflow by hand.
#[derive(Debug, Clone)]
pub struct StopOutflows {
    pub note: String,
}
change!(logged StopOutflows -> (), |self, caller| Command::StopOutflows {
    actor: caller.0,
    note: self.note,
});

/// An admin asks to lift the outflow stop.
#[derive(Debug, Clone, Copy)]
pub struct LiftOutflows;
change!(logged LiftOutflows -> (), |self, caller| Command::LiftOutflows {
    actor: caller.0
});

/// Finance books a loss the platform bears.
#[derive(Debug, Clone)]
pub struct BookLoss {
    pub currency: Currency,
    pub amount: u64,
    pub note: String,
}
change!(logged BookLoss -> (), |self, caller| Command::BookLoss {
    actor: caller.0,
    currency: self.currency,
    amount: self.amount,
    note: self.note,
});

/// Actions waiting for a second approval.
#[derive(Debug, Clone, Copy)]
pub struct WaitingApprovals;
read!(WaitingApprovals -> Vec<trigate_core::Approval>, |self, caller| Query::WaitingApprovals {
    actor: caller.0
});

/// Sends of money back through channels still open (in flight, or with
/// their answer lost), for finance to resolve.
#[derive(Debug, Clone, Copy)]
pub struct OpenSends;
read!(OpenSends -> Vec<trigate_core::RefundSend>, |self, caller| Query::OpenRefundSends {
    actor: caller.0
});

/// One withdrawal, for its requester and finance.
#[derive(Debug, Clone, Copy)]
pub struct OneWithdrawal {
    pub withdrawal: WithdrawalId,
}
read!(OneWithdrawal -> Withdrawal, |self, caller| Query::Withdrawal {
    actor: caller.0,
    withdrawal: self.withdrawal,
});

/// The caller's orders, sales or (staff) every order, newest first.
#[derive(Debug, Clone, Copy)]
pub struct Orders {
    pub before: Option<OrderId>,
    pub limit: u32,
    /// Only orders in this status.
    pub status: Option<trigate_core::OrderStatus>,
}
read!(Orders -> Vec<OrderSummary>, |self, caller| Query::Orders {
    actor: caller.0,
    before: self.before,
    limit: self.limit,
    status: self.status,
});

/// The caller's merchant's products, on sale or not.
#[derive(Debug, Clone, Copy)]
pub struct OwnProducts;
read!(OwnProducts -> Vec<OwnProduct>, |self, caller| Query::OwnProducts {
    actor: caller.0
});

/// An order with its keys sealed, for those who may see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrderSealed {
    pub order: OrderId,
}
read!(OrderSealed -> Box<trigate_core::query::OrderView>, |self, caller| Query::Order {
    actor: caller.0,
    order: self.order,
});

/// Where a refund of an order asked to go somewhere lands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefundLands {
    pub order: OrderId,
    pub to: trigate_core::RefundTo,
}
read!(RefundLands -> trigate_core::RefundTo, |self, caller| Query::RefundLands {
    actor: caller.0,
    order: self.order,
    to: self.to,
});

/// What the caller used an Idempotency-Key for, if anything.
#[derive(Debug, Clone)]
pub(crate) struct KeyUsed {
    pub key: String,
}
read!(KeyUsed -> trigate_core::query::KeyUse, |self, caller| Query::KeyUsed {
    actor: caller.0,
    key: self.key.clone(),
});

/// A payment attempt (the edge's own use).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptOf {
    pub attempt: AttemptId,
}
read!(AttemptOf -> Attempt, |self, _caller| Query::Attempt {
    attempt: self.attempt
});

/// Finance books what a channel paid into custody: the settlement, and the
/// approval a bank credit waits for.
#[derive(Debug, Clone)]
pub struct BookSettlement {
    pub channel: String,
    pub reference: String,
    pub currency: Currency,
    pub gross: u64,
    pub fee: u64,
    pub source: trigate_core::SettlementSource,
}
change!(logged BookSettlement -> (trigate_core::SettlementId, Option<trigate_core::ApprovalId>),
|self, caller| Command::BookSettlement {
    actor: caller.0,
    channel: self.channel,
    reference: self.reference,
    currency: self.currency,
    gross: self.gross,
    fee: self.fee,
    source: self.source,
});

/// Finance sweeps earned fees out of custody.
#[derive(Debug, Clone, Copy)]
pub struct SweepFees {
    pub currency: Currency,
    pub amount: u64,
}
change!(logged SweepFees -> trigate_core::SweepId, |self, caller| Command::SweepFees {
    actor: caller.0,
    currency: self.currency,
    amount: self.amount,
});

/// The caller's withdrawal destinations.
#[derive(Debug, Clone, Copy)]
pub struct Destinations;
read!(Destinations -> trigate_core::query::DestinationsView, |self, caller| Query::Destinations {
    actor: caller.0
});

/// The destination a withdrawal names, sealed (finance paying it out).
#[derive(Debug, Clone, Copy)]
pub struct PayoutDestination {
    pub withdrawal: WithdrawalId,
}
read!(PayoutDestination -> trigate_core::Destination, |self, caller| Query::PayoutDestination {
    actor: caller.0,
    withdrawal: self.withdrawal,
});

/// The caller removes a destination from their book.
#[derive(Debug, Clone, Copy)]
pub struct RemoveDestination {
    pub destination: trigate_core::DestinationId,
}
change!(RemoveDestination -> (), |self, caller| Command::RemoveDestination {
    actor: caller.0,
    destination: self.destination,
});

/// Finance starts paying a withdrawal out through a channel.
#[derive(Debug, Clone, Copy)]
pub struct StartPayout {
    pub withdrawal: WithdrawalId,
}
change!(logged StartPayout -> (), |self, caller| Command::StartPayout {
    actor: caller.0,
    withdrawal: self.withdrawal,
});

mod risk;
mod storefront;
pub use risk::*;
pub use storefront::*;
