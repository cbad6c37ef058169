//! Where a decision is taken, what it can say, and what happens when the
//! engine cannot decide.

use serde::{Deserialize, Serialize};

/// A place in the shop's flows where money or access is about to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Point {
    /// A buyer registering.
    Signup,
    /// Anyone signing in.
    SignIn,
    /// An order paid from the buyer's wallet.
    WalletPayment,
    /// A channel's notification that an order was paid, before its keys are
    /// delivered.
    ChannelPayment,
    /// A wallet top-up paid through a channel.
    Recharge,
    /// A withdrawal asked for.
    Withdrawal,
    /// A merchant opened.
    MerchantOpening,
    /// A withdrawal about to be paid out through a channel.
    Payout,
}

/// Which velocity windows a point counts in: payments from one device are
/// counted with payments, not with sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Access,
    MoneyIn,
    MoneyOut,
    Merchant,
}

impl Point {
    pub const ALL: [Point; 8] = [
        Point::Signup,
        Point::SignIn,
        Point::WalletPayment,
        Point::ChannelPayment,
        Point::Recharge,
        Point::Withdrawal,
        Point::MerchantOpening,
        Point::Payout,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Point::Signup => "signup",
            Point::SignIn => "signin",
            Point::WalletPayment => "wallet_payment",
            Point::ChannelPayment => "channel_payment",
            Point::Recharge => "recharge",
            Point::Withdrawal => "withdrawal",
            Point::MerchantOpening => "merchant_opening",
            Point::Payout => "payout",
        }
    }

    pub fn named(name: &str) -> Option<Point> {
        Point::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn family(self) -> Family {
        match self {
            Point::Signup | Point::SignIn => Family::Access,
            Point::WalletPayment | Point::ChannelPayment | Point::Recharge => Family::MoneyIn,
            Point::Withdrawal | Point::Payout => Family::MoneyOut,
            Point::MerchantOpening => Family::Merchant,
        }
    }

    /// What the point does when a rule could not be evaluated (an error at
    /// run time): money leaving the shop fails closed and waits for an
    /// analyst; everything else fails open, with the error recorded on the
    /// decision, so an honest buyer is never stopped by a broken rule.
    pub fn when_undecided(self) -> Outcome {
        match self {
            Point::Withdrawal | Point::Payout => Outcome::Hold,
            _ => Outcome::Allow,
        }
    }
}

impl std::fmt::Display for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a decision says, from the mildest to the strongest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Go on.
    #[default]
    Allow,
    /// Go on once the actor answers a one-time code; an actor who cannot
    /// (a guest, a user without a second factor) is held instead.
    Challenge,
    /// Take the money in, move nothing on (no delivery, settlement or
    /// payout) until an analyst approves or declines.
    Hold,
    /// Refuse, with a reason code safe to show.
    Block,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Allow,
        Outcome::Challenge,
        Outcome::Hold,
        Outcome::Block,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Challenge => "challenge",
            Outcome::Hold => "hold",
            Outcome::Block => "block",
        }
    }

    pub fn named(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
