//! The default rule pack: what a new shop decides with before its analysts
//! write their own (documented in `docs/risk.md`). Each is an ordinary rule
//! saved by the shop itself, changed or retired like any other.

use crate::rules::RuleSpec;
use crate::{Outcome, Point};

const PAYMENTS: &[Point] = &[Point::WalletPayment, Point::ChannelPayment, Point::Recharge];

fn rule(
    name: &str,
    expr: &str,
    outcome: Outcome,
    weight: i32,
    points: &[Point],
    reason: &str,
    note: &str,
) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        expr: expr.into(),
        outcome,
        weight,
        points: points.to_vec(),
        shadow: false,
        enabled: true,
        reason: reason.into(),
        note: note.into(),
    }
}

/// Rules added to the default pack after shops first installed it: each
/// shop saves those it has no rule of that name for at its next start
/// (the first pack, [`default_pack`], stays as shops installed it).
pub fn later_rules() -> Vec<RuleSpec> {
    vec![
        rule(
            "ring_of_banned",
            "ring_banned > 0",
            Outcome::Hold,
            60,
            &[Point::Withdrawal, Point::Payout, Point::MerchantOpening],
            "linked_to_banned",
            "an account linked (a shared device, instrument, destination or email) to a banned merchant's owner or a block-listed user moves no money out and opens no merchant until an analyst looks",
        ),
        rule(
            "new_merchant_over_cap",
            "merchant_sales_cap > 0 && merchant_sales_24h + (point == \"wallet_payment\" || point == \"channel_payment\" ? amount : 0) > merchant_sales_cap",
            Outcome::Hold,
            60,
            MERCHANT_MONEY,
            "new_merchant_over_cap",
            "a new merchant selling past its daily cap: the sale waits for delivery review, and its withdrawals and payouts wait too",
        ),
        rule(
            "merchant_dispute_spike",
            "merchant_disputes_7d >= 3 && merchant_dispute_rate_bp >= 500",
            Outcome::Hold,
            60,
            MERCHANT_MONEY,
            "merchant_dispute_spike",
            "three or more complaints in a week and one in twenty orders disputed: the merchant's payouts wait, and its new sales wait for delivery review",
        ),
        rule(
            "cash_out_pattern",
            "user_refunds_7d >= 3 && hours_since_recharge >= 0 && hours_since_recharge < 168 && recharge_spent_pct < 50",
            Outcome::Hold,
            60,
            &[
                Point::WalletPayment,
                Point::Recharge,
                Point::Withdrawal,
                Point::Payout,
            ],
            "cash_out_pattern",
            "a recharge run through purchase-and-refund loops (three refunds in a week) without real spending: its next payment, top-up or withdrawal waits for an analyst",
        ),
        rule(
            "self_referral",
            "ring_referees > 0",
            Outcome::Hold,
            60,
            &[Point::Withdrawal, Point::Payout],
            "self_referral",
            "a referrer whose referees are its own linked accounts (a referral farm) withdraws: it waits for an analyst (their commissions are not paid in the first place)",
        ),
        rule(
            "merchant_payout_after_spike",
            "merchant_sales_ratio_pct >= 500 && merchant_orders_30d >= 10",
            Outcome::Hold,
            50,
            &[Point::Withdrawal, Point::Payout],
            "payout_after_sales_spike",
            "a payout asked for right after a day of five times the merchant's usual sales (sell fakes, take the money, vanish) waits for an analyst",
        ),
    ]
}

/// Where a merchant's money moves: its sales in, its withdrawals and
/// payouts out.
const MERCHANT_MONEY: &[Point] = &[
    Point::WalletPayment,
    Point::ChannelPayment,
    Point::Withdrawal,
    Point::Payout,
];

/// The default pack, in the order it is saved.
pub fn default_pack() -> Vec<RuleSpec> {
    use Outcome::*;
    let money_in_and_out = [
        Point::WalletPayment,
        Point::ChannelPayment,
        Point::Recharge,
        Point::Withdrawal,
    ];
    vec![
        rule(
            "failed_payment_burst",
            "device_fail_10m >= 3 || ip_fail_10m >= 5",
            Hold,
            60,
            PAYMENTS,
            "too_many_failed_payments",
            "A burst of failed payments from one device or IP (card testing): the payment that follows waits for an analyst.",
        ),
        rule(
            "new_account_high_amount",
            "has_account && account_age_hours < 24 && amount >= 50000",
            Challenge,
            40,
            &money_in_and_out,
            "new_account_amount",
            "An account less than a day old moving 500.00 or more: a one-time code first.",
        ),
        rule(
            "country_mismatch",
            "country_mismatch",
            Challenge,
            40,
            PAYMENTS,
            "country_mismatch",
            "The IP's country differs from the payer's instrument's: a one-time code, or a hold when nobody can answer one (a channel's notification).",
        ),
        rule(
            "disposable_email",
            "email_disposable",
            Challenge,
            30,
            &money_in_and_out,
            "disposable_email",
            "The email is at a throw-away domain.",
        ),
        rule(
            "many_accounts_on_device",
            "device_accounts_7d >= 4",
            Hold,
            50,
            &money_in_and_out,
            "shared_device",
            "Four or more accounts used this device in a week.",
        ),
        rule(
            "recharge_then_withdraw",
            "hours_since_recharge >= 0 && hours_since_recharge < 72 && recharge_spent_pct < 20",
            Hold,
            60,
            &[Point::Withdrawal],
            "unspent_recharge",
            "A withdrawal within three days of a top-up of which less than a fifth was spent: money passing through.",
        ),
        rule(
            "signup_burst",
            "ip_count_1h >= 10 || (device != \"\" && device_count_24h >= 3)",
            Block,
            0,
            &[Point::Signup],
            "too_many_signups",
            "Ten sign-ups from one IP in an hour, or three from one device in a day.",
        ),
    ]
}
