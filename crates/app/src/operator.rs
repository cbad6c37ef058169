//! The operator: whoever runs the shop from its command line — the demo's
//! seeding, the benchmarks' set-up. These commands act without a caller
//! check, so nothing that serves a request reaches them; they are journaled
//! like every other command.

use secrecy::SecretBox;
use trigate_core::{
    Command, Currency, MerchantId, MerchantStatus, NewProduct, PasswordHash, ProductId, Role,
    UserId,
};

use crate::operation::submit;
use crate::secrets::DataKey;
use crate::{App, AppError, Enrolled, identity};

/// The operator's handle on an [`App`] ([`App::operator`]).
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    app: &'a App,
}

impl<'a> Operator<'a> {
    pub(crate) fn new(app: &'a App) -> Self {
        Self { app }
    }

    /// A user with any role, signing in with `password` if given.
    pub async fn add_user(
        &self,
        login: &str,
        role: Role,
        referrer_code: Option<String>,
        password: Option<&str>,
    ) -> Result<UserId, AppError> {
        let password = match password {
            Some(p) => Some(PasswordHash(identity::hash_password(p)?)),
            None => None,
        };
        let command = Command::Register {
            login: login.into(),
            role,
            referrer_code,
            password,
        };
        submit(&self.app.engine, command).await
    }

    /// A second factor for `user`, enrolled by themselves; the secret is
    /// returned to hand over.
    pub async fn enrol_second_factor(&self, user: UserId) -> Result<Enrolled, AppError> {
        let seed = identity::new_totp_seed();
        self.enrol_seed(user, &seed).await?;
        Ok(Enrolled {
            user,
            secret: identity::totp_base32(&seed).into(),
        })
    }

    /// `user`'s second factor from a known seed (tests and the demo).
    pub async fn enrol_seed(
        &self,
        user: UserId,
        seed: &SecretBox<Vec<u8>>,
    ) -> Result<(), AppError> {
        let command = Command::EnrollSecondFactor {
            actor: user,
            user,
            sealed: self.app.master.seal_secret(seed),
        };
        submit(&self.app.engine, command).await
    }

    /// A merchant for `owner`; its data key, for sealing keys to import.
    pub async fn open_merchant(
        &self,
        owner: UserId,
        name: &str,
        fee: trigate_core::Bps,
        holding_days: u32,
    ) -> Result<(MerchantId, DataKey), AppError> {
        let (data_key, wrapped_key) = self.app.master.new_data_key();
        let command = Command::CreateMerchant {
            owner,
            name: name.into(),
            fee,
            holding_days,
            wrapped_key,
        };
        Ok((submit(&self.app.engine, command).await?, data_key))
    }

    pub async fn set_merchant_status(
        &self,
        merchant: MerchantId,
        status: MerchantStatus,
    ) -> Result<(), AppError> {
        let command = Command::SetMerchantStatus { merchant, status };
        submit(&self.app.engine, command).await
    }

    pub async fn add_product(
        &self,
        merchant: MerchantId,
        spec: NewProduct,
    ) -> Result<ProductId, AppError> {
        submit(&self.app.engine, Command::CreateProduct { merchant, spec }).await
    }

    /// Imports keys, one per line, sealed with the merchant's `data_key`.
    pub async fn import_keys(
        &self,
        product: ProductId,
        data_key: &DataKey,
        text: &str,
        max_len: usize,
    ) -> Result<trigate_core::ImportReport, AppError> {
        let (keys, invalid) = data_key.seal_import(text, false, max_len);
        let command = Command::ImportKeys {
            product,
            keys,
            invalid,
        };
        submit(&self.app.engine, command).await
    }

    /// Imports keys already sealed with the product's merchant's data key.
    pub async fn import_sealed(
        &self,
        product: ProductId,
        keys: Vec<trigate_core::SealedKey>,
    ) -> Result<trigate_core::ImportReport, AppError> {
        let command = Command::ImportKeys {
            product,
            keys,
            invalid: Vec::new(),
        };
        submit(&self.app.engine, command).await
    }

    pub async fn set_on_sale(&self, product: ProductId, on_sale: bool) -> Result<(), AppError> {
        submit(&self.app.engine, Command::SetOnSale { product, on_sale }).await
    }

    /// Credits `user`'s recharge wallet (money received outside the shop).
    pub async fn credit_wallet(
        &self,
        user: UserId,
        currency: Currency,
        amount: u64,
    ) -> Result<(), AppError> {
        let command = Command::CreditWallet {
            user,
            currency,
            amount,
        };
        submit(&self.app.engine, command).await
    }

    /// Runs the scheduler's time-driven work now (the demo, seeding a
    /// history of days, closes each one as its clock passes midnight).
    pub async fn tick(&self) -> Result<trigate_core::TickReport, AppError> {
        submit(&self.app.engine, Command::Tick).await
    }
}
