//! The risk settings as the `[risk]` table of the config file gives them:
//!
//! ```toml
//! [risk]
//! enabled = true               # false: no risk decision anywhere
//! escalate_after_hours = 24    # a hold waiting longer is escalated
//! challenge_score = 60         # fired rules' weights adding up to this ask for a one-time code
//! hold_score = 100             # … hold for review
//! block_score = 200            # … refuse
//! ip_header = "X-Forwarded-For" # the client's IP, from your proxy (else the socket's)
//! country_header = "CF-IPCountry" # the IP's country, from your proxy or CDN
//! geoip_file = "/var/lib/trigate/GeoLite2-Country.mmdb" # else from this MaxMind-format file
//! new_merchant_days = 30       # a merchant open fewer days is new (0: none is)
//! new_merchant_daily_cap = 500000 # what a new merchant may sell in 24 hours, minor units (0: no cap)
//! new_merchant_holding_days = 7   # a new merchant's sales are held at least this long
//! model_challenge = 0          # the trained model's score that asks for a one-time code (0: never)
//! model_hold = 1               # … that holds for review (default: the model file's suggestion)
//! ```
//!
//! Name the headers only behind a proxy that overwrites them: a client
//! could send anything in them otherwise.
//!
//! Anything left out keeps its default; the journal records them, and a
//! start with others records the change.

use trigate_core::NANOS_PER_SECOND;
use trigate_core::risk::{MerchantSettings, ModelThresholds, RiskSettings, Thresholds};

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskFile {
    pub enabled: Option<bool>,
    pub escalate_after_hours: Option<u64>,
    pub challenge_score: Option<i32>,
    pub hold_score: Option<i32>,
    pub block_score: Option<i32>,
    pub ip_header: Option<String>,
    pub country_header: Option<String>,
    pub geoip_file: Option<std::path::PathBuf>,
    pub new_merchant_days: Option<u32>,
    pub new_merchant_daily_cap: Option<u64>,
    pub new_merchant_holding_days: Option<u32>,
    pub model_challenge: Option<i64>,
    pub model_hold: Option<i64>,
}

impl RiskFile {
    /// The client headers trusted for the IP and its country.
    pub fn client_headers(&self) -> anyhow::Result<trigate_web::client::ClientHeaders> {
        let name = |h: &Option<String>, key: &str| {
            h.as_deref()
                .map(|n| {
                    axum::http::HeaderName::from_bytes(n.trim().as_bytes())
                        .map_err(|_| anyhow::anyhow!("[risk] {key} {n:?} is not a header name"))
                })
                .transpose()
        };
        let country_file = match &self.geoip_file {
            Some(path) => {
                let file = trigate_web::geoip::CountryFile::open(path)
                    .map_err(|e| anyhow::anyhow!("[risk] geoip_file: {e}"))?;
                Some(std::sync::Arc::new(file))
            }
            None => None,
        };
        Ok(trigate_web::client::ClientHeaders {
            ip: name(&self.ip_header, "ip_header")?,
            country: name(&self.country_header, "country_header")?,
            country_file,
        })
    }

    pub fn settings(&self) -> anyhow::Result<RiskSettings> {
        let d = RiskSettings::default();
        let hours = self
            .escalate_after_hours
            .unwrap_or(d.escalate_after_ns / (3_600 * NANOS_PER_SECOND));
        if !(1..=24 * 365).contains(&hours) {
            anyhow::bail!("[risk] escalate_after_hours is 1 to 8760");
        }
        let thresholds = Thresholds {
            challenge: self.challenge_score.unwrap_or(d.thresholds.challenge),
            hold: self.hold_score.unwrap_or(d.thresholds.hold),
            block: self.block_score.unwrap_or(d.thresholds.block),
        };
        let t = thresholds;
        if !(1 <= t.challenge && t.challenge <= t.hold && t.hold <= t.block && t.block <= 100_000) {
            anyhow::bail!(
                "[risk] scores must rise: 1 <= challenge_score <= hold_score <= block_score <= 100000"
            );
        }
        let r = MerchantSettings::RECOMMENDED;
        let merchants = MerchantSettings {
            new_days: self.new_merchant_days.unwrap_or(r.new_days),
            daily_cap: self.new_merchant_daily_cap.unwrap_or(r.daily_cap),
            new_holding_days: self.new_merchant_holding_days.unwrap_or(r.new_holding_days),
        };
        if merchants.new_days > 3_650 || merchants.new_holding_days > 365 {
            anyhow::bail!(
                "[risk] new_merchant_days is at most 3650 and new_merchant_holding_days at most 365"
            );
        }
        let suggested = ModelThresholds::suggested();
        let model = ModelThresholds {
            challenge: self.model_challenge.unwrap_or(suggested.challenge),
            hold: self.model_hold.unwrap_or(suggested.hold),
        };
        if model.challenge < 0 || model.hold < 0 {
            anyhow::bail!("[risk] model_challenge and model_hold are 0 (off) or more");
        }
        Ok(RiskSettings {
            enabled: self.enabled.unwrap_or(d.enabled),
            thresholds,
            escalate_after_ns: hours * 3_600 * NANOS_PER_SECOND,
            merchants,
            model,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        assert_eq!(
            RiskFile::default().settings().unwrap(),
            RiskSettings {
                merchants: MerchantSettings::RECOMMENDED,
                model: ModelThresholds::suggested(),
                ..RiskSettings::default()
            }
        );
        let no_caps = RiskFile {
            new_merchant_days: Some(0),
            new_merchant_daily_cap: Some(0),
            ..RiskFile::default()
        };
        let m = no_caps.settings().unwrap().merchants;
        assert_eq!((m.new_days, m.daily_cap, m.new_holding_days), (0, 0, 7));
        let too_long = RiskFile {
            new_merchant_holding_days: Some(366),
            ..RiskFile::default()
        };
        assert!(too_long.settings().is_err());
        let off = RiskFile {
            enabled: Some(false),
            escalate_after_hours: Some(2),
            ..RiskFile::default()
        };
        let s = off.settings().unwrap();
        assert!(!s.enabled);
        assert_eq!(s.escalate_after_ns, 2 * 3_600 * NANOS_PER_SECOND);
        let falling = RiskFile {
            hold_score: Some(10),
            ..RiskFile::default()
        };
        assert!(falling.settings().is_err());
        let never = RiskFile {
            escalate_after_hours: Some(0),
            ..RiskFile::default()
        };
        assert!(never.settings().is_err());
    }

    #[test]
    fn the_geoip_file_is_opened_at_start_and_a_bad_one_is_named() {
        let good =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/testdata/countries.mmdb");
        let file = RiskFile {
            geoip_file: Some(good),
            ..RiskFile::default()
        };
        let headers = file.client_headers().unwrap();
        let countries = headers.country_file.expect("the file is opened");
        assert_eq!(
            countries.country("192.0.2.1".parse().unwrap()).as_deref(),
            Some("CN")
        );
        let missing = RiskFile {
            geoip_file: Some("/nowhere/GeoLite2-Country.mmdb".into()),
            ..RiskFile::default()
        };
        let err = missing.client_headers().unwrap_err().to_string();
        assert!(
            err.contains("[risk] geoip_file") && err.contains("/nowhere/GeoLite2-Country.mmdb"),
            "{err}"
        );
    }
}
