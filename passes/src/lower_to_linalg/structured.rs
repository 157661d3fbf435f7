//! `tensorlang.matmul`, `transpose` and `reduce` to `linalg.matmul`, `linalg.transpose` and
//! `linalg.reduce`.

use crate::builder::Builder;
use crate::tensor_type::{ElementKind, StaticTensor};
use melior::ir::Value;

/// `linalg.matmul` accumulating into a zero-filled result.
pub(super) fn matmul<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    lhs: Value<'c, '_>,
    rhs: Value<'c, '_>,
) -> Value<'c, 'c> {
    let zero = builder.scalar(result.element(), 0.0, 0);
    let init = builder.filled(result, zero);
    builder.structured("linalg.matmul", &[lhs, rhs], init, &[], |block, args| {
        let product = builder.arith(block, ("mulf", "muli"), args[0], args[1]);
        builder.arith(block, ("addf", "addi"), args[2], product)
    })
}

/// `linalg.transpose` with the op's permutation.
pub(super) fn transpose<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    input: Value<'c, '_>,
    permutation: &[i64],
) -> Value<'c, 'c> {
    let init = builder.empty(result.r#type());
    let permutation = builder.attribute(&format!("array<i64: {}>", join(permutation)));
    builder.structured(
        "linalg.transpose",
        &[input],
        init,
        &[("permutation", permutation)],
        |_, args| args[0],
    )
}

/// The ways `tensorlang.reduce` folds an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reduction {
    /// Adds, starting from zero.
    Sum,
    /// Takes the maximum, starting from the lowest value of the type.
    Max,
}

/// `linalg.reduce` over `axis`, starting from the reduction's identity.
pub(super) fn reduce<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    input: Value<'c, '_>,
    kind: Reduction,
    axis: i64,
) -> Value<'c, 'c> {
    let element = result.element();
    let identity = match (kind, ElementKind::of(element)) {
        (Reduction::Sum, _) => builder.scalar(element, 0.0, 0),
        (Reduction::Max, Some(ElementKind::Integer)) => {
            // SAFETY: `element` is an integer type.
            let width = unsafe {
                mlir_sys::mlirIntegerTypeGetWidth(melior::ir::TypeLike::to_raw(&element))
            };
            builder.scalar(
                element,
                0.0,
                if width >= 64 {
                    i64::MIN
                } else {
                    -(1i64 << (width.max(1) - 1))
                },
            )
        }
        (Reduction::Max, _) => builder.scalar(element, f64::NEG_INFINITY, 0),
    };
    let init = builder.filled(result, identity);
    let dimensions = builder.attribute(&format!("array<i64: {axis}>"));
    let ops = match kind {
        Reduction::Sum => ("addf", "addi"),
        Reduction::Max => ("maximumf", "maxsi"),
    };
    builder.structured(
        "linalg.reduce",
        &[input],
        init,
        &[("dimensions", dimensions)],
        |block, args| builder.arith(block, ops, args[0], args[1]),
    )
}

fn join(values: &[i64]) -> String {
    values
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
