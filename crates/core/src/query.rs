//! Reads that go through the writer, so that what they show is what has
//! been committed: they change nothing and are never journaled. Each says
//! who is asking, and is refused for anyone who may not see the answer.

use serde::{Deserialize, Serialize};

use crate::trails::{OrderTrail, WalletView};
use crate::users::{AdminRole, Role};
use crate::{Currency, KeyId, MerchantId, OrderId, ProductId, Shop, ShopError, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Query {
    /// The caller's own account.
    Me { actor: UserId },
    /// Products on sale, with their stock.
    Catalog,
    /// An order, with its keys' sealed bytes for the edge to open — for its
    /// buyer, the merchant who sold it, or staff.
    Order { actor: UserId, order: OrderId },
    /// A user's wallet — for the user or staff.
    Wallet {
        actor: UserId,
        user: UserId,
        currency: Currency,
    },
    /// A login's user and password hash, for signing in.
    Credentials { login: String },
    /// An API key's owner and sealed secret, to check a signed request.
    ApiKey { key_id: String },
    /// The audit log's latest entries (admins and auditors).
    Audit { actor: UserId },
    /// The caller's own merchant's balances in a currency.
    MerchantBalances { actor: UserId, currency: Currency },
    /// The wrapped data key of the merchant selling `product`, for sealing
    /// keys to import into it — for that merchant's owner only.
    ProductKey { actor: UserId, product: ProductId },
    /// A guest order with its lookup hash, for the edge to check the secret
    /// against before it shows anything.
    GuestOrder { order: OrderId },
    /// The caller's withdrawals (every one, for finance and auditors).
    Withdrawals { actor: UserId },
    /// The caller's own sealed TOTP secret, for the edge to check a code.
    SecondFactor { actor: UserId },
    /// The caller's orders (a buyer's), sales (a merchant's) or every order
    /// (staff), newest first, older than `before`.
    Orders {
        actor: UserId,
        before: Option<OrderId>,
        limit: u32,
        /// Only orders in this status.
        #[serde(default)]
        status: Option<crate::OrderStatus>,
    },
    /// The caller's merchant's products, on sale or not.
    OwnProducts { actor: UserId },
    /// A payment attempt, for checking a channel's notification against
    /// it (the edge's own use; never shown to callers as is).
    Attempt { attempt: crate::AttemptId },
    /// What the caller's unpaid order costs and who sells it, for routing
    /// its payment; refused unless the caller may pay it now.
    Payable { actor: UserId, order: OrderId },
    /// What an order owes back through the channel it was paid by.
    ChannelRefund { actor: UserId, order: OrderId },
    /// What an attempt owes back through its channel (the edge's own use).
    AttemptRefund { attempt: crate::AttemptId },
    /// One sending of money back through a channel.
    RefundSend { send: crate::SendId },
    /// Sends still open, for finance to resolve.
    OpenRefundSends { actor: UserId },
    /// Actions waiting for a second approval.
    WaitingApprovals { actor: UserId },
    /// Coverage per currency, the outflow stop and losses (staff who
    /// handle money, and auditors).
    Custody { actor: UserId },
    /// Where a refund of `order` asked to go `to` lands — for those who
    /// may see the order.
    RefundLands {
        actor: UserId,
        order: OrderId,
        to: crate::RefundTo,
    },
    /// Whether the caller has used an Idempotency-Key, and for which
    /// request (its fingerprint): for a flow that sends something outside
    /// before it records it under the key.
    KeyUsed { actor: UserId, key: String },
    /// One withdrawal — for its requester, finance, admins and auditors.
    Withdrawal {
        actor: UserId,
        withdrawal: crate::WithdrawalId,
    },
    /// Whether outflows are stopped (anyone: every answer shows it).
    Outflows,
    /// The caller's withdrawal destinations.
    Destinations { actor: UserId },
    /// The destination a withdrawal names, sealed (finance, to pay it out).
    PayoutDestination {
        actor: UserId,
        withdrawal: crate::WithdrawalId,
    },
    /// The shop's look (anyone).
    Look,
    /// The outbox's latest messages (staff).
    Outbox { actor: UserId },
    /// Today's figures and the recorded days (staff who see the books).
    Dashboard { actor: UserId },
    /// Users, newest first, a page at a time (staff).
    Users {
        actor: UserId,
        login: String,
        role: Option<crate::Role>,
        before: Option<UserId>,
        limit: u32,
    },
    /// Wallet credits waiting for a second member of finance.
    WaitingCredits { actor: UserId },
    /// The shop-wide settings (staff).
    Settings { actor: UserId },
    /// Every merchant, for staff.
    Merchants { actor: UserId },
    /// The risk desk: rules, lists, decisions, the review queue, backtests
    /// (analysts, admins and auditors).
    Risk {
        actor: UserId,
        ask: crate::risk::RiskQuery,
    },
}

/// A merchant as the admin console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantLine {
    pub id: MerchantId,
    pub name: String,
    pub owner: UserId,
    pub owner_login: String,
    pub status: crate::MerchantStatus,
    pub fee: crate::Bps,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: ProductId,
    pub merchant: MerchantId,
    pub title: String,
    pub currency: Currency,
    pub price: u64,
    pub min_per_order: u32,
    pub max_per_order: u32,
    /// Wholesale prices, by the quantity from which each applies.
    pub tiers: Vec<crate::Tier>,
    pub stock: Option<u64>,
    /// What the storefront says of it beyond its price.
    pub details: crate::ProductDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeView {
    pub id: UserId,
    pub login: String,
    pub role: Role,
    pub referral_code: String,
    pub merchant: Option<MerchantId>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub trail: OrderTrailData,
    pub buyer: UserId,
    pub merchant: MerchantId,
    /// The merchant's wrapped data key, to open the keys with.
    pub wrapped_key: Vec<u8>,
    /// The delivered keys, sealed; empty until delivered.
    pub sealed_keys: Vec<(KeyId, Vec<u8>)>,
    /// For a fixed-text product, the text every buyer gets once paid.
    pub fixed_text: Option<String>,
    /// Its dispute, with every step (and message) so far.
    pub dispute: Option<crate::Dispute>,
    /// The product's title.
    pub title: String,
    /// Paid and held for the shop's risk review: nothing is delivered
    /// until an analyst approves.
    pub held_for_review: bool,
}

/// [`OrderTrail`] as data that crosses the writer's queue.
pub type OrderTrailData = OrderTrail;

/// Defines [`View`] from one list of `Variant(payload)`: the enum, each
/// view's kind name and each payload's [`FromView`], so the three cannot
/// drift apart.
macro_rules! views {
    ($($variant:ident($payload:ty)),* $(,)?) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum View {
            $($variant($payload),)*
        }

        impl View {
            /// Which kind of view this is (its variant's name), for errors.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => stringify!($variant),)*
                }
            }
        }

        $(
            impl FromView for $payload {
                fn from_view(view: View) -> Result<Self, &'static str> {
                    match view {
                        View::$variant(v) => Ok(v),
                        other => Err(other.kind()),
                    }
                }
            }
        )*
    };
}

