//! Where trigate keeps its data: `--database-url`, else `TRIGATE_DATABASE_URL`,
//! else a SQLite file under the data directory (`TRIGATE_DATA_DIR`, default
//! `./trigate-data`).

use std::path::PathBuf;

pub const DEFAULT_DATA_DIR: &str = "trigate-data";

pub fn data_dir() -> PathBuf {
    std::env::var_os("TRIGATE_DATA_DIR")
        .map_or_else(|| PathBuf::from(DEFAULT_DATA_DIR), PathBuf::from)
}

/// The database URL to use, creating the data directory for the SQLite default.
pub fn database_url(flag: Option<&str>) -> anyhow::Result<String> {
    if let Some(url) = flag {
        return Ok(url.to_string());
    }
    if let Ok(url) = std::env::var("TRIGATE_DATABASE_URL")
        && !url.is_empty()
    {
        return Ok(url);
    }
    let dir = data_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", dir.display()))?;
    Ok(format!("sqlite://{}", dir.join("trigate.db").display()))
}

/// `trigate serve`'s settings as a TOML file holds them; every one may be
/// overridden by its `TRIGATE_*` environment variable, then by a flag.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub base_url: Option<String>,
    /// Payment channels, one `[[channel]]` table each.
    #[serde(default)]
    pub channel: Vec<trigate_app::payments::ChannelConfig>,
    /// Run the sandbox gateway under `/sandbox`.
    #[serde(default)]
    pub sandbox: Option<crate::sandbox::SandboxConfig>,
    /// The shop-wide settings (`[shop]`).
    #[serde(default)]
    pub shop: crate::shop_settings::ShopFile,
    /// The money rules per currency (`[rules]`).
    #[serde(default)]
    pub rules: crate::shop_settings::RulesFile,
    /// Gate three's settings (`[risk]`).
    #[serde(default)]
    pub risk: crate::risk_settings::RiskFile,
    /// `human` (the default) or `json`; `TRIGATE_LOG_FORMAT` overrides it.
    #[serde(default)]
    pub log_format: Option<crate::logging::LogFormat>,
    /// host:port of a listener serving only `/metrics`, open (for the
    /// operator's network); `TRIGATE_METRICS_LISTEN` overrides it.
    pub metrics_listen: Option<String>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Resolves `trigate serve`'s configuration: file, then environment
/// (`TRIGATE_LISTEN`, `TRIGATE_DATA_DIR`, `TRIGATE_DATABASE_URL`,
/// `TRIGATE_MASTER_KEY`, `TRIGATE_BASE_URL`), then the `--listen` flag.
pub fn serve_config(
    file: Option<&std::path::Path>,
    listen_flag: Option<&str>,
) -> anyhow::Result<crate::serve::ServeConfig> {
    let from_file: ServeFile = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => ServeFile::default(),
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let data_dir = env("TRIGATE_DATA_DIR")
        .map(PathBuf::from)
        .or(from_file.data_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", data_dir.display()))?;
    let database_url = env("TRIGATE_DATABASE_URL")
        .or(from_file.database_url)
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("trigate.db").display()));
    let listen = listen_flag
        .map(str::to_string)
        .or_else(|| env("TRIGATE_LISTEN"))
        .or(from_file.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let listen = listen
        .parse()
        .map_err(|_| anyhow::anyhow!("listen address {listen:?} is not host:port"))?;
    let base_url = env("TRIGATE_BASE_URL")
        .or(from_file.base_url)
        .unwrap_or_else(|| format!("http://{listen}"));
    Ok(crate::serve::ServeConfig {
        listen,
        database_url,
        data_dir,
        master_key: env("TRIGATE_MASTER_KEY").map(secrecy::SecretString::from),
        base_url,
        channels: from_file.channel,
        sandbox: from_file.sandbox,
        shop: from_file.shop.settings()?,
        rules: from_file.rules.rules()?,
        risk: from_file.risk.settings()?,
        client_headers: from_file.risk.client_headers()?,
        log_format: crate::logging::LogFormat::from_env_or(from_file.log_format)?,
        metrics_token: env("TRIGATE_METRICS_TOKEN").map(secrecy::SecretString::from),
        metrics_listen: env("TRIGATE_METRICS_LISTEN")
            .or(from_file.metrics_listen)
            .map(|a| {
                a.parse()
                    .map_err(|_| anyhow::anyhow!("metrics listen address {a:?} is not host:port"))
            })
            .transpose()?,
    })
}

#[cfg(test)]
mod channel_tests {
    #[test]
    fn channels_and_the_sandbox_are_read_from_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("trigate.toml");
        let toml = format!(
            r#"
data_dir = "{}"
[[channel]]
name = "epay"
kind = "epay"
gateway = "https://pay.example/"
merchant = "1001"
key = "k"
variant = "amp_key"
methods = ["alipay"]
max_amount = 500000

[sandbox]
merchant = "shop-1"
secret = "s"
"#,
            dir.path().display()
        );
        std::fs::write(&file, toml).unwrap();
        let config = super::serve_config(Some(&file), None).unwrap();
        let c = &config.channels[0];
        assert_eq!(c.variant, trigate_channels::epay::Variant::AmpKey);
        assert_eq!((c.min_amount, c.max_amount, c.priority), (1, 500_000, 0));
        assert_eq!(c.currencies, vec!["CNY".to_string()]);
        assert!(!format!("{c:?}").contains("\"k\""), "the key never shows");
        assert_eq!(config.sandbox.unwrap().merchant, "shop-1");
        std::fs::write(&file, "[[channel]]\nname = \"x\"\nbogus = 1\n").unwrap();
        assert!(super::serve_config(Some(&file), None).is_err());
    }
}
