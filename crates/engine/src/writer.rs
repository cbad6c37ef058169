//! The single writer: group commit over a queue of commands, and the
//! checkpointer that writes the derived tables behind it.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use trigate_store::{Checkpoint, JournalRow, Store, StoreError};

use crate::clock::Clock;
use crate::machine::StateMachine;

#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    /// Most commands applied and committed together.
    pub max_batch: usize,
    /// Commands that may wait in the queue before callers wait to enqueue.
    pub queue_depth: usize,
    /// Group commits whose derived rows may wait for the checkpointer before
    /// the writer waits for it: how far the tables may fall behind the
    /// journal, and so how much memory the rows in between take.
    pub checkpoint_lag: usize,
    /// Transfers gathered into one checkpoint transaction at most (when that
    /// many are waiting).
    pub checkpoint_rows: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            max_batch: 8189,
            queue_depth: 65_536,
            checkpoint_lag: 8,
            checkpoint_rows: 65_536,
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
    /// Every handle was dropped, the queue drained and the tables caught up.
    Drained,
    /// A commit or a checkpoint failed: the process must not serve from
    /// this state. (What was acknowledged is in the journal; a restart
    /// rebuilds the rest.)
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
    /// The last journal entry committed.
    committed: watch::Receiver<u64>,
    /// The last journal entry the tables reflect.
    checkpointed: watch::Receiver<u64>,
}

impl<M: StateMachine> Clone for Engine<M> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
            committed: self.committed.clone(),
            checkpointed: self.checkpointed.clone(),
        }
    }
}

impl<M: StateMachine> Engine<M> {
    /// Starts the writer over a machine whose state is already durable in
    /// `store`, journal and tables ([`crate::open_ledger`]). The task ends
    /// when every handle is dropped, or on failure.
    pub fn start(
        machine: M,
        store: Store,
        clock: Arc<dyn Clock>,
        config: EngineConfig,
    ) -> (Self, tokio::task::JoinHandle<WriterExit>) {
        let (queue, rx) = mpsc::channel(config.queue_depth.max(1));
        let seq = machine.sequence();
        let (committed_tx, committed) = watch::channel(seq);
        let (checkpointed_tx, checkpointed) = watch::channel(seq);
        let (to_checkpointer, from_writer) = mpsc::channel(config.checkpoint_lag.max(1));
        let checkpointer = tokio::spawn(checkpointer(
            store.clone(),
            from_writer,
            checkpointed_tx,
            config.checkpoint_rows.max(1),
        ));
        let writer = Writer {
            machine,
            store,
            clock,
            rx,
            committed: committed_tx,
            to_checkpointer,
        };
        let task = tokio::spawn(writer.run(config.max_batch.max(1), checkpointer));
        (
            Self {
                queue,
                committed,
                checkpointed,
            },
            task,
        )
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

    /// Waits until the tables reflect everything committed before the call.
    pub async fn sync(&self) -> Result<(), EngineError> {
        let target = *self.committed.borrow();
        let mut checkpointed = self.checkpointed.clone();
        checkpointed
            .wait_for(|seq| *seq >= target)
            .await
            .map(|_| ())
            .map_err(|_| EngineError::Stopped)
    }
}

struct Writer<M: StateMachine> {
    machine: M,
    store: Store,
    clock: Arc<dyn Clock>,
    rx: mpsc::Receiver<Job<M>>,
    committed: watch::Sender<u64>,
    to_checkpointer: mpsc::Sender<Checkpoint>,
}

impl<M: StateMachine> Writer<M> {
    async fn run(
        mut self,
        max_batch: usize,
        checkpointer: tokio::task::JoinHandle<Result<(), StoreError>>,
    ) -> WriterExit {
        let failure = self.commit_until_failure(max_batch).await;
        // Refuse everything queued behind a failure.
        self.rx.close();
        while let Some((_, reply_to)) = self.rx.recv().await {
            let _ = reply_to.send(Err(EngineError::Stopped));
        }
        drop(self.to_checkpointer);
        let checkpointed = match checkpointer.await {
            Ok(result) => result,
            Err(panic) => Err(StoreError::Sql(sqlx::Error::Protocol(format!(
                "the checkpointer panicked: {panic}"
            )))),
        };
        match (failure, checkpointed) {
            (Some(e), _) | (None, Err(e)) => WriterExit::Failed(e),
            (None, Ok(())) => WriterExit::Drained,
        }
    }

