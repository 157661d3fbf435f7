//! Reshapes: `memref.collapse_shape`, `memref.expand_shape` and `memref.reshape` (which
//! `tensor.reshape` bufferizes to) give the same elements new sizes and strides. The lowering
//! computes those in wrapping `index` arithmetic and trusts the op's preconditions, which only
//! static shapes let the verifier check: a group collapsed from an overlapping view (a stride of 0
//! through a cast to dynamic strides) or sizes whose product wraps make a descriptor that reaches
//! outside the buffer. So at run time, exactly (`i128`, products clamped):
//!
//! - `memref.collapse_shape`: each group is contiguous, `stride[i] == stride[j] * size[j]` for
//!   each dimension `i` and the next dimension `j` of its group whose size is not 1 (dimensions
//!   of size 1 have no say), unless the source is empty; and the result reaches no element its
//!   source does not; and, for each group of more than one element, the collapsed stride the
//!   lowering computed is the stride of the group's innermost dimension of size other than 1
//!   (the lowering skips only dimensions it knows to be 1: for a dimension whose size is 1 at run
//!   time, it may take that dimension's stride, and the view then reaches other elements of
//!   the buffer than its source's);
//! - `memref.expand_shape`: the sizes of each group are at least zero and multiply to the size
//!   of the source dimension they expand;
//! - `memref.reshape`: the result's sizes are at least zero and multiply to as many elements as
//!   the source has (for unranked memrefs, in a loop over the rank).
//!
//! ```mlir
//! // before
//! %c = memref.collapse_shape %m [[0, 1]] : memref<?x?xf32, strided<[?, ?], offset: ?>> into ...
//! // after
//! %c = memref.collapse_shape %m [[0, 1]] : ...
//! %base, %offset, %sizes:2, %strides:2 = memref.extract_strided_metadata %m : ...
//! ... (%strides#0 == %strides#1 * %sizes#1 in i128, unless %sizes#1 == 1)
//! cf.assert %7, "collapse_shape of a group that is not contiguous" {tensorlang.check = "shape"}
//! ```

use super::wide::{Guard, mixed, operand, result, types};
use crate::{OpExt, ops_where};
use melior::dialect::arith::CmpiPredicate;
use melior::dialect::scf;
use melior::ir::attribute::AttributeLike;
use melior::ir::block::BlockLike;
use melior::ir::operation::{OperationBuilder, OperationLike};
use melior::ir::r#type::IntegerType;
use melior::ir::{Block, OperationRef, Region, RegionLike, Type, Value, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang_checks::CheckKind;

/// The message of a failed contiguity check.
pub(super) const COLLAPSE_MESSAGE: &str = "collapse_shape of a group that is not contiguous";

/// The message of a failed extent check of a collapse.
pub(super) const COLLAPSE_EXTENT_MESSAGE: &str = "collapse_shape result reaches outside its source";

/// The message of a failed check of a collapsed stride.
pub(super) const COLLAPSE_STRIDE_MESSAGE: &str =
    "collapse_shape stride is not that of its group's innermost dimension of size other than 1";

/// The message of a failed `memref.expand_shape` check.
pub(super) const EXPAND_MESSAGE: &str =
    "expand_shape sizes are negative or do not multiply to the source size";

/// The message of a failed `memref.reshape` check.
pub(super) const RESHAPE_MESSAGE: &str =
    "reshape sizes are negative or their element count differs from the source's";

/// Inserts the checks of every reshape in `module`.
pub(super) fn guard_reshapes<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
) {
    let names = [
        "memref.collapse_shape",
        "memref.expand_shape",
        "memref.reshape",
    ];
    for op in ops_where(module, |name| names.contains(&name)) {
        match op.op_name().as_str() {
            "memref.collapse_shape" => collapse(context, rewriter, op),
            "memref.expand_shape" => expand(context, rewriter, op),
            _ => reshape(context, rewriter, op),
        }
    }
}

