mod batch;
mod cli;
mod crash;
mod privacy;
mod util;
