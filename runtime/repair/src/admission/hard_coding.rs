//! Hard-coded answers: a function written whole (by a model) that holds, as literals, the values
//! the entry point's checks compare against (or the entries of the constant tables it reads),
//! where the original holds no such literal, is answering the test rather than computing.
//! Values within 1 of 0 are left out (they are everywhere), and the type is part of the value (a
//! loop bound of 4 is not the result 4); the elements of vector and tensor constants count as
//! literals too. Answering by input is caught the same way: a new test of a value against a
//! literal is how a function special-cases the inputs a driver uses, whether it tests for
//! equality (`%x == 7`, [`equality_literals`]), a range (`%x < 7`, [`range_literals`], against
//! a value the original never compares with, [`compared_literals`]) or switches on it
//! (`scf.index_switch`, `cf.switch`: [`switch_cases`]).
//!
//! Without literals, an answer can be a table: a written function may hold constant tables of
//! at most [`TABLE_BUDGET`] elements in all ([`table_elements`]; a splat of 0, 1, -1 or of a
//! value the original holds is no table), and no resource blob (`dense_resource`, whose data
//! would come in a `{-# dialect_resources #-}` section) at all ([`resource`]).

use std::collections::{BTreeMap, BTreeSet};
use tensorlang::ir::OperationExt;

use melior::ir::{BlockLike, RegionLike, ValueLike};

use melior::ir::operation::{OperationLike, OperationResult, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use tensorlang::ir::{op_name, symbol_name, top_level_ops};

/// The most elements of constant tables a written function may hold in all: enough for a
/// vector of lane offsets or a small stencil, too few for a table of answers.
pub(super) const TABLE_BUDGET: usize = 16;

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
        for value in literals(&op) {
            // SAFETY: an op of `function`, which outlives the result.
            found
                .entry(value)
                .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
        }
    };
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if compared && (name == "arith.cmpi" || name == "arith.cmpf") {
            for operand in (0..op.operand_count()).filter_map(|i| op.operand_at(i)) {
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

/// The elements (above 1 in magnitude, with their type, as [`literals`] prints them) of the
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

/// The values of an `arith.constant` other than 0, 1 and -1, with their (element) type (`15 :
/// i32`, `2.500000e+00 : f32`): a loop bound of 4 is not the result 4 a driver expects. A vector
/// or tensor constant has each of its elements.
fn literals(op: &OperationRef) -> Vec<String> {
    if op_name(op) != "arith.constant" {
        return Vec::new();
    }
    let Ok(value) = op.attribute("value") else {
        return Vec::new();
    };
    let text = value.to_string();
    if let Some(dense) = Dense::parse(&text) {
        return dense
            .elements
            .iter()
            .filter(|element| element.parse::<f64>().is_ok_and(|n| n.abs() > 1.0))
            .map(|element| format!("{element} : {}", dense.element_type))
            .collect();
    }
    let number = text
        .split(" : ")
        .next()
        .and_then(|n| n.trim().parse::<f64>().ok());
    match number {
        Some(number) if number.abs() > 1.0 => vec![text],
        _ => Vec::new(),
    }
}

/// A `dense<...> : type` constant, as printed.
struct Dense {
    /// Its elements, as printed (one, for a splat).
    elements: Vec<String>,
    element_type: String,
    splat: bool,
}

impl Dense {
    fn parse(text: &str) -> Option<Self> {
        let (value, ty) = text.strip_prefix("dense<")?.rsplit_once(" : ")?;
        let value = value.strip_suffix('>')?;
        let element_type = tensorlang::ir::shaped_type(ty)
            .map(|shaped| shaped.element.to_owned())
            .or_else(|| {
                // `vector<4xi32>`
                let inner = ty.strip_prefix("vector<")?.strip_suffix('>')?;
                Some(inner.rsplit('x').next()?.to_owned())
            })?;
        let elements = value
            .split(|c: char| "[](), ".contains(c))
            .filter(|token| !token.is_empty())
            .map(str::to_owned)
            .collect();
        Some(Self {
            elements,
            element_type,
            splat: !value.starts_with('['),
        })
    }
}

/// The table elements of `function`'s constants (see the module docs) that `held` (literals of
/// the original) does not excuse, and the first constant holding one.
pub(super) fn table_elements<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    held: &BTreeSet<String>,
) -> (usize, Option<OperationRef<'c, 'a>>) {
    let mut count = 0;
    let mut first = None;
    function.walk(WalkOrder::PreOrder, |op| {
        let dense = (op_name(&op) == "arith.constant")
            .then(|| op.attribute("value").ok())
            .flatten()
            .and_then(|value| Dense::parse(&value.to_string()));
        let Some(dense) = dense else {
            return WalkResult::Advance;
        };
        let table = if dense.splat {
            let excused = literals(&op).iter().all(|literal| held.contains(literal));
            usize::from(!excused)
        } else {
            dense.elements.len()
        };
        if table > 0 && first.is_none() {
            // SAFETY: an op of `function`, which outlives the result.
            first = Some(unsafe { OperationRef::from_raw(op.to_raw()) });
        }
        count += table;
        WalkResult::Advance
    });
    (count, first)
}

/// The first op of `function` with a `dense_resource` attribute (a blob, whose contents no
/// rule reads).
pub(super) fn resource<'c, 'a>(function: &OperationRef<'c, 'a>) -> Option<OperationRef<'c, 'a>> {
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| {
        if op
            .attributes()
            .any(|(_, value)| value.to_string().contains("dense_resource<"))
        {
            // SAFETY: an op of `function`, which outlives the result.
            found = Some(unsafe { OperationRef::from_raw(op.to_raw()) });
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

/// Where a resource section (`{-# dialect_resources ... #-}`) starts in `text`: `line:col`.
pub(super) fn resource_section(text: &str) -> Option<(usize, usize)> {
    let at = text.find("{-#")?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = at - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    Some((line, column))
}

/// The predicate number of an `arith.cmpi` or `arith.cmpf`, and whether it is one.
fn predicate(op: &OperationRef) -> Option<(bool, u64)> {
    let integer = match op_name(op).as_str() {
        "arith.cmpi" => true,
        "arith.cmpf" => false,
        _ => return None,
    };
    let text = op.attribute("predicate").ok()?.to_string();
    let number = text.split(':').next()?.trim().parse().ok()?;
    Some((integer, number))
}

/// Whether a comparison tests for equality: `arith.cmpi` eq = 0, ne = 1; `arith.cmpf` oeq = 1,
/// one = 6, ueq = 8, une = 13.
fn is_equality(integer: bool, predicate: u64) -> bool {
    if integer {
        matches!(predicate, 0 | 1)
    } else {
        matches!(predicate, 1 | 6 | 8 | 13)
    }
}

/// The literals `function`'s comparisons take for which `keep` holds of the comparison's kind
/// and predicate, each with the first comparison.
fn compared_with<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    keep: impl Fn(bool, u64) -> bool,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    let mut found = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if let Some((integer, number)) = predicate(&op)
            && keep(integer, number)
        {
            for operand in (0..op.operand_count()).filter_map(|i| op.operand_at(i)) {
                if let Ok(result) = OperationResult::try_from(operand) {
                    for value in literals(&result.owner()) {
                        // SAFETY: an op of `function`, which outlives the result.
                        found
                            .entry(value)
                            .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
                    }
                }
            }
        }
        WalkResult::Advance
    });
    found
}

/// The literals (as [`literals`] prints them) that `function` tests a value's range against
/// (`<`, `<=`, `>`, `>=`, ordered or not), each with the comparison.
pub(super) fn range_literals<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    // `arith.cmpf` false = 0, ord = 7, uno = 14 and true = 15 compare with no value.
    compared_with(function, |integer, predicate| {
        !is_equality(integer, predicate) && (integer || !matches!(predicate, 0 | 7 | 14 | 15))
    })
}

