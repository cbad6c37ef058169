//! `trigate verify`: proves the database holds exactly what the journal says
//! and that the books balance. Every check is independent of the running
//! process: it reads the store, replays the journal onto a fresh ledger, and
//! recomputes every account's counters from the transfers table.

use std::collections::{BTreeMap, HashSet};

use trigate_ledger::{Account, AccountFlags, Ledger, PendingStatus, TransferFlags};
use trigate_store::{Store, StoreError, StoredTransfer};

use crate::engine::recover_ledger;

/// What verify checked, and every violation it found.
#[derive(Debug, Default)]
pub struct Report {
    pub checked: Vec<String>,
    pub violations: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    fn check(&mut self, what: String, violations: Vec<String>) {
        if violations.is_empty() {
            self.checked.push(what);
        } else {
            self.violations.extend(violations);
        }
    }
}

pub async fn verify(store: &Store) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let accounts = store.accounts().await?;
    let transfers = store.transfers().await?;

    match recover_ledger(store, transfers.len()).await {
        Ok(ledger) => {
            report.checked.push(format!(
                "hash chain: {} journal entries link and replay to their recorded results",
                ledger.batch_count()
            ));
            report.check(
                format!("accounts table: {} rows match the journal", accounts.len()),
                compare_accounts(&ledger, &accounts),
            );
            report.check(
                format!(
                    "transfers table: {} rows match the journal",
                    transfers.len()
                ),
                compare_transfers(&ledger, &transfers),
            );
        }
        Err(e) => report
            .violations
            .push(format!("invariant 6 (hash chain): {e}")),
    }
    report.check(
        "account counters: every account's counters equal the sums of its transfers".to_string(),
        recompute_counters(&accounts, &transfers),
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

fn compare_transfers(ledger: &Ledger, rows: &[StoredTransfer]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::with_capacity(rows.len());
    for row in rows {
        let id = row.record.id;
        if !seen.insert(id) {
            out.push(format!("transfers row {id}: stored more than once"));
            continue;
        }
        match ledger.transfer(id) {
            None => out.push(format!(
                "transfers row {id}: not applied by any journal entry"
            )),
            Some(expected) if expected != row.record => out.push(format!(
                "transfers row {id}: differs from the journal (table {:?}, journal {:?})",
                row.record, expected
            )),
            Some(_) => {
                let expired = ledger.pending_status(id) == Some(PendingStatus::Expired);
                if expired != row.expired {
                    out.push(format!(
                        "transfers row {id}: expired is {} in the table, {expired} by the journal",
                        row.expired
                    ));
                }
            }
        }
    }
    if seen.len() != ledger.transfer_count() {
        for t in ledger.transfers() {
            if !seen.contains(&t.id) {
                out.push(format!(
                    "transfers row {}: missing (the journal applied it)",
                    t.id
                ));
            }
        }
    }
    out
}

#[derive(Default)]
struct Sums {
    debits_pending: u128,
    debits_posted: u128,
    credits_pending: u128,
    credits_posted: u128,
}

fn recompute_counters(accounts: &[Account], transfers: &[StoredTransfer]) -> Vec<String> {
    let settled: HashSet<u128> = transfers
        .iter()
        .filter(|t| {
            t.record
                .flags
                .intersects(TransferFlags::POST_PENDING | TransferFlags::VOID_PENDING)
        })
        .map(|t| t.record.pending_id)
        .collect();
    let mut sums: BTreeMap<u128, Sums> = BTreeMap::new();
    for t in transfers {
        let r = &t.record;
        let amount = u128::from(r.amount);
        let pending = r.flags.contains(TransferFlags::PENDING);
        if r.flags.contains(TransferFlags::VOID_PENDING)
            || (pending && (t.expired || settled.contains(&r.id)))
        {
            continue;
        }
        let (dr, cr) = (r.debit_account_id, r.credit_account_id);
        if pending {
            sums.entry(dr).or_default().debits_pending += amount;
            sums.entry(cr).or_default().credits_pending += amount;
        } else {
            sums.entry(dr).or_default().debits_posted += amount;
            sums.entry(cr).or_default().credits_posted += amount;
        }
    }
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
