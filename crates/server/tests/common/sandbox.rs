//! A shop whose one channel is the sandbox gateway it serves itself under
//! `/sandbox`: a whole payment runs in-process, notifications included.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use trigate::sandbox::Gateway;
use trigate_app::payments::{ChannelConfig, ChannelKind, HyperTransport, Payments};

use super::http::Server;

pub const MERCHANT: &str = "shop-1";
pub const SECRET: &str = "sandbox-secret-for-tests";

pub struct Shop {
    pub s: Server,
    pub gateway: Arc<Gateway>,
}

pub async fn shop() -> Shop {
    let mut gateway = None;
    let s = Server::start_custom(super::TestDb::sqlite(), |addr, state| {
        let transport = Arc::new(HyperTransport::new(Duration::from_secs(2)));
        let g = Gateway::new(
            HashMap::from([(MERCHANT.to_string(), SecretString::from(SECRET))]),
            &format!("http://{addr}/sandbox"),
            transport.clone(),
            Duration::from_millis(20),
        );
        gateway = Some(g.clone());
        let channel = ChannelConfig {
            name: "sandbox".into(),
            kind: ChannelKind::Sandbox,
            gateway: format!("http://{addr}/sandbox/"),
            merchant: MERCHANT.into(),
            key: SecretString::from(SECRET),
            variant: trigate_channels::epay::Variant::Plain,
            server_create: true,
            methods: vec!["card".into()],
            currencies: vec!["CNY".into()],
            min_amount: 1,
            max_amount: u64::MAX,
            priority: 0,
            merchants: vec![],
        };
        let payments = Payments::new(&[channel], transport, &format!("http://{addr}")).unwrap();
        state
            .with_payments(payments)
            .with_sandbox(trigate::sandbox::routes(g))
    })
    .await;
    Shop {
        s,
        gateway: gateway.unwrap(),
    }
}
