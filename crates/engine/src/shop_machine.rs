//! The shop on the writer: each command that changes something becomes one
//! journal entry (time, command, reply), chained like the ledger's, and the
//! shop's ledger feeds the derived tables.

use std::time::Duration;

use trigate_core::{Command, Reply, Shop};
use trigate_ledger::{Hash, chain};
use trigate_store::Checkpoint;

use crate::machine::StateMachine;
use crate::recover::{Journaled, Recovered};
use crate::writer::Engine;

/// Recovers the shop from `store` (catching its tables up), starts its
/// writer on the system clock, and records `settings` as the shop's if the
/// journal holds none yet (the genesis) or others (a change, logged).
pub async fn start_shop(
    store: &trigate_store::Store,
    settings: trigate_core::Config,
) -> Result<
    (
        Engine<ShopMachine>,
        tokio::task::JoinHandle<crate::WriterExit>,
    ),
    crate::RecoverError,
> {
    start_shop_with(store, settings, trigate_core::Rules::default()).await
}

/// [`start_shop`] with the shop's money rules per currency (the config
/// file's), recorded like the settings when the journal holds none or
/// others.
pub async fn start_shop_with(
    store: &trigate_store::Store,
    settings: trigate_core::Config,
    rules: trigate_core::Rules,
) -> Result<
    (
        Engine<ShopMachine>,
        tokio::task::JoinHandle<crate::WriterExit>,
    ),
    crate::RecoverError,
> {
    start_shop_on(
        store,
        (settings, rules, trigate_core::risk::RiskSettings::default()),
        std::sync::Arc::new(crate::SystemClock),
    )
    .await
}

/// [`start_shop_with`] with the risk settings, on the writer clock `clock`
/// (the demo's clock runs behind while it seeds a history of days). A shop
/// that does not record daily figures yet starts recording them; one whose
/// journal holds no risk settings (or others) records them, with the
/// default rule pack if no rule was ever saved.
pub async fn start_shop_on(
    store: &trigate_store::Store,
    (settings, rules, risk): (
        trigate_core::Config,
        trigate_core::Rules,
        trigate_core::risk::RiskSettings,
    ),
    clock: std::sync::Arc<dyn crate::Clock>,
) -> Result<
    (
        Engine<ShopMachine>,
        tokio::task::JoinHandle<crate::WriterExit>,
    ),
    crate::RecoverError,
> {
    let recovered = crate::open_state::<Shop>(store, 0).await?;
    let state = &recovered.state;
    // A shop begun in journal format 2 has no money policy recorded yet.
    let began = state.has_genesis();
    let before = (began && state.has_policy(), *state.config());
    let (had_rules, rules_before) = (state.has_rules(), state.rules().clone());
    let records_figures = state.records_figures();
    let risk_before = state.records_risk().then(|| state.risk_settings());
    // A shop starting its risk checks installs the first default pack,
    // then the rules added to it since, as an older shop does.
    let missing_rules: Vec<String> = if risk_before.is_some() {
        state
            .missing_default_rules()
            .into_iter()
            .map(|r| r.name)
            .collect()
    } else {
        trigate_core::risk::later_rules()
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    let (engine, writer) = Engine::start(
        ShopMachine::new(recovered),
        store.clone(),
        clock,
        crate::EngineConfig::default(),
    );
    if before != (true, settings) {
        match engine.submit(Command::ChangeSettings { settings }).await {
            Ok(Reply::Done) if began && before.1 != settings => tracing::warn!(
                from = %before.1,
                to = %settings,
                "the configured shop settings differ from the journal's; the change is recorded"
            ),
            Ok(Reply::Done) => {
                tracing::info!(settings = %settings, "the shop's settings are recorded in its journal")
            }
            Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
            Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
        }
    }
    if !(had_rules && rules_before == rules) {
        match engine.submit(Command::ChangeRules { rules }).await {
            Ok(Reply::Done) if had_rules => tracing::warn!(
                "the configured money rules differ from the journal's; the change is recorded"
            ),
            Ok(Reply::Done) => {
                tracing::info!("the shop's money rules are recorded in its journal")
            }
            Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
            Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
        }
    }
    if !records_figures {
        match engine.submit(Command::StartFigures).await {
            Ok(Reply::Done) => tracing::info!("the shop records its daily figures from today"),
            Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
            Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
        }
    }
    if risk_before != Some(risk) {
        match engine.submit(Command::StartRisk { settings: risk }).await {
            Ok(Reply::Done) if risk_before.is_some() => tracing::warn!(
                enabled = risk.enabled,
                "the configured risk settings differ from the journal's; the change is recorded"
            ),
            Ok(Reply::Done) => tracing::info!(
                enabled = risk.enabled,
                "the shop's risk settings are recorded in its journal, with the default rule pack"
            ),
            Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
            Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
        }
    }
    if !missing_rules.is_empty() {
        match engine.submit(Command::AddDefaultRules).await {
            Ok(Reply::Done) => tracing::info!(
                rules = ?missing_rules,
                "rules added to the default pack are saved"
            ),
            Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
            Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
        }
    }
    // Sends to channels still in flight lost their answers with the last
    // process: finance resolves them.
    match engine.submit(Command::SendsInterrupted).await {
        Ok(Reply::Done) => {}
        Ok(reply) => return Err(crate::RecoverError::Settings(format!("{reply:?}"))),
        Err(e) => return Err(crate::RecoverError::Settings(e.to_string())),
    }
    Ok((engine, writer))
}

/// The scheduler: submits the shop's time-driven work (reservation expiry,
/// auto-confirmation, holding-period release, unanswered disputes) every
/// `every`. The writer decides what is due by the time it stamps on the
/// command. Ends when the engine stops.
pub fn spawn_scheduler(
    engine: Engine<ShopMachine>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if engine.submit(Command::Tick).await.is_err() {
                return;
            }
        }
    })
}