views! {
    Me(MeView),
    Catalog(Vec<ProductView>),
    Order(Box<OrderView>),
    Wallet(WalletView),
    Credentials(Credentials),
    Audit(Vec<crate::audit::AuditEntry>),
    ApiKey(ApiKeyView),
    Balances(Balances),
    ProductKey(ProductKeyView),
    GuestOrder(GuestOrderView),
    Withdrawals(Vec<crate::Withdrawal>),
    SecondFactor(Option<Vec<u8>>),
    Orders(Vec<crate::OrderSummary>),
    OwnProducts(Vec<crate::OwnProduct>),
    Attempt(crate::Attempt),
    Withdrawal(crate::Withdrawal),
    ChannelRefund(crate::ChannelRefundDue),
    Amount(Payable),
    KeyUsed(KeyUse),
    RefundLands(crate::RefundTo),
    RefundSend(crate::RefundSend),
    RefundSends(Vec<crate::RefundSend>),
    Approvals(Vec<crate::Approval>),
    Custody(CustodyView),
    Outflows(Option<crate::OutflowStop>),
    Destinations(DestinationsView),
    Destination(crate::Destination),
    Look(crate::ShopLook),
    Outbox(Vec<crate::OutboxMessage>),
    Dashboard(crate::DashboardView),
    Users(Vec<crate::UserLine>),
    WaitingCredits(Vec<crate::ManualCredit>),
    Settings(crate::Config),
    Merchants(Vec<MerchantLine>),
    Risk(Box<crate::risk::RiskView>),
}

