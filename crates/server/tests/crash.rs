//! Crash safety of the real binary: `trigate load` is killed with SIGKILL at
//! random moments, over and over, and restarted on overlapping id ranges.
//! Afterwards every transfer whose submitter heard `ok` is stored exactly
//! once, nothing outside the submitted ranges is stored, `trigate verify`
//! passes, and one uninterrupted run over the whole range lands every id
//! exactly once.
//!
//! The kill delays, batch sizes and concurrency come from a seed printed at
//! the start; `TRIGATE_CRASH_SEED=n` replays its schedule (the moment a kill
//! lands against the commits still depends on the machine).

mod common;

use std::collections::HashSet;
use std::ops::RangeInclusive;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{TestDb, trigate_bin};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::Command;
use trigate_store::Store;

/// The issue asks for at least 20 kills; a round that finishes before its
/// kill lands does not count, so rounds go on until this many were killed.
const KILLS: u64 = 24;
/// A bound on rounds, should a machine be fast enough to finish many early.
const MAX_ROUNDS: u64 = 80;
/// Transfers each round asks for: more than a debug build writes in the
/// longest delay, so the process is usually still writing when it dies.
const COUNT: u64 = 20_000;
/// How far each round's first id moves on. Far less than a round usually
/// gets through, so each restart retries the ids around the previous kill,
/// which may or may not have been made durable; `trigate load` derives every
/// field from the id, so a retried id is the same transfer and must be
/// answered `exists`.
const STRIDE: u64 = 700;
const ACCOUNTS: u64 = 100;
/// Kill delays, from the spawn: the short ones land before the first commit
/// (during open, migration or recovery), the long ones deep in the load.
const DELAY_MS: RangeInclusive<u64> = 20..=400;

#[tokio::test]
async fn sigkill_under_load_loses_no_acknowledged_transfer_sqlite() {
    sigkill_under_load(&TestDb::sqlite()).await;
}

#[tokio::test]
async fn sigkill_under_load_loses_no_acknowledged_transfer_postgres() {
    let Some(db) = TestDb::postgres("sigkill_under_load").await else {
        return;
    };
    sigkill_under_load(&db).await;
}

