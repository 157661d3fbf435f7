//! `tensorlang.add/sub/mul/div` to the named linalg ops, `tensorlang.relu` to a `linalg.generic`
//! taking the maximum with zero.

use crate::builder::Builder;
use crate::tensor_type::StaticTensor;
use melior::ir::Value;

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
    let init = builder.empty(result.r#type());
    let identity = identity_map(result.rank());
    let maps = builder.attribute(&format!("[{identity}, {identity}]"));
    let iterators = builder.attribute(&iterator_types(&vec!["parallel"; result.rank()]));
    let element = result.element();
    builder.structured(
        "linalg.generic",
        &[input],
        init,
        &[("indexing_maps", maps), ("iterator_types", iterators)],
        |block, args| {
            let zero = builder.block_scalar(block, element, 0.0, 0);
            builder.arith(block, ("maximumf", "maxsi"), args[0], zero)
        },
    )
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
