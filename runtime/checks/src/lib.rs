//! The run-time checks of an instrumented module.
//!
//! Every check left in a module after instrumentation has an id. The module carries a
//! [`CheckTable`] (a constant string, `@__tensorlang_checks`) from id to kind, location and
//! message, and a failing check calls `__tensorlang_assert_fail(id, table)`. A runner with a crash
//! guard maps that symbol to its guard; anywhere else (e.g. `mlir-runner` loading this crate's
//! `libtensorlang_checks.so`) [`fail`] prints the located diagnostic and exits with status 1.
//!
//! Table format, one check per line after a header (tabs and newlines never occur in fields):
//!
//! ```text
//! tensorlang-checks 1
//! 0<TAB>bounds<TAB>kernel.mlir:7:9<TAB>out-of-bounds access
//! ```

pub mod contain;
mod entry_point;
pub mod failure;
mod table;

pub use entry_point::{__tensorlang_assert_fail, fail};
pub use failure::{ArgumentRecord, Failure, FailureKind, FailureReport, Reproduction};
pub use table::{CheckEntry, CheckKind, CheckTable, TableError};

/// The symbol a failing check calls: `void __tensorlang_assert_fail(i64 id, ptr table)`.
pub const ASSERT_FAIL_SYMBOL: &str = "__tensorlang_assert_fail";

/// The symbol of a module's check table (a NUL-terminated constant string).
pub const TABLE_SYMBOL: &str = "__tensorlang_checks";
