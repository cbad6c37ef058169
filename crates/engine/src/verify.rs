//! `trigate verify`: proves the database holds exactly what the journal says
//! and that the books balance. Every check is independent of the running
//! process: it reads the store, replays the journal onto a fresh ledger, and
//! recomputes every account's counters from the transfers table — in one pass
//! over that table, so a database of any size can be checked.

use std::collections::{BTreeMap, HashMap, HashSet};

use trigate_core::Shop;
use trigate_core::journal::is_shop_entry;
use trigate_ledger::{Account, AccountFlags, Ledger, PendingStatus, TransferFlags};
use trigate_store::{Snapshot, Store, StoreError, StoredTransfer};

use crate::{JournalReplay, Journaled, RecoverError};

/// Violations listed one by one per check before the rest are only counted.
const LISTED: usize = 1000;

/// What verify checked, and every violation it found.
#[derive(Debug, Default)]
pub struct Report {
    pub checked: Vec<String>,
    pub violations: Vec<String>,
    /// What is worth knowing but breaks nothing: today's rules deciding an
    /// entry differently from how it was decided when it was written.
    pub findings: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    fn check(&mut self, what: String, mut violations: Vec<String>) {
        if violations.is_empty() {
            self.checked.push(what);
        } else {
            let more = violations.len().saturating_sub(LISTED);
            violations.truncate(LISTED);
            self.violations.extend(violations);
            if more > 0 {
                self.violations
                    .push(format!("… and {more} more like the above"));
            }
        }
    }
}

/// Checks a database: a shop's journal (its entries tagged as such) or a
/// bare ledger's.
pub async fn verify(store: &Store) -> Result<Report, StoreError> {
    // One snapshot for every read, so that commits landing while verify runs
    // cannot make the tables and the journal look as if they disagree. The
    // tables follow the journal; they are compared with the journal as it
    // stood at their checkpoint.
    let mut snapshot = store.snapshot().await?;
    let first = snapshot.journal_page(0, 1).await?;
    if first.first().is_some_and(|row| is_shop_entry(&row.body)) {
        let mut report = verify_as::<Shop>(snapshot).await?;
        rerun_today(store, &mut report).await?;
        Ok(report)
    } else {
        verify_as::<Ledger>(snapshot).await
    }
}

async fn verify_as<S: Journaled>(mut snapshot: Snapshot) -> Result<Report, StoreError> {
    let through = snapshot.checkpoint_seq();
    let mut report = Report::default();
    let accounts = snapshot.accounts().await?;
    let (order_rows, key_rows) = (snapshot.orders().await?, snapshot.keys().await?);
    let mut replay = JournalReplay::<S>::new(0);
    let at_checkpoint = match replay.through(&mut snapshot, through).await {
        Ok(()) => {
            report.check(
                format!(
                    "accounts table: {} rows match the journal through entry {through}",
                    accounts.len()
                ),
                compare_accounts(replay.state().ledger(), &accounts),
            );
            let (orders, keys) = replay.state().shop_rows();
            report.check(
                format!(
                    "orders and card_keys tables: {} and {} rows match the journal through entry {through}",
                    order_rows.len(),
                    key_rows.len()
                ),
                [
                    compare_rows("orders", &orders, &order_rows, |o| o.id),
                    compare_rows("card_keys", &keys, &key_rows, |k| k.id),
                ]
                .concat(),
            );
            true
        }
        Err(e) => {
            report.violations.push(chain_violation(&e));
            false
        }
    };
    let ledger = at_checkpoint.then(|| replay.state().ledger());
    let mut scan = Scan::new(ledger);
    snapshot.scan_transfers(&mut |t| scan.visit(t)).await?;
    let rows = scan.rows;
    let (against_journal, sums) = scan.finish();
    if at_checkpoint {
        report.check(
            format!("transfers table: {rows} rows match the journal through entry {through}"),
            against_journal,
        );
        match replay.to_end(&mut snapshot).await {
            Ok(()) => {
                report.checked.push(format!(
                    "hash chain: {} journal entries link and replay to their recorded results; \
                     the tables reflect the first {through}",
                    replay.seq()
                ));
                if let Some(what) = S::INVARIANTS {
                    replay.state_mut().finish_replay();
                    report.check(what.to_string(), replay.state().invariant_violations());
                    report.checked.extend(replay.state().money_report());
                }
            }
            Err(e) => report.violations.push(chain_violation(&e)),
        }
    }
    report.check(
        "account counters: every account's counters equal the sums of its transfers".to_string(),
        compare_sums(&accounts, sums),
    );
    report.check(
        "invariant 1: Σ debits = Σ credits, posted and pending".to_string(),
        balanced(&accounts),
    );
    report.check(
        "invariant 2: no account with an overdraft limit is past it".to_string(),
        within_limits(&accounts),
    );
    Ok(report)
}

