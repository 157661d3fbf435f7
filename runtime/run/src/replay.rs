//! Failure bundles, from the runner's side: what `--failure-report` adds to the report so that
//! the failure can be reproduced ([`reproduction`]), and `--replay BUNDLE`, which runs the
//! bundled program again in a fresh process (this executable, with the bundle's flags and the
//! program on its standard input, named as it was) and says whether it failed the same way:
//! the same kinds at the same locations, in the same functions, with the same messages.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context as _, Result};
use melior::ir::attribute::StringAttribute;
use melior::ir::operation::OperationLike;
use tensorlang::ir::{op_name, symbol_name, top_level_ops};
use tensorlang_checks::{Failure, FailureReport, Reproduction, TABLE_SYMBOL};
use tensorlang_jit::{Jit, Program};

use crate::cli::Cli;

/// What it takes to run this program again as `cli` ran it.
pub fn reproduction(
    cli: &Cli,
    source: &str,
    filename: &str,
    program: &Program,
    jit: &Jit,
) -> Reproduction {
    Reproduction {
        program: source.to_owned(),
        input_name: filename.to_owned(),
        entry: cli.entry_point.clone(),
        entry_result: cli.entry_point_result.name().into(),
        opt_level: cli.opt_level,
        shared_libs: cli
            .shared_libs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        timeout_ms: cli.timeout.map(|t| t.as_millis() as u64),
        then: cli.then.clone(),
        replaceable: cli.replaceable.clone(),
        no_implicit_module: cli.no_implicit_module,
        seed: None,
        check_table: check_table(program),
        host: jit.host(),
    }
}

/// The instrumented program's check table (`@__tensorlang_checks`), empty without checks.
fn check_table(program: &Program) -> String {
    top_level_ops(program.module().as_operation())
        .iter()
        .find(|op| {
            op_name(op) == "llvm.mlir.global" && symbol_name(op).as_deref() == Some(TABLE_SYMBOL)
        })
        .and_then(|op| op.attribute("value").ok())
        .and_then(|value| StringAttribute::try_from(value).ok())
        .map(|value| value.value().trim_end_matches('\0').to_owned())
        .unwrap_or_default()
}

/// `--replay BUNDLE`: runs the bundled program again in a fresh process; success when it
/// failed the same way.
pub fn replay(bundle: &Path) -> Result<ExitCode> {
    let (recorded, reproduction) = match FailureReport::read_bundle(bundle) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let scratch = tempdir()?;
    let report = scratch.join("replayed.json");
    let mut command = Command::new(std::env::current_exe().context("cannot find tensorlang-run")?);
    command
        .arg("-")
        .arg(format!("--input-name={}", reproduction.input_name))
        .args(["-e", &reproduction.entry])
        .arg(format!("-entry-point-result={}", reproduction.entry_result))
        .arg(format!("--failure-report={}", report.display()));
    if let Some(level) = reproduction.opt_level {
        command.arg(format!("-O{level}"));
    }
    if !reproduction.shared_libs.is_empty() {
        command.arg(format!(
            "-shared-libs={}",
            reproduction.shared_libs.join(",")
        ));
    }
    if let Some(ms) = reproduction.timeout_ms {
        command.arg(format!("--timeout={ms}ms"));
    }
    for (flag, values) in [
        ("--then", &reproduction.then),
        ("--replaceable", &reproduction.replaceable),
    ] {
        if !values.is_empty() {
            command.arg(format!("{flag}={}", values.join(",")));
        }
    }
    if reproduction.no_implicit_module {
        command.arg("--no-implicit-module");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .spawn()
        .context("cannot start a fresh tensorlang-run")?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(reproduction.program.as_bytes())?;
    }
    child.wait()?;
    let replayed = FailureReport::read(&report).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&scratch);
    let same = |a: &Failure, b: &Failure| {
        (&a.kind, &a.location, &a.function, &a.message)
            == (&b.kind, &b.location, &b.function, &b.message)
    };
    let reproduced = !recorded.failures.is_empty()
        && recorded.failures.len() == replayed.failures.len()
        && recorded
            .failures
            .iter()
            .zip(&replayed.failures)
            .all(|(a, b)| same(a, b));
    let place = match recorded.failures.first() {
        Some(first) => format!("{} ({})", first.location, first.kind),
        None => "no failure".into(),
    };
    if reproduced {
        eprintln!(
            "remark: replay: {} failed as recorded: {} failure(s), the first at {place}; recorded on {}",
            reproduction.input_name,
            recorded.failures.len(),
            // The triple and the CPU; the feature list is in the bundle.
            reproduction
                .host
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        );
        Ok(ExitCode::SUCCESS)
    } else {
        let got = replayed.failures.first().map_or_else(
            || "no failure".into(),
            |f| format!("{} ({})", f.location, f.kind),
        );
        eprintln!(
            "{}:1:1: error: replay: the program did not fail as recorded: {} recorded failure(s), the first at {place}; {} now, the first at {got}",
            bundle.display(),
            recorded.failures.len(),
            replayed.failures.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// A fresh scratch directory.
fn tempdir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "tensorlang-replay-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
