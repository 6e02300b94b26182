//! Runs slow work off the UI thread and hands the result back by channel: one station call at a
//! time ([`Job`]), and encoding, device start-up and device tests ([`background`]).
//!
//! The UI thread never panics over a thread that cannot be started: the receiver is then
//! disconnected at once, which every caller reads as the work having failed.

use std::sync::mpsc::{self, Receiver, TryRecvError};

/// A call in flight.
pub struct Job<T> {
    rx: Receiver<T>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on its own thread; the window is asked to repaint when it is done.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        Job {
            rx: background("kattoo-ui-worker", Some(ctx), work),
        }
    }

    /// The result, once there is one. A worker that panicked yields `Err(())`.
    pub fn poll(&self) -> Option<Result<T, ()>> {
        match self.rx.try_recv() {
            Ok(value) => Some(Ok(value)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(())),
        }
    }
}

/// Runs `work` on a thread of its own named `name`; the receiver hears its result, and `ctx`,
/// when given, is asked to repaint then. If no thread can be started (the system is out of
/// threads or memory), the receiver is disconnected at once and the failure is logged.
pub fn background<T: Send + 'static>(
    name: &str,
    ctx: Option<&egui::Context>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = mpsc::channel();
    let ctx = ctx.cloned();
    let spawned = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(work());
            if let Some(ctx) = ctx {
                ctx.request_repaint();
            }
        });
    if let Err(e) = spawned {
        tracing::error!(thread = name, "cannot start a thread: {e}");
    }
    rx
}
