//! Runs a candidate program in a separate process, so that untrusted code that slipped past the
//! static checks cannot harm the process that asked for the repair.
//!
//! The child is `tensorlang-run` (same checks, same guard) with a time limit; its failure report
//! says which checks failed and where, and its output is kept for comparison with the original.
//! It is started as `tensorlang-isolate` starts a command ([`tensorlang_isolate::command`]): it
//! dies with the process that started it (`SIGKILL` included), and is killed at its deadline.
//! What it is asked and how its report reads are this module's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tensorlang_isolate::command::Supervised;

/// How a sandboxed run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every call returned and no check failed.
    Passed {
        /// What the program printed.
        stdout: String,
    },
    /// Checks failed or the program faulted; the guard caught it.
    Failed {
        /// `file:line:col: message` of each failure, in order.
        failures: Vec<String>,
        /// What the program printed before and after.
        stdout: String,
    },
    /// The program did not compile or the runner stopped without a report.
    Broken {
        /// The runner's error output.
        stderr: String,
    },
    /// The whole run took longer than allowed.
    TimedOut,
}

/// Why the sandbox could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The runner could not be started or its files written.
    #[error("sandbox: {what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// A configured runner for candidate programs.
#[derive(Debug, Clone)]
pub struct Sandbox {
    runner: PathBuf,
    entry: String,
    shared_libs: Vec<String>,
    timeout: Duration,
    dir: PathBuf,
    /// The entry point's result type (`void`, `i32`, ...).
    entry_result: String,
}

static RUNS: AtomicU64 = AtomicU64::new(0);

impl Sandbox {
    /// Runs `entry` (a void function) of candidate programs, with these runtime libraries, each
    /// for at most `timeout`; scratch files go to `dir`.
    pub fn new(entry: &str, shared_libs: &[String], timeout: Duration, dir: &Path) -> Self {
        Self {
            runner: tensorlang::runner_path(),
            entry: entry.to_owned(),
            shared_libs: shared_libs.to_vec(),
            timeout,
            dir: dir.to_owned(),
            entry_result: "void".into(),
        }
    }

    /// The entry point returns `result` (`i32`, `i64`, `f32`) instead of nothing, as a failure
    /// bundle may say.
    pub fn with_entry_result(mut self, result: &str) -> Self {
        self.entry_result = result.to_owned();
        self
    }

    /// The `tensorlang-run` executable used.
    pub fn runner(&self) -> &Path {
        &self.runner
    }

    /// Runs the program `source`.
    ///
    /// # Errors
    /// [`SandboxError`] when the runner cannot be started; a program that fails is an
    /// [`Outcome`], not an error.
    pub fn run(&self, source: &str) -> Result<Outcome, SandboxError> {
        self.run_entry(source, &self.entry, &self.entry_result)
    }

    /// Runs the program `source`, in which `function` is a candidate: it runs contained
    /// (`tensorlang-run --contain`), allowed what `function` of `original` (the program as the
    /// user wrote it) writes and calls.
    ///
    /// # Errors
    /// As [`Sandbox::run`].
    pub fn run_contained(
        &self,
        source: &str,
        function: &str,
        original: &str,
    ) -> Result<Outcome, SandboxError> {
        self.run_with(
            source,
            &self.entry,
            &self.entry_result,
            Some((function, original)),
        )
    }

    /// Runs `entry` (returning `result`: `void`, `i32`, ...) of the program `source`, instead of
    /// the sandbox's own entry point.
    ///
    /// # Errors
    /// As [`Sandbox::run`].
    pub fn run_entry(
        &self,
        source: &str,
        entry: &str,
        result: &str,
    ) -> Result<Outcome, SandboxError> {
        self.run_with(source, entry, result, None)
    }

