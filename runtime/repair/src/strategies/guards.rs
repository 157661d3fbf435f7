//! Rewrites that add a guard before an op: an index clamped into bounds, a divisor that cannot be
//! zero, an argument that cannot make `sqrt` or `log` produce NaN. The new ops are named
//! `%tl_fix_*`, a prefix MLIR's printer never produces, so they cannot collide.

use super::op_line::OpLine;
use super::rewrites::Rewrite;

/// Every guard that applies to `op`; `id` makes the new value names unique.
pub fn guards(op: &OpLine, id: usize) -> Vec<Rewrite> {
    let mut guards = Vec::new();
    clamp_indices(op, id, &mut guards);
    guard_division(op, id, &mut guards);
    guard_domain(op, id, &mut guards);
    guards
}

/// `memref.load %m[%i]` / `memref.store %v, %m[%i]`: each index clamped into `[0, dim - 1]`.
fn clamp_indices(op: &OpLine, id: usize, guards: &mut Vec<Rewrite>) {
    if op.name != "memref.load" && op.name != "memref.store" {
        return;
    }
    let Some(access) = op.access() else {
        return;
    };
    let Some(shape) = memref_shape(op.types) else {
        return;
    };
    if shape.len() != access.indices.len() {
        return;
    }
    let (before, memref, indices) = (access.before, access.memref, access.indices);
    let mut lines = Vec::new();
    let mut clamped = Vec::new();
    for (axis, (index, extent)) in indices.iter().zip(&shape).enumerate() {
        let name = |what: &str| format!("%tl_fix_{id}_{what}{axis}");
        let high = name("high");
        match extent {
            Some(extent) => lines.push(format!(
                "{} = arith.constant {} : index",
                high,
                extent.saturating_sub(1)
            )),
            None => {
                lines.push(format!("{} = arith.constant {axis} : index", name("axis")));
                lines.push(format!(
                    "{} = memref.dim {memref}, {} : {}",
                    name("dim"),
                    name("axis"),
                    op.types
                ));
                lines.push(format!("{} = arith.constant 1 : index", name("one")));
                lines.push(format!(
                    "{high} = arith.subi {}, {} : index",
                    name("dim"),
                    name("one")
                ));
            }
        }
        lines.push(format!("{} = arith.constant 0 : index", name("low")));
        lines.push(format!(
            "{} = arith.minsi {index}, {high} : index",
            name("min")
        ));
        lines.push(format!(
            "{} = arith.maxsi {}, {} : index",
            name("index"),
            name("min"),
            name("low")
        ));
        clamped.push(name("index"));
    }
    let operands = format!("{before}[{}]", clamped.join(", "));
    guards.push(Rewrite {
        strategy: "clamp-index",
        change: format!(
            "clamp the indices of '{}' at {} into bounds",
            op.name,
            op.place()
        ),
        line: with_prefix(op, &lines, &op.with_operands(&operands)),
    });
}

/// The lines that compute a divisor that is never zero for the division `op`
/// (`%tl_fix_{id}_divisor`: 1 where the divisor is 0, with `%tl_fix_{id}_is_zero` and
/// `%tl_fix_{id}_zero` beside it), and the dividend; `None` when `op` is not a scalar division.
pub(super) fn safe_divisor<'a>(op: &OpLine<'a>, id: usize) -> Option<(Vec<String>, &'a str)> {
    let integer = matches!(
        op.name,
        "arith.divsi"
            | "arith.divui"
            | "arith.remsi"
            | "arith.remui"
            | "arith.ceildivsi"
            | "arith.floordivsi"
    );
    let float = matches!(op.name, "arith.divf" | "arith.remf");
    if !(integer || float) || !is_scalar(op.types) {
        return None;
    }
    let values = op.values();
    let [dividend, divisor] = values.as_slice() else {
        return None;
    };
    let ty = op.types;
    let name = |what: &str| format!("%tl_fix_{id}_{what}");
    let (zero, one, compare) = if integer {
        ("0", "1", "arith.cmpi eq")
    } else {
        ("0.000000e+00", "1.000000e+00", "arith.cmpf oeq")
    };
    let lines = vec![
        format!("{} = arith.constant {zero} : {ty}", name("zero")),
        format!("{} = arith.constant {one} : {ty}", name("one")),
        format!(
            "{} = {compare}, {divisor}, {} : {ty}",
            name("is_zero"),
            name("zero")
        ),
        format!(
            "{} = arith.select {}, {}, {divisor} : {ty}",
            name("divisor"),
            name("is_zero"),
            name("one")
        ),
    ];
    Some((lines, dividend))
}

/// `arith.divsi %a, %b` and the other divisions: a zero divisor replaced by 1.
fn guard_division(op: &OpLine, id: usize, guards: &mut Vec<Rewrite>) {
    let Some((lines, dividend)) = safe_divisor(op, id) else {
        return;
    };
    let name = |what: &str| format!("%tl_fix_{id}_{what}");
    guards.push(Rewrite {
        strategy: "guard-division",
        change: format!(
            "divide by 1 where the divisor of '{}' at {} is 0",
            op.name,
            op.place()
        ),
        line: with_prefix(
            op,
            &lines,
            &op.with_operands(&format!("{dividend}, {}", name("divisor"))),
        ),
    });
}

