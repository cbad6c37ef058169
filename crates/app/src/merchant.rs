//! Merchants at the edge: opening one makes its data key (kept wrapped by
//! the master key), and keys imported into its products are sealed with
//! that key here, so plain keys never reach the shop or its journal.

use trigate_core::query::{ProductKeyView, Query};
use trigate_core::{Bps, Command, ImportReport, MerchantId, ProductId, UserId};

use crate::operation::{ask, submit, submit_once};
use crate::{App, AppError, Caller, Once, Replied, ops};

/// A merchant to open.
#[derive(Debug, Clone)]
pub struct NewMerchant {
    /// A user with the merchant role.
    pub owner: UserId,
    pub name: String,
    /// The platform's fee.
    pub fee: Bps,
    /// Days a settled sale is held before it is available.
    pub holding_days: u32,
}

/// Keys to import, as the merchant pasted or uploaded them.
#[derive(Debug, Clone)]
pub struct KeyImport {
    pub product: ProductId,
    /// One key per line (or CSV, the key in the first column).
    pub text: String,
    pub csv: bool,
    /// Lines (1-based) of an uploaded file that were not UTF-8: blank in
    /// `text`, reported as such.
    pub not_utf8: Vec<usize>,
}

impl KeyImport {
    /// An uploaded file's bytes as an import: a byte-order mark dropped,
    /// CRLF or LF line ends, each line that is not UTF-8 kept as a blank
    /// line (its number unchanged) and reported.
    pub fn from_upload(product: ProductId, bytes: &[u8], csv: bool) -> KeyImport {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut text = String::with_capacity(bytes.len());
        let mut not_utf8 = Vec::new();
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            match std::str::from_utf8(line) {
                Ok(line) => text.push_str(line),
                Err(_) => not_utf8.push(i + 1),
            }
        }
        KeyImport {
            product,
            text,
            csv,
            not_utf8,
        }
    }
}

impl App {
    /// An admin opens a merchant for its owner.
    pub async fn open_merchant(
        &self,
        caller: Caller,
        merchant: NewMerchant,
    ) -> Result<MerchantId, AppError> {
        let shown = format!("{merchant:?}");
        let (_, wrapped_key) = self.master.new_data_key();
        let command = Command::CreateMerchantBy {
            actor: caller.0,
            owner: merchant.owner,
            name: merchant.name,
            fee: merchant.fee,
            holding_days: merchant.holding_days,
            wrapped_key,
        };
        let done = submit(&self.engine, command).await;
        crate::log_action(caller, &shown, &done);
        done
    }

    /// Imports keys into one of the caller's products, sealed here with its
    /// merchant's data key; `once` identifies a retry by the request (not
    /// by the random ciphertexts).
    pub async fn import_keys(
        &self,
        caller: Caller,
        once: &Once,
        import: KeyImport,
    ) -> Result<Replied<ImportReport>, AppError> {
        let query = Query::ProductKey {
            actor: caller.0,
            product: import.product,
        };
        let ProductKeyView { wrapped_key, .. } = ask(&self.engine, query).await?;
        let data_key = self
            .master
            .unwrap_key(&wrapped_key)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let (keys, mut invalid) = data_key.seal_import(&import.text, import.csv, 1024);
        for line in &mut invalid {
            if import.not_utf8.contains(&line.line) {
                line.reason = trigate_core::InvalidReason::NotUtf8;
            }
        }
        let command = Command::ImportOwnKeys {
            actor: caller.0,
            product: import.product,
            keys,
            invalid,
        };
        submit_once(&self.engine, caller, once, command).await
    }

    /// The merchant the caller owns; refused (`forbidden`, saying `what`
    /// only an owner does) for anyone who owns none.
    pub async fn own_merchant(&self, caller: Caller, what: &str) -> Result<MerchantId, AppError> {
        self.read(caller, ops::Me)
            .await?
            .merchant
            .ok_or_else(|| AppError::Forbidden(format!("only a merchant's owner {what}")))
    }
}