    fn run_with(
        &self,
        source: &str,
        entry: &str,
        result: &str,
        contained: Option<(&str, &str)>,
    ) -> Result<Outcome, SandboxError> {
        let io = |what: String| move |source| SandboxError::Io { what, source };
        std::fs::create_dir_all(&self.dir)
            .map_err(io(format!("creating {}", self.dir.display())))?;
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let stem = self
            .dir
            .join(format!("candidate-{}-{run}", std::process::id()));
        let program = stem.with_extension("mlir");
        let report = stem.with_extension("json");
        std::fs::write(&program, source).map_err(io(format!("writing {}", program.display())))?;
        let mut command = Command::new(&self.runner);
        command
            .arg(&program)
            .args(["-e", entry, "--no-cache"])
            .arg(format!("--entry-point-result={result}"))
            // The candidate is what is verified: a failure must end the run, not be healed
            // (self-healing is on by default for TensorLang).
            .arg("--no-self-heal")
            // Only the failures matter here: no call is routed through the argument recorder.
            .arg("--no-record-arguments")
            .arg(format!("--timeout={}ms", self.timeout.as_millis().max(1)))
            .arg(format!("--failure-report={}", report.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !self.shared_libs.is_empty() {
            command.arg(format!("--shared-libs={}", self.shared_libs.join(",")));
        }
        let reference = stem.with_extension("original.mlir");
        if let Some((function, original)) = contained {
            std::fs::write(&reference, original)
                .map_err(io(format!("writing {}", reference.display())))?;
            command
                .arg(format!("--contain={function}"))
                .arg(format!("--contain-reference={}", reference.display()));
        }
        // The runner dies with this process, however it ends (see `tensorlang_isolate::lifetime`).
        let child = Supervised::spawn(&mut command)
            .map_err(io(format!("starting {}", self.runner.display())))?;
        let outcome = self.wait(child, &report);
        let _ = std::fs::remove_file(&program);
        let _ = std::fs::remove_file(&report);
        let _ = std::fs::remove_file(&reference);
        outcome
    }

    /// Waits for the child, killing it past the time limit (compilation included, plus slack).
    fn wait(&self, child: Supervised, report: &Path) -> Result<Outcome, SandboxError> {
        let deadline = Instant::now() + self.timeout * 2 + Duration::from_secs(10);
        let Some(output) = child
            .wait_until(deadline)
            .map_err(|source| SandboxError::Io {
                what: "waiting for the runner".into(),
                source,
            })?
        else {
            return Ok(Outcome::TimedOut);
        };
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let failures = read_report(report);
        Ok(match (output.status.success(), failures) {
            (true, None) => Outcome::Passed { stdout },
            (true, Some(failures)) if failures.is_empty() => Outcome::Passed { stdout },
            (_, Some(failures)) if failures.iter().any(|f| f.contains("timeout")) => {
                Outcome::TimedOut
            }
            (_, Some(failures)) if !failures.is_empty() => Outcome::Failed { failures, stdout },
            _ => Outcome::Broken {
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            },
        })
    }
}

/// The failures of a report, as `location: [kind] message`; `None` without a report.
fn read_report(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let report: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(
        report["failures"]
            .as_array()?
            .iter()
            .map(|failure| {
                format!(
                    "{}: [{}] {}",
                    failure["location"].as_str().unwrap_or("?"),
                    failure["kind"].as_str().unwrap_or("?"),
                    failure["message"].as_str().unwrap_or("?")
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> Option<Sandbox> {
        let dir = std::env::temp_dir().join(format!("tensorlang-sandbox-{}", std::process::id()));
        let sandbox = Sandbox::new("main", &[], Duration::from_secs(5), &dir);
        if sandbox.runner.is_file() {
            Some(sandbox)
        } else {
            eprintln!(
                "SKIPPED: {} not built (cargo build first)",
                sandbox.runner.display()
            );
            None
        }
    }

    const DIVIDE: &str = r#"
func.func @ratio(%a: i32, %b: i32) -> i32 {
  %q = arith.divsi %a, %b : i32
  return %q : i32
}
func.func @main() {
  %c7 = arith.constant 7 : i32
  %d = arith.constant DIVISOR : i32
  %r = call @ratio(%c7, %d) : (i32, i32) -> i32
  return
}
"#;

    #[test]
    fn a_failing_check_is_reported_with_its_location() {
        let Some(sandbox) = sandbox() else { return };
        let outcome = sandbox.run(&DIVIDE.replace("DIVISOR", "0")).unwrap();
        let Outcome::Failed { failures, .. } = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].ends_with(":3:8: [div-by-zero] division by zero in 'arith.divsi'"),
            "{failures:?}"
        );
    }

    #[test]
    fn a_tensorlang_program_is_verified_not_healed() {
        // Self-healing is on by default for TensorLang: the sandbox must turn it off, or the
        // child would repair the candidate's own failure and report a pass.
        let Some(sandbox) = sandbox() else { return };
        let program = r#"
func.func @half(%x: f32) -> f32 {
  %t = tensor.from_elements %x : tensor<1xf32>
  %d = "tensorlang.div"(%t, %t) : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  %c0 = arith.constant 0 : index
  %v = tensor.extract %d[%c0] : tensor<1xf32>
  return %v : f32
}
func.func @main() {
  %two = arith.constant 2.0 : f32
  %h = func.call @half(%two) : (f32) -> f32
  %ok = arith.cmpf oeq, %h, %two : f32
  "tensorlang.assert"(%ok) {message = "half of 2 is 2"} : (i1) -> ()
  return
}
"#;
        let outcome = sandbox.run(program).unwrap();
        assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    }

    #[test]
    fn a_correct_program_passes_and_a_broken_one_is_broken() {
        let Some(sandbox) = sandbox() else { return };
        assert_eq!(
            sandbox.run(&DIVIDE.replace("DIVISOR", "2")).unwrap(),
            Outcome::Passed {
                stdout: String::new()
            }
        );
        let outcome = sandbox
            .run("func.func @main() { %x = arith.addi }")
            .unwrap();
        assert!(matches!(outcome, Outcome::Broken { .. }), "{outcome:?}");
    }

    #[test]
    fn an_endless_loop_times_out() {
        let Some(mut sandbox) = sandbox() else { return };
        sandbox.timeout = Duration::from_millis(200);
        let endless = r#"
func.func @main() {
  %counter = memref.alloca() : memref<1xi32>
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i32
  %forever = arith.constant true
  scf.while : () -> () {
    scf.condition(%forever)
  } do {
    %n = memref.load %counter[%c0] : memref<1xi32>
    %next = arith.addi %n, %one : i32
    memref.store %next, %counter[%c0] : memref<1xi32>
    scf.yield
  }
  return
}
"#;
        assert_eq!(sandbox.run(endless).unwrap(), Outcome::TimedOut);
    }
}
