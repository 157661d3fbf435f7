//! Hard-coded answers: a function written whole (by a model) that holds, as literals, the values
//! the entry point's checks compare against (or the entries of the constant tables it reads),
//! where the original holds no such literal, is answering the test rather than computing.
//! Values within 1 of 0 are left out (they are everywhere), and the type is part of the value (a
//! loop bound of 4 is not the result 4). Answering by input is caught the same way: a new
//! equality test of a value against a literal (`%x == 7`) is how a function special-cases the
//! inputs a driver uses ([`equality_literals`]).

use std::collections::{BTreeMap, BTreeSet};

use melior::ir::operation::{OperationLike, OperationResult, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use tensorlang::ir::{op_name, symbol_name, top_level_ops};

/// The integer and float literals of `function` (as printed, with their type) whose
/// magnitude is above 1; with `compared`, only those used directly by a comparison (what a
/// driver checks results against).
/// Each literal maps to the first constant op holding it.
pub(super) fn constants<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    compared: bool,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    let mut found = BTreeMap::new();
    let mut note = |op: OperationRef| {
        if let Some(value) = literal(&op) {
            // SAFETY: an op of `function`, which outlives the result.
            found
                .entry(value)
                .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
        }
    };
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if compared && (name == "arith.cmpi" || name == "arith.cmpf") {
            for operand in (0..op.operand_count()).filter_map(|i| op.operand(i).ok()) {
                if let Ok(result) = OperationResult::try_from(operand) {
                    note(result.owner());
                }
            }
        } else if !compared {
            note(op);
        }
        WalkResult::Advance
    });
    found
}

/// The elements (above 1 in magnitude, with their type, as [`literal`] prints them) of the
/// constant `memref.global`s `function` names: a driver's table of expected results (and of its
/// inputs, which a hard-coded answer matches on just as well).
pub(super) fn global_elements(module: &Module, function: &OperationRef) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if let Some(global) = tensorlang::ir::global_name(&op) {
            named.insert(global);
        }
        WalkResult::Advance
    });
    let mut found = BTreeSet::new();
    for global in top_level_ops(module.as_operation()) {
        let is_named = symbol_name(&global).is_some_and(|name| named.contains(&name));
        if op_name(&global) != "memref.global" || global.attribute("constant").is_err() || !is_named
        {
            continue;
        }
        let Ok(value) = global.attribute("initial_value") else {
            continue;
        };
        // `dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>`
        let text = value.to_string();
        let Some((elements, ty)) = text.rsplit_once(" : ") else {
            continue;
        };
        let element_type = ty.trim_end_matches('>').rsplit('x').next().unwrap_or("");
        for token in elements.split(|c: char| "[]<>, ".contains(c)) {
            if let Ok(number) = token.parse::<f64>()
                && number.abs() > 1.0
            {
                found.insert(format!("{token} : {element_type}"));
            }
        }
    }
    found
}

/// The value of an `arith.constant` scalar other than 0, 1 and -1, with its type (`15 : i32`,
/// `2.500000e+00 : f32`): a loop bound of 4 is not the result 4 a driver expects.
fn literal(op: &OperationRef) -> Option<String> {
    if op_name(op) != "arith.constant" {
        return None;
    }
    let text = op.attribute("value").ok()?.to_string();
    let number: f64 = text.split(" : ").next()?.trim().parse().ok()?;
    (number.abs() > 1.0).then_some(text)
}

/// The literals (as [`literal`] prints them) that `function` tests values for equality with,
/// each with the comparison.
pub(super) fn equality_literals<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    let mut found = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        let predicate = op
            .attribute("predicate")
            .map(|p| p.to_string())
            .unwrap_or_default();
        // `arith.cmpi` eq = 0, ne = 1; `arith.cmpf` oeq = 1, one = 6, ueq = 8, une = 13.
        let number = predicate
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .parse::<u64>();
        let equality = matches!(
            (name.as_str(), number),
            ("arith.cmpi", Ok(0 | 1)) | ("arith.cmpf", Ok(1 | 6 | 8 | 13))
        );
        if equality {
            for operand in (0..op.operand_count()).filter_map(|i| op.operand(i).ok()) {
                if let Ok(result) = OperationResult::try_from(operand)
                    && let Some(value) = literal(&result.owner())
                {
                    // SAFETY: an op of `function`, which outlives the result.
                    found
                        .entry(value)
                        .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
                }
            }
        }
        WalkResult::Advance
    });
    found
}
