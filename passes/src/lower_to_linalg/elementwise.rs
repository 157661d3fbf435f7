//! `tensorlang.add/sub/mul/div` to the named linalg ops; `relu`, the one-operand math ops
//! (`exp`, `log`, `sqrt`, `tanh`, `abs`, `neg`), `compare`, `select` and `broadcast` to
//! `linalg.generic` ops computing them element by element.

use crate::builder::Builder;
use crate::tensor_type::{ElementKind, StaticTensor};
use melior::ir::{Block, Value, ValueLike};

/// The arith ops (float, integer) computing `op_name` on scalars.
pub(super) fn arith_ops(op_name: &str) -> (&'static str, &'static str) {
    match op_name {
        "tensorlang.add" => ("addf", "addi"),
        "tensorlang.sub" => ("subf", "subi"),
        "tensorlang.mul" => ("mulf", "muli"),
        _ => ("divf", "divsi"),
    }
}

/// `tensorlang.add` etc. to `linalg.add` etc. into a fresh `tensor.empty`.
pub(super) fn binary<'c>(
    builder: &Builder<'c, '_>,
    op_name: &str,
    result: &StaticTensor<'c>,
    lhs: Value<'c, '_>,
    rhs: Value<'c, '_>,
) -> Value<'c, 'c> {
    let linalg = format!("linalg.{}", op_name.trim_start_matches("tensorlang."));
    let init = builder.empty(result.r#type());
    let ops = arith_ops(op_name);
    builder.structured(&linalg, &[lhs, rhs], init, &[], |block, args| {
        builder.arith(block, ops, args[0], args[1])
    })
}

/// `tensorlang.relu` to `linalg.generic` computing `max(x, 0)` element by element.
pub(super) fn relu<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    input: Value<'c, '_>,
) -> Value<'c, 'c> {
    let element = result.element();
    let identity = identity_map(result.rank());
    generic(builder, result, &[input], &[identity], |block, args| {
        let zero = builder.block_scalar(block, element, 0.0, 0);
        builder.arith(block, ("maximumf", "maxsi"), args[0], zero)
    })
}

/// A `linalg.generic` over `result`'s shape whose inputs are read at `input_maps` (the output
/// at the identity) and whose body is `body`.
fn generic<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    inputs: &[Value<'c, '_>],
    input_maps: &[String],
    body: impl FnOnce(&Block<'c>, &[Value<'c, 'c>]) -> Value<'c, 'c>,
) -> Value<'c, 'c> {
    let init = builder.empty(result.r#type());
    let identity = identity_map(result.rank());
    let mut maps: Vec<String> = input_maps.to_vec();
    maps.push(identity);
    let maps = builder.attribute(&format!("[{}]", maps.join(", ")));
    let iterators = builder.attribute(&iterator_types(&vec!["parallel"; result.rank()]));
    builder.structured(
        "linalg.generic",
        inputs,
        init,
        &[("indexing_maps", maps), ("iterator_types", iterators)],
        body,
    )
}

/// `tensorlang.exp` and the other one-operand math ops.
pub(super) fn unary<'c>(
    builder: &Builder<'c, '_>,
    op_name: &str,
    result: &StaticTensor<'c>,
    input: Value<'c, '_>,
) -> Value<'c, 'c> {
    let element = result.element();
    let integer = result.element_kind() == Some(ElementKind::Integer);
    let identity = identity_map(result.rank());
    generic(builder, result, &[input], &[identity], |block, args| {
        let x = args[0];
        match (op_name.trim_start_matches("tensorlang."), integer) {
            ("neg", true) => {
                let zero = builder.block_scalar(block, element, 0.0, 0);
                builder.block_op(block, "arith.subi", &[zero, x], element, &[])
            }
            ("neg", false) => builder.block_op(block, "arith.negf", &[x], element, &[]),
            ("abs", true) => builder.block_op(block, "math.absi", &[x], element, &[]),
            ("abs", false) => builder.block_op(block, "math.absf", &[x], element, &[]),
            (math, _) => builder.block_op(block, &format!("math.{math}"), &[x], element, &[]),
        }
    })
}

