//! Journal rows as a text file, one row per line — `seq timestamp body
//! prev_hash hash`, the body and hashes in hex: the backup `trigate upgrade`
//! writes before it rewrites a journal (and restores with `--restore`), and
//! the form golden journals are kept in.

use std::fmt::Write as _;

use trigate_core::journal::records::hex::{decode as unhex, encode as hex};
use trigate_store::JournalRow;

pub fn write_rows(rows: &[JournalRow]) -> String {
    rows.iter().fold(String::new(), |mut s, r| {
        let _ = writeln!(
            s,
            "{} {} {} {} {}",
            r.seq,
            r.timestamp,
            hex(&r.body),
            hex(&r.prev_hash),
            hex(&r.hash)
        );
        s
    })
}

/// The rows of a journal file; an error names the first line that is not one.
pub fn read_rows(text: &str) -> Result<Vec<JournalRow>, String> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let bad = || format!("line {} is not a journal row", i + 1);
            let f: Vec<&str> = line.split(' ').collect();
            let [seq, timestamp, body, prev, hash] = f.as_slice() else {
                return Err(bad());
            };
            let hash32 = |t: &str| -> Option<[u8; 32]> { unhex(t)?.try_into().ok() };
            Ok(JournalRow {
                seq: seq.parse().map_err(|_| bad())?,
                timestamp: timestamp.parse().map_err(|_| bad())?,
                body: unhex(body).ok_or_else(bad)?,
                prev_hash: hash32(prev).ok_or_else(bad)?,
                hash: hash32(hash).ok_or_else(bad)?,
            })
        })
        .collect()
}
