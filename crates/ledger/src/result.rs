//! Result codes: one per event of a batch, each naming exactly what happened.
//!
//! The names follow TigerBeetle's where the meaning is the same, so people who
//! know that ledger can read ours. `as_str` gives the stable snake_case name
//! used in logs, the journal and the API.

macro_rules! result_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable snake_case name of the code.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The code's stable number (its position in `ALL`), used in the journal.
            pub const fn as_u8(self) -> u8 {
                self as u8
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

result_enum! {
    /// What happened to one account of a `create_accounts` batch.
    CreateAccountResult {
        Ok => "ok",
        /// Another event of the same linked chain failed, so this one was not applied.
        LinkedEventFailed => "linked_event_failed",
        /// The batch ended with an event still flagged `linked`.
        LinkedEventChainOpen => "linked_event_chain_open",
        ReservedFlag => "reserved_flag",
        IdMustNotBeZero => "id_must_not_be_zero",
        IdMustNotBeIntMax => "id_must_not_be_int_max",
        /// A linked chain names the same id twice: it could never be applied as written.
        IdRepeatedInChain => "id_repeated_in_chain",
        FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
        LedgerMustNotBeZero => "ledger_must_not_be_zero",
        CodeMustNotBeZero => "code_must_not_be_zero",
        ExistsWithDifferentFlags => "exists_with_different_flags",
        ExistsWithDifferentUserData => "exists_with_different_user_data",
        ExistsWithDifferentLedger => "exists_with_different_ledger",
        ExistsWithDifferentCode => "exists_with_different_code",
        /// The same account was created before: nothing changed.
        Exists => "exists",
    }
}

result_enum! {
    /// What happened to one transfer of a `create_transfers` batch.
    CreateTransferResult {
        Ok => "ok",
        LinkedEventFailed => "linked_event_failed",
        LinkedEventChainOpen => "linked_event_chain_open",
        ReservedFlag => "reserved_flag",
        IdMustNotBeZero => "id_must_not_be_zero",
        IdMustNotBeIntMax => "id_must_not_be_int_max",
        /// A linked chain names the same id twice: it could never be applied as written.
        IdRepeatedInChain => "id_repeated_in_chain",
        FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
        DebitAccountIdMustNotBeZero => "debit_account_id_must_not_be_zero",
        DebitAccountIdMustNotBeIntMax => "debit_account_id_must_not_be_int_max",
        CreditAccountIdMustNotBeZero => "credit_account_id_must_not_be_zero",
        CreditAccountIdMustNotBeIntMax => "credit_account_id_must_not_be_int_max",
        AccountsMustBeDifferent => "accounts_must_be_different",
        PendingIdMustBeZero => "pending_id_must_be_zero",
        PendingIdMustNotBeZero => "pending_id_must_not_be_zero",
        PendingIdMustNotBeIntMax => "pending_id_must_not_be_int_max",
        PendingIdMustBeDifferent => "pending_id_must_be_different",
        TimeoutReservedForPendingTransfer => "timeout_reserved_for_pending_transfer",
        ClosingTransferMustBePending => "closing_transfer_must_be_pending",
        AmountMustNotBeZero => "amount_must_not_be_zero",
        LedgerMustNotBeZero => "ledger_must_not_be_zero",
        CodeMustNotBeZero => "code_must_not_be_zero",
        ExistsWithDifferentFlags => "exists_with_different_flags",
        ExistsWithDifferentDebitAccountId => "exists_with_different_debit_account_id",
        ExistsWithDifferentCreditAccountId => "exists_with_different_credit_account_id",
        ExistsWithDifferentAmount => "exists_with_different_amount",
        ExistsWithDifferentPendingId => "exists_with_different_pending_id",
        ExistsWithDifferentUserData => "exists_with_different_user_data",
        ExistsWithDifferentTimeout => "exists_with_different_timeout",
        ExistsWithDifferentLedger => "exists_with_different_ledger",
        ExistsWithDifferentCode => "exists_with_different_code",
        /// The same transfer was applied before: nothing changed.
        Exists => "exists",
        /// This id failed before for a reason that depended on the ledger's state;
        /// it can never succeed, so a retry cannot apply it later by surprise.
        IdAlreadyFailed => "id_already_failed",
        DebitAccountNotFound => "debit_account_not_found",
        CreditAccountNotFound => "credit_account_not_found",
        AccountsMustHaveTheSameLedger => "accounts_must_have_the_same_ledger",
        /// The transfer's ledger is not the ledger of its accounts.
        LedgerMismatch => "ledger_mismatch",
        PendingTransferNotFound => "pending_transfer_not_found",
        PendingTransferNotPending => "pending_transfer_not_pending",
        PendingTransferHasDifferentDebitAccountId => "pending_transfer_has_different_debit_account_id",
        PendingTransferHasDifferentCreditAccountId => "pending_transfer_has_different_credit_account_id",
        PendingTransferHasDifferentLedger => "pending_transfer_has_different_ledger",
        PendingTransferHasDifferentCode => "pending_transfer_has_different_code",
        ExceedsPendingTransferAmount => "exceeds_pending_transfer_amount",
        PendingTransferHasDifferentAmount => "pending_transfer_has_different_amount",
        PendingTransferAlreadyPosted => "pending_transfer_already_posted",
        PendingTransferAlreadyVoided => "pending_transfer_already_voided",
        PendingTransferExpired => "pending_transfer_expired",
        DebitAccountAlreadyClosed => "debit_account_already_closed",
        CreditAccountAlreadyClosed => "credit_account_already_closed",
        OverflowsDebitsPending => "overflows_debits_pending",
        OverflowsCreditsPending => "overflows_credits_pending",
        OverflowsDebitsPosted => "overflows_debits_posted",
        OverflowsCreditsPosted => "overflows_credits_posted",
        OverflowsDebits => "overflows_debits",
        OverflowsCredits => "overflows_credits",
        OverflowsTimeout => "overflows_timeout",
        /// The debit account may not be debited beyond its credits.
        ExceedsCredits => "exceeds_credits",
        /// The credit account may not be credited beyond its debits.
        ExceedsDebits => "exceeds_debits",
    }
}

impl CreateAccountResult {
    /// Whether the account now exists as asked (created now or before).
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Ok | Self::Exists)
    }
}

