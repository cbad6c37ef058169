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
use crate::users::PasswordHash;
use crate::withdrawals::WithdrawFrom;
use crate::{
    Bps, Currency, MerchantId, MerchantStatus, NewProduct, OrderId, ProductId, Role, UserId,
    WithdrawalId,
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
    /// A merchant's owner changes one of their own products (title, price,
    /// tiers, quantities, commissions; not how it is delivered or its
    /// currency).
    EditProduct {
        actor: UserId,
        product: ProductId,
        spec: crate::NewProduct,
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
        /// Where messages about the order would go (journal format 5 on).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
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
    /// Starts recording daily figures from today (submitted at start by a
    /// shop that does not record them yet; the ticks then close each day).
    StartFigures,
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
    /// A merchant sets what the storefront says of a product (format 5 on).
    SetProductDetails {
        actor: UserId,
        product: ProductId,
        details: crate::ProductDetails,
    },
    /// An admin sets the shop's look.
    SetLook {
        actor: UserId,
        look: crate::ShopLook,
    },
    /// A user sets or removes their email.
    SetEmail {
        actor: UserId,
        email: Option<String>,
    },
    /// The buyer, the merchant or staff write in a dispute.
    AddDisputeMessage {
        actor: UserId,
        order: OrderId,
        text: String,
    },
    /// A command with what its request said of itself (IP, device, a
    /// verified second factor, a channel's payer), for the risk decisions
    /// it meets (format 7 on).
    WithContext {
        context: crate::risk::RequestContext,
        command: Box<Command>,
    },
    /// Records the risk settings (and the default rule pack on a shop's
    /// first start under format 7).
    StartRisk {
        settings: crate::risk::RiskSettings,
    },
    /// An analyst or admin saves a risk rule (its next version).
    SaveRiskRule {
        actor: UserId,
        spec: crate::risk::RuleSpec,
    },
    /// An analyst or admin puts an identifier on the allow or block list.
    ListRisk {
        actor: UserId,
        entry: crate::risk::NewListEntry,
    },
    /// An analyst or admin takes an identifier off its list.
    UnlistRisk {
        actor: UserId,
        kind: crate::risk::IdKind,
        value: String,
    },
    /// An analyst takes a review.
    ClaimReview {
        actor: UserId,
        review: u64,
    },
    /// Someone signed in (`ok`), or tried and failed, as `user` (none: an
    /// unknown login): gate three decides, or counts the failure.
    SignIn {
        user: Option<UserId>,
        ok: bool,
    },
    /// An analyst approves or declines a held subject, with a note.
    DecideReview {
        actor: UserId,
        review: u64,
        approve: bool,
        note: String,
    },
    /// Saves the rules added to the default pack since the shop installed
    /// it, those it has none of that name yet (submitted at start).
    AddDefaultRules,
    /// An analyst releases or bans one account of a ring case, with a note.
    DecideCaseMember {
        actor: UserId,
        case: u64,
        member: UserId,
        ban: bool,
        note: String,
    },
}
