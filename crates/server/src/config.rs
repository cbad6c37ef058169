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
