//! Merchants: each owned by a user, with its fee rate, holding period,
//! status, data key (wrapped), API keys and debt.

use serde::{Deserialize, Serialize};

use crate::catalog::TITLE_MAX;
use crate::users::Role;
use crate::{Bps, MerchantId, Shop, ShopError, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MerchantStatus {
    Active,
    /// Sells nothing new; balances stay.
    Frozen,
    Banned,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub owner: UserId,
    pub name: String,
    /// The platform's fee on each sale.
    pub fee: Bps,
    /// Days a settled sale is held before the merchant may withdraw it (T+N).
    pub holding_days: u32,
    pub status: MerchantStatus,
    /// The merchant's data key, wrapped by the master key: the edge opens
    /// it to seal and open the merchant's card keys. Never in the clear here.
    pub wrapped_key: Vec<u8>,
    /// API keys that sign the merchant's requests: (key id, secret sealed
    /// under the master key).
    pub api_keys: Vec<(String, Vec<u8>)>,
    /// What the reserve paid for this merchant's refunds before debts were
    /// kept in the books per currency (journal format 2); never added to
    /// since. Debts now are ledger accounts ([`crate::Shop::debt`]).
    pub debt: u64,
}

impl Shop {
    pub fn create_merchant(
        &mut self,
        now: u64,
        owner: UserId,
        name: &str,
        fee: Bps,
        holding_days: u32,
        wrapped_key: Vec<u8>,
    ) -> Result<MerchantId, ShopError> {
        self.tick(now)?;
        let user = self.require_user(owner)?;
        if user.role != Role::Merchant {
            return Err(ShopError::Forbidden(owner));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > TITLE_MAX {
            return Err(ShopError::Invalid(format!(
                "a merchant's name is 1 to {TITLE_MAX} characters"
            )));
        }
        if wrapped_key.is_empty() || wrapped_key.len() > 256 {
            return Err(ShopError::Invalid(
                "a merchant needs its wrapped data key (1 to 256 bytes)".into(),
            ));
        }
        let limits = self.config;
        if fee.get() > limits.max_fee_bps {
            return Err(ShopError::Invalid(format!(
                "the platform fee is at most {} basis points",
                limits.max_fee_bps
            )));
        }
        if holding_days > limits.max_holding_days {
            return Err(ShopError::Invalid(format!(
                "the holding period is at most {} days",
                limits.max_holding_days
            )));
        }
        let id = MerchantId(self.merchants.list.len() as u64 + 1);
        self.merchants.list.push(Merchant {
            id,
            owner,
            name: name.to_string(),
            fee,
            holding_days,
            status: MerchantStatus::Active,
            wrapped_key,
            api_keys: Vec::new(),
            debt: 0,
        });
        self.watch_merchant_opened(now, id);
        Ok(id)
    }

    /// The merchant's owner adds an API key (its secret sealed at the edge).
    pub fn add_api_key(
        &mut self,
        now: u64,
        owner: UserId,
        key_id: &str,
        sealed: Vec<u8>,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let merchant = self.owned_merchant(owner)?.id;
        if key_id.len() < 8
            || key_id.len() > 64
            || !key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ShopError::Invalid(
                "an API key id is 8 to 64 letters, digits or _".into(),
            ));
        }
        if sealed.is_empty() || sealed.len() > 256 || self.merchants.api_keys.contains_key(key_id) {
            return Err(ShopError::Invalid(
                "a new, sealed API key secret is needed".into(),
            ));
        }
        self.merchants.api_keys.insert(key_id.to_string(), merchant);
        self.merchant_mut(merchant)?
            .api_keys
            .push((key_id.to_string(), sealed));
        Ok(())
    }

    /// An API key's owner and sealed secret.
    pub fn api_key(&self, key_id: &str) -> Option<(UserId, &[u8])> {
        let merchant = self.merchant(*self.merchants.api_keys.get(key_id)?)?;
        let (_, sealed) = merchant.api_keys.iter().find(|(id, _)| id == key_id)?;
        Some((merchant.owner, sealed.as_slice()))
    }

    pub fn set_merchant_status(
        &mut self,
        now: u64,
        merchant: MerchantId,
        status: MerchantStatus,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let m = self.merchant_mut(merchant)?;
        let (was, owner) = (m.status, m.owner);
        m.status = status;
        // A ban holds what its owner's ring would take out.
        if status == MerchantStatus::Banned && was != MerchantStatus::Banned {
            self.open_ring_case(now, owner, "merchant_banned");
        }
        Ok(())
    }

    pub fn merchant(&self, id: MerchantId) -> Option<&Merchant> {
        self.merchants.get(id)
    }

    pub(crate) fn merchant_mut(&mut self, id: MerchantId) -> Result<&mut Merchant, ShopError> {
        self.changes.merchants.insert(id.0);
        crate::ids::nth_mut(&mut self.merchants.list, id.0).ok_or(ShopError::MerchantNotFound(id))
    }

    pub(crate) fn active_merchant(&self, id: MerchantId) -> Result<&Merchant, ShopError> {
        let m = self.merchant(id).ok_or(ShopError::MerchantNotFound(id))?;
        if m.status != MerchantStatus::Active {
            return Err(ShopError::MerchantNotActive(id));
        }
        Ok(m)
    }
}

/// The merchants, with the API keys that sign for them.
#[derive(Debug, Default)]
pub(crate) struct Merchants {
    pub(crate) list: Vec<Merchant>,
    /// API key id → the merchant it signs for.
    pub(crate) api_keys: std::collections::HashMap<String, MerchantId>,
}

impl Merchants {
    pub(crate) fn get(&self, id: MerchantId) -> Option<&Merchant> {
        crate::ids::nth(&self.list, id.0)
    }

    /// The merchant `owner` owns, if any.
    pub(crate) fn owned_by(&self, owner: UserId) -> Option<&Merchant> {
        self.list.iter().find(|m| m.owner == owner)
    }

    /// Rebuilds the API keys' index from the merchants.
    pub(crate) fn rebuild_index(&mut self) {
        self.api_keys = self
            .list
            .iter()
            .flat_map(|m| m.api_keys.iter().map(|(k, _)| (k.clone(), m.id)))
            .collect();
    }
}
