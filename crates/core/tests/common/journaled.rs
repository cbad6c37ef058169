//! A shop driven through the journal as the writer drives it: each command
//! applied with its facts taken, the entries kept for a replay.

use trigate_core::{AdminRole, Bps, Command, Config, Reply, Role, Shop, UserId};

use super::{SECOND, sealed};

/// A shop driven through the journal as the writer drives it.
pub struct Journaled {
    pub shop: Shop,
    pub now: u64,
    pub entries: Vec<Vec<u8>>,
}

impl Journaled {
    pub fn new(config: Config) -> Self {
        let mut j = Self {
            shop: Shop::new(Config::default()),
            now: 1_000 * SECOND,
            entries: Vec::new(),
        };
        j.run(Command::ChangeSettings { settings: config });
        j
    }

    pub fn run(&mut self, command: Command) -> Reply {
        self.now += SECOND;
        let (reply, entry) = self.shop.apply_journaled(self.now, command);
        self.entries.extend(entry.map(|e| e.encode()));
        reply
    }

    pub fn replayed_on(&self, mut shop: Shop) -> Shop {
        for bytes in &self.entries {
            shop.replay(bytes).unwrap();
        }
        shop.rebuild_indexes();
        shop
    }
}

/// A seller whose merchant takes `fee_bps`, a buyer and an admin; the
/// seller's product (`spec`) with `keys` keys.
pub fn seller_and_buyer(
    j: &mut Journaled,
    fee_bps: u32,
    spec: trigate_core::NewProduct,
    keys: u32,
) -> (UserId, UserId, trigate_core::ProductId) {
    let mut user = |login: &str, role| {
        let Reply::User(id) = j.run(Command::Register {
            login: login.into(),
            role,
            referrer_code: None,
            password: None,
        }) else {
            panic!()
        };
        id
    };
    let owner = user("seller", Role::Merchant);
    let buyer = user("buyer", Role::Buyer);
    user("root", Role::Staff(AdminRole::Admin));
    let Reply::Merchant(merchant) = j.run(Command::CreateMerchant {
        owner,
        name: "Keys".into(),
        fee: Bps::new(fee_bps).unwrap(),
        holding_days: 1,
        wrapped_key: vec![7; 60],
    }) else {
        panic!()
    };
    let Reply::Product(product) = j.run(Command::CreateProduct { merchant, spec }) else {
        panic!()
    };
    j.run(Command::ImportKeys {
        product,
        keys: (0..keys).map(|i| sealed(&format!("K-{i}"))).collect(),
        invalid: vec![],
    });
    (owner, buyer, product)
}
