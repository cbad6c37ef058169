//! The shop the shop and HTTP benchmarks run against: merchants with one
//! key-delivered product each, keys sealed as in production under a fixed
//! benchmark master key, and buyers with funded wallets — set up by the
//! operator, as the demo is.

use secrecy::SecretString;
use trigate_app::{App, MasterKey};
use trigate_core::{Bps, Currency, Delivery, NewProduct, ProductId, Role, UserId};

/// Every benchmark product's price, in minor units.
pub const PRICE: u64 = 1_000;
/// Keys per import command.
const IMPORT_CHUNK: u64 = 8_192;

pub fn cny() -> Currency {
    Currency::new("CNY").unwrap_or_else(|_| unreachable!("CNY is a currency code"))
}

/// The benchmarks' fixed master key.
pub fn master_key() -> anyhow::Result<MasterKey> {
    Ok(MasterKey::load(
        Some(&"5a".repeat(32)),
        std::path::Path::new("."),
    )?)
}

pub async fn user(app: &App, login: &str, role: Role) -> anyhow::Result<UserId> {
    Ok(app.operator().add_user(login, role, None, None).await?)
}

/// A buyer with `amount` in the recharge wallet.
pub async fn funded_buyer(app: &App, login: &str, amount: u64) -> anyhow::Result<UserId> {
    let id = user(app, login, Role::Buyer).await?;
    if amount > 0 {
        app.operator().credit_wallet(id, cny(), amount).await?;
    }
    Ok(id)
}

/// One merchant per entry of `keys`, each with one product and that many
/// sealed keys, its sales held one day before they are available.
pub async fn merchants(app: &App, keys: &[u64]) -> anyhow::Result<Vec<ProductId>> {
    merchants_holding(app, keys, 1).await
}

/// As [`merchants`], each merchant's sales held `holding_days` (0: available
/// as soon as they settle).
pub async fn merchants_holding(
    app: &App,
    keys: &[u64],
    holding_days: u32,
) -> anyhow::Result<Vec<ProductId>> {
    let operator = app.operator();
    let mut products = Vec::with_capacity(keys.len());
    let mut key_no = 0u64;
    for (m, count) in keys.iter().enumerate() {
        let owner = user(app, &format!("merchant{m}"), Role::Merchant).await?;
        let (merchant, data_key) = operator
            .open_merchant(owner, &format!("Shop {m}"), Bps::new(500)?, holding_days)
            .await?;
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
        let product = operator.add_product(merchant, spec).await?;
        let mut left = *count;
        while left > 0 {
            let n = left.min(IMPORT_CHUNK);
            let keys = (0..n)
                .map(|_| {
                    key_no += 1;
                    data_key.seal(&SecretString::from(format!("BENCH-{key_no:012}")))
                })
                .collect();
            operator.import_sealed(product, keys).await?;
            left -= n;
        }
        products.push(product);
    }
    Ok(products)
}