/// The request an Idempotency-Key was used for, if it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUse {
    pub fingerprint: Option<String>,
}

/// A login's user and what signing in checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub user: UserId,
    pub role: Role,
    /// The password's PHC string; none for accounts without one.
    pub password: Option<String>,
    /// The sealed TOTP secret, if one is enrolled.
    pub second_factor: Option<Vec<u8>>,
}

/// An API key's owner and its sealed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub owner: UserId,
    pub sealed: Vec<u8>,
}

/// A user's destinations, and the cooling period a new one waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationsView {
    pub destinations: Vec<crate::Destination>,
    pub cooling_hours: u32,
}

/// What custody covers, whether outflows are stopped, and losses booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyView {
    pub coverage: Vec<crate::Coverage>,
    pub stop: Option<crate::OutflowStop>,
    pub losses: Vec<(Currency, u64)>,
    /// Fees past their refund horizon not swept yet, per currency.
    pub sweepable: Vec<(Currency, u64)>,
    /// The latest channel settlements and sweeps, newest last.
    pub settlements: Vec<crate::ChannelSettlement>,
    pub sweeps: Vec<crate::Sweep>,
}

/// A merchant's balances in one currency, and its debt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    pub merchant: MerchantId,
    pub pending: u64,
    pub available: u64,
    pub deposit: u64,
    pub debt: u64,
}

/// The data key (wrapped) of the merchant selling a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductKeyView {
    pub merchant: MerchantId,
    pub wrapped_key: Vec<u8>,
}

/// A guest order with the hash its lookup secret is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestOrderView {
    pub lookup: String,
    pub order: Box<OrderView>,
}

/// What an order costs and who sells it, for routing its payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payable {
    pub amount: u64,
    pub currency: Currency,
    pub merchant: MerchantId,
}

/// The payload of one kind of view: each type here is carried by exactly
/// one variant of [`View`], so a typed read knows what it gets.
pub trait FromView: Sized {
    /// The payload, or the kind of view it is instead.
    fn from_view(view: View) -> Result<Self, &'static str>;
}

impl Shop {
    /// The merchant `caller` owns; refused for anyone who owns none.
    pub fn owned_merchant(&self, caller: UserId) -> Result<&crate::Merchant, ShopError> {
        self.merchants
            .owned_by(caller)
            .ok_or(ShopError::Forbidden(caller))
    }

    /// Refuses, as not found, a product that is not `owner`'s merchant's.
    pub fn owned_product(&self, owner: UserId, product: ProductId) -> Result<(), ShopError> {
        let merchant = self.owned_merchant(owner)?.id;
        match self.product(product) {
            Some(p) if p.merchant == merchant => Ok(()),
            _ => Err(ShopError::ProductNotFound(product)),
        }
    }

