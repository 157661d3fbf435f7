//! Fault localization: which functions to repair, most suspicious first.
//!
//! The failing check is often not in the faulty function: a test driver (`@main`) asserts what
//! `@target` returned. The suspects are the failing function itself (unless it is the entry
//! point, which holds the specification and is never changed) and then every function it calls,
//! directly or not, breadth first in the order of the calls: the functions whose results the
//! failing check can depend on, those in the check's backward slice (`localize/slice.rs`: the calls whose
//! results or writes the values it compares come from) first. Then the functions that call the
//! failing one, nearest first: a
//! helper that reads out of bounds is often handed a bad index by its caller. A function marked
//! [`TRUSTED_ATTRIBUTE`] (a simulation's physics, say) is the specification too: its callees are
//! suspects, it is not.

use std::collections::{BTreeMap, VecDeque};

use melior::ir::Module;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};

use tensorlang::ir::{callee, find_symbol, is_definition, op_name, symbol_name, top_level_ops};

mod slice;

/// The attribute that keeps the repair engine away from a function (`func.func @physics(...)
/// attributes {tensorlang.trusted}`): its asserts are the specification.
pub const TRUSTED_ATTRIBUTE: &str = "tensorlang.trusted";

/// The functions to try, most suspicious first; the failing function's callers too with
/// `callers`. `check` is the failing op's `file:line:col`: what its slice reaches goes first.
pub fn suspects(
    module: &Module,
    failing: &str,
    entry: &str,
    check: Option<&str>,
    callers: bool,
) -> Vec<String> {
    let calls = call_graph(module);
    let sliced = check
        .and_then(|location| {
            let function = find_symbol(top_level_ops(module.as_operation()), failing)?;
            Some(slice::check_slice(&function, location))
        })
        .unwrap_or_default();
    let trusted: Vec<String> = top_level_ops(module.as_operation())
        .iter()
        .filter(|op| op.attribute(TRUSTED_ATTRIBUTE).is_ok())
        .filter_map(symbol_name)
        .collect();
    let mut order = Vec::new();
    // The failing function, then what the check's slice reaches, then every other callee.
    let mut queue = VecDeque::from([failing.to_owned()]);
    queue.extend(sliced);
    while let Some(function) = queue.pop_front() {
        if order.contains(&function) || !calls.contains_key(&function) {
            continue;
        }
        for callee in &calls[&function] {
            queue.push_back(callee.clone());
        }
        order.push(function);
    }
    let mut upward = VecDeque::from([failing.to_owned()]);
    while let Some(function) = upward.pop_front().filter(|_| callers) {
        for (caller, callees) in &calls {
            if callees.contains(&function) && !order.contains(caller) {
                order.push(caller.clone());
                upward.push_back(caller.clone());
            }
        }
    }
    order.retain(|function| function != entry && !trusted.contains(function));
    order
}

/// Each defined function and the functions it calls, in call order.
fn call_graph(module: &Module) -> BTreeMap<String, Vec<String>> {
    let mut graph = BTreeMap::new();
    for op in top_level_ops(module.as_operation()) {
        // Declarations have no body to repair.
        let (true, true, Some(name)) = (
            op_name(&op) == "func.func",
            is_definition(&op),
            symbol_name(&op),
        ) else {
            continue;
        };
        let mut callees = Vec::new();
        op.walk(WalkOrder::PreOrder, |inner| {
            if let Some(callee) = callee(&inner)
                && !callees.contains(&callee)
            {
                callees.push(callee);
            }
            WalkResult::Advance
        });
        graph.insert(name, callees);
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = r#"
func.func private @external(i32) -> i32
func.func @scale(%x: i32) -> i32 {
  %r = func.call @external(%x) : (i32) -> i32
  return %r : i32
}
func.func @offset(%x: i32) -> i32 {
  %c = arith.constant 1 : i32
  %r = arith.addi %x, %c : i32
  return %r : i32
}
func.func @target(%x: i32) -> i32 {
  %a = func.call @offset(%x) : (i32) -> i32
  %b = func.call @scale(%a) : (i32) -> i32
  return %b : i32
}
func.func @main() {
  %c = arith.constant 3 : i32
  %r = func.call @target(%c) : (i32) -> i32
  %ok = arith.cmpi eq, %r, %c : i32
  cf.assert %ok, "target(3) == 3"
  return
}
"#;

    #[test]
    fn a_driver_assert_points_at_what_it_calls() {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, PROGRAM, "t.mlir").unwrap();
        assert_eq!(
            suspects(&module, "main", "main", None, true),
            ["target", "offset", "scale"]
        );
        // Then its callers: @target may hand @offset a bad value.
        assert_eq!(
            suspects(&module, "offset", "main", None, true),
            ["offset", "target"]
        );
        // A declaration has no body to repair, but what calls it may pass it bad values.
        assert_eq!(
            suspects(&module, "external", "main", None, true),
            ["scale", "target"]
        );
    }

    #[test]
    fn what_the_failed_check_compares_comes_first() {
        let context = tensorlang::create_context().unwrap();
        // The driver checks what @scale returns, not @offset's result.
        let program = PROGRAM.replace(
            "%ok = arith.cmpi eq, %r, %c : i32\n  cf.assert %ok, \"target(3) == 3\"",
            "%s = func.call @scale(%c) : (i32) -> i32\n  %ok = arith.cmpi eq, %s, %c : i32\n  cf.assert %ok, \"target(3) == 3\" loc(\"t.mlir\":50:3)",
        );
        let module = tensorlang::parse_module(&context, &program, "t.mlir").unwrap();
        assert_eq!(
            suspects(&module, "main", "main", Some("t.mlir:50:3"), false),
            ["scale", "target", "offset"]
        );
    }

    #[test]
    fn a_trusted_function_is_never_a_suspect_but_its_callees_are() {
        let context = tensorlang::create_context().unwrap();
        let trusted = PROGRAM.replace(
            "@target(%x: i32) -> i32 {",
            "@target(%x: i32) -> i32 attributes {tensorlang.trusted} {",
        );
        let module = tensorlang::parse_module(&context, &trusted, "t.mlir").unwrap();
        assert_eq!(
            suspects(&module, "target", "main", None, true),
            ["offset", "scale"]
        );
    }
}