/// `math.sqrt` of a negative number and `math.log` of a non-positive one give NaN: the argument
/// is raised to the smallest value the function is defined for.
fn guard_domain(op: &OpLine, id: usize, guards: &mut Vec<Rewrite>) {
    let floor = match op.name {
        "math.sqrt" | "math.rsqrt" => "0.000000e+00",
        "math.log" | "math.log2" | "math.log10" => "1.000000e-30",
        _ => return,
    };
    if !is_scalar(op.types) {
        return;
    }
    let values = op.values();
    let [argument] = values.as_slice() else {
        return;
    };
    let ty = op.types;
    let name = |what: &str| format!("%tl_fix_{id}_{what}");
    let lines = [
        format!("{} = arith.constant {floor} : {ty}", name("floor")),
        format!(
            "{} = arith.maximumf {argument}, {} : {ty}",
            name("argument"),
            name("floor")
        ),
    ];
    guards.push(Rewrite {
        strategy: "guard-nan",
        change: format!(
            "keep the argument of '{}' at {} in its domain",
            op.name,
            op.place()
        ),
        line: with_prefix(op, &lines, &op.with_operands(&name("argument"))),
    });
}

/// The guard's lines (at the op's indentation and location) followed by the rewritten op.
fn with_prefix(op: &OpLine, lines: &[String], rewritten: &str) -> String {
    let location = op
        .location
        .map(|location| format!(" loc({location})"))
        .unwrap_or_default();
    let mut text = String::new();
    for line in lines {
        text.push_str(&format!("{}{line}{location}\n", op.indent));
    }
    text.push_str(rewritten);
    text
}

/// `f32`, `i64`, `index`: not vectors or tensors.
fn is_scalar(ty: &str) -> bool {
    !ty.contains('<') && !ty.is_empty()
}

/// The extents of `memref<10x?x4xf32, ...>` (`None` for dynamic ones); `None` for other types
/// and for memrefs of vectors.
fn memref_shape(ty: &str) -> Option<Vec<Option<u64>>> {
    let shaped = tensorlang::ir::shaped_type(ty).filter(|shaped| shaped.memref)?;
    let scalar =
        tensorlang::ir::element_bytes(shaped.element).is_some() || !shaped.element.contains('<');
    shaped.dims.filter(|_| scalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_index_is_clamped() {
        let op = OpLine::parse("  %v = memref.load %m[%i] : memref<10xf32> loc(\"a.mlir\":3:8)")
            .unwrap();
        let [guard] = guards(&op, 7).try_into().ok().unwrap();
        assert_eq!(guard.strategy, "clamp-index");
        let lines: Vec<_> = guard
            .line
            .lines()
            .map(|line| line.split(" loc(").next().unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "  %tl_fix_7_high0 = arith.constant 9 : index",
                "  %tl_fix_7_low0 = arith.constant 0 : index",
                "  %tl_fix_7_min0 = arith.minsi %i, %tl_fix_7_high0 : index",
                "  %tl_fix_7_index0 = arith.maxsi %tl_fix_7_min0, %tl_fix_7_low0 : index",
                "  %v = memref.load %m[%tl_fix_7_index0] : memref<10xf32>",
            ]
        );
    }

    #[test]
    fn a_dynamic_store_index_is_clamped_by_the_dimension() {
        let op = OpLine::parse("  memref.store %x, %m[%i] : memref<?xi32>").unwrap();
        let guard = &guards(&op, 1)[0];
        assert!(
            guard
                .line
                .contains("%tl_fix_1_dim0 = memref.dim %m, %tl_fix_1_axis0 : memref<?xi32>"),
            "{}",
            guard.line
        );
        assert!(
            guard
                .line
                .ends_with("memref.store %x, %m[%tl_fix_1_index0] : memref<?xi32>")
        );
    }

    #[test]
    fn divisions_and_square_roots_are_guarded() {
        let op = OpLine::parse("  %q = arith.divsi %a, %b : i32").unwrap();
        let guard = &guards(&op, 2)[0];
        assert_eq!(guard.strategy, "guard-division");
        assert!(
            guard
                .line
                .ends_with("%q = arith.divsi %a, %tl_fix_2_divisor : i32")
        );
        let op = OpLine::parse("  %r = math.sqrt %x : f32").unwrap();
        let guard = &guards(&op, 3)[0];
        assert_eq!(guard.strategy, "guard-nan");
        assert!(
            guard
                .line
                .contains("arith.maximumf %x, %tl_fix_3_floor : f32")
        );
        let op = OpLine::parse("  %r = math.sqrt %x : vector<4xf32>").unwrap();
        assert!(guards(&op, 4).is_empty());
    }

    #[test]
    fn memref_shapes_are_read() {
        assert_eq!(memref_shape("memref<10x?xf32>"), Some(vec![Some(10), None]));
        assert_eq!(memref_shape("memref<f32>"), Some(vec![]));
        assert_eq!(
            memref_shape("memref<4xf32, strided<[1], offset: ?>>"),
            Some(vec![Some(4)])
        );
        assert_eq!(memref_shape("tensor<4xf32>"), None);
    }
}