/// The values `function` compares with: the literals of its comparisons (any predicate), its
/// switches' cases, the constant bounds of its `scf.for` loops and the static extents of its
/// arguments' shapes (`4 : index` for `memref<4xf32>`: a bounds check compares with it).
pub(super) fn compared_literals(function: &OperationRef) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = compared_with(function, |_, _| true).into_keys().collect();
    found.extend(switch_cases(function).into_keys());
    function.walk(WalkOrder::PreOrder, |op| {
        if op_name(&op) == "scf.for" {
            for bound in (0..2).filter_map(|i| op.operand_at(i)) {
                if let Ok(result) = OperationResult::try_from(bound) {
                    found.extend(literals(&result.owner()));
                }
            }
        }
        WalkResult::Advance
    });
    if let Some(entry) = function.region_at(0).and_then(|r| r.first_block()) {
        for argument in (0..entry.argument_count()).filter_map(|i| entry.argument(i).ok()) {
            let ty = argument.r#type().to_string();
            let extents = tensorlang::ir::shaped_type(&ty).and_then(|shaped| shaped.dims);
            for extent in extents.into_iter().flatten().flatten() {
                if extent > 1 {
                    found.insert(format!("{extent} : index"));
                }
            }
        }
    }
    found
}

/// The cases of `function`'s switches (`scf.index_switch` cases as `5 : index`, `cf.switch`
/// cases with the flag's type), but 0, 1 and -1; each with the first switch.
pub(super) fn switch_cases<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    let mut found = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        let cases: Vec<String> = match op_name(&op).as_str() {
            // `array<i64: 2, 5>`
            "scf.index_switch" => op
                .attribute("cases")
                .map(|cases| cases.to_string())
                .ok()
                .and_then(|text| {
                    let inner = text
                        .strip_prefix("array<i64:")?
                        .strip_suffix('>')?
                        .to_owned();
                    Some(
                        inner
                            .split(',')
                            .map(|case| format!("{} : index", case.trim()))
                            .collect(),
                    )
                })
                .unwrap_or_default(),
            // `dense<[2, 5]> : vector<2xi32>`
            "cf.switch" => op
                .attribute("case_values")
                .ok()
                .and_then(|values| Dense::parse(&values.to_string()))
                .map(|dense| {
                    dense
                        .elements
                        .iter()
                        .map(|case| format!("{case} : {}", dense.element_type))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for case in cases {
            let small = case
                .split(" : ")
                .next()
                .and_then(|n| n.parse::<f64>().ok())
                .is_some_and(|n| n.abs() <= 1.0);
            if !small {
                // SAFETY: an op of `function`, which outlives the result.
                found
                    .entry(case)
                    .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
            }
        }
        WalkResult::Advance
    });
    found
}

/// The literals (as [`literals`] prints them) that `function` tests values for equality with,
/// each with the comparison.
pub(super) fn equality_literals<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    compared_with(function, is_equality)
}
