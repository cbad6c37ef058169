//! `trigate demo`: the shop running on a fresh data directory with a seeded
//! catalog — two merchants, products with real (sealed) key inventory,
//! buyers with balances in a referral chain, an admin and a finance clerk
//! (each with TOTP), a month of sales behind it (so the admin dashboard
//! charts recorded days) — and the URLs and credentials printed, until
//! Ctrl-C.

use secrecy::ExposeSecret;
use std::sync::Arc;
use trigate_app::{Caller, Operator, ops};

use trigate_core::{AdminRole, Bps, Currency, Delivery, NewProduct, Role};
use trigate_engine::LaggingClock;
use trigate_web::AppState;

use crate::serve::ServeConfig;

pub const ADMIN: (&str, &str) = ("admin", "demo-admin-password");
pub const FINANCE: (&str, &str) = ("finance", "demo-finance-password");
pub const MERCHANTS: [(&str, &str, &str); 2] = [
    ("keyshop", "demo-merchant-password", "Key Shop"),
    ("mediahub", "demo-merchant-password", "Media Hub"),
];
/// alice referred bob, who referred carol.
pub const BUYERS: [&str; 3] = ["alice", "bob", "carol"];
pub const BUYER_PASSWORD: &str = "demo-buyer-password";
const BALANCE: u64 = 50_000;
/// Days of sales the demo lives through before it opens.
const HISTORY_DAYS: u64 = 30;
/// The regular who buys the download pack day after day in that history.
const REGULAR: &str = "regular";

/// The demo shop's account at its own sandbox gateway.
const SANDBOX_MERCHANT: &str = "trigate-demo";

fn sandbox_channel(
    listen: &str,
    secret: &secrecy::SecretString,
) -> trigate_app::payments::ChannelConfig {
    trigate_app::payments::ChannelConfig {
        name: "sandbox".into(),
        kind: trigate_app::payments::ChannelKind::Sandbox,
        gateway: format!("http://{listen}/sandbox/"),
        merchant: SANDBOX_MERCHANT.into(),
        key: secret.clone(),
        variant: trigate_channels::epay::Variant::Plain,
        server_create: true,
        methods: vec!["alipay".into(), "wxpay".into(), "card".into()],
        currencies: vec!["CNY".into()],
        min_amount: 1,
        max_amount: u64::MAX,
        priority: 0,
        merchants: vec![],
    }
}

