//! Card-key inventory. Keys arrive sealed — encrypted at the edge with the
//! merchant's data key — together with a keyed hash of the plain key, so
//! duplicates are found without ever decrypting. A key is on sale, reserved
//! by one order, or delivered to one order, and never belongs to two.

use serde::{Deserialize, Serialize};

use crate::catalog::Delivery;
use crate::{KeyId, MerchantId, OrderId, ProductId, Shop, ShopError};

/// A key as it is imported: the keyed hash of its plain text and the sealed
/// (encrypted) bytes only the edge can open.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    pub hash: [u8; 32],
    pub sealed: Vec<u8>,
}

impl std::fmt::Debug for SealedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedKey")
            .field("sealed_len", &self.sealed.len())
            .finish_non_exhaustive()
    }
}

/// Why a line of an import holds no usable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvalidReason {
    Empty,
    TooLong,
    ControlCharacters,
    /// An uploaded file's line that is not UTF-8.
    NotUtf8,
}

impl InvalidReason {
    /// Its name, as the API shows it and the journal records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::ControlCharacters => "control_characters",
            Self::NotUtf8 => "not_utf8",
        }
    }
}

/// A line of an import that holds no usable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidLine {
    /// 1-based.
    pub line: usize,
    pub reason: InvalidReason,
}

/// What an import did, line by line in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub added: Vec<KeyId>,
    /// Lines repeating a key earlier in the same import.
    pub duplicate_in_batch: usize,
    /// Keys the merchant already has (on sale, reserved or sold).
    pub duplicate_existing: usize,
    pub invalid: Vec<InvalidLine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyStatus {
    OnSale,
    Reserved(OrderId),
    Delivered(OrderId),
    /// Taken off sale by the merchant (or replaced in a dispute).
    Withdrawn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: KeyId,
    pub merchant: MerchantId,
    pub product: ProductId,
    pub sealed: SealedKey,
    pub status: KeyStatus,
}

/// Splits pasted text or CSV into keys: one per line (CSV: the first field,
/// quotes honoured), surrounding blanks trimmed. Empty lines and keys longer
/// than `max_len` bytes are reported, not imported.
pub fn parse_key_lines(text: &str, csv: bool, max_len: usize) -> (Vec<String>, Vec<InvalidLine>) {
    let mut keys = Vec::new();
    let mut invalid = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let field = if csv {
            first_csv_field(raw)
        } else {
            raw.to_string()
        };
        let key = field.trim();
        if key.is_empty() {
            invalid.push(InvalidLine {
                line,
                reason: InvalidReason::Empty,
            });
        } else if key.len() > max_len {
            invalid.push(InvalidLine {
                line,
                reason: InvalidReason::TooLong,
            });
        } else if key.chars().any(char::is_control) {
            invalid.push(InvalidLine {
                line,
                reason: InvalidReason::ControlCharacters,
            });
        } else {
            keys.push(key.to_string());
        }
    }
    (keys, invalid)
}

fn first_csv_field(line: &str) -> String {
    let line = line.trim_start();
    let Some(rest) = line.strip_prefix('"') else {
        return line.split(',').next().unwrap_or("").to_string();
    };
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if chars.peek() == Some(&'"') => {
                out.push('"');
                chars.next();
            }
            '"' => break,
            c => out.push(c),
        }
    }
    out
}

impl Shop {
    /// Adds sealed keys to a key-delivered product's inventory. `invalid`
    /// carries the lines the edge could not use, for the report.
    pub fn import_keys(
        &mut self,
        now: u64,
        product: ProductId,
        keys: Vec<SealedKey>,
        invalid: Vec<InvalidLine>,
    ) -> Result<ImportReport, ShopError> {
        self.tick(now)?;
        let p = self
            .product(product)
            .ok_or(ShopError::ProductNotFound(product))?;
        if p.spec.delivery != Delivery::Keys {
            return Err(ShopError::Invalid(
                "this product delivers fixed text, not keys".into(),
            ));
        }
        let merchant = p.merchant;
        let mut report = ImportReport {
            invalid,
            ..ImportReport::default()
        };
        let mut seen = std::collections::HashSet::new();
        for key in keys {
            if !seen.insert(key.hash) {
                report.duplicate_in_batch += 1;
                continue;
            }
            if self
                .inventory
                .key_hashes
                .contains_key(&(merchant, key.hash))
            {
                report.duplicate_existing += 1;
                continue;
            }
            let id = KeyId(self.inventory.keys.len() as u64 + 1);
            self.inventory.key_hashes.insert((merchant, key.hash), id);
            self.inventory.stock.entry(product).or_default().insert(id);
            self.inventory.keys.push(Key {
                id,
                merchant,
                product,
                sealed: key,
                status: KeyStatus::OnSale,
            });
            self.inventory.dirty.insert(id);
            report.added.push(id);
        }
        Ok(report)
    }

