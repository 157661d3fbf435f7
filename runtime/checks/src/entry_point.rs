//! `__tensorlang_assert_fail`, for runners without a crash guard (e.g. upstream `mlir-runner`).

use crate::CheckTable;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::io::Write;

/// Reports the failed check `id` of `table` (a NUL-terminated [`CheckTable`] text) on stderr as
/// `file:line:col: error: message` and exits the process with status 1, after stdout is flushed
/// so that what the program printed before the failure is kept.
///
/// # Safety
///
/// `table` must be null or point at a NUL-terminated string (the module's `@__tensorlang_checks`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __tensorlang_assert_fail(id: i64, table: *const c_char) {
    let text = if table.is_null() {
        None
    } else {
        // SAFETY: the caller passes the module's NUL-terminated table.
        Some(
            unsafe { CStr::from_ptr(table) }
                .to_string_lossy()
                .into_owned(),
        )
    };
    let line = describe(id, text.as_deref());
    fail(&line);
}

unsafe extern "C" {
    /// C's `fflush`; with a null stream it flushes every open output stream.
    fn fflush(stream: *mut c_void) -> c_int;
}

/// Prints `line` to stderr (after flushing stdout and C's stdio, where the program's own output
/// waits) and exits with status 1.
pub fn fail(line: &str) -> ! {
    let _ = std::io::stdout().flush();
    // SAFETY: fflush(NULL) only flushes C's open streams; C++ streams are synced with them.
    unsafe { fflush(std::ptr::null_mut()) };
    let _ = writeln!(std::io::stderr(), "{line}");
    std::process::exit(1)
}

/// The diagnostic for check `id` of `table`, or a plain one when the table cannot tell.
fn describe(id: i64, table: Option<&str>) -> String {
    let entry = table
        .map(CheckTable::decode)
        .and_then(Result::ok)
        .and_then(|table| u64::try_from(id).ok().and_then(|id| table.get(id).cloned()));
    match entry {
        Some(entry) => entry.to_string(),
        None => format!("error: run-time check {id} failed (no check table entry for it)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CheckKind;

    #[test]
    fn a_failure_is_described_from_the_table() {
        let mut table = CheckTable::new();
        table.add(
            CheckKind::DivByZero,
            "d.mlir:4:10",
            "division by zero in 'arith.divsi'",
        );
        let text = table.encode();
        assert_eq!(
            describe(0, Some(&text)),
            "d.mlir:4:10: error: division by zero in 'arith.divsi'"
        );
        assert_eq!(
            describe(5, Some(&text)),
            "error: run-time check 5 failed (no check table entry for it)"
        );
        assert!(describe(0, None).contains("check 0 failed"));
    }
}