/// Runs every entry's command again under today's rules and compares what
/// they decide with what the journal recorded. The journal is the truth, so
/// a difference (a rule changed since) is a finding, not a violation; the
/// shops part there, so the entries after it are not compared.
async fn rerun_today(store: &Store, report: &mut Report) -> Result<(), StoreError> {
    let mut snapshot = store.snapshot().await?;
    let mut shop = Shop::new(trigate_core::Config::default());
    let mut after = 0;
    loop {
        let page = snapshot.journal_page(after, 512).await?;
        let Some(last) = page.last() else {
            report.checked.push(format!(
                "today's rules: the {after} journal entries' commands, run again, decide \
                 exactly what was recorded"
            ));
            return Ok(());
        };
        after = last.seq;
        for row in &page {
            let finding = match shop.rerun(&row.body) {
                Ok(None) => continue,
                Ok(Some(difference)) => difference,
                Err(e) => format!("it cannot be run again: {e}"),
            };
            report.findings.push(format!(
                "today's rules decide journal entry {} differently (the journal, written under \
                 the rules of its day, stands; later entries were not compared): {finding}",
                row.seq
            ));
            return Ok(());
        }
    }
}

/// Rows the journal says a table holds against what it holds, by id.
fn compare_rows<T: PartialEq + std::fmt::Debug>(
    table: &str,
    expected: &[T],
    rows: &[T],
    id: impl Fn(&T) -> u64,
) -> Vec<String> {
    let want: BTreeMap<u64, &T> = expected.iter().map(|r| (id(r), r)).collect();
    let have: BTreeMap<u64, &T> = rows.iter().map(|r| (id(r), r)).collect();
    let mut out = Vec::new();
    for (key, w) in &want {
        match have.get(key) {
            None => out.push(format!("{table} row {key}: missing (the journal made it)")),
            Some(h) if h != w => out.push(format!(
                "{table} row {key}: differs from the journal (table {h:?}, journal {w:?})"
            )),
            Some(_) => {}
        }
    }
    for key in have.keys().filter(|k| !want.contains_key(k)) {
        out.push(format!("{table} row {key}: not made by any journal entry"));
    }
    out
}

fn chain_violation(e: &RecoverError) -> String {
    match e {
        RecoverError::Store(e) => format!("journal unreadable: {e}"),
        RecoverError::JournalShort { .. } => format!("invariant 6 (journal complete): {e}"),
        _ => format!("invariant 6 (hash chain): {e}"),
    }
}

fn compare_accounts(ledger: &Ledger, rows: &[Account]) -> Vec<String> {
    let mut out = Vec::new();
    let by_id: BTreeMap<u128, &Account> = rows.iter().map(|a| (a.id, a)).collect();
    for expected in ledger.accounts() {
        match by_id.get(&expected.id) {
            None => out.push(format!(
                "accounts row {}: missing (the journal created it)",
                expected.id
            )),
            Some(row) => {
                for (column, table, journal) in account_fields(row, expected) {
                    if table != journal {
                        out.push(format!(
                            "accounts row {}: {column} is {table} in the table, {journal} by the journal",
                            row.id
                        ));
                    }
                }
            }
        }
    }
    for id in by_id.keys() {
        if ledger.account(*id).is_none() {
            out.push(format!(
                "accounts row {id}: not created by any journal entry"
            ));
        }
    }
    out
}