/// The `arith.cmpf` and `arith.cmpi` predicates (as their enum values) of a `compare`
/// predicate.
fn predicates(predicate: &str) -> (i64, i64) {
    match predicate {
        "eq" => (1, 0),
        "ne" => (6, 1),
        "lt" => (4, 2),
        "le" => (5, 3),
        "gt" => (2, 4),
        _ => (3, 5),
    }
}

/// `tensorlang.compare`: `arith.cmpf` (ordered) or `arith.cmpi` (signed) element by element.
pub(super) fn compare<'c>(
    builder: &Builder<'c, '_>,
    predicate: &str,
    result: &StaticTensor<'c>,
    lhs: Value<'c, '_>,
    rhs: Value<'c, '_>,
) -> Value<'c, 'c> {
    let identity = identity_map(result.rank());
    let integer = StaticTensor::new(lhs.r#type()).and_then(|t| t.element_kind())
        == Some(ElementKind::Integer);
    let (float, int) = predicates(predicate);
    let i1 = result.element();
    generic(
        builder,
        result,
        &[lhs, rhs],
        &[identity.clone(), identity],
        |block, args| {
            let (name, value) = if integer {
                ("arith.cmpi", int)
            } else {
                ("arith.cmpf", float)
            };
            let predicate = builder.attribute(&format!("{value} : i64"));
            builder.block_op(
                block,
                name,
                &[args[0], args[1]],
                i1,
                &[("predicate", predicate)],
            )
        },
    )
}

/// `tensorlang.select`: `arith.select` element by element.
pub(super) fn select<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    operands: [Value<'c, '_>; 3],
) -> Value<'c, 'c> {
    let identity = identity_map(result.rank());
    let element = result.element();
    generic(
        builder,
        result,
        &operands,
        &[identity.clone(), identity.clone(), identity],
        |block, args| builder.block_op(block, "arith.select", &args[..3], element, &[]),
    )
}

/// `tensorlang.broadcast`: the input (a scalar, or the result's trailing dimensions) read at
/// every index of the result.
pub(super) fn broadcast<'c>(
    builder: &Builder<'c, '_>,
    result: &StaticTensor<'c>,
    input: Value<'c, '_>,
) -> Value<'c, 'c> {
    let rank = result.rank();
    let input_rank = StaticTensor::new(input.r#type()).map_or(0, |t| t.rank());
    let dims: Vec<String> = (0..rank).map(|i| format!("d{i}")).collect();
    let map = format!(
        "affine_map<({}) -> ({})>",
        dims.join(", "),
        dims[rank - input_rank..].join(", ")
    );
    generic(builder, result, &[input], &[map], |_, args| args[0])
}

/// `affine_map<(d0, ..., dn-1) -> (d0, ..., dn-1)>`.
fn identity_map(rank: usize) -> String {
    let dims: Vec<String> = (0..rank).map(|i| format!("d{i}")).collect();
    let dims = dims.join(", ");
    format!("affine_map<({dims}) -> ({dims})>")
}

/// `[#linalg.iterator_type<parallel>, ...]`.
fn iterator_types(kinds: &[&str]) -> String {
    let kinds: Vec<String> = kinds
        .iter()
        .map(|k| format!("#linalg.iterator_type<{k}>"))
        .collect();
    format!("[{}]", kinds.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_cover_every_dimension() {
        assert_eq!(identity_map(2), "affine_map<(d0, d1) -> (d0, d1)>");
        assert_eq!(identity_map(0), "affine_map<() -> ()>");
    }

    #[test]
    fn arith_ops_follow_the_element_kind() {
        assert_eq!(arith_ops("tensorlang.div"), ("divf", "divsi"));
        assert_eq!(arith_ops("tensorlang.sub"), ("subf", "subi"));
    }
}
