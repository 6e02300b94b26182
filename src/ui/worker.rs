//! Runs one slow station call off the UI thread and hands the result back by channel.

use std::sync::mpsc::{self, Receiver, TryRecvError};

/// A call in flight.
pub struct Job<T> {
    rx: Receiver<T>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on its own thread; the window is asked to repaint when it is done.
    pub fn spawn(ctx: &egui::Context, work: impl FnOnce() -> T + Send + 'static) -> Job<T> {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("kattoo-ui-worker".into())
            .spawn(move || {
                let _ = tx.send(work());
                ctx.request_repaint();
            })
            .expect("spawn a worker thread");
        Job { rx }
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
