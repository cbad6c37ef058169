//! Identifiers the shop hands out, one sequence per kind, in the order
//! things were created: deterministic, so a replay hands out the same ones.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A buyer, a merchant's owner or a member of staff.
    UserId
);
id!(
    /// A merchant (a shop within the platform).
    MerchantId
);
id!(
    /// A product in a merchant's catalog.
    ProductId
);
id!(
    /// One card key in inventory.
    KeyId
);
id!(
    /// An order.
    OrderId
);
id!(
    /// A withdrawal: money leaving a wallet or a merchant for outside.
    WithdrawalId
);
id!(
    /// A payment attempt: one try at paying through a channel.
    AttemptId
);
id!(
    /// A wallet credit made by hand, waiting for or given its second
    /// approval.
    CreditId
);

id!(
    /// One sending of money back through a channel (`R<id>` to the channel).
    SendId
);

id!(
    /// An action waiting for, or given, a second approval.
    ApprovalId
);

id!(
    /// A channel's payout to the platform booked into custody.
    SettlementId
);

id!(
    /// A sweep of earned fees out of custody.
    SweepId
);

id!(
    /// A withdrawal destination in a user's book.
    DestinationId
);

/// The record with sequence number `id` (ids start at 1, in creation
/// order) in `list`.
pub(crate) fn nth<T>(list: &[T], id: u64) -> Option<&T> {
    list.get(usize::try_from(id.checked_sub(1)?).ok()?)
}

/// [`nth`], to change.
pub(crate) fn nth_mut<T>(list: &mut [T], id: u64) -> Option<&mut T> {
    list.get_mut(usize::try_from(id.checked_sub(1)?).ok()?)
}