    pub fn key(&self, id: KeyId) -> Option<&Key> {
        self.inventory.get(id)
    }

    pub(crate) fn set_key_status(&mut self, id: KeyId, status: KeyStatus) {
        let at = usize::try_from(id.0.wrapping_sub(1)).unwrap_or(usize::MAX);
        if let Some(key) = self.inventory.keys.get_mut(at) {
            key.status = status;
            self.inventory.dirty.insert(id);
            self.changes.keys.insert(id);
        }
    }

    /// Takes `n` keys off sale for an order, oldest first.
    pub(crate) fn reserve_keys(
        &mut self,
        product: ProductId,
        order: OrderId,
        n: u32,
    ) -> Vec<KeyId> {
        let taken: Vec<KeyId> = match self.inventory.stock.get_mut(&product) {
            Some(stock) => (0..n).filter_map(|_| stock.pop_first()).collect(),
            None => Vec::new(),
        };
        for id in &taken {
            self.set_key_status(*id, KeyStatus::Reserved(order));
        }
        taken
    }

    /// Puts an order's reserved keys back on sale.
    pub(crate) fn release_keys(&mut self, product: ProductId, keys: &[KeyId]) {
        for id in keys {
            self.set_key_status(*id, KeyStatus::OnSale);
            self.inventory.stock.entry(product).or_default().insert(*id);
        }
    }
}

/// Every card key, with duplicates and stock indexed.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub(crate) keys: Vec<Key>,
    /// (merchant, keyed hash) → key: duplicates found without decrypting.
    pub(crate) key_hashes: std::collections::HashMap<(MerchantId, [u8; 32]), KeyId>,
    /// Keys on sale per product, oldest first.
    pub(crate) stock: std::collections::HashMap<ProductId, std::collections::BTreeSet<KeyId>>,
    /// Keys changed since the derived tables last took them.
    pub(crate) dirty: std::collections::BTreeSet<KeyId>,
}

impl Inventory {
    pub(crate) fn get(&self, id: KeyId) -> Option<&Key> {
        crate::ids::nth(&self.keys, id.0)
    }

    /// Keys on sale for a product.
    pub(crate) fn stock_of(&self, product: ProductId) -> u64 {
        self.stock.get(&product).map_or(0, |s| s.len() as u64)
    }

    /// Rebuilds the duplicate hashes and the stock from the keys.
    pub(crate) fn rebuild_index(&mut self) {
        self.key_hashes.clear();
        self.stock.clear();
        for k in &self.keys {
            self.key_hashes.insert((k.merchant, k.sealed.hash), k.id);
            if k.status == KeyStatus::OnSale {
                self.stock.entry(k.product).or_default().insert(k.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_takes_the_first_field_with_quotes() {
        let (keys, invalid) = parse_key_lines("AAAA-1,note\n\"BB,\"\"2\"\"\",x\n,\n  \n", true, 16);
        assert_eq!(keys, vec!["AAAA-1", "BB,\"2\""]);
        assert_eq!(
            invalid.iter().map(|l| l.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
    }

    #[test]
    fn text_lines_are_trimmed_and_long_ones_reported() {
        let (keys, invalid) = parse_key_lines(" K1 \r\nK2\n0123456789ABCDEFX\n", false, 16);
        assert_eq!(keys, vec!["K1", "K2"]);
        assert_eq!(
            invalid,
            vec![InvalidLine {
                line: 3,
                reason: InvalidReason::TooLong
            }]
        );
    }
}
