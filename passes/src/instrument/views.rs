//! Views: `memref.subview`, `memref.view` and `memref.reinterpret_cast` make a new descriptor
//! (offset, sizes, strides) over their source's buffer, and every later access is checked only
//! against the new sizes. Upstream's run-time check of a subview computes
//! `offset + (size - 1) * stride` in `index` arithmetic, which wraps: a huge size passes it, and
//! so does every access through the view. This module checks each view exactly (`i128`):
//!
//! - `memref.subview`: per dimension `d`, `size_d >= 0`, and when `size_d > 0` both
//!   `offset_d` and `offset_d + (size_d - 1) * stride_d` lie in `[0, dim_d)` (the lowest and the
//!   highest index, whatever the stride's sign);
//! - `memref.view`: the byte shift and the sizes are at least zero and
//!   `shift + product(sizes) * element bytes` is at most the source's bytes;
//! - `memref.reinterpret_cast` (ranked source): the elements the result reaches,
//!   `offset + sum of min/max(0, (size_d - 1) * stride_d)`, lie within those its source reaches
//!   (or the result is empty), and its sizes are at least zero;
//! - `memref.cast` from a strided layout to the identity layout: the source is row-major
//!   contiguous (`stride_d == product(sizes after d)` for each dimension of size other than 1,
//!   unless it is empty). Upstream checks only the strides the identity layout makes static (the
//!   innermost one, 1) and the offset; the outer strides of `memref<?x?xf32>` are dynamic, so an
//!   overlapping view (strides `[0, 1]`) passed as contiguous, and `memref.reshape` of it, which
//!   trusts the identity layout, reached past its buffer.
//!
//! ```mlir
//! // before
//! %s = memref.subview %m[%o] [%n] [%t] : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
//! // after
//! %0 = arith.index_cast %o : index to i128
//! ... (%o + (%n - 1) * %t in i128, both ends in [0, 8))
//! cf.assert %9, "subview size is negative or runs out-of-bounds along dimension 0" {tensorlang.check = "bounds"}
//! %s = memref.subview %m[%o] [%n] [%t] : ...
//! ```

use super::wide::{Guard, mixed, operand, result, segment, types};
use crate::{OpExt, ops_where};
use melior::dialect::arith::CmpiPredicate;
use melior::ir::operation::OperationLike;
use melior::ir::r#type::TypeLike;
use melior::ir::{OperationRef, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang_checks::CheckKind;

/// The message of a failed `memref.view` check.
pub(super) const VIEW_MESSAGE: &str = "view is negative or runs outside its source buffer";

/// The message of a failed check of a cast to the identity layout.
pub(super) const IDENTITY_CAST_MESSAGE: &str =
    "cast to the identity layout of a memref that is not contiguous";

/// The message of a failed `memref.reinterpret_cast` check.
pub(super) const REINTERPRET_MESSAGE: &str =
    "reinterpret_cast result is negative or reaches outside its source";

/// Inserts the extent checks of every view op in `module`.
pub(super) fn guard_views<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
) {
    let names = [
        "memref.subview",
        "memref.view",
        "memref.reinterpret_cast",
        "memref.cast",
    ];
    for op in ops_where(module, |name| names.contains(&name)) {
        match op.op_name().as_str() {
            "memref.subview" => subview(context, rewriter, op),
            "memref.view" => view(context, rewriter, op),
            "memref.cast" => identity_cast(context, rewriter, op),
            _ => reinterpret_cast(context, rewriter, op),
        }
    }
}

fn subview<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    let guard = Guard::before(context, rewriter, op);
    let offsets = mixed(&guard, op, "static_offsets", &segment(op, 1));
    let sizes = mixed(&guard, op, "static_sizes", &segment(op, 2));
    let strides = mixed(&guard, op, "static_strides", &segment(op, 3));
    let (zero, one) = (guard.wide(0), guard.wide(1));
    for dim in 0..offsets.len() {
        let extent = guard.widen(guard.dim(source, dim));
        let offset = guard.widen(offsets[dim]);
        let size = guard.widen(sizes[dim]);
        let stride = guard.widen(strides[dim]);
        let last = guard.sub(size, one);
        let reach = guard.mul(last, stride);
        let end = guard.add(offset, reach);
        let inside = |value| {
            let low = guard.cmp(CmpiPredicate::Sge, value, zero);
            let high = guard.cmp(CmpiPredicate::Slt, value, extent);
            guard.and(low, high)
        };
        let ends = guard.and(inside(offset), inside(end));
        let empty = guard.cmp(CmpiPredicate::Eq, size, zero);
        let positive = guard.cmp(CmpiPredicate::Sgt, size, zero);
        let full = guard.and(positive, ends);
        let ok = guard.or(empty, full);
        guard.assert(
            ok,
            CheckKind::Bounds,
            &format!("subview size is negative or runs out-of-bounds along dimension {dim}"),
        );
    }
}

