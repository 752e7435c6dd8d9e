//! Output for every subcommand: readable tables, or JSON with `--json`.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

/// Writes a line to stdout. A closed pipe (`whatif ... | head`) ends the
/// program quietly, as a reader that has seen enough expects; `println!`
/// would panic instead.
fn emit(text: impl std::fmt::Display) {
    let mut stdout = io::stdout().lock();
    if let Err(err) = writeln!(stdout, "{text}") {
        if err.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("whatif: cannot write to stdout: {err}");
        std::process::exit(1);
    }
}

/// What a subcommand returns: `Ok`, or an error to print.
pub type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// Where a subcommand prints.
pub struct Output {
    /// Print JSON instead of tables and lines.
    pub json: bool,
}

impl Output {
    /// A heading (tables mode only).
    pub fn heading(&self, text: &str) {
        if !self.json {
            emit(format_args!("\n== {text} =="));
        }
    }

    /// A line of text (tables mode only).
    pub fn line(&self, text: &str) {
        if !self.json {
            emit(text);
        }
    }

    /// A table (tables mode only).
    pub fn table(&self, headers: &[&str], rows: Vec<Vec<String>>) {
        if self.json {
            return;
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        // Long refusal sentences wrap instead of making the table unreadable;
        // piped output (no terminal to measure) wraps at 120 columns.
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if table.width().is_none() {
            table.set_width(120);
        }
        table.set_header(headers.to_vec());
        for row in rows {
            table.add_row(row);
        }
        emit(table);
    }

    /// A value as pretty JSON (JSON mode only).
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result {
        if self.json {
            emit(serde_json::to_string_pretty(value)?);
        }
        Ok(())
    }
}
