//! What-ifs of this area (filled in by its issue).

use crate::out::{Output, Result};

/// Subcommands of this area.
#[derive(clap::Subcommand)]
pub enum Command {}

/// Runs one subcommand.
pub fn run(command: Command, _out: &Output) -> Result {
    match command {}
}
