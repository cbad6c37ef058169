//! What a command answers: one kind of [`Reply`] per command, each
//! payload type carried by exactly one variant ([`FromReply`]), so a typed
//! caller names what it expects once and never matches on the rest.

use serde::{Deserialize, Serialize};

use crate::inventory::ImportReport;
use crate::payments::PaymentOutcome;
use crate::withdrawals::WithdrawalStatus;
use crate::{
    AttemptId, KeyId, MerchantId, OrderId, ProductId, Settlement, ShopError, UserId, WithdrawalId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    Done,
    User(UserId),
    Merchant(MerchantId),
    Product(ProductId),
    Imported(ImportReport),
    Order(OrderId),
    Delivered(Vec<KeyId>),
    Bought {
        order: OrderId,
        keys: Vec<KeyId>,
    },
    Attempt(AttemptId),
    Withdrawal(WithdrawalId),
    Credit(crate::CreditId),
    WithdrawalStatus(WithdrawalStatus),
    Payment(PaymentOutcome),
    Settled(Settlement),
    Ticked(TickReport),
    /// A send reserved (journal format 3 on).
    Send(crate::SendId),
    /// An action waiting for its second approval.
    Approval(crate::ApprovalId),
    /// A channel settlement entered, and the approval it waits for (a bank
    /// credit), if any (format 4 on).
    Settlement {
        settlement: crate::SettlementId,
        approval: Option<crate::ApprovalId>,
    },
    Sweep(crate::SweepId),
    Destination(crate::DestinationId),
    Refused {
        code: String,
        message: String,
    },
    /// The reply to a command under an idempotency key; `replayed` when it
    /// is the remembered reply to an earlier identical request.
    Idempotent {
        reply: Box<Reply>,
        replayed: bool,
    },
    View(crate::query::View),
    /// A risk rule saved: its version (format 7 on).
    RuleSaved(u32),
}

/// What one scheduler tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickReport {
    pub expired: Vec<OrderId>,
    pub confirmed: Vec<OrderId>,
    pub released: Vec<OrderId>,
    pub escalated: Vec<OrderId>,
    /// Idempotency keys past their 24 hours.
    pub forgotten_keys: usize,
    /// Days whose figures were recorded (days since 1970-01-01 in the
    /// shop's time zone).
    #[serde(default)]
    pub closed_days: Vec<i64>,
    /// Risk reviews that had waited too long (format 7 on).
    #[serde(default)]
    pub escalated_reviews: Vec<u64>,
}

impl TickReport {
    pub fn is_empty(&self) -> bool {
        self.expired.is_empty()
            && self.confirmed.is_empty()
            && self.released.is_empty()
            && self.escalated.is_empty()
            && self.forgotten_keys == 0
            && self.closed_days.is_empty()
            && self.escalated_reviews.is_empty()
    }
}

/// The payload of one kind of reply: each type here is carried by exactly
/// one variant of [`Reply`], and each command answers with one kind, so a
/// typed caller names what it expects once and never matches on the rest.
pub trait FromReply: Sized {
    /// The payload, or the kind of reply it is instead.
    fn from_reply(reply: Reply) -> Result<Self, &'static str>;
}

impl Reply {
    /// Which kind of reply this is (its variant's name), for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Done => "Done",
            Self::User(_) => "User",
            Self::Merchant(_) => "Merchant",
            Self::Product(_) => "Product",
            Self::Imported(_) => "Imported",
            Self::Order(_) => "Order",
            Self::Delivered(_) => "Delivered",
            Self::Bought { .. } => "Bought",
            Self::Attempt(_) => "Attempt",
            Self::Withdrawal(_) => "Withdrawal",
            Self::Credit(_) => "Credit",
            Self::WithdrawalStatus(_) => "WithdrawalStatus",
            Self::Payment(_) => "Payment",
            Self::Settled(_) => "Settled",
            Self::Ticked(_) => "Ticked",
            Self::Send(_) => "Send",
            Self::Approval(_) => "Approval",
            Self::Settlement { .. } => "Settlement",
            Self::Sweep(_) => "Sweep",
            Self::Destination(_) => "Destination",
            Self::Refused { .. } => "Refused",
            Self::Idempotent { .. } => "Idempotent",
            Self::View(v) => v.kind(),
            Self::RuleSaved(_) => "RuleSaved",
        }
    }
}

macro_rules! reply_payloads {
    ($($variant:ident($payload:ty)),* $(,)?) => {$(
        impl FromReply for $payload {
            fn from_reply(reply: Reply) -> Result<Self, &'static str> {
                match reply {
                    Reply::$variant(v) => Ok(v),
                    other => Err(other.kind()),
                }
            }
        }
    )*};
}

reply_payloads! {
    User(UserId),
    Merchant(MerchantId),
    Product(ProductId),
    Imported(ImportReport),
    Order(OrderId),
    Delivered(Vec<KeyId>),
    Attempt(AttemptId),
    Withdrawal(WithdrawalId),
    Credit(crate::CreditId),
    WithdrawalStatus(WithdrawalStatus),
    Payment(PaymentOutcome),
    Settled(Settlement),
    Ticked(TickReport),
    Send(crate::SendId),
    Approval(crate::ApprovalId),
    Sweep(crate::SweepId),
    Destination(crate::DestinationId),
    RuleSaved(u32),
}

/// `Settlement`: the settlement entered and the approval it waits for.
impl FromReply for (crate::SettlementId, Option<crate::ApprovalId>) {
    fn from_reply(reply: Reply) -> Result<Self, &'static str> {
        match reply {
            Reply::Settlement {
                settlement,
                approval,
            } => Ok((settlement, approval)),
            other => Err(other.kind()),
        }
    }
}

/// `Done`: the command changed what it was asked to, and says no more.
impl FromReply for () {
    fn from_reply(reply: Reply) -> Result<Self, &'static str> {
        match reply {
            Reply::Done => Ok(()),
            other => Err(other.kind()),
        }
    }
}

/// `Bought`: the order and its delivered keys.
impl FromReply for (OrderId, Vec<KeyId>) {
    fn from_reply(reply: Reply) -> Result<Self, &'static str> {
        match reply {
            Reply::Bought { order, keys } => Ok((order, keys)),
            other => Err(other.kind()),
        }
    }
}

/// `Idempotent`: the reply under a key, and whether it is the one
/// remembered from an earlier identical request.
impl FromReply for (Reply, bool) {
    fn from_reply(reply: Reply) -> Result<Self, &'static str> {
        match reply {
            Reply::Idempotent { reply, replayed } => Ok((*reply, replayed)),
            other => Err(other.kind()),
        }
    }
}

/// A read's view.
impl<T: crate::query::FromView> FromReply for T {
    fn from_reply(reply: Reply) -> Result<Self, &'static str> {
        match reply {
            Reply::View(view) => T::from_view(view),
            other => Err(other.kind()),
        }
    }
}

impl From<ShopError> for Reply {
    fn from(e: ShopError) -> Self {
        Reply::Refused {
            code: e.as_str().to_string(),
            message: e.to_string(),
        }
    }
}
