//! The one place the lifetimes of MLIR handles are widened.
//!
//! melior ties a handle to the borrow it was reached through: a `Value<'c, 'a>` to the op or
//! block that defines it, an `OperationRef<'c, 'a>` to the block that holds it. A rewrite keeps
//! handles across edits of the IR they live in (it inserts ops before a value's uses, clones
//! ops, fills a block that moves into a region), which the borrow checker cannot see are sound.
//! These functions forget that borrow and nothing else: the handle stays the same.
//!
//! Every use states, in its `SAFETY` comment, why what the handle points to stays alive.

use melior::ir::operation::{OperationLike, OperationRefMut};
use melior::ir::{OperationRef, Value, ValueLike};

/// `value`, no longer tied to the borrow it was reached through.
///
/// # Safety
/// What defines `value` (its op, or the block of a block argument) must stay in the IR, not
/// erased, for as long as the result is used.
pub unsafe fn value<'c, 'b>(value: impl ValueLike<'c>) -> Value<'c, 'b> {
    // SAFETY: the same live value (the caller's contract), under a longer borrow.
    unsafe { Value::from_raw(value.to_raw()) }
}

/// `op`, no longer tied to the borrow it was reached through.
///
/// # Safety
/// `op` must stay in the IR, not erased, for as long as the result is used.
pub unsafe fn operation<'c: 'a, 'a, 'b>(op: &impl OperationLike<'c, 'a>) -> OperationRef<'c, 'b> {
    // SAFETY: the same live op (the caller's contract), under a longer borrow.
    unsafe { OperationRef::from_raw(op.to_raw()) }
}

/// `op`, to change, no longer tied to the borrow it was reached through.
///
/// # Safety
/// As [`operation`], and nothing else may read or change `op` while the result changes it.
pub unsafe fn operation_mut<'c: 'a, 'a, 'b>(
    op: &impl OperationLike<'c, 'a>,
) -> OperationRefMut<'c, 'b> {
    // SAFETY: the same live op (the caller's contract), under a longer, exclusive borrow.
    unsafe { OperationRefMut::from_raw(op.to_raw()) }
}
