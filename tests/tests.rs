mod batch;
mod cli;
mod crash;
mod privacy;
mod ui;
mod util;
