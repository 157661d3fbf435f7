//! Rewrites of one op in place: operands swapped, another predicate, another operator, another
//! constant. Each keeps the op's types, so the result verifies whenever the original did.

use super::op_line::OpLine;

/// Ops whose two operands can be exchanged with a different meaning.
const SWAPPABLE: &[&str] = &[
    "arith.subi",
    "arith.subf",
    "arith.divsi",
    "arith.divui",
    "arith.divf",
    "arith.remsi",
    "arith.remui",
    "arith.remf",
    "arith.cmpi",
    "arith.cmpf",
    "arith.shli",
    "arith.shrsi",
    "arith.shrui",
];

/// Ops with the same operand and result types and a related meaning.
const RELATED_OPS: &[&[&str]] = &[
    &["arith.addi", "arith.subi", "arith.muli"],
    &["arith.addf", "arith.subf", "arith.mulf", "arith.divf"],
    &["arith.minsi", "arith.maxsi"],
    &["arith.minui", "arith.maxui"],
    &["arith.minimumf", "arith.maximumf"],
    &["arith.andi", "arith.ori", "arith.xori"],
    &["arith.divsi", "arith.divui"],
];

/// Predicates that may have been confused with each other.
const RELATED_PREDICATES: &[&[&str]] = &[
    &["slt", "sle", "sgt", "sge"],
    &["ult", "ule", "ugt", "uge"],
    &["eq", "ne"],
    &["olt", "ole", "ogt", "oge"],
    &["oeq", "one"],
];

/// A rewritten line and what was changed.
#[derive(Clone)]
pub struct Rewrite {
    /// The strategy's name.
    pub strategy: &'static str,
    /// What changed, for remarks.
    pub change: String,
    /// The new line.
    pub line: String,
}

/// Every in-place rewrite of `op`.
pub fn rewrites(op: &OpLine) -> Vec<Rewrite> {
    let mut rewrites = Vec::new();
    swap_operands(op, &mut rewrites);
    change_predicate(op, &mut rewrites);
    change_operator(op, &mut rewrites);
    change_constant(op, &mut rewrites);
    permute_indices(op, &mut rewrites);
    rewrites
}

/// `memref.load %m[%i, %j]` (and stores, `tensor.extract`, `tensor.insert`): the indices of a
/// multi-dimensional access in another order, one transposition at a time (rows and columns
/// mixed up).
fn permute_indices(op: &OpLine, rewrites: &mut Vec<Rewrite>) {
    if !matches!(
        op.name,
        "memref.load" | "memref.store" | "tensor.extract" | "tensor.insert"
    ) {
        return;
    }
    let Some(access) = op.access() else {
        return;
    };
    let (before, indices, after) = (access.before, access.indices, access.after);
    for first in 0..indices.len() {
        for second in first + 1..indices.len() {
            if indices[first] == indices[second] {
                continue;
            }
            let mut swapped = indices.clone();
            swapped.swap(first, second);
            rewrites.push(Rewrite {
                strategy: "permute-indices",
                change: format!(
                    "swap indices {first} and {second} of '{}' at {}",
                    op.name,
                    op.place()
                ),
                line: op.with_operands(&format!("{before}[{}]{after}", swapped.join(", "))),
            });
        }
    }
}

fn swap_operands(op: &OpLine, rewrites: &mut Vec<Rewrite>) {
    if !SWAPPABLE.contains(&op.name) {
        return;
    }
    let values = op.values();
    let [.., first, second] = values.as_slice() else {
        return;
    };
    let swapped = op.operands.replacen(
        &format!("{first}, {second}"),
        &format!("{second}, {first}"),
        1,
    );
    if swapped != op.operands {
        rewrites.push(Rewrite {
            strategy: "swap-operands",
            change: format!("swap the operands of '{}' at {}", op.name, op.place()),
            line: op.with_operands(&swapped),
        });
    }
}

fn change_predicate(op: &OpLine, rewrites: &mut Vec<Rewrite>) {
    if op.name != "arith.cmpi" && op.name != "arith.cmpf" {
        return;
    }
    let Some((predicate, rest)) = op.operands.split_once(", ") else {
        return;
    };
    let Some(family) = RELATED_PREDICATES
        .iter()
        .find(|family| family.contains(&predicate))
    else {
        return;
    };
    for other in family.iter().filter(|other| **other != predicate) {
        rewrites.push(Rewrite {
            strategy: "change-predicate",
            change: format!(
                "compare with '{other}' instead of '{predicate}' at {}",
                op.place()
            ),
            line: op.with_operands(&format!("{other}, {rest}")),
        });
    }
}

fn change_operator(op: &OpLine, rewrites: &mut Vec<Rewrite>) {
    let Some(family) = RELATED_OPS.iter().find(|family| family.contains(&op.name)) else {
        return;
    };
    for other in family.iter().filter(|other| **other != op.name) {
        rewrites.push(Rewrite {
            strategy: "change-operator",
            change: format!("use '{other}' instead of '{}' at {}", op.name, op.place()),
            line: op.with_name(other),
        });
    }
}

