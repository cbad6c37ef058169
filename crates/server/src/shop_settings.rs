//! The shop-wide settings as the `[shop]` table of the config file gives
//! them, in the units people think in:
//!
//! ```toml
//! [shop]
//! reservation_minutes = 15     # how long an unpaid order holds its keys
//! dispute_window_hours = 72    # after delivery, before it confirms itself
//! dispute_answer_hours = 48    # for a merchant to answer a dispute
//! max_key_bytes = 1024         # longest card key accepted
//! time_zone = "+08:00"         # for daily limits and reports
//! max_holding_days = 365       # the longest T+N a merchant may be given
//! max_fee_bps = 10000          # the highest platform fee (basis points)
//! max_commission_bps = 10000   # the most a product pays both referral levels
//! commission_holding_days = 7  # a commission is held this long (0: reward at once)
//! reserve_fee_bps = 1000       # the risk reserve's share of each platform fee
//! refund_approval_above = 100000    # a staff refund above this (minor units) needs a second approval
//! decision_approval_above = 100000  # so does a dispute decision refunding above this
//! ```
//!
//! Anything left out keeps its default. The journal records them: a start
//! with settings that differ from the journal's records the change.

#[cfg(test)]
use trigate_core::show_offset;
use trigate_core::{Config, NANOS_PER_SECOND};

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopFile {
    pub reservation_minutes: Option<u64>,
    pub dispute_window_hours: Option<u64>,
    pub dispute_answer_hours: Option<u64>,
    pub max_key_bytes: Option<usize>,
    pub time_zone: Option<String>,
    pub max_holding_days: Option<u32>,
    pub max_fee_bps: Option<u32>,
    pub max_commission_bps: Option<u32>,
    pub commission_holding_days: Option<u32>,
    pub reserve_fee_bps: Option<u32>,
    pub refund_approval_above: Option<u64>,
    pub decision_approval_above: Option<u64>,
}

/// `+08:00`, `-05:30` or `UTC` as seconds east of UTC.
pub fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60 && h * 60 + m <= 14 * 60).then_some(sign * (h * 3600 + m * 60))
}

impl ShopFile {
    /// The settings, every one checked; what is left out keeps its default.
    pub fn settings(&self) -> anyhow::Result<Config> {
        let mut c = Config::default();
        let minutes = |v: u64, name: &str, at_most: u64| -> anyhow::Result<u64> {
            if v == 0 || v > at_most {
                anyhow::bail!("[shop] {name} is 1 to {at_most}");
            }
            Ok(v * 60 * NANOS_PER_SECOND)
        };
        if let Some(v) = self.reservation_minutes {
            c.reservation_ns = minutes(v, "reservation_minutes", 7 * 24 * 60)?;
        }
        if let Some(v) = self.dispute_window_hours {
            c.dispute_window_ns = minutes(v, "dispute_window_hours", 90 * 24)? * 60;
        }
        if let Some(v) = self.dispute_answer_hours {
            c.dispute_answer_ns = minutes(v, "dispute_answer_hours", 90 * 24)? * 60;
        }
        if let Some(v) = self.max_key_bytes {
            if v == 0 || v > 65_536 {
                anyhow::bail!("[shop] max_key_bytes is 1 to 65536");
            }
            c.max_key_len = v;
        }
        if let Some(v) = self.max_holding_days {
            if v > 3650 {
                anyhow::bail!("[shop] max_holding_days is at most 3650");
            }
            c.max_holding_days = v;
        }
        for (value, name, field) in [
            (self.max_fee_bps, "max_fee_bps", &mut c.max_fee_bps),
            (
                self.max_commission_bps,
                "max_commission_bps",
                &mut c.max_commission_bps,
            ),
            (
                self.reserve_fee_bps,
                "reserve_fee_bps",
                &mut c.policy.reserve_fee_bps,
            ),
        ] {
            if let Some(v) = value {
                if v > 10_000 {
                    anyhow::bail!("[shop] {name} is at most 10000 (100%)");
                }
                *field = v;
            }
        }
        if let Some(v) = self.commission_holding_days {
            if v > c.max_holding_days {
                anyhow::bail!(
                    "[shop] commission_holding_days is at most max_holding_days ({})",
                    c.max_holding_days
                );
            }
            c.policy.commission_holding_days = v;
        }
        if let Some(v) = self.refund_approval_above {
            c.policy.refund_approval_above = v;
        }
        if let Some(v) = self.decision_approval_above {
            c.policy.decision_approval_above = v;
        }
        if let Some(tz) = &self.time_zone {
            c.utc_offset_seconds = parse_offset(tz).ok_or_else(|| {
                anyhow::anyhow!("[shop] time_zone {tz:?} is not like +08:00, -05:30 or UTC")
            })?;
        }
        Ok(c)
    }
}

