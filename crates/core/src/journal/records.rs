//! The records facts carry, as the journal spells them: types of the
//! journal's own, apart from the shop's in-memory ones, so that renaming a
//! field or a variant in the shop changes nothing on disk. Every name here
//! is part of journal format 2; a change to one needs a new format and an
//! upgrader. Ids are plain numbers, money is minor units, bytes are hex,
//! currencies their ISO codes and rates basis points.

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::{
    AdminRole, AttemptId, Bps, Currency, KeyId, MerchantId, OrderId, ProductId, Role, UserId,
};

/// Bytes: as they are in the journal's binary encoding, as lower-case hex
/// where a record is shown as text (JSON).
pub mod hex {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn encode(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 15)] as char);
        }
        s
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        if !text.len().is_multiple_of(2) {
            return None;
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect()
    }

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&encode(bytes))
        } else {
            bytes.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            decode(&text).ok_or_else(|| serde::de::Error::custom("not hex"))
        } else {
            Vec::<u8>::deserialize(d)
        }
    }
}

/// A secret's stored form — a password or lookup-secret hash — kept
/// exact in the journal (encoded as the text itself) and never shown by
/// `Debug`, so a record printed in a finding or an error carries none.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HiddenText(pub String);

/// Sealed bytes — a TOTP seed, a data key, an API secret, a card key —
/// encoded as [`hex`] does, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HiddenBytes(#[serde(with = "hex")] pub Vec<u8>);

impl std::fmt::Debug for HiddenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Debug for HiddenBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "*** ({} bytes)", self.0.len())
    }
}

pub(crate) fn currency(code: &str) -> Result<Currency, FactError> {
    Currency::new(code).map_err(|e| FactError::Bad(format!("currency {code:?}: {e}")))
}

fn bps(v: u32) -> Result<Bps, FactError> {
    Bps::new(v).map_err(|e| FactError::Bad(format!("rate {v}: {e}")))
}

fn ids<T>(list: &[u64], f: fn(u64) -> T) -> Vec<T> {
    list.iter().copied().map(f).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsRec {
    pub reservation_ns: u64,
    pub dispute_window_ns: u64,
    pub dispute_answer_ns: u64,
    pub max_key_len: u64,
    pub utc_offset_seconds: i32,
    pub max_holding_days: u32,
    pub max_fee_bps: u32,
    pub max_commission_bps: u32,
}

impl From<&crate::Config> for SettingsRec {
    fn from(c: &crate::Config) -> Self {
        Self {
            reservation_ns: c.reservation_ns,
            dispute_window_ns: c.dispute_window_ns,
            dispute_answer_ns: c.dispute_answer_ns,
            max_key_len: c.max_key_len as u64,
            utc_offset_seconds: c.utc_offset_seconds,
            max_holding_days: c.max_holding_days,
            max_fee_bps: c.max_fee_bps,
            max_commission_bps: c.max_commission_bps,
        }
    }
}

impl SettingsRec {
    pub fn read(&self) -> Result<crate::Config, FactError> {
        Ok(crate::Config {
            reservation_ns: self.reservation_ns,
            dispute_window_ns: self.dispute_window_ns,
            dispute_answer_ns: self.dispute_answer_ns,
            max_key_len: usize::try_from(self.max_key_len)
                .map_err(|_| FactError::Bad("max_key_len".into()))?,
            utc_offset_seconds: self.utc_offset_seconds,
            max_holding_days: self.max_holding_days,
            max_fee_bps: self.max_fee_bps,
            max_commission_bps: self.max_commission_bps,
            policy: crate::Policy::default(),
        })
    }
}

/// The shop's money policy (format 3 on; a shop of format 2 records it on
/// its first start under format 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRec {
    pub commission_holding_days: u32,
    pub reserve_fee_bps: u32,
    pub refund_approval_above: u64,
    pub decision_approval_above: u64,
    pub reverse_split: bool,
}

impl From<&crate::Policy> for PolicyRec {
    fn from(p: &crate::Policy) -> Self {
        Self {
            commission_holding_days: p.commission_holding_days,
            reserve_fee_bps: p.reserve_fee_bps,
            refund_approval_above: p.refund_approval_above,
            decision_approval_above: p.decision_approval_above,
            reverse_split: p.reverse_split,
        }
    }
}

