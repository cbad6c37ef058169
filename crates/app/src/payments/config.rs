//! Channels as `trigate serve`'s TOML configures them (`[[channel]]`
//! tables): which adapter, its account at the provider, what it takes, and
//! the routing rule it is offered under.

use std::sync::Arc;

use secrecy::SecretString;
use trigate_channels::epay::{Epay, Variant};
use trigate_channels::routing::Rule;
use trigate_channels::sandbox::Sandbox;
use trigate_channels::{Capabilities, Channel, ChannelError};
use trigate_core::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// An epay (易支付) V1 gateway.
    Epay,
    /// The sandbox gateway trigate serves itself (`/sandbox`), or another
    /// trigate's.
    Sandbox,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Its name in notify URLs and attempts: letters, digits, `-`, `_`.
    pub name: String,
    pub kind: ChannelKind,
    /// The provider's base URL.
    pub gateway: String,
    /// Our merchant id there (epay's `pid`).
    pub merchant: String,
    /// The signing key: never logged.
    pub key: SecretString,
    #[serde(default = "plain")]
    pub variant: Variant,
    /// Create payments server to server (epay's `mapi.php`) rather than
    /// by sending the browser (`submit.php`). The sandbox always does.
    #[serde(default)]
    pub server_create: bool,
    pub methods: Vec<String>,
    #[serde(default = "cny")]
    pub currencies: Vec<String>,
    #[serde(default = "one")]
    pub min_amount: u64,
    #[serde(default = "most")]
    pub max_amount: u64,
    /// Lower is tried first.
    #[serde(default)]
    pub priority: u32,
    /// Only these merchants' orders; all if empty.
    #[serde(default)]
    pub merchants: Vec<u64>,
}

fn plain() -> Variant {
    Variant::Plain
}

fn cny() -> Vec<String> {
    vec!["CNY".into()]
}

fn one() -> u64 {
    1
}

fn most() -> u64 {
    u64::MAX
}

impl ChannelConfig {
    /// Whether payments are created by a call to the channel.
    pub fn creates_server_side(&self) -> bool {
        self.server_create || self.kind == ChannelKind::Sandbox
    }

    /// The adapter and its routing rule.
    pub fn build(&self) -> Result<(Arc<dyn Channel>, Rule), ChannelError> {
        let valid_name = !self.name.is_empty()
            && self.name.len() <= 32
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_name {
            return Err(ChannelError::Config(format!(
                "channel name {:?}: 1 to 32 letters, digits, '-' or '_'",
                self.name
            )));
        }
        let currencies = self
            .currencies
            .iter()
            .map(|c| Currency::new(c).map_err(|e| ChannelError::Config(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let capabilities = Capabilities {
            methods: self.methods.clone(),
            currencies: currencies.clone(),
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            refunds: true,
            payouts: self.kind == ChannelKind::Sandbox,
        };
        let channel: Arc<dyn Channel> = match self.kind {
            ChannelKind::Epay => Arc::new(Epay::new(
                &self.name,
                &self.gateway,
                &self.merchant,
                self.key.clone(),
                self.variant,
                capabilities,
            )?),
            ChannelKind::Sandbox => Arc::new(Sandbox::new(
                &self.name,
                &self.gateway,
                &self.merchant,
                self.key.clone(),
                capabilities,
            )?),
        };
        let rule = Rule {
            channel: self.name.clone(),
            methods: self.methods.clone(),
            currencies,
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            merchants: self.merchants.clone(),
            priority: self.priority,
        };
        Ok((channel, rule))
    }
}