    /// An order as shown: its keys (sealed) and fixed text only once it is
    /// delivered and only to those who `may_see_keys`.
    fn order_view(&self, o: &crate::Order, may_see_keys: bool) -> Result<OrderView, ShopError> {
        let merchant = self
            .merchant(o.merchant)
            .ok_or(ShopError::MerchantNotFound(o.merchant))?;
        let may_see_keys = may_see_keys && o.delivered_at.is_some();
        let sealed_keys = if may_see_keys {
            o.keys
                .iter()
                .filter_map(|k| self.key(*k).map(|key| (*k, key.sealed.sealed.clone())))
                .collect()
        } else {
            Vec::new()
        };
        let fixed_text = match &self.product(o.product).map(|p| &p.spec.delivery) {
            Some(crate::Delivery::Fixed(text)) if may_see_keys => Some(text.clone()),
            _ => None,
        };
        Ok(OrderView {
            trail: self
                .order_trail(o.id)
                .ok_or(ShopError::OrderNotFound(o.id))?,
            buyer: o.buyer,
            merchant: o.merchant,
            wrapped_key: if may_see_keys {
                merchant.wrapped_key.clone()
            } else {
                Vec::new()
            },
            sealed_keys,
            fixed_text,
            dispute: o.dispute.clone(),
            title: self
                .product(o.product)
                .map(|p| p.spec.title.clone())
                .unwrap_or_default(),
            held_for_review: self.held(crate::risk::Subject::Order(o.id)).is_some(),
        })
    }