#[derive(Debug)]
pub struct ShopMachine {
    shop: Shop,
    head: Hash,
    seq: u64,
    entry: Vec<u8>,
    transfers_stored: usize,
}

impl ShopMachine {
    /// Wraps a shop whose state is durable (new, or recovered with its
    /// derived tables caught up).
    pub fn new(recovered: Recovered<Shop>) -> Self {
        let Recovered {
            mut state,
            head,
            seq,
            ..
        } = recovered;
        let transfers = state.ledger().transfer_count();
        Journaled::take_changes(&mut state, seq, transfers);
        Self {
            transfers_stored: state.ledger().transfer_count(),
            shop: state,
            head,
            seq,
            entry: Vec::new(),
        }
    }

    pub fn shop(&self) -> &Shop {
        &self.shop
    }
}

impl StateMachine for ShopMachine {
    type Command = Command;
    type Reply = Reply;

    fn apply(&mut self, timestamp: u64, command: Command) -> (Reply, bool) {
        let (reply, entry) = self.shop.apply_journaled(timestamp, command);
        match entry {
            Some(entry) => {
                log_outflows(&entry);
                self.entry = entry.encode();
                self.head = chain::link(&self.head, &self.entry);
                self.seq += 1;
                (reply, true)
            }
            None => (reply, false),
        }
    }

    fn last_timestamp(&self) -> u64 {
        self.shop.last_timestamp()
    }

    fn last_entry(&self) -> &[u8] {
        &self.entry
    }

    fn chain_head(&self) -> Hash {
        self.head
    }

    fn sequence(&self) -> u64 {
        self.seq
    }

    fn take_changes(&mut self) -> Checkpoint {
        let from = self.transfers_stored;
        self.transfers_stored = self.shop.ledger().transfer_count();
        Journaled::take_changes(&mut self.shop, self.seq, from)
    }
}

/// The outflow stop changing is an alert for the operator.
fn log_outflows(entry: &trigate_core::journal::Entry) {
    for fact in &entry.facts {
        if let trigate_core::Fact::Outflows { stop } = fact {
            match stop {
                Some(stop) => tracing::error!(
                    target: "trigate::custody",
                    reason = %stop.reason,
                    note = %stop.note,
                    "outflows stopped: no withdrawal, payout or refund through a channel starts until two admins lift it"
                ),
                None => tracing::warn!(target: "trigate::custody", "outflows running again"),
            }
        }
    }
}
