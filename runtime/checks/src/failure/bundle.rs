//! Failure bundles: a failure report that also holds what it takes to run the program again
//! ([`Reproduction`]): the program, how it was run (entry point, result type, optimization
//! level, shared libraries, time limit, the calls after it), the check table its
//! instrumentation made, and the machine it failed on. `tensorlang-run --failure-report` writes
//! one; `tensorlang-run --replay` runs it again in a fresh process; `--neuro-repair="report=..."`
//! reads it like any report.
//!
//! The format is versioned ([`BUNDLE_FORMAT`], [`BUNDLE_VERSION`]); a report written before
//! bundles has neither and still reads as a report, but cannot be replayed. A bundle that does not
//! read gets a located error: `bundle.json:3:17: error: ...`.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::FailureReport;

/// The `format` of a bundle.
pub const BUNDLE_FORMAT: &str = "tensorlang-failure-bundle";

/// The version of the bundle layout this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// What it takes to run the failing program again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reproduction {
    /// The program's text, as it was read.
    pub program: String,
    /// The name it was read under (locations in the failures name it).
    pub input_name: String,
    /// The entry point.
    pub entry: String,
    /// Its result type: `void`, `i32`, `i64` or `f32`.
    pub entry_result: String,
    /// `-O`, if given.
    pub opt_level: Option<u8>,
    /// `-shared-libs`, as given.
    pub shared_libs: Vec<String>,
    /// `--timeout`, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// `--then`: void functions called after the entry point.
    pub then: Vec<String>,
    /// `--replaceable`.
    pub replaceable: Vec<String>,
    /// `--no-implicit-module`.
    pub no_implicit_module: bool,
    /// The seed of the run's random numbers; `None`: the run draws none (a program's run is
    /// deterministic given its text and flags).
    pub seed: Option<u64>,
    /// The check table of the instrumented program (`CheckTable::encode`), empty when it has
    /// no checks.
    pub check_table: String,
    /// The machine it failed on (host CPU and features), for the record.
    pub host: String,
}

/// Why a bundle cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file cannot be read.
    #[error("{path}:1:1: error: cannot read the bundle: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not JSON of a report.
    #[error("{path}:{line}:{column}: error: not a failure bundle: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// Where the JSON went wrong.
        line: usize,
        /// Where the JSON went wrong.
        column: usize,
        /// serde's words.
        message: String,
    },
    /// The `format` or `version` is not one this build reads, or it holds no program.
    #[error("{path}:1:1: error: {message}")]
    Unusable {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl FailureReport {
    /// Reads a bundle (a report with a [`Reproduction`]), checking its format and version.
    ///
    /// # Errors
    /// A located [`BundleError`].
    pub fn read_bundle(path: &Path) -> Result<(Self, Reproduction), BundleError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BundleError::Io {
            path: shown.clone(),
            source,
        })?;
        let report: Self = serde_json::from_str(&text).map_err(|error| BundleError::Syntax {
            path: shown.clone(),
            line: error.line().max(1),
            column: error.column().max(1),
            message: without_position(&error.to_string()),
        })?;
        let unusable = |message: String| BundleError::Unusable {
            path: shown.clone(),
            message,
        };
        if report.format != BUNDLE_FORMAT {
            return Err(unusable(if report.format.is_empty() {
                "a failure report without a program (written before bundles, or not by --failure-report): nothing to replay".into()
            } else {
                format!("not a failure bundle: its format is '{}'", report.format)
            }));
        }
        if report.version != BUNDLE_VERSION {
            return Err(unusable(format!(
                "bundle version {} is not one this build reads (version {BUNDLE_VERSION})",
                report.version
            )));
        }
        let reproduction = report
            .reproduction
            .clone()
            .ok_or_else(|| unusable("the bundle holds no program".into()))?;
        Ok((report, reproduction))
    }

    /// This report as a bundle of `reproduction`.
    pub fn into_bundle(mut self, reproduction: Reproduction) -> Self {
        self.format = BUNDLE_FORMAT.into();
        self.version = BUNDLE_VERSION;
        self.reproduction = Some(reproduction);
        self
    }
}

/// serde's message without its ` at line L column C` (the diagnostic says where).
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

impl fmt::Display for Reproduction {
    /// The command line that runs it again.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tensorlang-run {} -e {} -entry-point-result={}",
            self.input_name, self.entry, self.entry_result
        )?;
        if let Some(level) = self.opt_level {
            write!(f, " -O{level}")?;
        }
        if !self.shared_libs.is_empty() {
            write!(f, " -shared-libs={}", self.shared_libs.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> FailureReport {
        FailureReport {
            file: "f.mlir".into(),
            ..FailureReport::default()
        }
        .into_bundle(Reproduction {
            program: "func.func @main() {\n  return\n}\n".into(),
            input_name: "f.mlir".into(),
            entry: "main".into(),
            entry_result: "void".into(),
            opt_level: Some(2),
            shared_libs: vec![],
            timeout_ms: None,
            then: vec![],
            replaceable: vec![],
            no_implicit_module: false,
            seed: None,
            check_table: String::new(),
            host: "x86-64".into(),
        })
    }

    fn read(text: &str) -> Result<(FailureReport, Reproduction), BundleError> {
        let dir = std::env::temp_dir().join(format!("tl-bundle-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("b{}.json", text.len()));
        std::fs::write(&path, text).unwrap();
        let read = FailureReport::read_bundle(&path);
        let _ = std::fs::remove_file(path);
        read
    }

    #[test]
    fn a_bundle_reads_back_and_bad_ones_get_located_errors() {
        let text = serde_json::to_string_pretty(&bundle()).unwrap();
        let (report, reproduction) = read(&text).unwrap();
        assert_eq!(report.file, "f.mlir");
        assert_eq!(reproduction.opt_level, Some(2));
        assert_eq!(
            reproduction.to_string(),
            "tensorlang-run f.mlir -e main -entry-point-result=void -O2"
        );
        let cut = read(&text[..text.len() / 2]).unwrap_err().to_string();
        assert!(
            cut.contains(".json:") && cut.contains(": error: not a failure bundle: EOF"),
            "{cut}"
        );
        let newer = text.replace("\"version\": 1", "\"version\": 2");
        let error = read(&newer).unwrap_err().to_string();
        assert!(
            error
                .ends_with(":1:1: error: bundle version 2 is not one this build reads (version 1)"),
            "{error}"
        );
        let old = read("{\"file\": \"f.mlir\", \"failures\": []}")
            .unwrap_err()
            .to_string();
        assert!(old.contains("written before bundles"), "{old}");
        // A plain report reader takes a bundle too.
        let as_report: FailureReport = serde_json::from_str(&text).unwrap();
        assert!(as_report.failures.is_empty());
    }
}
