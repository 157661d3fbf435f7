//! Structured failures of guarded calls: what failed, where, why, and with which inputs; printed
//! as MLIR-style diagnostics and written as JSON (`--failure-report`). The JIT builds them from a
//! trap; the repair engine reads them. Both use them from here.

use serde::{Deserialize, Serialize};
use std::fmt;

pub mod bundle;
mod kind;
pub use bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, BundleError, Reproduction};
pub use kind::FailureKind;

/// One argument of the failing call, and the memory it points to when it is a buffer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArgumentRecord {
    /// Its MLIR type, e.g. `f32` or `memref<4xf32>`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Its value: a number, or for a buffer the elements it held when the call failed.
    pub value: serde_json::Value,
}

/// A call into JIT code that did not return normally.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failure {
    /// The function the failure happened in (the entry point when it cannot be told).
    pub function: String,
    /// The function the runtime called.
    pub entry: String,
    /// What failed: a check kind (`assert`, `bounds`, `div-by-zero`, ...), `segfault`,
    /// `bus-error`, `floating-point`, `illegal-instruction`, `signal` or `timeout`.
    pub kind: FailureKind,
    /// `file:line:col` of the failing op (checks) or of the function (faults).
    pub location: String,
    /// What went wrong, in words.
    pub message: String,
    /// The arguments of the failing call.
    #[serde(default)]
    pub arguments: Vec<ArgumentRecord>,
}

impl fmt::Display for Failure {
    /// `file:line:col: error: message`, then a note naming the function.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.location, self.message)?;
        write!(
            f,
            "\n{}: note: in function '{}' called as '{}'",
            self.location, self.function, self.entry
        )
    }
}

/// Everything a run reported, as `--failure-report` writes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FailureReport {
    /// [`BUNDLE_FORMAT`] for a bundle (see [`bundle`]); empty in a plain report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub format: String,
    /// The bundle's layout version; 0 in a plain report.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u32,
    /// The input file.
    pub file: String,
    /// The failures, in order.
    pub failures: Vec<Failure>,
    /// What it takes to run the program again (a bundle's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduction: Option<Reproduction>,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

impl FailureReport {
    /// Reads a report written by [`Self::write`].
    pub fn read(path: &std::path::Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(|error| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not a failure report: {error}"),
            )
        })
    }

    /// Writes the report as pretty JSON.
    pub fn write(&self, path: &std::path::Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_prints_as_a_located_diagnostic_with_a_note() {
        let failure = Failure {
            function: "step".into(),
            entry: "main".into(),
            kind: FailureKind::Check(crate::CheckKind::DivByZero),
            location: "lander.mlir:12:8".into(),
            message: "division by zero in 'arith.divsi'".into(),
            arguments: vec![],
        };
        assert_eq!(
            failure.to_string(),
            "lander.mlir:12:8: error: division by zero in 'arith.divsi'\n\
             lander.mlir:12:8: note: in function 'step' called as 'main'"
        );
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json["kind"], "div-by-zero");
        assert_eq!(json["location"], "lander.mlir:12:8");
    }
}
