//! The transfer workload every ledger benchmark runs: no-overdraft accounts
//! funded up front, transfers of 1–1,000 minor units between them, uniform or
//! with a share of them crediting a few hot accounts.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use trigate_ledger::{AccountFlags, NewAccount, Transfer};

/// TigerBeetle's largest batch, so figures compare with its benchmark.
pub const MAX_BATCH: usize = 8189;
pub const BATCHES: [usize; 3] = [1, 100, MAX_BATCH];
pub const LEDGER: u32 = 1;
pub const CODE: u16 = 1;
/// Every workload account is a liability funded with this much up front, so
/// the no-overdraft check runs on every transfer and never trips.
pub const FUNDING: u64 = 1 << 50;

/// The shape of one case's transfers.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub accounts: u64,
    /// Share of transfers whose credit side is one of the hot accounts.
    pub hot_share: f64,
    pub hot_accounts: u64,
    pub seed: u64,
}

/// Makes the transfers of a workload, batch by batch, with fresh ids.
#[derive(Debug)]
pub struct Generator {
    workload: Workload,
    rng: SmallRng,
    next_id: u128,
}

impl Generator {
    pub fn workload(&self) -> Workload {
        self.workload
    }

    pub fn new(workload: Workload) -> Self {
        Self {
            workload,
            rng: SmallRng::seed_from_u64(workload.seed),
            next_id: 1,
        }
    }

    /// Accounts 1..=n (no-overdraft liabilities) and the funding source n+1.
    pub fn accounts(&self) -> Vec<NewAccount> {
        let n = self.workload.accounts;
        (1..=n + 1)
            .map(|id| NewAccount {
                id: u128::from(id),
                ledger: LEDGER,
                code: CODE,
                flags: if id <= n {
                    AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS
                } else {
                    AccountFlags::empty()
                },
                user_data: 0,
            })
            .collect()
    }

    /// One transfer from the funding source to every workload account.
    pub fn funding(&mut self) -> Vec<Transfer> {
        let source = u128::from(self.workload.accounts + 1);
        (1..=self.workload.accounts)
            .map(|id| self.transfer(source, u128::from(id), FUNDING))
            .collect()
    }

    pub fn fill(&mut self, batch: &mut Vec<Transfer>, len: usize) {
        batch.clear();
        let w = self.workload;
        for _ in 0..len {
            let credit = if self.rng.random_bool(w.hot_share) {
                self.rng.random_range(1..=w.hot_accounts)
            } else {
                self.rng.random_range(1..=w.accounts)
            };
            let mut debit = self.rng.random_range(1..=w.accounts);
            if debit == credit {
                debit = debit % w.accounts + 1;
            }
            let amount = self.rng.random_range(1..=1000);
            let t = self.transfer(u128::from(debit), u128::from(credit), amount);
            batch.push(t);
        }
    }

    fn transfer(&mut self, debit: u128, credit: u128, amount: u64) -> Transfer {
        let id = self.next_id;
        self.next_id += 1;
        Transfer {
            id,
            debit_account_id: debit,
            credit_account_id: credit,
            amount,
            ledger: LEDGER,
            code: CODE,
            ..Transfer::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_workload_credits_the_hot_account_about_ninety_percent() {
        let mut g = Generator::new(Workload {
            accounts: 1000,
            hot_share: 0.9,
            hot_accounts: 1,
            seed: 7,
        });
        let mut batch = Vec::new();
        g.fill(&mut batch, 10_000);
        let hot = batch.iter().filter(|t| t.credit_account_id == 1).count();
        assert!((8_800..=9_200).contains(&hot), "{hot}");
        assert!(
            batch
                .iter()
                .all(|t| t.debit_account_id != t.credit_account_id)
        );
    }
}
