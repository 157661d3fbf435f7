//! Failures of guarded calls, built from the trap that ended them: the check table names a
//! failed check's kind, location and message; a signal or a timeout is located at the function
//! it happened in. The failure data itself ([`Failure`]) lives in `tensorlang-checks`, where the
//! repair engine reads it.

use crate::guard::Trap;
use crate::jit::Jit;
use crate::program::FunctionInfo;
use tensorlang_checks::CheckTable;
pub use tensorlang_checks::failure::{ArgumentRecord, Failure, FailureKind, FailureReport};

fn signal_kind(signal: i32) -> (FailureKind, &'static str) {
    match signal {
        libc::SIGSEGV => (
            FailureKind::Segfault,
            "segmentation fault (invalid memory access)",
        ),
        libc::SIGBUS => (
            FailureKind::BusError,
            "bus error (misaligned or unmapped memory)",
        ),
        libc::SIGFPE => (
            FailureKind::FloatingPoint,
            "arithmetic exception (integer division by zero or overflow)",
        ),
        libc::SIGILL => (
            FailureKind::IllegalInstruction,
            "illegal instruction (a trap or unreachable code)",
        ),
        _ => (FailureKind::Signal, "fatal signal"),
    }
}

/// Describes `trap`, which ended a call of `entry`, from the check table and the program's
/// functions.
pub fn from_trap(
    trap: &Trap,
    entry: &str,
    jit: &Jit,
    functions: &[FunctionInfo],
    timeout_ms: u64,
) -> Failure {
    let pc = match trap {
        Trap::CheckFailed { pc, .. } | Trap::Signal { pc, .. } | Trap::Timeout { pc } => *pc,
    };
    let function = jit.locate(pc).unwrap_or_else(|| entry.to_string());
    let function_location = functions
        .iter()
        .find(|f| f.name == function)
        .map_or_else(|| "loc(unknown)".to_string(), |f| f.location.clone());
    let (kind, location, message) = match trap {
        Trap::CheckFailed { id, table, .. } => {
            let entry = CheckTable::decode(table)
                .ok()
                .and_then(|t| u64::try_from(*id).ok().and_then(|id| t.get(id).cloned()));
            match entry {
                Some(e) => (FailureKind::Check(e.kind), e.location, e.message),
                None => (
                    FailureKind::ASSERT,
                    function_location,
                    format!("run-time check {id} failed (no check table entry for it)"),
                ),
            }
        }
        Trap::Signal {
            signal, address, ..
        } => {
            let (kind, what) = signal_kind(*signal);
            let message = if *signal == libc::SIGSEGV || *signal == libc::SIGBUS {
                format!("{what} at address {address:#x}")
            } else {
                what.to_string()
            };
            (kind, function_location, message)
        }
        Trap::Timeout { .. } => (
            FailureKind::Timeout,
            function_location,
            format!("time limit of {timeout_ms} ms exceeded"),
        ),
    };
    Failure {
        function,
        entry: entry.to_string(),
        kind,
        location,
        message,
        arguments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_have_kinds_users_can_match_on() {
        assert_eq!(signal_kind(libc::SIGSEGV).0.name(), "segfault");
        assert_eq!(signal_kind(libc::SIGFPE).0.name(), "floating-point");
        assert_eq!(signal_kind(libc::SIGILL).0.name(), "illegal-instruction");
        assert_eq!(signal_kind(libc::SIGBUS).0.name(), "bus-error");
        assert_eq!(signal_kind(libc::SIGABRT).0, FailureKind::Signal);
    }
}
