//! The shop the shop and HTTP benchmarks run against: merchants with one
//! key-delivered product each, keys sealed as in production under a fixed
//! benchmark master key, and buyers with funded wallets.

use anyhow::bail;
use secrecy::SecretString;
use trigate_core::{Bps, Command, Currency, Delivery, NewProduct, ProductId, Reply, Role, UserId};

use crate::secrets::MasterKey;
use trigate_engine::{Engine, ShopMachine};

/// Every benchmark product's price, in minor units.
pub const PRICE: u64 = 1_000;
/// Keys per import command.
const IMPORT_CHUNK: u64 = 8_192;

pub fn cny() -> Currency {
    Currency::new("CNY").unwrap_or_else(|_| unreachable!("CNY is a currency code"))
}

/// Submits a setup command; a refusal ends the benchmark.
pub async fn run(engine: &Engine<ShopMachine>, command: Command) -> anyhow::Result<Reply> {
    match engine.submit(command).await? {
        Reply::Refused { message, .. } => bail!("benchmark setup refused: {message}"),
        reply => Ok(reply),
    }
}

pub async fn user(engine: &Engine<ShopMachine>, login: &str, role: Role) -> anyhow::Result<UserId> {
    let command = Command::Register {
        login: login.into(),
        role,
        referrer_code: None,
        password: None,
    };
    match run(engine, command).await? {
        Reply::User(id) => Ok(id),
        other => bail!("registering {login}: {other:?}"),
    }
}

/// A buyer with `amount` in the recharge wallet.
pub async fn funded_buyer(
    engine: &Engine<ShopMachine>,
    login: &str,
    amount: u64,
) -> anyhow::Result<UserId> {
    let id = user(engine, login, Role::Buyer).await?;
    if amount > 0 {
        let credit = Command::CreditWallet {
            user: id,
            currency: cny(),
            amount,
        };
        run(engine, credit).await?;
    }
    Ok(id)
}

/// One merchant per entry of `keys`, each with one product and that many
/// sealed keys.
pub async fn merchants(
    engine: &Engine<ShopMachine>,
    keys: &[u64],
) -> anyhow::Result<Vec<ProductId>> {
    let master = MasterKey::load(Some(&"5a".repeat(32)), std::path::Path::new("."))?;
    let mut products = Vec::with_capacity(keys.len());
    let mut key_no = 0u64;
    for (m, count) in keys.iter().enumerate() {
        let owner = user(engine, &format!("merchant{m}"), Role::Merchant).await?;
        let (data_key, wrapped_key) = master.new_data_key();
        let create = Command::CreateMerchant {
            owner,
            name: format!("Shop {m}"),
            fee: Bps::new(500)?,
            holding_days: 1,
            wrapped_key,
        };
        let Reply::Merchant(merchant) = run(engine, create).await? else {
            bail!("no merchant");
        };
        let spec = NewProduct {
            title: format!("Key {m}"),
            delivery: Delivery::Keys,
            currency: cny(),
            price: PRICE,
            tiers: vec![],
            min_per_order: 1,
            max_per_order: 1,
            commission_l1: Bps::ZERO,
            commission_l2: Bps::ZERO,
            membership: false,
        };
        let Reply::Product(product) =
            run(engine, Command::CreateProduct { merchant, spec }).await?
        else {
            bail!("no product");
        };
        let mut left = *count;
        while left > 0 {
            let n = left.min(IMPORT_CHUNK);
            let keys = (0..n)
                .map(|_| {
                    key_no += 1;
                    data_key.seal(&SecretString::from(format!("BENCH-{key_no:012}")))
                })
                .collect();
            let import = Command::ImportKeys {
                product,
                keys,
                invalid: vec![],
            };
            run(engine, import).await?;
            left -= n;
        }
        products.push(product);
    }
    Ok(products)
}
