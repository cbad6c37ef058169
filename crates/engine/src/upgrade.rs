//! `trigate upgrade`: rewrites a shop journal of an older format in today's.
//!
//! A format-1 journal recorded commands and their replies, not what they
//! decided, so the only way to read it is to run each command again and
//! check it gets the recorded reply. This happens once, here: every entry
//! is checked against the chain and run again on a shop with the settings
//! format-1 shops ran under (pinned in the genesis it gains), the facts it
//! decides become the new entries, and the new journal is replayed and
//! compared with the shop that ran. Only then is the old journal written to
//! a backup file, read back and compared, and the database's journal
//! replaced (its derived tables emptied, to be rebuilt on the next start).

use std::path::{Path, PathBuf};

use trigate_core::Shop;
use trigate_core::journal::{Entry, FORMAT, READS_FROM};
use trigate_ledger::{Hash, chain};
use trigate_store::{JournalRow, Store, StoreError};

use crate::journal_file;
use crate::recover::{RecoverError, check_link};

/// What `upgrade` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Upgraded {
    /// The journal is empty or already in today's format.
    Nothing { format: Option<u16> },
    Rewritten {
        from: u16,
        read: u64,
        written: u64,
        backup: PathBuf,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Chain(#[from] RecoverError),
    #[error("this database holds a bare ledger's journal, not a shop's: nothing to upgrade")]
    NotAShop,
    #[error(
        "the journal is in format {0}, newer than this release of trigate (format {FORMAT}); \
         use the release that wrote it"
    )]
    Newer(u16),
    #[error("journal entry {seq} does not upgrade: {message}")]
    Entry { seq: u64, message: String },
    #[error("the upgraded journal does not rebuild the shop that ran the old one: {0}")]
    Mismatch(String),
    #[error("cannot write the backup {path}: {source}")]
    Backup {
        path: String,
        source: std::io::Error,
    },
    #[error("the backup {0} does not read back as the journal it was written from")]
    BackupDiffers(String),
    #[error("the backup {path} is not a journal: {message}")]
    BadBackup { path: String, message: String },
}

/// Every journal row, in order.
async fn all_rows(store: &Store) -> Result<Vec<JournalRow>, StoreError> {
    let mut snapshot = store.snapshot().await?;
    let mut rows: Vec<JournalRow> = Vec::new();
    loop {
        let after = rows.last().map_or(0, |r| r.seq);
        let page = snapshot.journal_page(after, 4096).await?;
        if page.is_empty() {
            return Ok(rows);
        }
        rows.extend(page);
    }
}

/// Entries as chained journal rows from the first.
fn chained(entries: &[Entry]) -> Vec<JournalRow> {
    let mut head: Hash = chain::GENESIS;
    entries
        .iter()
        .zip(1..)
        .map(|(entry, seq)| {
            let body = entry.encode();
            let hash = chain::link(&head, &body);
            let row = JournalRow {
                seq,
                timestamp: entry.at,
                body,
                prev_hash: head,
                hash,
            };
            head = hash;
            row
        })
        .collect()
}

/// Runs a format-1 journal's entries again and returns them as today's.
fn upgrade_format1(rows: &[JournalRow]) -> Result<Vec<Entry>, UpgradeError> {
    let first = rows.first().map_or(0, |r| r.timestamp);
    let (mut shop, genesis) = Shop::for_upgrade(first);
    let mut entries = vec![genesis];
    let mut head = chain::GENESIS;
    for (row, expected) in rows.iter().zip(1..) {
        check_link(row, expected, &head)?;
        head = row.hash;
        let entry = shop
            .upgrade_sh1(&row.body)
            .map_err(|e| UpgradeError::Entry {
                seq: row.seq,
                message: e.to_string(),
            })?;
        entries.extend(entry);
    }
    // The new journal alone must rebuild exactly the shop that ran.
    let mut again = Shop::new(trigate_core::Config::default());
    for entry in &entries {
        again
            .replay(&entry.encode())
            .map_err(|e| UpgradeError::Mismatch(e.to_string()))?;
    }
    again.rebuild_indexes();
    shop.rebuild_indexes();
    if again.describe() != shop.describe() {
        return Err(UpgradeError::Mismatch(
            "the replayed shop differs from the one that ran".into(),
        ));
    }
    Ok(entries)
}

/// Writes `rows` to a new backup file in `dir`, synced, and checks it reads
/// back as the same rows.
fn back_up(rows: &[JournalRow], dir: &Path, format: u16) -> Result<PathBuf, UpgradeError> {
    use std::io::Write as _;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("journal-format{format}-backup-{stamp}.txt"));
    let shown = path.display().to_string();
    let io = |source| UpgradeError::Backup {
        path: shown.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    file.write_all(journal_file::write_rows(rows).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    // The file's name must be on disk too before the journal is replaced.
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io)?;
    let back = std::fs::read_to_string(&path).map_err(io)?;
    match journal_file::read_rows(&back) {
        Ok(read) if read == rows => Ok(path),
        _ => Err(UpgradeError::BackupDiffers(shown)),
    }
}

/// Upgrades the shop journal in `store` to today's format, backing the old
/// one up into `backup_dir` first. Run while trigate is stopped.
pub async fn upgrade(store: &Store, backup_dir: &Path) -> Result<Upgraded, UpgradeError> {
    let rows = all_rows(store).await?;
    let Some(first) = rows.first() else {
        return Ok(Upgraded::Nothing { format: None });
    };
    let entries = match Entry::format(&first.body) {
        None => return Err(UpgradeError::NotAShop),
        // Read as they are (format 3 only added facts): nothing to rewrite.
        Some(v @ READS_FROM..=FORMAT) => {
            return Ok(Upgraded::Nothing { format: Some(v) });
        }
        Some(1) => upgrade_format1(&rows)?,
        Some(v) => return Err(UpgradeError::Newer(v)),
    };
    let backup = back_up(&rows, backup_dir, 1)?;
    let new_rows = chained(&entries);
    // Refused if anything was appended since it was read.
    let head = rows.last().map(|r| (r.seq, r.hash));
    store.replace_journal(head, &new_rows).await?;
    Ok(Upgraded::Rewritten {
        from: 1,
        read: rows.len() as u64,
        written: new_rows.len() as u64,
        backup,
    })
}

/// Puts a backup written by [`upgrade`] back as the database's journal (its
/// chain checked first); the derived tables are emptied and rebuilt by the
/// release that reads that format. Whatever the journal holds now is
/// replaced, entries written since the upgrade included: run it stopped.
/// Returns how many entries were restored and how many replaced.
pub async fn restore(store: &Store, backup: &Path) -> Result<(u64, u64), UpgradeError> {
    let shown = backup.display().to_string();
    let text = std::fs::read_to_string(backup).map_err(|source| UpgradeError::Backup {
        path: shown.clone(),
        source,
    })?;
    let rows = journal_file::read_rows(&text).map_err(|message| UpgradeError::BadBackup {
        path: shown.clone(),
        message,
    })?;
    let mut head = chain::GENESIS;
    for (row, expected) in rows.iter().zip(1..) {
        check_link(row, expected, &head)?;
        head = row.hash;
    }
    let now = all_rows(store).await?;
    let head = now.last().map(|r| (r.seq, r.hash));
    store.replace_journal(head, &rows).await?;
    Ok((rows.len() as u64, now.len() as u64))
}
