//! Allocation sizes: `memref.alloc` and `memref.alloca` (and `tensor.empty`, which bufferizes to
//! `memref.alloc`) allocate the product of their sizes times the element's bytes, computed by the
//! LLVM lowering in 64-bit arithmetic that wraps. A negative size, or sizes whose byte count does
//! not fit, allocate a few bytes while every access is checked against the sizes asked for. So
//! before each allocation: every size is at least zero and the byte count, computed exactly
//! (`i128`, clamped), is at most `2^62` bytes, which leaves room for the lowering's alignment
//! padding. For a static shape that is too large the check folds to `false`, and the pass warns
//! that it always fails.
//!
//! ```mlir
//! // before
//! %m = memref.alloc(%n) : memref<?x4xf32>
//! // after
//! %c0 = arith.constant 0 : index
//! %0 = arith.cmpi sge, %n, %c0 : index
//! %1 = arith.index_cast %n : index to i128
//! ... (%1 * 4 * 4 bytes, clamped)
//! %4 = arith.cmpi sle, %3, %c4611686018427387904_i128 : i128
//! %5 = arith.andi %0, %4 : i1
//! cf.assert %5, "allocation size is negative or too large" {tensorlang.check = "shape"}
//! %m = memref.alloc(%n) : memref<?x4xf32>
//! ```

use super::wide::{Guard, segment, types};
use crate::ops_where;
use melior::dialect::arith::CmpiPredicate;
use melior::ir::{OperationRef, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang_checks::CheckKind;

/// The most bytes an allocation may ask for.
pub(super) const MOST_BYTES: i128 = 1 << 62;

/// The message of a failed allocation check.
pub(super) const MESSAGE: &str = "allocation size is negative or too large";

/// Inserts the size check before every `memref.alloc` and `memref.alloca` in `module`.
pub(super) fn guard_allocations<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
) {
    for op in ops_where(module, |name| {
        name == "memref.alloc" || name == "memref.alloca"
    }) {
        let r#type = op.result(0).expect("an allocation has a result").r#type();
        let Some(bytes) = types::element_bytes(types::element(r#type)) else {
            continue; // an element type whose size the lowering decides: not checked
        };
        let guard = Guard::before(context, rewriter, op);
        let mut dynamic = segment(op, 0).into_iter();
        let sizes: Vec<_> = (0..types::rank(r#type))
            .map(|dim| match types::static_size(r#type, dim) {
                Some(size) => guard.index(size),
                None => dynamic.next().expect("one operand per dynamic size"),
            })
            .collect();
        let non_negative = guard.non_negative(&sizes);
        let mut factors: Vec<_> = sizes.iter().map(|size| guard.widen(*size)).collect();
        factors.push(guard.wide(i128::from(bytes)));
        let total = guard.product(&factors);
        let most = guard.wide(MOST_BYTES);
        let fits = guard.cmp(CmpiPredicate::Sle, total, most);
        let ok = guard.and(non_negative, fits);
        guard.assert(ok, CheckKind::Shape, MESSAGE);
    }
}
