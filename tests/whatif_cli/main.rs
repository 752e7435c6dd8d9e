//! End to end: the `whatif` example run as a user runs it (std::process),
//! for every README command, every bad input of issue 17, the `--json`
//! envelope and its money scale.
//!
//! Cargo gives tests no path to an example binary, so the first test to
//! need it builds it (`cargo build --example whatif`, a no-op when it is
//! up to date) into this test's own target directory; a fresh clone's
//! `cargo test` works the same.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub use serde_json::Value;

mod bad_inputs;
mod json;
mod pictures;
mod readme;
mod replay;

/// The built `whatif` example.
pub fn whatif() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/whatif_cli-HASH -> target/<profile>
        let exe = std::env::current_exe().expect("the test's own path");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("a target/<profile>/deps directory")
            .to_path_buf();
        let target_dir = profile_dir.parent().expect("a target directory");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--example", "whatif", "--manifest-path"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example whatif failed");
        let binary = profile_dir
            .join("examples")
            .join(format!("whatif{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "{} was not built", binary.display());
        binary
    })
}

/// What a run printed, and its exit status.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    let output = Command::new(whatif())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("whatif runs");
    Run {
        status: output.status.code().expect("an exit status, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs `args` and checks exit 0 and every `figure` in stdout.
pub fn answers(args: &[&str], figures: &[&str]) -> Run {
    let r = run(args);
    assert_eq!(r.status, 0, "{args:?} exited {}: {}", r.status, r.stderr);
    for figure in figures {
        assert!(
            r.stdout.contains(figure),
            "{args:?} does not show {figure:?}:\n{}",
            r.stdout
        );
    }
    r
}

/// Runs `args` and checks the exit status and that stderr says `message`.
pub fn refuses(args: &[&str], status: i32, message: &str) {
    let r = run(args);
    assert_eq!(r.status, status, "{args:?}: {}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(message),
        "{args:?} does not say {message:?}:\n{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{args:?} panicked");
}

/// Runs `args` with `--json` and returns the parsed envelope.
pub fn json(args: &[&str]) -> (i32, Value) {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let r = run(&with_json);
    let doc: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{with_json:?} printed no JSON ({e}):\n{}", r.stdout));
    assert_eq!(doc["version"], 1, "{with_json:?}: no version 1");
    (r.status, doc)
}
