//! Logging with `tracing`: a daily rolling file in `<data>/logs/` and stderr.
//!
//! Log lines carry ids, counts and error kinds only — never names, PINs or biometric bytes; the
//! types that hold those (`Pin`, `Capture`) print masked in `Debug` for that reason.

use crate::config::LogConfig;
use std::path::Path;
use tracing_subscriber::{EnvFilter, Layer, fmt, layer::SubscriberExt, util::SubscriberInitExt};

/// Keeps the background log writer alive; drop it last.
pub struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// Starts logging. With `data_dir` the file layer is added (the directory is created if needed).
pub fn init(config: &LogConfig, data_dir: Option<&Path>) -> LogGuard {
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .with_filter(
            EnvFilter::try_new(&config.stderr_level).unwrap_or_else(|_| EnvFilter::new("warn")),
        );
    let (file, guard) = match data_dir.map(|d| d.join("logs")) {
        Some(dir) if std::fs::create_dir_all(&dir).is_ok() => {
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("kattoo")
                .filename_suffix("log")
                .max_log_files(config.keep_days.max(1))
                .build(&dir);
            match appender {
                Ok(appender) => {
                    let (writer, guard) = tracing_appender::non_blocking(appender);
                    let layer = fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_filter(
                            EnvFilter::try_new(&config.level)
                                .unwrap_or_else(|_| EnvFilter::new("info")),
                        );
                    (Some(layer), Some(guard))
                }
                Err(_) => (None, None),
            }
        }
        _ => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    LogGuard(guard)
}