fn view<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let r#type = op.result(0).expect("a view has a result").r#type();
    let Some(bytes) = types::element_bytes(types::element(r#type)) else {
        return; // an element type whose size the lowering decides: not checked
    };
    let guard = Guard::before(context, rewriter, op);
    let source = operand(op, 0);
    let shift = operand(op, 1);
    let mut dynamic = (2..op.operand_count()).map(|i| operand(op, i));
    let sizes: Vec<_> = (0..types::rank(r#type))
        .map(|dim| match types::static_size(r#type, dim) {
            Some(size) => guard.index(size),
            None => dynamic.next().expect("one operand per dynamic size"),
        })
        .collect();
    let mut non_negative = sizes.clone();
    non_negative.push(shift);
    let non_negative = guard.non_negative(&non_negative);
    let mut factors: Vec<_> = sizes.iter().map(|size| guard.widen(*size)).collect();
    factors.push(guard.wide(i128::from(bytes)));
    let total = guard.product(&factors);
    let shift = guard.widen(shift);
    let end = guard.add(shift, total);
    let available = guard.widen(guard.dim(source, 0));
    let fits = guard.cmp(CmpiPredicate::Sle, end, available);
    let ok = guard.and(non_negative, fits);
    guard.assert(ok, CheckKind::Bounds, VIEW_MESSAGE);
}

fn reinterpret_cast<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    if !types::is_ranked_memref(source.r#type()) {
        return; // an unranked source's layout cannot be read: see docs/instrumentation.md
    }
    let view = result(op, 0);
    let guard = Guard::after(context, rewriter, op);
    let outer = guard.layout(source, types::rank(source.r#type()));
    let inner = guard.layout(view, types::rank(view.r#type()));
    let non_negative = guard.non_negative(&inner.sizes);
    let (outer, inner) = (guard.extent(&outer), guard.extent(&inner));
    let within = guard.within(&inner, &outer);
    let ok = guard.and(non_negative, within);
    guard.assert(ok, CheckKind::Bounds, REINTERPRET_MESSAGE);
}

/// Whether `r#type` is a ranked memref with the identity layout.
fn identity_layout(r#type: melior::ir::Type) -> bool {
    if !types::is_ranked_memref(r#type) {
        return false;
    }
    // SAFETY: `r#type` is a ranked memref type; its layout is an attribute of the context.
    unsafe {
        let layout = mlir_sys::mlirMemRefTypeGetLayout(r#type.to_raw());
        mlir_sys::mlirAttributeIsAAffineMap(layout)
            && mlir_sys::mlirAffineMapIsIdentity(mlir_sys::mlirAffineMapAttrGetValue(layout))
    }
}

fn identity_cast<'c>(context: &'c Context, rewriter: &IrRewriter<'c>, op: OperationRef<'c, '_>) {
    let source = operand(op, 0);
    let target = result(op, 0);
    let rank = match types::is_ranked_memref(source.r#type()) {
        true => types::rank(source.r#type()),
        false => return,
    };
    // From an identity layout the strides are the canonical ones already.
    if rank < 2 || identity_layout(source.r#type()) || !identity_layout(target.r#type()) {
        return;
    }
    let guard = Guard::before(context, rewriter, op);
    let layout = guard.layout(source, rank);
    let (zero, one) = (guard.wide(0), guard.wide(1));
    let mut expected = one;
    let mut each = Vec::new();
    let mut empty = Vec::new();
    for dim in (0..rank).rev() {
        let size = guard.widen(layout.sizes[dim]);
        let stride = guard.widen(layout.strides[dim]);
        empty.push(guard.cmp(CmpiPredicate::Sle, size, zero));
        let unit = guard.cmp(CmpiPredicate::Eq, size, one);
        let agrees = guard.cmp(CmpiPredicate::Eq, stride, expected);
        each.push(guard.or(unit, agrees));
        let next = guard.clamp(guard.mul(expected, size));
        expected = guard.select(unit, expected, next);
    }
    let contiguous = guard.all(each);
    let empty = guard.any(empty);
    let ok = guard.or(empty, contiguous);
    guard.assert(ok, CheckKind::Shape, IDENTITY_CAST_MESSAGE);
}
