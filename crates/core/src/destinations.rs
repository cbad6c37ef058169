//! Each user's book of withdrawal destinations (bank accounts, payout
//! addresses). A destination is sealed at the edge like a card key and
//! shown only masked; a new one is paid only after the shop's cooling
//! period, so a stolen session cannot add its own account and empty the
//! balance at once. A withdrawal names a destination from the book.

use serde::{Deserialize, Serialize};

use crate::time::NANOS_PER_SECOND;
use crate::{DestinationId, Shop, ShopError, UserId};

/// The most destinations one user keeps at a time.
pub const DESTINATIONS_MAX: usize = 20;
/// Longest label or masked form taken.
const TEXT_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: DestinationId,
    pub owner: UserId,
    /// The owner's name for it ("salary card").
    pub label: String,
    /// What is shown of it: the last few characters only.
    pub masked: String,
    /// The destination itself, sealed under the master key at the edge.
    pub sealed: Vec<u8>,
    pub added_at: u64,
    pub removed_at: Option<u64>,
}

impl Destination {
    /// When a withdrawal to it may first be asked for.
    pub fn usable_from(&self, cooling_hours: u32) -> u64 {
        self.added_at
            .saturating_add(u64::from(cooling_hours) * 3600 * NANOS_PER_SECOND)
    }
}

/// What a destination shows of itself: its last characters, at most four
/// and never more than half of it, the rest as `*`.
pub fn mask(plain: &str) -> String {
    let chars: Vec<char> = plain.chars().collect();
    let shown = (chars.len() / 2).min(4);
    let hidden = chars.len() - shown;
    let mut out: String = "*".repeat(hidden.min(8));
    out.extend(&chars[hidden..]);
    out
}

fn short_text(what: &str, value: &str) -> Result<String, ShopError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > TEXT_MAX || value.chars().any(char::is_control) {
        return Err(ShopError::Invalid(format!(
            "a destination's {what} is 1 to {TEXT_MAX} characters, none of them control characters"
        )));
    }
    Ok(value.to_string())
}

impl Shop {
    pub fn destination(&self, id: DestinationId) -> Option<&Destination> {
        crate::ids::nth(&self.destinations, id.0)
    }

    /// The caller's destinations still in the book, oldest first.
    pub fn destinations_of(&self, owner: UserId) -> Vec<Destination> {
        self.destinations
            .iter()
            .filter(|d| d.owner == owner && d.removed_at.is_none())
            .cloned()
            .collect()
    }

    /// Adds a destination to the caller's book.
    pub fn add_destination(
        &mut self,
        now: u64,
        actor: UserId,
        (label, masked): (&str, &str),
        sealed: Vec<u8>,
    ) -> Result<DestinationId, ShopError> {
        self.tick(now)?;
        let user = self.require_user(actor)?;
        if user.guest {
            return Err(ShopError::Forbidden(actor));
        }
        let label = short_text("label", label)?;
        let masked = short_text("masked form", masked)?;
        if sealed.is_empty() || sealed.len() > 1024 {
            return Err(ShopError::Invalid(
                "a sealed destination is 1 to 1024 bytes".into(),
            ));
        }
        if self.destinations_of(actor).len() >= DESTINATIONS_MAX {
            return Err(ShopError::Invalid(format!(
                "a book holds at most {DESTINATIONS_MAX} destinations: remove one first"
            )));
        }
        let id = DestinationId(self.destinations.len() as u64 + 1);
        self.destinations.push(Destination {
            id,
            owner: actor,
            label,
            masked,
            sealed,
            added_at: now,
            removed_at: None,
        });
        self.changes.destinations.insert(id.0);
        Ok(id)
    }

    /// Removes one of the caller's destinations (withdrawals already asked
    /// for it are still paid to it).
    pub fn remove_destination(
        &mut self,
        now: u64,
        actor: UserId,
        id: DestinationId,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.own_destination(actor, id)?;
        self.changes.destinations.insert(id.0);
        if let Some(d) = crate::ids::nth_mut(&mut self.destinations, id.0) {
            d.removed_at = Some(now);
        }
        Ok(())
    }

    /// One of the caller's destinations in the book.
    pub(crate) fn own_destination(
        &self,
        actor: UserId,
        id: DestinationId,
    ) -> Result<&Destination, ShopError> {
        match self.destination(id) {
            Some(d) if d.owner == actor && d.removed_at.is_none() => Ok(d),
            _ => Err(ShopError::Invalid(format!(
                "destination {id} is not in your book"
            ))),
        }
    }

    /// One of the caller's destinations that may be paid now.
    pub(crate) fn payable_destination(
        &self,
        now: u64,
        actor: UserId,
        id: DestinationId,
    ) -> Result<&Destination, ShopError> {
        let d = self.own_destination(actor, id)?;
        let until = d.usable_from(self.rules.destination_cooling_hours);
        if now < until {
            return Err(ShopError::DestinationCooling {
                destination: id.0,
                until,
            });
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn a_destination_shows_at_most_its_last_four_characters() {
        assert_eq!(mask("6222021234567890123"), "********0123");
        assert_eq!(mask("abcd"), "**cd");
        assert_eq!(mask("a"), "*");
    }
}
