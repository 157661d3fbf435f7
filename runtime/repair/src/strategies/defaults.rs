//! Guards that answer with a default instead of repairing the operands: a function's documented
//! result for an empty range, an out-of-range input or a zero divisor is often 0, and a clamp
//! (which reads the nearest element) or a divisor of 1 (which returns the dividend) gives
//! something else.
//!
//! - `guard-access`: `memref.load` inside `scf.if` (every index within `[0, dim)`), 0 of its
//!   element type otherwise; `memref.store` skipped when out of range.
//! - `guard-division-zero`: a division or remainder whose divisor is 0 gives 0.
//!
//! New values are named `%tl_fix_*`, like the other guards'.

use super::guards;
use super::op_line::OpLine;
use super::rewrites::Rewrite;

/// Every default-answering guard that applies to `op`; `id` makes new names unique.
pub fn defaults(op: &OpLine, id: usize) -> Vec<Rewrite> {
    let mut rewrites = Vec::new();
    guard_access(op, id, &mut rewrites);
    guard_division_zero(op, id, &mut rewrites);
    rewrites
}

/// `%v = memref.load %m[%i, %j] : memref<?x4xf32>` becomes an `scf.if` on the indices being in
/// bounds, yielding the load or 0; a store is skipped out of bounds.
fn guard_access(op: &OpLine, id: usize, rewrites: &mut Vec<Rewrite>) {
    let load = op.name == "memref.load";
    if !load && op.name != "memref.store" {
        return;
    }
    let Some(access) = op.access() else {
        return;
    };
    let Some(element) = element_type(op.types) else {
        return;
    };
    if access.indices.iter().any(|index| index.is_empty()) {
        return;
    }
    let (memref, indices) = (access.memref, access.indices);
    let name = |what: &str, axis: usize| format!("%tl_fix_{id}_{what}{axis}");
    let ty = op.types;
    let mut lines = vec![format!("%tl_fix_{id}_zero = arith.constant 0 : index")];
    let mut all = String::new();
    for (axis, index) in indices.iter().enumerate() {
        lines.push(format!(
            "{} = arith.constant {axis} : index",
            name("axis", axis)
        ));
        lines.push(format!(
            "{} = memref.dim {memref}, {} : {ty}",
            name("dim", axis),
            name("axis", axis)
        ));
        lines.push(format!(
            "{} = arith.cmpi sge, {index}, %tl_fix_{id}_zero : index",
            name("low", axis)
        ));
        lines.push(format!(
            "{} = arith.cmpi slt, {index}, {} : index",
            name("high", axis),
            name("dim", axis)
        ));
        lines.push(format!(
            "{} = arith.andi {}, {} : i1",
            name("in", axis),
            name("low", axis),
            name("high", axis)
        ));
        let inside = name("in", axis);
        all = if all.is_empty() {
            inside
        } else {
            let both = name("all", axis);
            lines.push(format!("{both} = arith.andi {all}, {inside} : i1"));
            both
        };
    }
    let location = location(op);
    let indent = op.indent;
    let mut text: String = lines
        .iter()
        .map(|line| format!("{indent}{line}{location}\n"))
        .collect();
    let access = format!("{indent}  {}", op.with_operands(op.operands).trim_start());
    match (load, op.results) {
        (true, Some(result)) => {
            let value = format!("%tl_fix_{id}_value");
            let default = format!("%tl_fix_{id}_default");
            let zero = zero_of(element);
            text.push_str(&format!(
                "{indent}{result} = scf.if {all} -> ({element}) {{\n{}\n{indent}  scf.yield {value} : {element}{location}\n{indent}}} else {{\n{indent}  {default} = arith.constant {zero} : {element}{location}\n{indent}  scf.yield {default} : {element}{location}\n{indent}}}{location}",
                access.replacen(&format!("{result} = "), &format!("{value} = "), 1),
            ));
        }
        (false, None) => {
            text.push_str(&format!(
                "{indent}scf.if {all} {{\n{access}\n{indent}}}{location}"
            ));
        }
        _ => return,
    }
    rewrites.push(Rewrite {
        strategy: "guard-access",
        change: format!(
            "give 0 where the indices of '{}' at {} are out of bounds",
            op.name,
            op.place()
        ),
        line: text,
    });
}

