//! The journal's record of a ring case (format 8 on): the accounts linked
//! to a banned one, the identifiers that link them, their holds and where
//! each stands. Fields keep their order and enums only gain variants at
//! their end.

use serde::{Deserialize, Serialize};
use trigate_risk::Link;

use super::risk_records::IdKindRec;
use crate::UserId;
use crate::risk::{Case, CaseMember, MemberState};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRec {
    pub kind: IdKindRec,
    pub value: String,
    pub with: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberStateRec {
    Open,
    Released { by: u64, at: u64, note: String },
    Banned { by: u64, at: u64, note: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRec {
    pub account: u64,
    pub links: Vec<LinkRec>,
    pub reviews: Vec<u64>,
    pub state: MemberStateRec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRec {
    pub id: u64,
    pub opened_at: u64,
    pub banned: u64,
    pub cause: String,
    pub members: Vec<MemberRec>,
}

impl From<&Case> for CaseRec {
    fn from(c: &Case) -> Self {
        Self {
            id: c.id,
            opened_at: c.opened_at,
            banned: c.banned.0,
            cause: c.cause.clone(),
            members: c
                .members
                .iter()
                .map(|m| MemberRec {
                    account: m.account.0,
                    links: m
                        .links
                        .iter()
                        .map(|l| LinkRec {
                            kind: l.kind.into(),
                            value: l.value.clone(),
                            with: l.with.clone(),
                        })
                        .collect(),
                    reviews: m.reviews.clone(),
                    state: match &m.state {
                        MemberState::Open => MemberStateRec::Open,
                        MemberState::Released { by, at, note } => MemberStateRec::Released {
                            by: by.0,
                            at: *at,
                            note: note.clone(),
                        },
                        MemberState::Banned { by, at, note } => MemberStateRec::Banned {
                            by: by.0,
                            at: *at,
                            note: note.clone(),
                        },
                    },
                })
                .collect(),
        }
    }
}

impl From<CaseRec> for Case {
    fn from(c: CaseRec) -> Self {
        Case {
            id: c.id,
            opened_at: c.opened_at,
            banned: UserId(c.banned),
            cause: c.cause,
            members: c
                .members
                .into_iter()
                .map(|m| CaseMember {
                    account: UserId(m.account),
                    links: m
                        .links
                        .into_iter()
                        .map(|l| Link {
                            kind: l.kind.into(),
                            value: l.value,
                            with: l.with,
                        })
                        .collect(),
                    reviews: m.reviews,
                    state: match m.state {
                        MemberStateRec::Open => MemberState::Open,
                        MemberStateRec::Released { by, at, note } => MemberState::Released {
                            by: UserId(by),
                            at,
                            note,
                        },
                        MemberStateRec::Banned { by, at, note } => MemberState::Banned {
                            by: UserId(by),
                            at,
                            note,
                        },
                    },
                })
                .collect(),
        }
    }
}