fn change_constant(op: &OpLine, rewrites: &mut Vec<Rewrite>) {
    if op.name != "arith.constant" {
        return;
    }
    let value = op.operands;
    // MLIR prints booleans without their type.
    let alternatives = if value == "true" || value == "false" {
        vec![if value == "true" { "false" } else { "true" }.to_owned()]
    } else if op.types.starts_with('i') || op.types == "index" {
        integer_alternatives(value)
    } else if op.types.starts_with('f') || op.types == "bf16" {
        float_alternatives(value)
    } else {
        Vec::new()
    };
    for alternative in alternatives {
        rewrites.push(Rewrite {
            strategy: "change-constant",
            change: format!("use {alternative} instead of {value} at {}", op.place()),
            line: op.with_operands(&alternative),
        });
    }
}

/// Off-by-one, sign and identity candidates for an integer constant.
fn integer_alternatives(value: &str) -> Vec<String> {
    let Ok(value) = value.parse::<i64>() else {
        return Vec::new();
    };
    let mut alternatives = Vec::new();
    for candidate in [
        value.checked_add(1),
        value.checked_sub(1),
        value.checked_neg(),
        Some(0),
        Some(1),
    ]
    .into_iter()
    .flatten()
    {
        if candidate != value && !alternatives.contains(&candidate) {
            alternatives.push(candidate);
        }
    }
    alternatives.iter().map(i64::to_string).collect()
}

/// Sign, scale and zero candidates for a float constant, and off-by-one for a whole number (a
/// count kept as a float, like the divisor of a mean).
fn float_alternatives(value: &str) -> Vec<String> {
    let Ok(value) = value.parse::<f64>() else {
        return Vec::new();
    };
    let whole = value.fract() == 0.0;
    let off_by_one = [value + 1.0, value - 1.0].into_iter().filter(|_| whole);
    let mut alternatives: Vec<f64> = Vec::new();
    for candidate in off_by_one.chain([-value, value * 2.0, value / 2.0, 0.0, 1.0]) {
        if candidate != value && candidate.is_finite() && !alternatives.contains(&candidate) {
            alternatives.push(candidate);
        }
    }
    alternatives
        .into_iter()
        .map(|candidate| format!("{candidate:.6e}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(line: &str) -> Vec<(String, String)> {
        rewrites(&OpLine::parse(line).unwrap())
            .into_iter()
            .map(|rewrite| (rewrite.strategy.to_owned(), rewrite.line))
            .collect()
    }

    #[test]
    fn the_indices_of_a_two_dimensional_load_are_swapped() {
        let all = lines("  %v = memref.load %m[%i, %j] : memref<?x?xi32>");
        assert!(all.contains(&(
            "permute-indices".to_owned(),
            "  %v = memref.load %m[%j, %i] : memref<?x?xi32>".to_owned()
        )));
        assert!(
            lines("  %v = memref.load %m[%i] : memref<?xi32>")
                .iter()
                .all(|(strategy, _)| strategy != "permute-indices")
        );
    }

    #[test]
    fn subtraction_is_swapped_and_changed() {
        let all = lines("  %2 = arith.subf %0, %1 : f32");
        assert!(all.contains(&(
            "swap-operands".into(),
            "  %2 = arith.subf %1, %0 : f32".into()
        )));
        assert!(all.contains(&(
            "change-operator".into(),
            "  %2 = arith.addf %0, %1 : f32".into()
        )));
    }

    #[test]
    fn predicates_change_within_their_family() {
        let all = lines("  %c = arith.cmpi slt, %i, %n : index");
        let predicates: Vec<_> = all
            .iter()
            .filter(|(strategy, _)| strategy == "change-predicate")
            .map(|(_, line)| line.as_str())
            .collect();
        assert_eq!(
            predicates,
            [
                "  %c = arith.cmpi sle, %i, %n : index",
                "  %c = arith.cmpi sgt, %i, %n : index",
                "  %c = arith.cmpi sge, %i, %n : index"
            ]
        );
        assert!(all.contains(&(
            "swap-operands".into(),
            "  %c = arith.cmpi slt, %n, %i : index".into()
        )));
    }

    #[test]
    fn constants_get_nearby_values() {
        assert_eq!(integer_alternatives("10"), ["11", "9", "-10", "0", "1"]);
        assert_eq!(integer_alternatives("0"), ["1", "-1"]);
        assert_eq!(
            float_alternatives("2.500000e+00"),
            [
                "-2.500000e0",
                "5.000000e0",
                "1.250000e0",
                "0.000000e0",
                "1.000000e0"
            ]
        );
        let all = lines("  %true = arith.constant true");
        assert_eq!(
            all,
            [(
                "change-constant".into(),
                "  %true = arith.constant false".into()
            )]
        );
        assert!(lines("  %v = arith.constant dense<1.0> : vector<4xf32>").is_empty());
    }
}
