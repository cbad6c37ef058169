//! `trigate demo`: until the shop is built, a walk through the ledger it will
//! stand on — a buyer's payment held in escrow, released as one exact split,
//! the invariants and hash chain checked — followed by the quick benchmark.

use anyhow::bail;
use trigate_ledger::{AccountFlags, Ledger, Leg, NewAccount, Transfer, TransferFlags, split};

use crate::bench::{self, BenchOptions};

const CNY: u32 = 156;
const CLEARING: u128 = 1;
const ESCROW: u128 = 2;
const MERCHANT: u128 = 3;
const FEES: u128 = 4;
const REFERRER: u128 = 5;

pub fn run() -> anyhow::Result<()> {
    println!("trigate demo — the shop's pages and API are not built yet;");
    println!("this walks through the ledger they stand on, then benchmarks it.\n");

    let mut ledger = Ledger::new();
    let liability = AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS;
    let accounts = [
        (
            CLEARING,
            AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
            "clearing:sandbox",
        ),
        (ESCROW, liability, "escrow"),
        (MERCHANT, liability, "merchant:1:pending"),
        (FEES, AccountFlags::empty(), "fees"),
        (REFERRER, liability, "wallet:7:reward"),
    ];
    let new: Vec<NewAccount> = accounts
        .iter()
        .map(|(id, flags, _)| NewAccount {
            id: *id,
            ledger: CNY,
            code: 1,
            flags: *flags,
            user_data: 0,
        })
        .collect();
    ledger.create_accounts(1, &new)?;

    // A buyer pays 99.99 for a key: the money sits in escrow until confirmed.
    let price = 9_999;
    let pay = Transfer {
        id: 100,
        debit_account_id: CLEARING,
        credit_account_id: ESCROW,
        amount: price,
        ledger: CNY,
        code: 1,
        ..Transfer::default()
    };
    ledger.create_transfers(10, &[pay])?;
    println!("paid      {} into escrow", money(price));

    // Confirmation: 5% platform fee, 10% level-1 commission, the rest to the merchant.
    let legs = split(price, &[Leg::Bps(500), Leg::Bps(1000), Leg::Remainder])?;
    let chain: Vec<Transfer> = [FEES, REFERRER, MERCHANT]
        .iter()
        .zip(&legs)
        .enumerate()
        .map(|(i, (to, amount))| Transfer {
            id: 200 + i as u128,
            debit_account_id: ESCROW,
            credit_account_id: *to,
            amount: *amount,
            ledger: CNY,
            code: 2,
            flags: if i < 2 {
                TransferFlags::LINKED
            } else {
                TransferFlags::empty()
            },
            ..Transfer::default()
        })
        .collect();
    let results = ledger.create_transfers(20, &chain)?;
    if results.iter().any(|r| !r.is_success()) {
        bail!("settlement failed: {results:?}");
    }
    println!(
        "settled   fee {}, commission {}, merchant {} (one linked chain, sums exactly)",
        money(legs[0]),
        money(legs[1]),
        money(legs[2])
    );

    // Replaying the same chain changes nothing.
    let again = ledger.create_transfers(30, &chain)?;
    println!(
        "replayed  the settlement: {}",
        again
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let (debits, credits) = ledger.accounts().fold((0u128, 0u128), |(d, c), a| {
        (d + a.debits_posted, c + a.credits_posted)
    });
    println!("balances  Σ debits = {debits}, Σ credits = {credits}");
    for (id, _, name) in accounts {
        if let Some(a) = ledger.account(id) {
            // Assets are shown by what was debited to them, the rest by what they owe.
            let (side, balance) = if id == CLEARING {
                ("debit", a.debit_balance())
            } else {
                ("credit", a.credit_balance())
            };
            println!("          {name:<20} {balance:>8} ({side})");
        }
    }
    println!(
        "chain     {} batches, head {}\n",
        ledger.batch_count(),
        hex(&ledger.chain_head())
    );

    println!("Benchmark (quick; `trigate bench ledger` for the full run):");
    bench::ledger::run(&BenchOptions {
        quick: true,
        json: false,
        ops: Some(200_000),
        accounts: Some(10_000),
        seed: 42,
        durable: false,
        database_url: None,
        case: None,
        batch: None,
    })
}

fn money(minor: u64) -> String {
    format!("¥{}.{:02}", minor / 100, minor % 100)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
