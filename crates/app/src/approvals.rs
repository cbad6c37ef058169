//! Actions that wait for a second member of staff: a refund or a dispute
//! decision the shop's rules send for approval is asked for instead of
//! refused, and finance approves (it runs as asked) or rejects it.

use trigate_core::{Approvable, Approval, ApprovalId, ShopErrorKind};

use crate::{App, AppError, Caller, Change, Once, ops};

/// What a change that may need a second approval came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// Done now.
    Done(T),
    /// It waits for a second member of staff: this approval.
    Waiting(ApprovalId),
}

impl App {
    /// Runs `change` under `once`; if the shop's rules want a second
    /// approval for it, asks for `action` instead (a retry asks once).
    pub async fn change_or_ask<C: Change>(
        &self,
        caller: Caller,
        once: &Once,
        change: C,
        action: Approvable,
    ) -> Result<Outcome<C::Reply>, AppError> {
        match self.change_once(caller, once, change).await {
            Err(AppError::Refused {
                kind: ShopErrorKind::ApprovalRequired,
                ..
            }) => {
                let id = self.change(caller, ops::AskApproval { action }).await?;
                Ok(Outcome::Waiting(id))
            }
            done => done.map(|r| Outcome::Done(r.reply)),
        }
    }

    /// Actions waiting for a second approval (finance and admins).
    pub async fn waiting_approvals(&self, caller: Caller) -> Result<Vec<Approval>, AppError> {
        self.read(caller, ops::WaitingApprovals).await
    }

    /// Finance approves (the action runs) or rejects a waiting action.
    pub async fn decide_approval(
        &self,
        caller: Caller,
        once: &Once,
        approval: ApprovalId,
        approve: bool,
    ) -> Result<(), AppError> {
        let decide = ops::DecideApproval { approval, approve };
        self.change_once(caller, once, decide).await.map(|_| ())
    }
}