/// The money rules per currency, as the `[rules]` table gives them:
///
/// ```toml
/// [rules]
/// refund_horizon_days = 30        # a settled order is refunded only this long; its fee is swept after
/// destination_cooling_hours = 24  # a new withdrawal destination is paid only after this
/// deposit_hold_days = 30          # a merchant's deposit is withdrawn only this long after its last sale
/// deposit_minimum = { CNY = 50000 }  # what a deposit holds before its merchant sells in a currency
///
/// [[rules.withdrawals]]           # one per currency and kind of party (`reward` or `merchant`)
/// currency = "CNY"
/// party = "merchant"
/// min = 1000                      # minor units, each at a time
/// max = 5000000
/// daily = 10000000                # the requester's total a day, in the shop's time zone
/// monthly = 100000000
/// fee_fixed = 200                 # the fee: fixed + fee_bps of the amount, rounded up
/// fee_bps = 50
/// one_approver_from = 0           # below it, approved as asked
/// two_approvers_from = 1000000
/// ```
///
/// Left out: the defaults (no limits, no fee, one approver, two from
/// 1,000,000 minor units).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub refund_horizon_days: Option<u32>,
    pub destination_cooling_hours: Option<u32>,
    pub deposit_hold_days: Option<u32>,
    #[serde(default)]
    pub deposit_minimum: std::collections::BTreeMap<String, u64>,
    #[serde(default)]
    pub withdrawals: Vec<WithdrawalFile>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalFile {
    pub currency: String,
    pub party: trigate_core::PartyKind,
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub daily: Option<u64>,
    pub monthly: Option<u64>,
    pub fee_fixed: Option<u64>,
    pub fee_bps: Option<u32>,
    pub one_approver_from: Option<u64>,
    pub two_approvers_from: Option<u64>,
}