fn collapse<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    let r#type = source.r#type();
    let guard = Guard::after(context, rewriter, op);
    let layout = guard.layout(source, types::rank(r#type));
    let (one, zero) = (guard.wide(1), guard.wide(0));
    let mut contiguous = Vec::new();
    for group in reassociation(op) {
        // From the innermost dimension out: the stride the next dimension of size other than 1
        // must have, once one has been seen.
        let mut expected: Option<(Value, Value)> = None; // (seen, stride * size)
        for &dim in group.iter().rev() {
            if types::static_size(r#type, dim) == Some(1) {
                continue;
            }
            let size = guard.widen(layout.sizes[dim]);
            let stride = guard.widen(layout.strides[dim]);
            let unit = guard.cmp(CmpiPredicate::Eq, size, one);
            let next = guard.mul(stride, size);
            expected = Some(match expected {
                None => {
                    let seen = guard.cmp(CmpiPredicate::Ne, size, one);
                    (seen, next)
                }
                Some((seen, wanted)) => {
                    let agrees = guard.cmp(CmpiPredicate::Eq, stride, wanted);
                    let unseen = guard.cmp(CmpiPredicate::Eq, seen, guard.truth(false));
                    let fine = guard.any([unit, unseen, agrees]);
                    contiguous.push(fine);
                    let not_unit = guard.cmp(CmpiPredicate::Ne, size, one);
                    let seen = guard.or(seen, not_unit);
                    (seen, guard.select(unit, wanted, next))
                }
            });
        }
    }
    let empty: Vec<_> = layout
        .sizes
        .iter()
        .map(|size| guard.cmp(CmpiPredicate::Sle, guard.widen(*size), zero))
        .collect();
    let empty = guard.any(empty);
    let contiguous = guard.all(contiguous);
    let ok = guard.or(empty, contiguous);
    guard.assert(ok, CheckKind::Shape, COLLAPSE_MESSAGE);

    let collapsed = result(op, 0);
    let inner = guard.layout(collapsed, types::rank(collapsed.r#type()));
    let (outer, inner) = (guard.extent(&layout), guard.extent(&inner));
    let within = guard.within(&inner, &outer);
    guard.assert(within, CheckKind::Bounds, COLLAPSE_EXTENT_MESSAGE);

    let collapsed_layout = guard.layout(collapsed, types::rank(collapsed.r#type()));
    let mut strides = Vec::new();
    for (g, group) in reassociation(op).into_iter().enumerate() {
        let lowered = guard.widen(collapsed_layout.strides[g]);
        let whole = guard.widen(collapsed_layout.sizes[g]);
        // The stride of the innermost dimension of size other than 1 (the lowered one if all
        // are 1, which then has no say).
        let mut wanted = lowered;
        for &dim in &group {
            let size = guard.widen(layout.sizes[dim]);
            let stride = guard.widen(layout.strides[dim]);
            let unit = guard.cmp(CmpiPredicate::Eq, size, one);
            wanted = guard.select(unit, wanted, stride);
        }
        let single = guard.cmp(CmpiPredicate::Sle, whole, one);
        let agrees = guard.cmp(CmpiPredicate::Eq, lowered, wanted);
        strides.push(guard.or(single, agrees));
    }
    let ok = guard.all(strides);
    guard.assert(ok, CheckKind::Shape, COLLAPSE_STRIDE_MESSAGE);
}

fn expand<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    let guard = Guard::before(context, rewriter, op);
    let dynamic: Vec<_> = (1..op.operand_count()).map(|i| operand(op, i)).collect();
    let sizes = mixed(&guard, op, "static_output_shape", &dynamic);
    let mut each = vec![guard.non_negative(&sizes)];
    for (dim, group) in reassociation(op).into_iter().enumerate() {
        let factors: Vec<_> = group.iter().map(|d| guard.widen(sizes[*d])).collect();
        let product = guard.product(&factors);
        let whole = guard.widen(guard.dim(source, dim));
        each.push(guard.cmp(CmpiPredicate::Eq, product, whole));
    }
    let ok = guard.all(each);
    guard.assert(ok, CheckKind::Shape, EXPAND_MESSAGE);
}

fn reshape<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    let reshaped = result(op, 0);
    let guard = Guard::after(context, rewriter, op);
    let (from, _) = count(&guard, rewriter, source);
    let (to, non_negative) = count(&guard, rewriter, reshaped);
    let same = guard.cmp(CmpiPredicate::Eq, from, to);
    let ok = guard.and(non_negative, same);
    guard.assert(ok, CheckKind::Shape, RESHAPE_MESSAGE);
}

/// The element count of `memref` (`i128`, clamped) and whether all its sizes are at least zero.
fn count<'c>(
    guard: &Guard<'c, '_>,
    rewriter: &IrRewriter<'c>,
    memref: Value<'c, 'c>,
) -> (Value<'c, 'c>, Value<'c, 'c>) {
    let r#type = memref.r#type();
    if types::is_ranked_memref(r#type) {
        let sizes: Vec<_> = (0..types::rank(r#type))
            .map(|dim| guard.dim(memref, dim))
            .collect();
        let factors: Vec<_> = sizes.iter().map(|size| guard.widen(*size)).collect();
        return (guard.product(&factors), guard.non_negative(&sizes));
    }
    // Unranked: scf.for %d = 0 to rank iter_args(%count = 1, %non_negative = true).
    let context = guard.context();
    let index = Type::index(context);
    let wide: Type = IntegerType::new(context, 128).into();
    let flag: Type = IntegerType::new(context, 1).into();
    let rank = guard.insert(melior::dialect::memref::rank(memref, guard.location()));
    let (start, step) = (guard.index(0), guard.index(1));
    let (one, yes) = (guard.wide(1), guard.truth(true));
    let location = guard.location();
    let body = Block::new(&[(index, location), (wide, location), (flag, location)]);
    let region = Region::new();
    let body = region.append_block(body);
    let base = rewriter.as_rewriter_base();
    let loop_op = base.insert(
        OperationBuilder::new("scf.for", location)
            .add_operands(&[start, rank, step, one, yes])
            .add_results(&[wide, flag])
            .add_regions([region])
            .build()
            .expect("an scf.for with two iteration values is valid"),
    );
    base.set_insertion_point_to_end(body);
    let arg = |i: usize| -> Value<'c, 'c> {
        // SAFETY: the block is in the loop's region, which lives as long as the IR.
        unsafe { tensorlang::lifetime::value(body.argument(i).expect("three block arguments")) }
    };
    let size = guard.dim_at(memref, arg(0));
    let factor = guard.widen(size);
    let next = guard.mul(arg(1), factor);
    let next = guard.clamp(next);
    let zero = guard.index(0);
    let sign = guard.cmp(CmpiPredicate::Sge, size, zero);
    let still = guard.and(arg(2), sign);
    base.insert(scf::r#yield(&[next, still], location));
    // SAFETY: the loop was inserted into the IR, which outlives the pass run.
    let loop_op = unsafe { tensorlang::lifetime::operation(&loop_op) };
    base.set_insertion_point_after(loop_op);
    (result(loop_op, 0), result(loop_op, 1))
}

/// The reassociation groups of a collapse or an expand: for each dimension of the smaller shape,
/// the dimensions of the larger one it stands for.
fn reassociation(op: OperationRef) -> Vec<Vec<usize>> {
    let Ok(groups) = op.attribute("reassociation") else {
        return Vec::new();
    };
    // SAFETY: array attributes are read element by element within their length.
    unsafe {
        let raw = groups.to_raw();
        (0..mlir_sys::mlirArrayAttrGetNumElements(raw))
            .map(|g| {
                let group = mlir_sys::mlirArrayAttrGetElement(raw, g);
                (0..mlir_sys::mlirArrayAttrGetNumElements(group))
                    .map(|i| {
                        let dim = mlir_sys::mlirArrayAttrGetElement(group, i);
                        mlir_sys::mlirIntegerAttrGetValueInt(dim) as usize
                    })
                    .collect()
            })
            .collect()
    }
}
