//! The single writer: group commit over a queue of commands.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use trigate_store::{Changes, JournalRow, Store, StoreError};

use super::clock::Clock;
use super::machine::StateMachine;

#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Most commands applied and committed together.
    pub max_batch: usize,
    /// Commands that may wait in the queue before callers wait to enqueue.
    pub queue_depth: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_batch: 8189,
            queue_depth: 65_536,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EngineError {
    /// The commit holding this command failed; the command may or may not be
    /// durable, and the engine has stopped. Retry after a restart with the
    /// same ids: transfers are idempotent.
    #[error("the write could not be made durable; the engine has stopped")]
    CommitFailed,
    /// The engine is not running (stopped after a failure, or shut down).
    #[error("the engine is not running")]
    Stopped,
}

/// Why the writer task ended.
#[derive(Debug)]
pub enum WriterExit {
    /// Every handle was dropped and the queue drained.
    Drained,
    /// A commit failed: the process must not serve from this state.
    Failed(StoreError),
}

type Job<M> = (
    <M as StateMachine>::Command,
    oneshot::Sender<Result<<M as StateMachine>::Reply, EngineError>>,
);

/// A handle for submitting commands; clone it freely.
#[derive(Debug)]
pub struct Engine<M: StateMachine> {
    queue: mpsc::Sender<Job<M>>,
}

impl<M: StateMachine> Clone for Engine<M> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<M: StateMachine> Engine<M> {
    /// Starts the writer over a machine whose state is already durable in
    /// `store`. The task ends when every handle is dropped, or on failure.
    pub fn start(
        machine: M,
        store: Store,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
    ) -> (Self, tokio::task::JoinHandle<WriterExit>) {
        let (queue, rx) = mpsc::channel(config.queue_depth.max(1));
        let task = tokio::spawn(run(machine, store, clock, rx, config.max_batch.max(1)));
        (Self { queue }, task)
    }

    /// Submits a command and waits until it is durable (or refused).
    pub async fn submit(&self, command: M::Command) -> Result<M::Reply, EngineError> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((command, tx))
            .await
            .map_err(|_| EngineError::Stopped)?;
        rx.await.unwrap_or(Err(EngineError::Stopped))
    }
}

async fn run<M: StateMachine>(
    mut machine: M,
    store: Store,
    clock: Arc<dyn Clock>,
    mut rx: mpsc::Receiver<Job<M>>,
    max_batch: usize,
) -> WriterExit {
    let mut jobs = Vec::with_capacity(max_batch);
    let mut waiting = Vec::with_capacity(max_batch);
    loop {
        if rx.recv_many(&mut jobs, max_batch).await == 0 {
            return WriterExit::Drained;
        }
        let mut changes = Changes::default();
        for (command, reply_to) in jobs.drain(..) {
            let prev_hash = machine.chain_head();
            let timestamp = clock
                .now_nanos()
                .max(machine.last_timestamp().saturating_add(1));
            let (reply, journaled) = machine.apply(timestamp, command);
            if journaled {
                changes.journal.push(JournalRow {
                    seq: machine.sequence(),
                    timestamp,
                    body: machine.last_entry().to_vec(),
                    prev_hash,
                    hash: machine.chain_head(),
                });
            }
            waiting.push((reply_to, reply));
        }
        machine.collect_changes(&mut changes);
        if let Err(e) = store.append(&changes).await {
            for (reply_to, _) in waiting.drain(..) {
                let _ = reply_to.send(Err(EngineError::CommitFailed));
            }
            // Refuse everything queued behind the failed commit, too.
            rx.close();
            while let Some((_, reply_to)) = rx.recv().await {
                let _ = reply_to.send(Err(EngineError::Stopped));
            }
            return WriterExit::Failed(e);
        }
        for (reply_to, reply) in waiting.drain(..) {
            let _ = reply_to.send(Ok(reply));
        }
    }
}
