//! Output for every subcommand: readable tables, or JSON with `--json`.
//!
//! The tour runs the subcommands themselves; in JSON mode it gives them an
//! [`Output::capturing`] so their documents are collected and printed as one
//! object keyed by section instead of one after another.

use std::cell::RefCell;
use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

/// Writes a line to stdout. A closed pipe (`whatif ... | head`) ends the
/// program quietly, as a reader that has seen enough expects; `println!`
/// would panic instead.
pub fn emit(text: impl std::fmt::Display) {
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
    /// JSON documents kept instead of printed (the tour's JSON mode).
    captured: Option<RefCell<Vec<String>>>,
}

impl Output {
    /// Prints tables, or JSON documents when `json`.
    pub fn new(json: bool) -> Output {
        Output {
            json,
            captured: None,
        }
    }

    /// JSON mode, keeping every document for [`Output::into_json`].
    pub fn capturing() -> Output {
        Output {
            json: true,
            captured: Some(RefCell::new(Vec::new())),
        }
    }

    /// The documents captured: one as it is, several as an array, none as
    /// `null`. Each is valid JSON, so the result is too.
    pub fn into_json(self) -> String {
        let docs = self.captured.map(RefCell::into_inner).unwrap_or_default();
        match docs.len() {
            0 => "null".to_owned(),
            1 => docs.concat(),
            _ => format!("[\n  {}\n]", indent(&docs.join(",\n"))),
        }
    }

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
            table.add_row(row.iter().map(|cell| glue(cell)).collect::<Vec<_>>());
        }
        emit(table);
    }

    /// A value as pretty JSON (JSON mode only).
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result {
        if self.json {
            self.document(value)?;
        }
        Ok(())
    }

    /// A document already written as JSON (the tour's, whose sections keep
    /// their order).
    pub fn raw(&self, text: String) {
        match &self.captured {
            Some(docs) => docs.borrow_mut().push(text),
            None => emit(text),
        }
    }

    /// A value as pretty JSON in either mode (`--print-policy`: a policy is
    /// a file to edit, never a table).
    pub fn document<T: Serialize + ?Sized>(&self, value: &T) -> Result {
        let text = serde_json::to_string_pretty(value)?;
        match &self.captured {
            Some(docs) => docs.borrow_mut().push(text),
            None => emit(text),
        }
        Ok(())
    }
}

/// `text` with every line after the first indented two spaces, to nest a
/// pretty JSON document inside another.
pub fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

/// `cell` with the space between a currency code and its amount made
/// non-breaking (`CNY 273.97`), so a narrow column never wraps the two
/// apart: the table wraps at spaces only.
pub fn glue(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    let mut glued = String::with_capacity(cell.len());
    for (i, &c) in chars.iter().enumerate() {
        let code = i >= 3
            && chars[i - 3..i].iter().all(char::is_ascii_uppercase)
            && (i == 3 || !chars[i - 4].is_alphanumeric());
        let amount = chars
            .get(i + 1)
            .is_some_and(|&next| next.is_ascii_digit() || next == '-');
        glued.push(if c == ' ' && code && amount {
            '\u{a0}'
        } else {
            c
        });
    }
    glued
}