fn account_fields(row: &Account, expected: &Account) -> [(&'static str, u128, u128); 9] {
    [
        ("timestamp", row.timestamp.into(), expected.timestamp.into()),
        ("ledger", row.ledger.into(), expected.ledger.into()),
        ("code", row.code.into(), expected.code.into()),
        (
            "flags",
            row.flags.bits().into(),
            expected.flags.bits().into(),
        ),
        ("user_data", row.user_data, expected.user_data),
        (
            "debits_pending",
            row.debits_pending,
            expected.debits_pending,
        ),
        ("debits_posted", row.debits_posted, expected.debits_posted),
        (
            "credits_pending",
            row.credits_pending,
            expected.credits_pending,
        ),
        (
            "credits_posted",
            row.credits_posted,
            expected.credits_posted,
        ),
    ]
}

#[derive(Default)]
struct Sums {
    debits_pending: u128,
    debits_posted: u128,
    credits_pending: u128,
    credits_posted: u128,
}

/// One pass over the transfers table, in the order applied: each row is
/// compared with the journal's, and every account's counters are summed as
/// the rows would have moved them.
struct Scan<'a> {
    ledger: Option<&'a Ledger>,
    rows: u64,
    /// Rows seen, by the journal's order of application.
    seen: Vec<bool>,
    /// Rows seen when there is no journal to place them by.
    seen_ids: HashSet<u128>,
    /// Pending rows not yet posted, voided or expired: (debit, credit, amount).
    open: HashMap<u128, (u128, u128, u128)>,
    sums: BTreeMap<u128, Sums>,
    violations: Vec<String>,
}

impl<'a> Scan<'a> {
    fn new(ledger: Option<&'a Ledger>) -> Self {
        Self {
            ledger,
            rows: 0,
            seen: vec![false; ledger.map_or(0, Ledger::transfer_count)],
            seen_ids: HashSet::new(),
            open: HashMap::new(),
            sums: BTreeMap::new(),
            violations: Vec::new(),
        }
    }

    fn visit(&mut self, t: StoredTransfer) {
        self.rows += 1;
        let id = t.record.id;
        let first_time = match self.ledger {
            Some(ledger) => self.against_journal(ledger, &t),
            None => self.seen_ids.insert(id),
        };
        if first_time {
            self.sum(&t);
        }
    }

    /// Compares a row with the journal's; false if it was seen before.
    fn against_journal(&mut self, ledger: &Ledger, t: &StoredTransfer) -> bool {
        let id = t.record.id;
        let Some(at) = ledger.transfer_position(id) else {
            self.violations.push(format!(
                "transfers row {id}: not applied by any journal entry"
            ));
            return true;
        };
        if std::mem::replace(&mut self.seen[at], true) {
            self.violations
                .push(format!("transfers row {id}: stored more than once"));
            return false;
        }
        match ledger.transfer(id) {
            Some(expected) if expected != t.record => self.violations.push(format!(
                "transfers row {id}: differs from the journal (table {:?}, journal {:?})",
                t.record, expected
            )),
            _ => {
                let expired = ledger.pending_status(id) == Some(PendingStatus::Expired);
                if expired != t.expired {
                    self.violations.push(format!(
                        "transfers row {id}: expired is {} in the table, {expired} by the journal",
                        t.expired
                    ));
                }
            }
        }
        true
    }

