mod batch;
mod cli;
mod crash;
mod keyboard;
mod package;
mod privacy;
mod ui;
mod util;
