//! The `kattoo` binary: parses the command line, loads the configuration, starts logging and
//! hands over to the library. With no subcommand it opens the kiosk GUI (`--kiosk`: fullscreen).

use clap::Parser;
use kattoo::cli::{self, Cli};
use kattoo::config::Config;
use std::process::ExitCode;

fn main() -> ExitCode {
    kattoo::ui::mark_start();
    let cli = Cli::parse();
    let result = cli::data_dir(&cli).and_then(|dir| {
        let config = Config::load(&dir)?;
        let log_dir = dir.exists().then_some(dir.as_path());
        let _guard = kattoo::logging::init(&config.log, log_dir);
        cli::run(cli, config)
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("kattoo: {err:#}");
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