    fn sum(&mut self, t: &StoredTransfer) {
        let r = &t.record;
        let amount = u128::from(r.amount);
        let (dr, cr) = (r.debit_account_id, r.credit_account_id);
        if r.flags.contains(TransferFlags::PENDING) {
            if !t.expired {
                self.sums.entry(dr).or_default().debits_pending += amount;
                self.sums.entry(cr).or_default().credits_pending += amount;
                self.open.insert(r.id, (dr, cr, amount));
            }
            return;
        }
        if r.flags
            .intersects(TransferFlags::POST_PENDING | TransferFlags::VOID_PENDING)
        {
            if let Some((pdr, pcr, reserved)) = self.open.remove(&r.pending_id) {
                let d = self.sums.entry(pdr).or_default();
                d.debits_pending = d.debits_pending.saturating_sub(reserved);
                let c = self.sums.entry(pcr).or_default();
                c.credits_pending = c.credits_pending.saturating_sub(reserved);
            }
            if r.flags.contains(TransferFlags::VOID_PENDING) {
                return;
            }
        }
        self.sums.entry(dr).or_default().debits_posted += amount;
        self.sums.entry(cr).or_default().credits_posted += amount;
    }

    fn finish(mut self) -> (Vec<String>, BTreeMap<u128, Sums>) {
        if let Some(ledger) = self.ledger {
            for t in ledger.transfers() {
                if let Some(false) = ledger.transfer_position(t.id).map(|at| self.seen[at]) {
                    self.violations.push(format!(
                        "transfers row {}: missing (the journal applied it)",
                        t.id
                    ));
                }
            }
        }
        (self.violations, self.sums)
    }
}

fn compare_sums(accounts: &[Account], mut sums: BTreeMap<u128, Sums>) -> Vec<String> {
    let mut out = Vec::new();
    for a in accounts {
        let s = sums.remove(&a.id).unwrap_or_default();
        for (column, table, summed) in [
            ("debits_pending", a.debits_pending, s.debits_pending),
            ("debits_posted", a.debits_posted, s.debits_posted),
            ("credits_pending", a.credits_pending, s.credits_pending),
            ("credits_posted", a.credits_posted, s.credits_posted),
        ] {
            if table != summed {
                out.push(format!(
                    "accounts row {}: {column} is {table}, but its transfers sum to {summed}",
                    a.id
                ));
            }
        }
    }
    for id in sums.keys() {
        out.push(format!(
            "transfers table: moves money on account {id}, which has no row"
        ));
    }
    out
}

fn balanced(accounts: &[Account]) -> Vec<String> {
    let sum = |f: fn(&Account) -> u128| accounts.iter().map(f).fold(0u128, u128::saturating_add);
    let mut out = Vec::new();
    let (dp, cp) = (sum(|a| a.debits_posted), sum(|a| a.credits_posted));
    if dp != cp {
        out.push(format!(
            "invariant 1: Σ debits_posted {dp} ≠ Σ credits_posted {cp}"
        ));
    }
    let (dq, cq) = (sum(|a| a.debits_pending), sum(|a| a.credits_pending));
    if dq != cq {
        out.push(format!(
            "invariant 1: Σ debits_pending {dq} ≠ Σ credits_pending {cq}"
        ));
    }
    out
}

fn within_limits(accounts: &[Account]) -> Vec<String> {
    let mut out = Vec::new();
    for a in accounts {
        let debits = a.debits_pending.saturating_add(a.debits_posted);
        let credits = a.credits_pending.saturating_add(a.credits_posted);
        if a.flags
            .contains(AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS)
            && debits > a.credits_posted
        {
            out.push(format!(
                "invariant 2: accounts row {}: debits {debits} exceed credits posted {}",
                a.id, a.credits_posted
            ));
        }
        if a.flags
            .contains(AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS)
            && credits > a.debits_posted
        {
            out.push(format!(
                "invariant 2: accounts row {}: credits {credits} exceed debits posted {}",
                a.id, a.debits_posted
            ));
        }
    }
    out
}