    pub fn query(&self, query: &Query) -> Result<View, ShopError> {
        match query {
            Query::Risk { actor, ask } => Ok(View::Risk(Box::new(self.risk_query(*actor, ask)?))),
            Query::Me { actor: caller } => {
                let u = self.require_user(*caller)?;
                Ok(View::Me(MeView {
                    id: u.id,
                    login: u.login.clone(),
                    role: u.role,
                    referral_code: u.referral_code.clone(),
                    merchant: self.merchants.owned_by(u.id).map(|m| m.id),
                    email: self.email_of(u.id).map(|e| e.as_str().to_string()),
                }))
            }
            Query::Catalog => Ok(View::Catalog(
                self.catalog
                    .products
                    .iter()
                    .filter(|p| p.on_sale)
                    .filter(|p| {
                        self.merchant(p.merchant)
                            .is_some_and(|m| m.status == crate::MerchantStatus::Active)
                    })
                    .map(|p| ProductView {
                        id: p.id,
                        merchant: p.merchant,
                        title: p.spec.title.clone(),
                        currency: p.spec.currency,
                        price: p.spec.price,
                        min_per_order: p.spec.min_per_order,
                        max_per_order: p.spec.max_per_order,
                        tiers: p.spec.tiers.clone(),
                        details: self.product_details(p.id),
                        stock: (p.spec.delivery == crate::Delivery::Keys).then(|| self.stock(p.id)),
                    })
                    .collect(),
            )),
            Query::RefundLands { actor, order, to } => {
                self.visible_order(*actor, *order)?;
                Ok(View::RefundLands(self.refund_lands(*order, *to)))
            }
            Query::Order {
                actor: caller,
                order,
            } => {
                let o = self.visible_order(*caller, *order)?;
                let user = self.require_user(*caller)?;
                let may_see_keys = o.buyer == *caller
                    || matches!(
                        user.role,
                        Role::Staff(AdminRole::Admin | AdminRole::Support)
                    );
                Ok(View::Order(Box::new(self.order_view(o, may_see_keys)?)))
            }
            Query::GuestOrder { order } => {
                let lookup = self.lookup_hash(*order)?.0.clone();
                let o = self.require_order(*order)?;
                Ok(View::GuestOrder(GuestOrderView {
                    lookup,
                    order: Box::new(self.order_view(o, true)?),
                }))
            }
            Query::Withdrawals { actor: caller } => {
                Ok(View::Withdrawals(self.withdrawals_for(*caller)?))
            }
            Query::Orders {
                actor: caller,
                before,
                limit,
                status,
            } => Ok(View::Orders(self.orders_where(
                *caller,
                *before,
                *limit as usize,
                *status,
            )?)),
            Query::OwnProducts { actor: caller } => {
                Ok(View::OwnProducts(self.own_products(*caller)?))
            }
            Query::ChannelRefund {
                actor: caller,
                order,
            } => Ok(View::ChannelRefund(
                self.channel_refund_due(*caller, *order)?,
            )),
            Query::RefundSend { send } => self
                .refund_send(*send)
                .cloned()
                .map(View::RefundSend)
                .ok_or_else(|| ShopError::Invalid(format!("no send R{send}"))),
            Query::Custody { actor } => {
                let role = self.require_user(*actor)?.role;
                if !matches!(
                    role,
                    Role::Staff(AdminRole::Admin | AdminRole::Finance | AdminRole::Auditor)
                ) {
                    return Err(ShopError::Forbidden(*actor));
                }
                let coverage = self.coverage();
                let sweepable = coverage
                    .iter()
                    .map(|c| (c.currency, self.sweepable(c.currency, self.last_time)))
                    .collect();
                let last = |n: usize| n.saturating_sub(crate::audit::AUDIT_PAGE);
                let (settlements, sweeps) = (self.settlements(), self.sweeps());
                Ok(View::Custody(CustodyView {
                    coverage,
                    stop: self.outflow_stop().cloned(),
                    losses: self.losses(),
                    sweepable,
                    settlements: settlements[last(settlements.len())..].to_vec(),
                    sweeps: sweeps[last(sweeps.len())..].to_vec(),
                }))
            }
            Query::Outflows => Ok(View::Outflows(self.outflow_stop().cloned())),
            Query::Look => Ok(View::Look(self.look().clone())),
            Query::Outbox { actor } => Ok(View::Outbox(self.outbox(*actor, 200)?)),
            Query::Dashboard { actor } => Ok(View::Dashboard(self.dashboard(*actor)?)),
            Query::Users {
                actor,
                login,
                role,
                before,
                limit,
            } => Ok(View::Users(self.user_lines(
                *actor,
                (login, *role),
                *before,
                *limit as usize,
            )?)),
            Query::WaitingCredits { actor } => {
                Ok(View::WaitingCredits(self.waiting_credits(*actor)?))
            }
            Query::Settings { actor } => {
                if !matches!(self.require_user(*actor)?.role, crate::Role::Staff(_)) {
                    return Err(ShopError::Forbidden(*actor));
                }
                Ok(View::Settings(*self.config()))
            }
            Query::Merchants { actor } => {
                if !matches!(self.require_user(*actor)?.role, crate::Role::Staff(_)) {
                    return Err(ShopError::Forbidden(*actor));
                }
                Ok(View::Merchants(
                    self.merchants
                        .list
                        .iter()
                        .map(|m| MerchantLine {
                            id: m.id,
                            name: m.name.clone(),
                            owner: m.owner,
                            owner_login: self
                                .user(m.owner)
                                .map(|u| u.login.clone())
                                .unwrap_or_default(),
                            status: m.status,
                            fee: m.fee,
                        })
                        .collect(),
                ))
            }
            Query::Destinations { actor } => {
                self.require_user(*actor)?;
                Ok(View::Destinations(DestinationsView {
                    destinations: self.destinations_of(*actor),
                    cooling_hours: self.rules().destination_cooling_hours,
                }))
            }
            Query::PayoutDestination { actor, withdrawal } => {
                self.require_finance(*actor)?;
                let w = self
                    .withdrawal(*withdrawal)
                    .ok_or(ShopError::WithdrawalNotFound(*withdrawal))?;
                w.destination_id
                    .and_then(|d| self.destination(d))
                    .cloned()
                    .map(View::Destination)
                    .ok_or_else(|| {
                        ShopError::Invalid(format!(
                            "withdrawal {withdrawal} names no destination from a book"
                        ))
                    })
            }
            Query::WaitingApprovals { actor } => {
                Ok(View::Approvals(self.waiting_approvals(*actor)?))
            }
            Query::OpenRefundSends { actor } => {
                Ok(View::RefundSends(self.open_refund_sends(*actor)?))
            }
            Query::AttemptRefund { attempt } => {
                Ok(View::ChannelRefund(self.attempt_refund_due(*attempt)?))
            }
            Query::Withdrawal {
                actor: caller,
                withdrawal,
            } => {
                let role = self.require_user(*caller)?.role;
                let w = self
                    .withdrawal(*withdrawal)
                    .ok_or(ShopError::WithdrawalNotFound(*withdrawal))?;
                let staff = matches!(
                    role,
                    Role::Staff(AdminRole::Admin | AdminRole::Finance | AdminRole::Auditor)
                );
                if !staff && w.requester != *caller {
                    return Err(ShopError::WithdrawalNotFound(*withdrawal));
                }
                Ok(View::Withdrawal(w.clone()))
            }
            Query::KeyUsed { actor, key } => Ok(View::KeyUsed(KeyUse {
                fingerprint: self
                    .idempotency
                    .get(*actor, key)
                    .map(|r| r.fingerprint.clone()),
            })),
            Query::Payable {
                actor: caller,
                order,
            } => {
                let (amount, currency) = self.payable(self.last_time, *caller, *order)?;
                let merchant = self.require_order(*order)?.merchant;
                Ok(View::Amount(Payable {
                    amount,
                    currency,
                    merchant,
                }))
            }
            Query::Attempt { attempt } => self
                .attempt(*attempt)
                .cloned()
                .map(View::Attempt)
                .ok_or(ShopError::AttemptNotFound(*attempt)),
            Query::SecondFactor { actor: caller } => Ok(View::SecondFactor(
                self.require_user(*caller)?.second_factor.clone(),
            )),
            Query::Wallet {
                actor: caller,
                user,
                currency,
            } => {
                let who = self.require_user(*caller)?;
                if caller != user && !matches!(who.role, Role::Staff(_)) {
                    return Err(ShopError::Forbidden(*caller));
                }
                self.require_user(*user)?;
                Ok(View::Wallet(self.wallet_view(*user, *currency)))
            }
            Query::ApiKey { key_id } => {
                let (owner, sealed) = self
                    .api_key(key_id)
                    .ok_or_else(|| ShopError::Invalid("unknown API key".into()))?;
                Ok(View::ApiKey(ApiKeyView {
                    owner,
                    sealed: sealed.to_vec(),
                }))
            }
            Query::Audit { actor: caller } => Ok(View::Audit(self.audit_entries(*caller)?)),
            Query::MerchantBalances {
                actor: caller,
                currency,
            } => {
                let m = self.owned_merchant(*caller)?;
                let (pending, available, deposit) = self.merchant_balances(m.id, *currency);
                Ok(View::Balances(Balances {
                    merchant: m.id,
                    pending,
                    available,
                    deposit,
                    // A debt recorded before debts were kept in the books
                    // (journal format 2) had no currency: it shows in each.
                    debt: self
                        .debt(crate::Party::Merchant(m.id), *currency)
                        .saturating_add(m.debt),
                }))
            }
            Query::ProductKey {
                actor: caller,
                product,
            } => {
                let m = self.owned_merchant(*caller)?;
                let p = self
                    .product(*product)
                    .ok_or(ShopError::ProductNotFound(*product))?;
                if p.merchant != m.id {
                    return Err(ShopError::ProductNotFound(*product));
                }
                Ok(View::ProductKey(ProductKeyView {
                    merchant: m.id,
                    wrapped_key: m.wrapped_key.clone(),
                }))
            }
            Query::Credentials { login } => {
                let u = self
                    .user_by_login(login)
                    .ok_or_else(|| ShopError::Invalid("unknown login".into()))?;
                Ok(View::Credentials(Credentials {
                    user: u.id,
                    role: u.role,
                    password: u.password.as_ref().map(|p| p.0.clone()),
                    second_factor: u.second_factor.clone(),
                }))
            }
        }
    }
}

impl Shop {
    /// An order its buyer, its merchant's owner or staff may see; not
    /// found for anyone else (an order's existence is not told to those who
    /// may not see it).
    fn visible_order(&self, caller: UserId, order: OrderId) -> Result<&crate::Order, ShopError> {
        let o = self.require_order(order)?;
        let merchant = self
            .merchant(o.merchant)
            .ok_or(ShopError::MerchantNotFound(o.merchant))?;
        let user = self.require_user(caller)?;
        let allowed =
            o.buyer == caller || merchant.owner == caller || matches!(user.role, Role::Staff(_));
        if !allowed {
            return Err(ShopError::OrderNotFound(order));
        }
        Ok(o)
    }
}
