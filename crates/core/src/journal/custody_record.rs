//! The outflow stop as the journal keeps it (format 3 on).

use serde::{Deserialize, Serialize};

use crate::{OutflowStop, StopReason, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutflowStopRec {
    /// `coverage` or `manual`.
    pub reason: String,
    pub at: u64,
    pub by: Option<u64>,
    pub note: String,
    pub lifts: Vec<u64>,
}

impl From<&OutflowStop> for OutflowStopRec {
    fn from(s: &OutflowStop) -> Self {
        Self {
            reason: s.reason.as_str().into(),
            at: s.at,
            by: s.by.map(|u| u.0),
            note: s.note.clone(),
            lifts: s.lifts.iter().map(|u| u.0).collect(),
        }
    }
}

impl OutflowStopRec {
    pub fn read(self) -> OutflowStop {
        OutflowStop {
            reason: if self.reason == "manual" {
                StopReason::Manual
            } else {
                StopReason::Coverage
            },
            at: self.at,
            by: self.by.map(UserId),
            note: self.note,
            lifts: self.lifts.into_iter().map(UserId).collect(),
        }
    }
}