    /// Commits group after group until the queue is closed and drained
    /// (`None`) or a commit fails (its error). A checkpointer that stopped
    /// shows as a closed channel; its error is reported by `run`.
    async fn commit_until_failure(&mut self, max_batch: usize) -> Option<StoreError> {
        let mut jobs = Vec::with_capacity(max_batch);
        let mut waiting = Vec::with_capacity(max_batch);
        let mut journal = Vec::new();
        loop {
            let received = tokio::select! {
                n = self.rx.recv_many(&mut jobs, max_batch) => n,
                // The checkpointer stopped (its error is reported by `run`):
                // stop now, not at the next command.
                () = self.to_checkpointer.closed() => return None,
            };
            if received == 0 {
                return None;
            }
            metrics::histogram!("trigate_writer_group_commands").record(received as f64);
            metrics::gauge!("trigate_writer_queue_depth").set(self.rx.len() as f64);
            for (command, reply_to) in jobs.drain(..) {
                let prev_hash = self.machine.chain_head();
                let timestamp = self
                    .clock
                    .now_nanos()
                    .max(self.machine.last_timestamp().saturating_add(1));
                let (reply, journaled) = self.machine.apply(timestamp, command);
                if journaled {
                    journal.push(JournalRow {
                        seq: self.machine.sequence(),
                        timestamp,
                        body: self.machine.last_entry().to_vec(),
                        prev_hash,
                        hash: self.machine.chain_head(),
                    });
                }
                waiting.push((reply_to, reply));
            }
            let started = std::time::Instant::now();
            let appended = self.store.append(&journal).await;
            metrics::histogram!("trigate_writer_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            if let Err(e) = appended {
                tracing::error!(
                    error = %e,
                    commands = waiting.len(),
                    "the journal commit failed; the writer stops and every later command is refused"
                );
                for (reply_to, _) in waiting.drain(..) {
                    let _ = reply_to.send(Err(EngineError::CommitFailed));
                }
                return Some(e);
            }
            journal.clear();
            self.committed.send_replace(self.machine.sequence());
            for (reply_to, reply) in waiting.drain(..) {
                let _ = reply_to.send(Ok(reply));
            }
            let changes = self.machine.take_changes();
            if self.to_checkpointer.send(changes).await.is_err() {
                return None;
            }
        }
    }
}

/// Writes the derived rows behind the writer: whatever groups are waiting,
/// merged (each account written once, as it stands last), in one
/// transaction that also moves the tables' checkpoint.
async fn checkpointer(
    store: Store,
    mut from_writer: mpsc::Receiver<Checkpoint>,
    checkpointed: watch::Sender<u64>,
    rows: usize,
) -> Result<(), StoreError> {
    let mut last = *checkpointed.borrow();
    while let Some(first) = from_writer.recv().await {
        let mut waiting = first.transfers.len();
        let mut parts = vec![first];
        while waiting < rows {
            match from_writer.try_recv() {
                Ok(more) => {
                    waiting += more.transfers.len();
                    parts.push(more);
                }
                Err(_) => break,
            }
        }
        let checkpoint = Checkpoint::merged(parts);
        if checkpoint.through == last && checkpoint.is_empty() {
            continue;
        }
        if let Err(e) = store.checkpoint(&checkpoint).await {
            tracing::error!(
                error = %e,
                through = checkpoint.through,
                "the derived tables could not be written; the engine stops (a restart rebuilds them from the journal)"
            );
            return Err(e);
        }
        last = checkpoint.through;
        checkpointed.send_replace(last);
    }
    Ok(())
}