impl From<PolicyRec> for crate::Policy {
    fn from(p: PolicyRec) -> Self {
        Self {
            commission_holding_days: p.commission_holding_days,
            reserve_fee_bps: p.reserve_fee_bps,
            refund_approval_above: p.refund_approval_above,
            decision_approval_above: p.decision_approval_above,
            reverse_split: p.reverse_split,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleRec {
    #[serde(rename = "buyer")]
    Buyer,
    #[serde(rename = "merchant")]
    Merchant,
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "finance")]
    Finance,
    #[serde(rename = "risk_analyst")]
    RiskAnalyst,
    #[serde(rename = "support")]
    Support,
    #[serde(rename = "auditor")]
    Auditor,
}

impl From<Role> for RoleRec {
    fn from(r: Role) -> Self {
        match r {
            Role::Buyer => Self::Buyer,
            Role::Merchant => Self::Merchant,
            Role::Staff(AdminRole::Admin) => Self::Admin,
            Role::Staff(AdminRole::Finance) => Self::Finance,
            Role::Staff(AdminRole::RiskAnalyst) => Self::RiskAnalyst,
            Role::Staff(AdminRole::Support) => Self::Support,
            Role::Staff(AdminRole::Auditor) => Self::Auditor,
        }
    }
}

impl From<RoleRec> for Role {
    fn from(r: RoleRec) -> Self {
        match r {
            RoleRec::Buyer => Role::Buyer,
            RoleRec::Merchant => Role::Merchant,
            RoleRec::Admin => Role::Staff(AdminRole::Admin),
            RoleRec::Finance => Role::Staff(AdminRole::Finance),
            RoleRec::RiskAnalyst => Role::Staff(AdminRole::RiskAnalyst),
            RoleRec::Support => Role::Staff(AdminRole::Support),
            RoleRec::Auditor => Role::Staff(AdminRole::Auditor),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRec {
    pub id: u64,
    pub login: String,
    pub role: RoleRec,
    pub referral_code: String,
    pub referrer: Option<u64>,
    pub created_at: u64,
    pub password: Option<HiddenText>,
    pub second_factor: Option<HiddenBytes>,
    pub guest: bool,
}

impl From<&crate::User> for UserRec {
    fn from(u: &crate::User) -> Self {
        Self {
            id: u.id.0,
            login: u.login.clone(),
            role: u.role.into(),
            referral_code: u.referral_code.clone(),
            referrer: u.referrer.map(|r| r.0),
            created_at: u.created_at,
            password: u.password.as_ref().map(|p| HiddenText(p.0.clone())),
            second_factor: u.second_factor.clone().map(HiddenBytes),
            guest: u.guest,
        }
    }
}

impl UserRec {
    pub fn read(self) -> crate::User {
        crate::User {
            id: UserId(self.id),
            login: self.login,
            role: self.role.into(),
            referral_code: self.referral_code,
            referrer: self.referrer.map(UserId),
            created_at: self.created_at,
            password: self.password.map(|p| crate::PasswordHash(p.0)),
            second_factor: self.second_factor.map(|b| b.0),
            guest: self.guest,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MerchantStatusRec {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "frozen")]
    Frozen,
    #[serde(rename = "banned")]
    Banned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRec {
    pub id: String,
    pub sealed: HiddenBytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantRec {
    pub id: u64,
    pub owner: u64,
    pub name: String,
    pub fee_bps: u32,
    pub holding_days: u32,
    pub status: MerchantStatusRec,
    pub wrapped_key: HiddenBytes,
    pub api_keys: Vec<ApiKeyRec>,
    pub debt: u64,
}

impl From<&crate::Merchant> for MerchantRec {
    fn from(m: &crate::Merchant) -> Self {
        use crate::MerchantStatus as S;
        Self {
            id: m.id.0,
            owner: m.owner.0,
            name: m.name.clone(),
            fee_bps: m.fee.get(),
            holding_days: m.holding_days,
            status: match m.status {
                S::Active => MerchantStatusRec::Active,
                S::Frozen => MerchantStatusRec::Frozen,
                S::Banned => MerchantStatusRec::Banned,
            },
            wrapped_key: HiddenBytes(m.wrapped_key.clone()),
            api_keys: m
                .api_keys
                .iter()
                .map(|(id, sealed)| ApiKeyRec {
                    id: id.clone(),
                    sealed: HiddenBytes(sealed.clone()),
                })
                .collect(),
            debt: m.debt,
        }
    }
}

impl MerchantRec {
    pub fn read(self) -> Result<crate::Merchant, FactError> {
        use crate::MerchantStatus as S;
        Ok(crate::Merchant {
            id: MerchantId(self.id),
            owner: UserId(self.owner),
            name: self.name,
            fee: bps(self.fee_bps)?,
            holding_days: self.holding_days,
            status: match self.status {
                MerchantStatusRec::Active => S::Active,
                MerchantStatusRec::Frozen => S::Frozen,
                MerchantStatusRec::Banned => S::Banned,
            },
            wrapped_key: self.wrapped_key.0,
            api_keys: self
                .api_keys
                .into_iter()
                .map(|k| (k.id, k.sealed.0))
                .collect(),
            debt: self.debt,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryRec {
    #[serde(rename = "keys")]
    Keys,
    #[serde(rename = "fixed")]
    Fixed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierRec {
    pub min_quantity: u32,
    pub unit_price: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRec {
    pub id: u64,
    pub merchant: u64,
    pub title: String,
    pub delivery: DeliveryRec,
    pub currency: String,
    pub price: u64,
    pub tiers: Vec<TierRec>,
    pub min_per_order: u32,
    pub max_per_order: u32,
    pub commission_l1_bps: u32,
    pub commission_l2_bps: u32,
    pub membership: bool,
    pub on_sale: bool,
}

impl From<&crate::Product> for ProductRec {
    fn from(p: &crate::Product) -> Self {
        let s = &p.spec;
        Self {
            id: p.id.0,
            merchant: p.merchant.0,
            title: s.title.clone(),
            delivery: match &s.delivery {
                crate::Delivery::Keys => DeliveryRec::Keys,
                crate::Delivery::Fixed(t) => DeliveryRec::Fixed(t.clone()),
            },
            currency: s.currency.to_string(),
            price: s.price,
            tiers: s
                .tiers
                .iter()
                .map(|t| TierRec {
                    min_quantity: t.min_quantity,
                    unit_price: t.unit_price,
                })
                .collect(),
            min_per_order: s.min_per_order,
            max_per_order: s.max_per_order,
            commission_l1_bps: s.commission_l1.get(),
            commission_l2_bps: s.commission_l2.get(),
            membership: s.membership,
            on_sale: p.on_sale,
        }
    }
}

impl ProductRec {
    pub fn read(self) -> Result<crate::Product, FactError> {
        Ok(crate::Product {
            id: ProductId(self.id),
            merchant: MerchantId(self.merchant),
            spec: crate::NewProduct {
                title: self.title,
                delivery: match self.delivery {
                    DeliveryRec::Keys => crate::Delivery::Keys,
                    DeliveryRec::Fixed(t) => crate::Delivery::Fixed(t),
                },
                currency: currency(&self.currency)?,
                price: self.price,
                tiers: self
                    .tiers
                    .into_iter()
                    .map(|t| crate::Tier {
                        min_quantity: t.min_quantity,
                        unit_price: t.unit_price,
                    })
                    .collect(),
                min_per_order: self.min_per_order,
                max_per_order: self.max_per_order,
                commission_l1: bps(self.commission_l1_bps)?,
                commission_l2: bps(self.commission_l2_bps)?,
                membership: self.membership,
            },
            on_sale: self.on_sale,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatusRec {
    #[serde(rename = "on_sale")]
    OnSale,
    #[serde(rename = "reserved")]
    Reserved(u64),
    #[serde(rename = "delivered")]
    Delivered(u64),
    #[serde(rename = "withdrawn")]
    Withdrawn,
}

impl From<crate::KeyStatus> for KeyStatusRec {
    fn from(s: crate::KeyStatus) -> Self {
        use crate::KeyStatus as K;
        match s {
            K::OnSale => Self::OnSale,
            K::Reserved(o) => Self::Reserved(o.0),
            K::Delivered(o) => Self::Delivered(o.0),
            K::Withdrawn => Self::Withdrawn,
        }
    }
}

impl From<KeyStatusRec> for crate::KeyStatus {
    fn from(s: KeyStatusRec) -> Self {
        match s {
            KeyStatusRec::OnSale => Self::OnSale,
            KeyStatusRec::Reserved(o) => Self::Reserved(OrderId(o)),
            KeyStatusRec::Delivered(o) => Self::Delivered(OrderId(o)),
            KeyStatusRec::Withdrawn => Self::Withdrawn,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRec {
    pub id: u64,
    pub merchant: u64,
    pub product: u64,
    #[serde(with = "hex")]
    pub hash: Vec<u8>,
    pub sealed: HiddenBytes,
    pub status: KeyStatusRec,
}

impl From<&crate::Key> for KeyRec {
    fn from(k: &crate::Key) -> Self {
        Self {
            id: k.id.0,
            merchant: k.merchant.0,
            product: k.product.0,
            hash: k.sealed.hash.to_vec(),
            sealed: HiddenBytes(k.sealed.sealed.clone()),
            status: k.status.into(),
        }
    }
}

impl KeyRec {
    pub fn read(self) -> Result<crate::Key, FactError> {
        Ok(crate::Key {
            id: KeyId(self.id),
            merchant: MerchantId(self.merchant),
            product: ProductId(self.product),
            sealed: crate::SealedKey {
                hash: self
                    .hash
                    .try_into()
                    .map_err(|_| FactError::Bad(format!("key {}: hash", self.id)))?,
                sealed: self.sealed.0,
            },
            status: self.status.into(),
        })
    }
}

pub(crate) fn key_ids(keys: &[KeyId]) -> Vec<u64> {
    keys.iter().map(|k| k.0).collect()
}

pub(crate) fn read_key_ids(keys: &[u64]) -> Vec<KeyId> {
    ids(keys, KeyId)
}

pub(crate) fn attempt_id(id: u64) -> AttemptId {
    AttemptId(id)
}
