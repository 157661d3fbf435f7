//! Loop steps: `scf.for` and `scf.parallel` require a positive step, and integer range analysis
//! relies on it (it takes a loop's index to lie in `[lb, ub - 1]`), as does loop versioning. A
//! step computed at run time can be zero or negative, and a positive step can carry the index past
//! the largest value of its type, after which it wraps to a negative one that is still below the
//! upper bound. Either way the index leaves `[lb, ub - 1]` and the checks removed on the strength
//! of that range are missing. So before every loop whose step is not a known positive constant
//! that keeps the index in range, a check: the loop runs no iteration, or its step is positive
//! and `ub - 1 + step` (computed exactly, in `i128`) still fits the index type.
//!
//! ```mlir
//! // before
//! scf.for %i = %lb to %ub step %s { ... }
//! // after
//! %empty = arith.cmpi sge, %lb, %ub : index
//! %positive = arith.cmpi sgt, %s, %c0 : index
//! %next = ... (%ub - 1 + %s in i128)
//! %fits = arith.cmpi sle, %next, %c9223372036854775807_i128 : i128
//! ...
//! cf.assert %ok, "loop step is not positive or the loop index would wrap around" {tensorlang.check = "bounds"}
//! scf.for %i = %lb to %ub step %s { ... }
//! ```
//!
//! Range analysis folds the check away for constant steps on `index` loops (the usual case).
//! Loops with `unsignedCmp` compare their bounds unsigned and are left as they are (range
//! analysis does not narrow their index).

use super::wide::{Guard, operand};
use crate::{OpExt, ops_where};
use melior::dialect::arith::CmpiPredicate;
use melior::ir::operation::OperationLike;
use melior::ir::r#type::IntegerType;
use melior::ir::{OperationRef, TypeLike, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang_checks::CheckKind;

/// The message of a failed loop check.
pub(super) const MESSAGE: &str = "loop step is not positive or the loop index would wrap around";

/// Inserts the step check before every `scf.for` and `scf.parallel` in `module`.
pub(super) fn guard_steps<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
) {
    for op in ops_where(module, |name| name == "scf.for" || name == "scf.parallel") {
        if op.has_attribute("unsignedCmp") {
            continue;
        }
        let dims = if op.op_name() == "scf.for" {
            vec![(operand(op, 0), operand(op, 1), operand(op, 2))]
        } else {
            // lower bounds, upper bounds, steps, then the init values.
            let rank = super::wide::segment(op, 0).len();
            let (lbs, ubs, steps) = (
                super::wide::segment(op, 0),
                super::wide::segment(op, 1),
                super::wide::segment(op, 2),
            );
            (0..rank).map(|d| (lbs[d], ubs[d], steps[d])).collect()
        };
        let Some(max) = signed_max(dims[0].0.r#type()) else {
            continue; // wider than 64 bits: not narrowed by this pass's reasoning
        };
        let guard = Guard::before(context, rewriter, op);
        let max = guard.wide(max);
        let one = guard.wide(1);
        let zero = guard.wide(0);
        let (mut empties, mut each) = (Vec::new(), Vec::new());
        for (lb, ub, step) in dims {
            let (lb, ub, step) = (guard.widen(lb), guard.widen(ub), guard.widen(step));
            let empty = guard.cmp(CmpiPredicate::Sge, lb, ub);
            let positive = guard.cmp(CmpiPredicate::Sgt, step, zero);
            let last = guard.sub(ub, one);
            let next = guard.add(last, step);
            let fits = guard.cmp(CmpiPredicate::Sle, next, max);
            empties.push(empty);
            each.push(guard.and(positive, fits));
        }
        // A parallel loop runs no iteration when one of its dimensions is empty.
        let empty = guard.any(empties);
        let runs_well = guard.all(each);
        let ok = guard.or(empty, runs_well);
        guard.assert(ok, CheckKind::Bounds, MESSAGE);
    }
}

/// The largest value of an `index` (64 bits) or integer type of at most 64 bits.
fn signed_max(r#type: melior::ir::Type) -> Option<i128> {
    let width = if r#type.is_index() {
        64
    } else {
        IntegerType::try_from(r#type).ok()?.width()
    };
    (1..=64)
        .contains(&width)
        .then(|| (1i128 << (width - 1)) - 1)
}