impl CreateTransferResult {
    /// Whether the transfer now stands as asked (applied now or before).
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Ok | Self::Exists)
    }

    /// A failure that depended on the ledger's state rather than on the event
    /// alone. The id of such a transfer is remembered so that it can never be
    /// applied later (`id_already_failed`).
    pub const fn is_transient(self) -> bool {
        (self as u8) >= (Self::DebitAccountNotFound as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut names: Vec<&str> = CreateTransferResult::ALL
            .iter()
            .map(|r| r.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CreateTransferResult::ALL.len());
        for name in names {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn numbers_follow_declaration_order() {
        for (i, r) in CreateTransferResult::ALL.iter().enumerate() {
            assert_eq!(usize::from(r.as_u8()), i);
        }
        for (i, r) in CreateAccountResult::ALL.iter().enumerate() {
            assert_eq!(usize::from(r.as_u8()), i);
        }
    }

    #[test]
    fn only_state_dependent_failures_are_transient() {
        assert!(!CreateTransferResult::Exists.is_transient());
        assert!(!CreateTransferResult::IdAlreadyFailed.is_transient());
        assert!(!CreateTransferResult::AmountMustNotBeZero.is_transient());
        assert!(!CreateTransferResult::LinkedEventFailed.is_transient());
        assert!(CreateTransferResult::ExceedsCredits.is_transient());
        assert!(CreateTransferResult::DebitAccountNotFound.is_transient());
    }
}