/// `%q = arith.divsi %a, %b : i32` gives 0 where `%b` is 0.
fn guard_division_zero(op: &OpLine, id: usize, rewrites: &mut Vec<Rewrite>) {
    let (Some((lines, dividend)), Some(result)) = (guards::safe_divisor(op, id), op.results) else {
        return;
    };
    let ty = op.types;
    let name = |what: &str| format!("%tl_fix_{id}_{what}");
    let location = location(op);
    let indent = op.indent;
    let quotient = op
        .with_operands(&format!("{dividend}, {}", name("divisor")))
        .replacen(
            &format!("{result} = "),
            &format!("{} = ", name("quotient")),
            1,
        );
    let mut text: String = lines
        .iter()
        .map(|line| format!("{indent}{line}{location}\n"))
        .collect();
    text.push_str(&quotient);
    text.push('\n');
    text.push_str(&format!(
        "{indent}{result} = arith.select {}, {}, {} : {ty}{location}",
        name("is_zero"),
        name("zero"),
        name("quotient")
    ));
    rewrites.push(Rewrite {
        strategy: "guard-division-zero",
        change: format!(
            "give 0 where the divisor of '{}' at {} is 0",
            op.name,
            op.place()
        ),
        line: text,
    });
}

/// ` loc(...)` of the op, or nothing.
fn location(op: &OpLine) -> String {
    op.location
        .map(|location| format!(" loc({location})"))
        .unwrap_or_default()
}

/// The element type of `memref<4x?xf32, ...>`, when it is a scalar.
fn element_type(ty: &str) -> Option<&str> {
    let element = tensorlang::ir::shaped_type(ty)
        .filter(|shaped| shaped.memref)?
        .element;
    let scalar = element == "index"
        || element.starts_with('i') && element[1..].parse::<u32>().is_ok()
        || matches!(element, "f16" | "bf16" | "f32" | "f64");
    scalar.then_some(element)
}

/// The literal 0 of a scalar type, as MLIR prints it.
fn zero_of(ty: &str) -> &'static str {
    if ty.starts_with('f') || ty == "bf16" {
        "0.000000e+00"
    } else {
        "0"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_out_of_bounds_gives_zero() {
        let op =
            OpLine::parse("  %v = memref.load %m[%i] : memref<?xf32> loc(\"a.mlir\":3:8)").unwrap();
        let [guard] = defaults(&op, 5).try_into().ok().unwrap();
        assert_eq!(guard.strategy, "guard-access");
        let text = guard.line;
        assert!(text.contains("%tl_fix_5_dim0 = memref.dim %m, %tl_fix_5_axis0 : memref<?xf32>"));
        assert!(
            text.contains("%v = scf.if %tl_fix_5_in0 -> (f32) {"),
            "{text}"
        );
        assert!(text.contains("%tl_fix_5_value = memref.load %m[%i] : memref<?xf32>"));
        assert!(text.contains("%tl_fix_5_default = arith.constant 0.000000e+00 : f32"));
    }

    #[test]
    fn a_store_out_of_bounds_is_skipped() {
        let op = OpLine::parse("  memref.store %x, %m[%i, %j] : memref<4x?xi32>").unwrap();
        let guard = &defaults(&op, 2)[0];
        assert!(
            guard
                .line
                .contains("%tl_fix_2_all1 = arith.andi %tl_fix_2_in0, %tl_fix_2_in1 : i1")
        );
        assert!(
            guard
                .line
                .contains("scf.if %tl_fix_2_all1 {\n    memref.store %x, %m[%i, %j]"),
            "{}",
            guard.line
        );
    }

    #[test]
    fn a_zero_divisor_gives_zero() {
        let op = OpLine::parse("  %q = arith.divsi %a, %b : i32").unwrap();
        let [guard] = defaults(&op, 3).try_into().ok().unwrap();
        assert_eq!(guard.strategy, "guard-division-zero");
        assert!(
            guard
                .line
                .contains("%tl_fix_3_quotient = arith.divsi %a, %tl_fix_3_divisor : i32")
        );
        assert!(guard.line.ends_with(
            "%q = arith.select %tl_fix_3_is_zero, %tl_fix_3_zero, %tl_fix_3_quotient : i32"
        ));
    }
}