fn seed() -> u64 {
    match std::env::var("TRIGATE_CRASH_SEED") {
        Ok(seed) => seed.parse().expect("TRIGATE_CRASH_SEED is a number"),
        // A fresh schedule each run covers more kill points over time; the
        // printed seed replays it.
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

async fn sigkill_under_load(db: &TestDb) {
    let seed = seed();
    let ctx = format!("{} (replay with TRIGATE_CRASH_SEED={seed})", db.backend);
    println!("crash test, {ctx}");
    let mut rng = SmallRng::seed_from_u64(seed);
    let started = Instant::now();

    let mut acked = HashSet::new();
    let mut acked_again = 0;
    let mut submitted: Vec<RangeInclusive<u128>> = Vec::new();
    let mut killed = 0;
    let mut rounds = 0;
    for round in 0..MAX_ROUNDS {
        if killed >= KILLS {
            break;
        }
        rounds += 1;
        let first = u128::from(1 + round * STRIDE);
        submitted.push(first..=first + u128::from(COUNT) - 1);
        let batch = rng.random_range(1..=20u64);
        let concurrency = rng.random_range(2..=16usize);
        let delay = Duration::from_millis(rng.random_range(DELAY_MS));

        let mut child = load_command(&db.url, first, COUNT, batch, concurrency)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn trigate load");
        let stdout = tokio::spawn(read_lines(child.stdout.take().unwrap()));
        let stderr = tokio::spawn(read_all(child.stderr.take().unwrap()));
        tokio::time::sleep(delay).await;
        let finished = child.try_wait().expect("poll trigate load");
        if finished.is_none() {
            // SIGKILL: no destructor, no flush, no orderly close of the
            // database; whatever was mid-commit is cut where it stood.
            child.start_kill().expect("kill trigate load");
            killed += 1;
        }
        let status = child.wait().await.expect("reap trigate load");
        let (lines, cut) = stdout.await.unwrap();
        let stderr = stderr.await.unwrap();
        if let Some(status) = finished {
            assert!(
                status.success(),
                "{ctx}: round {round} exited by itself with {status}: {stderr}"
            );
        }
        let round_acked = collect_acks(&lines, &ctx);
        println!(
            "{} round {round:2}: ids {first}.. batch {batch:2} concurrency {concurrency:2}, \
             {} after {:3} ms: {:5} ok{}",
            db.backend,
            if finished.is_some() {
                "finished"
            } else {
                "killed"
            },
            delay.as_millis(),
            round_acked.len(),
            if cut { ", last line cut" } else { "" },
        );
        if !status.success() && !stderr.is_empty() {
            println!("  stderr: {}", stderr.trim_end());
        }
        for id in round_acked {
            if !acked.insert(id) {
                acked_again += 1;
            }
        }
    }
    assert!(
        killed >= 20,
        "{ctx}: only {killed} of {rounds} rounds were killed"
    );
    assert!(!acked.is_empty(), "{ctx}: no round acknowledged anything");

    let (code, out) = verify(&db.url).await;
    assert!(
        code == Some(0) && out.contains("all checks passed"),
        "{ctx}: verify after the crashes exited {code:?}:\n{out}"
    );

    // Recovery catches the tables up with the journal; then every
    // acknowledged transfer must be there.
    let store = Store::open(&db.url).await.expect("open the store");
    trigate_engine::open_ledger(&store, 0)
        .await
        .expect("recover after the crashes");
    let transfers = store.transfers().await.expect("read the transfers");
    store.close().await;
    let mut stored = HashSet::new();
    for t in &transfers {
        let id = t.record.id;
        assert!(stored.insert(id), "{ctx}: transfer {id} is stored twice");
        assert!(
            submitted.iter().any(|r| r.contains(&id)),
            "{ctx}: transfer {id} is stored but was never submitted"
        );
    }
    let mut lost: Vec<u128> = acked.difference(&stored).copied().collect();
    lost.sort_unstable();
    assert!(
        lost.is_empty(),
        "{ctx}: {} acknowledged transfers are not stored, first {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
    println!(
        "{ctx}: {killed}/{rounds} rounds killed, {} ids acknowledged ({acked_again} of them \
         again on retry), {} stored ({} durable but never acknowledged), {:.1} s",
        acked.len(),
        stored.len(),
        stored.len() - acked.len(),
        started.elapsed().as_secs_f64()
    );

    // Every id again, to completion: the ones stored answer `exists`, the
    // rest are applied, and none lands twice.
    let whole = 1..=*submitted.last().unwrap().end();
    let count = u64::try_from(whole.end() - whole.start() + 1).unwrap();
    let out = load_command(&db.url, *whole.start(), count, 100, 16)
        .output()
        .await
        .expect("run trigate load to completion");
    assert!(
        out.status.success(),
        "{ctx}: the final load exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let final_acked = collect_acks(&String::from_utf8_lossy(&out.stdout), &ctx);
    assert_eq!(
        final_acked.len() as u64,
        count,
        "{ctx}: the final load did not acknowledge every id"
    );

    let (code, out) = verify(&db.url).await;
    assert!(
        code == Some(0) && out.contains("all checks passed"),
        "{ctx}: verify after the final load exited {code:?}:\n{out}"
    );
    let store = Store::open(&db.url).await.expect("open the store");
    let transfers = store.transfers().await.expect("read the transfers");
    store.close().await;
    let ids: HashSet<u128> = transfers.iter().map(|t| t.record.id).collect();
    assert_eq!(
        ids.len(),
        transfers.len(),
        "{ctx}: a transfer is stored twice"
    );
    assert_eq!(
        transfers.len() as u64,
        count,
        "{ctx}: the final load left the wrong number of transfers"
    );
    assert!(
        ids.iter().all(|id| whole.contains(id)),
        "{ctx}: a transfer outside 1..={} is stored",
        whole.end()
    );
    println!(
        "{ctx}: final load over {count} ids passed verify, {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}

fn load_command(url: &str, first: u128, count: u64, batch: u64, concurrency: usize) -> Command {
    let mut cmd = Command::new(trigate_bin());
    cmd.args(["load", "--database-url", url])
        .args(["--first-id", &first.to_string()])
        .args(["--count", &count.to_string()])
        .args(["--batch", &batch.to_string()])
        .args(["--concurrency", &concurrency.to_string()])
        .args(["--accounts", &ACCOUNTS.to_string()])
        // A failed assertion must not leave a writer running behind the test.
        .kill_on_drop(true);
    cmd
}

/// The complete lines of `out`, and whether a last line was cut short: a
/// kill can land mid-line, and `ok 12` cut from `ok 1234` is no promise.
async fn read_lines(out: impl AsyncRead + Unpin) -> (String, bool) {
    let mut reader = BufReader::new(out);
    let mut lines = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        reader
            .read_until(b'\n', &mut line)
            .await
            .expect("read trigate load's output");
        if line.last() != Some(&b'\n') {
            return (lines, !line.is_empty());
        }
        lines.push_str(&String::from_utf8_lossy(&line));
    }
}

async fn read_all(out: impl AsyncRead + Unpin) -> String {
    let mut text = String::new();
    BufReader::new(out)
        .read_to_string(&mut text)
        .await
        .expect("read trigate load's errors");
    text
}

/// The ids acknowledged in `lines`; anything but `ok <id>` fails the test,
/// since every transfer of this workload, new or retried, must succeed.
fn collect_acks(lines: &str, ctx: &str) -> Vec<u128> {
    lines
        .lines()
        .map(|line| {
            line.strip_prefix("ok ")
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("{ctx}: trigate load printed {line:?}"))
        })
        .collect()
}

async fn verify(url: &str) -> (Option<i32>, String) {
    let out = Command::new(trigate_bin())
        .args(["verify", "--database-url", url])
        .output()
        .await
        .expect("run trigate verify");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}
