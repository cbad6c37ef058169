//! A settled order's shares as the journal keeps them (format 3 on).

use serde::{Deserialize, Serialize};

use crate::{Shares, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharesRec {
    pub referrer1: Option<u64>,
    pub referrer2: Option<u64>,
    pub commission_release_at: u64,
    pub held: [u64; 2],
    pub to_reserve: u64,
    pub reversed: [u64; 4],
    pub covered: [u64; 3],
    pub repaid: [u64; 3],
}

impl From<&Shares> for SharesRec {
    fn from(s: &Shares) -> Self {
        Self {
            referrer1: s.referrers[0].map(|u| u.0),
            referrer2: s.referrers[1].map(|u| u.0),
            commission_release_at: s.commission_release_at,
            held: s.held,
            to_reserve: s.to_reserve,
            reversed: s.reversed,
            covered: s.covered,
            repaid: s.repaid,
        }
    }
}

impl From<SharesRec> for Shares {
    fn from(s: SharesRec) -> Self {
        Self {
            referrers: [s.referrer1.map(UserId), s.referrer2.map(UserId)],
            commission_release_at: s.commission_release_at,
            held: s.held,
            to_reserve: s.to_reserve,
            reversed: s.reversed,
            covered: s.covered,
            repaid: s.repaid,
        }
    }
}