impl RulesFile {
    /// The rules, every one checked; what is left out keeps its default.
    pub fn rules(&self) -> anyhow::Result<trigate_core::Rules> {
        let mut r = trigate_core::Rules::default();
        if let Some(v) = self.refund_horizon_days {
            r.refund_horizon_days = v;
        }
        if let Some(v) = self.destination_cooling_hours {
            r.destination_cooling_hours = v;
        }
        if let Some(v) = self.deposit_hold_days {
            r.deposit_hold_days = v;
        }
        let currency = |c: &str| {
            trigate_core::Currency::new(c)
                .map_err(|_| anyhow::anyhow!("[rules] currency {c:?} is not three capitals"))
        };
        for (c, minimum) in &self.deposit_minimum {
            r.deposits.push(trigate_core::DepositMinimum {
                currency: currency(c)?,
                minimum: *minimum,
            });
        }
        for w in &self.withdrawals {
            let d = trigate_core::WithdrawalRule::default();
            r.withdrawals.push(trigate_core::WithdrawalRuleFor {
                currency: currency(&w.currency)?,
                party: w.party,
                rule: trigate_core::WithdrawalRule {
                    min: w.min.unwrap_or(d.min),
                    max: w.max.unwrap_or(d.max),
                    daily: w.daily.unwrap_or(d.daily),
                    monthly: w.monthly.unwrap_or(d.monthly),
                    fee_fixed: w.fee_fixed.unwrap_or(d.fee_fixed),
                    fee_bps: w.fee_bps.unwrap_or(d.fee_bps),
                    one_approver_from: w.one_approver_from.unwrap_or(d.one_approver_from),
                    two_approvers_from: w.two_approvers_from.unwrap_or(d.two_approvers_from),
                },
            });
        }
        r.check().map_err(|e| anyhow::anyhow!("[rules] {e}"))?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_read_as_offsets_and_back() {
        for (text, seconds) in [("+08:00", 28_800), ("-05:30", -19_800), ("UTC", 0)] {
            assert_eq!(parse_offset(text), Some(seconds), "{text}");
        }
        assert_eq!(show_offset(28_800), "+08:00");
        assert_eq!(show_offset(-19_800), "-05:30");
        for bad in ["8", "+8:00", "+15:00", "+08:60", "Asia/Shanghai", ""] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_shop_table_sets_what_it_names_and_refuses_nonsense() {
        let file: ShopFile =
            toml::from_str("reservation_minutes = 30\ntime_zone = \"-05:00\"").unwrap();
        let c = file.settings().unwrap();
        assert_eq!(c.reservation_ns, 30 * 60 * NANOS_PER_SECOND);
        assert_eq!(c.utc_offset_seconds, -5 * 3600);
        assert_eq!(c.dispute_window_ns, Config::default().dispute_window_ns);
        let zero: ShopFile = toml::from_str("reservation_minutes = 0").unwrap();
        assert!(zero.settings().is_err());
        let policy: ShopFile =
            toml::from_str("commission_holding_days = 0\nreserve_fee_bps = 2500").unwrap();
        let c = policy.settings().unwrap().policy;
        assert_eq!((c.commission_holding_days, c.reserve_fee_bps), (0, 2_500));
        for bad in ["reserve_fee_bps = 10001", "commission_holding_days = 4000"] {
            let file: ShopFile = toml::from_str(bad).unwrap();
            assert!(file.settings().is_err(), "{bad}");
        }
        assert!(toml::from_str::<ShopFile>("bogus = 1").is_err());
    }

    #[test]
    fn a_rules_table_sets_limits_per_currency_and_party_and_refuses_nonsense() {
        let file: RulesFile = toml::from_str(
            "refund_horizon_days = 10\ndeposit_minimum = { CNY = 5000 }\n\
             [[withdrawals]]\ncurrency = \"CNY\"\nparty = \"merchant\"\nmin = 100\nfee_bps = 50",
        )
        .unwrap();
        let r = file.rules().unwrap();
        assert_eq!(r.refund_horizon_days, 10);
        let cny = trigate_core::Currency::new("CNY").unwrap();
        assert_eq!(r.deposit_minimum(cny), 5000);
        let rule = r.withdrawal(cny, trigate_core::PartyKind::Merchant);
        assert_eq!((rule.min, rule.fee_bps, rule.max), (100, 50, u64::MAX));
        assert_eq!(
            r.withdrawal(cny, trigate_core::PartyKind::Reward),
            trigate_core::WithdrawalRule::default()
        );
        for bad in [
            "refund_horizon_days = 0",
            "[[withdrawals]]\ncurrency = \"CNY\"\nparty = \"merchant\"\nmin = 10\nmax = 5",
            "[[withdrawals]]\ncurrency = \"cny\"\nparty = \"reward\"",
            "[[withdrawals]]\ncurrency = \"CNY\"\nparty = \"nobody\"",
        ] {
            let parsed = toml::from_str::<RulesFile>(bad).map_err(|e| e.to_string());
            assert!(
                parsed
                    .and_then(|f| f.rules().map_err(|e| e.to_string()))
                    .is_err(),
                "{bad}"
            );
        }
    }
}
