mod batch;
mod cli;
mod crash;
mod keyboard;
mod privacy;
mod ui;
mod util;