pub fn run(listen: Option<&str>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!(
        "trigate-demo-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    ));
    std::fs::create_dir_all(&dir)?;
    let listen = listen.unwrap_or(crate::config::DEFAULT_LISTEN);
    // The demo pays through the sandbox gateway it serves itself, under a
    // secret made for this run.
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let secret =
        secrecy::SecretString::from(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let config = ServeConfig {
        listen: listen
            .parse()
            .map_err(|_| anyhow::anyhow!("listen address {listen:?} is not host:port"))?,
        database_url: format!("sqlite://{}", dir.join("trigate.db").display()),
        data_dir: dir.clone(),
        master_key: None,
        base_url: format!("http://{listen}"),
        channels: vec![sandbox_channel(listen, &secret)],
        sandbox: Some(crate::sandbox::SandboxConfig {
            merchant: SANDBOX_MERCHANT.into(),
            secret: secret.clone(),
        }),
        shop: demo_settings(),
        risk: trigate_core::risk::RiskSettings::default(),
        client_headers: trigate_web::client::ClientHeaders::default(),
        rules: trigate_core::Rules {
            // A destination added in the demo is usable at once, and a
            // commission withdrawal from ¥2.00 needs two approvers.
            destination_cooling_hours: 0,
            withdrawals: vec![trigate_core::WithdrawalRuleFor {
                currency: trigate_core::Currency::new("CNY")?,
                party: trigate_core::PartyKind::Reward,
                rule: trigate_core::WithdrawalRule {
                    two_approvers_from: 200,
                    ..trigate_core::WithdrawalRule::default()
                },
            }],
            ..trigate_core::Rules::default()
        },
        log_format: crate::logging::LogFormat::from_env_or(None)?,
        metrics_token: None,
        metrics_listen: None,
    };
    println!("trigate demo — a fresh shop in {}", dir.display());
    // The shop starts a month in the past and catches up a day at a time.
    let clock = Arc::new(LaggingClock::new(
        HISTORY_DAYS * trigate_core::NANOS_PER_DAY,
    ));
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(crate::serve::serve_with(
            config,
            clock.clone(),
            |state| async move {
                seed(&state, &clock).await?;
                print_guide();
                Ok(())
            },
        ))
}

async fn seed(state: &AppState, clock: &LaggingClock) -> anyhow::Result<()> {
    let operator = state.app.operator();
    let cny = Currency::new("CNY")?;
    for ((login, password), role) in [(ADMIN, AdminRole::Admin), (FINANCE, AdminRole::Finance)] {
        staff_with_totp(&operator, login, password, role).await?;
    }
    let catalog = [
        [
            ("Game activation key", Delivery::Keys, 9_900, "GAME"),
            ("Antivirus, one year", Delivery::Keys, 4_900, "AV"),
        ],
        [
            (
                "Stock photo pack (download link)",
                Delivery::Fixed("https://example.com/demo-pack.zip".into()),
                1_500,
                "",
            ),
            ("Music streaming, one month", Delivery::Keys, 1_200, "MUSIC"),
        ],
    ];
    for ((login, password, name), products) in MERCHANTS.iter().zip(catalog) {
        let owner = operator
            .add_user(login, Role::Merchant, None, Some(password))
            .await?;
        let (merchant, data_key) = operator
            .open_merchant(owner, name, Bps::new(500)?, 1)
            .await?;
        for (title, delivery, price, prefix) in products {
            let by_keys = delivery == Delivery::Keys;
            let spec = NewProduct {
                title: title.into(),
                delivery,
                currency: cny,
                price,
                tiers: vec![],
                min_per_order: 1,
                max_per_order: 5,
                commission_l1: Bps::new(300)?,
                commission_l2: Bps::new(100)?,
                membership: false,
            };
            let product = operator.add_product(merchant, spec).await?;
            if by_keys {
                let text: String = (1..=20)
                    .map(|i| format!("{prefix}-DEMO-{i:04}-{:04X}\n", i * 7919 % 65_536))
                    .collect();
                operator.import_keys(product, &data_key, &text, 256).await?;
            }
        }
        drop(data_key);
    }
    let mut referrer = None;
    let mut buyers = Vec::new();
    for login in BUYERS {
        let id = operator
            .add_user(login, Role::Buyer, referrer.take(), Some(BUYER_PASSWORD))
            .await?;
        operator.credit_wallet(id, cny, BALANCE).await?;
        referrer = Some(state.app.read(Caller(id), ops::Me).await?.referral_code);
        buyers.push(id);
    }
    seed_history(state, clock).await?;
    // bob buys a game key and confirms it: alice, who referred him, has a
    // commission to withdraw.
    let bob = Caller(buyers[1]);
    let buy = ops::BuyWithBalance {
        product: trigate_core::ProductId(1),
        quantity: 1,
        coupon: None,
    };
    let (order, _) = state.app.change(bob, buy).await?;
    state.app.change(bob, ops::ConfirmOrder { order }).await?;
    Ok(())
}

/// A month of sales of the download pack (product 3, unlimited) to a
/// regular, a few a day, on a clock that runs behind and catches up one
/// day at a time: each midnight's tick records the day's figures, and
/// orders past their dispute window settle on the way.
async fn seed_history(state: &AppState, clock: &LaggingClock) -> anyhow::Result<()> {
    let operator = state.app.operator();
    let cny = Currency::new("CNY")?;
    let regular = operator.add_user(REGULAR, Role::Buyer, None, None).await?;
    operator.credit_wallet(regular, cny, 1_000_000).await?;
    for behind in (1..=HISTORY_DAYS).rev() {
        clock.catch_up_to(behind * trigate_core::NANOS_PER_DAY);
        operator.tick().await?;
        // Busier towards the weekend, and busier lately.
        let sales = 1 + (behind * 7 % 5) + (HISTORY_DAYS - behind) / 10;
        for n in 0..sales {
            let buy = ops::BuyWithBalance {
                product: trigate_core::ProductId(3),
                quantity: 1 + u32::try_from((behind + n) % 3)?,
                coupon: None,
            };
            state.app.change(Caller(regular), buy).await?;
        }
    }
    clock.catch_up_to(0);
    operator.tick().await?;
    Ok(())
}

/// The shop's settings for the demo: commissions are reward at once, so
/// a referrer can withdraw theirs while the demo runs.
fn demo_settings() -> trigate_core::Config {
    let mut settings = trigate_core::Config::default();
    settings.policy.commission_holding_days = 0;
    settings
}

/// A member of staff who signs in with a password and a TOTP code; the
/// secret is printed for the demo's user to add to an authenticator.
async fn staff_with_totp(
    operator: &Operator<'_>,
    login: &str,
    password: &str,
    role: AdminRole,
) -> anyhow::Result<()> {
    let id = operator
        .add_user(login, Role::Staff(role), None, Some(password))
        .await?;
    let enrolled = operator.enrol_second_factor(id).await?;
    let secret = enrolled.secret.expose_secret();
    println!("{login}'s TOTP secret: {secret}");
    println!("  (otpauth://totp/trigate:{login}?secret={secret}&issuer=trigate)");
    Ok(())
}

fn print_guide() {
    println!();
    println!("Demo credentials (passwords are for this demo only):");
    println!(
        "  admin     {} / {}   (+ the TOTP code from the secret above, as \"totp\")",
        ADMIN.0, ADMIN.1
    );
    println!(
        "  finance   {} / {}   (+ its TOTP code; approves withdrawals, credits wallets)",
        FINANCE.0, FINANCE.1
    );
    for (login, password, name) in MERCHANTS {
        println!("  merchant  {login} / {password}   ({name})");
    }
    for login in BUYERS {
        println!("  buyer     {login} / {BUYER_PASSWORD}   (500.00 CNY in the wallet)");
    }
    println!("  referrals: alice referred bob, bob referred carol; bob bought a game key,");
    println!("             so alice has a commission to withdraw (commissions are not held here)");
    println!("             (a withdrawal of ¥2.00 or more needs two approvers: admin and finance)");
    println!("  history:   a month of daily sales of the download pack to {REGULAR}, recorded");
    println!("             day by day, is charted on the admin dashboard (/admin)");
    println!("The shop's pages: http://HOST/ (sign in as a buyer for orders, wallet, withdrawals;");
    println!("  as keyshop for the merchant console; as admin or finance for the admin console)");
    println!();
    println!("Try:");
    println!("  curl -s http://HOST/api/v1/products");
    println!("  curl -s -c jar -H 'content-type: application/json' \\");
    println!(
        "       -d '{{\"login\":\"carol\",\"password\":\"{BUYER_PASSWORD}\"}}' http://HOST/api/v1/auth/login"
    );
    println!("  curl -s -b jar -H 'content-type: application/json' -H 'idempotency-key: first' \\");
    println!("       -d '{{\"product\":1,\"quantity\":1}}' http://HOST/api/v1/orders");
    println!("  a guest buys without an account and reads the order back with its secret:");
    println!("  curl -s -H 'content-type: application/json' -H 'idempotency-key: g1' \\");
    println!(
        "       -d '{{\"product\":1,\"quantity\":1,\"lookup_secret\":\"my-secret\"}}' http://HOST/api/v1/guest/orders"
    );
    println!("  pay an unpaid order through the built-in sandbox gateway (open the redirect,");
    println!("  press Pay; the signed notification delivers the keys):");
    println!("  curl -s -b jar -H 'content-type: application/json' \\");
    println!("       -d '{{\"method\":\"alipay\"}}' http://HOST/api/v1/orders/ORDER/pay");
    println!("API reference: http://HOST/api/docs/ (OpenAPI at http://HOST/api/openapi.json)");
    println!("(HOST is the address below; Ctrl-C stops the demo.)");
    println!();
}
