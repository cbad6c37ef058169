//! Ring cases as the API shows them: the banned account, each linked
//! account with the identifiers that link it (the evidence), its holds as
//! queue lines, and where it stands.

use serde::Serialize;
use trigate_core::risk::{CaseView, MemberState};

use super::rfc3339;
use super::risk::{LinkAnswer, ReviewAnswer};

/// One account of a ring case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseMemberAnswer {
    pub user: u64,
    /// `open`, `released` or `banned`.
    pub state: &'static str,
    /// What linked it to other accounts when the case was opened.
    pub links: Vec<LinkAnswer>,
    /// Its withdrawals and payouts held in the case.
    pub holds: Vec<ReviewAnswer>,
    pub decided_by: Option<u64>,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub note: Option<String>,
}

/// The accounts linked to a banned one, held together.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseAnswer {
    pub id: u64,
    /// `open` while a member waits, else `closed`.
    pub status: String,
    /// The banned account the ring is linked to.
    pub banned_user: u64,
    /// `merchant_banned` or `user_blocked`.
    pub cause: String,
    #[schema(format = DateTime)]
    pub opened_at: String,
    pub members: Vec<CaseMemberAnswer>,
}

impl From<&CaseView> for CaseAnswer {
    fn from(v: &CaseView) -> Self {
        let c = &v.case;
        Self {
            id: c.id,
            status: v.status.clone(),
            banned_user: c.banned.0,
            cause: c.cause.clone(),
            opened_at: rfc3339(c.opened_at),
            members: c
                .members
                .iter()
                .zip(&v.holds)
                .map(|(m, holds)| {
                    let decided = match &m.state {
                        MemberState::Open => None,
                        MemberState::Released { by, at, note }
                        | MemberState::Banned { by, at, note } => Some((by.0, *at, note.clone())),
                    };
                    CaseMemberAnswer {
                        user: m.account.0,
                        state: m.state.name(),
                        links: m.links.iter().map(LinkAnswer::from).collect(),
                        holds: holds.iter().map(ReviewAnswer::from).collect(),
                        decided_by: decided.as_ref().map(|d| d.0),
                        decided_at: decided.as_ref().map(|d| rfc3339(d.1)),
                        note: decided.map(|d| d.2),
                    }
                })
                .collect(),
        }
    }
}
