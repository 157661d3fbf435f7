//! The program's mutable globals: what a call (or a run of the entry point) can change besides
//! its arguments, so that self-healing can save and restore it.
//!
//! A `memref.global` without `constant` and with a static shape is one region of `bytes` bytes at
//! its symbol's address once loaded. Each function gets the globals it reaches: those it names
//! with `memref.get_global`, and those its callees reach.

use std::collections::{BTreeMap, BTreeSet};

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use tensorlang::ir::{
    callee, element_bytes, global_name, op_name, shaped_type, symbol_name, top_level_ops,
};

/// One mutable global of the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutableGlobal {
    /// Its symbol.
    pub name: String,
    /// Its size in bytes.
    pub bytes: usize,
}

/// The mutable globals of `module` (before lowering).
pub fn mutable_globals(module: &Module) -> Vec<MutableGlobal> {
    top_level_ops(module.as_operation())
        .iter()
        .filter(|op| op_name(op) == "memref.global" && op.attribute("constant").is_err())
        .filter_map(|op| {
            let ty = op.attribute("type").ok()?.to_string();
            let shaped = shaped_type(&ty).filter(|shaped| shaped.memref)?;
            let mut elements = 1usize;
            for dim in shaped.dims? {
                elements = elements.checked_mul(usize::try_from(dim?).ok()?)?;
            }
            let element = element_bytes(shaped.element)?;
            Some(MutableGlobal {
                name: symbol_name(op)?,
                bytes: elements.checked_mul(element)?,
            })
        })
        .collect()
}

/// For each defined function, the mutable globals among `globals` it can reach.
pub fn reached_globals(
    module: &Module,
    globals: &[MutableGlobal],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut direct: BTreeMap<String, (BTreeSet<String>, Vec<String>)> = BTreeMap::new();
    for op in top_level_ops(module.as_operation()) {
        let (true, Some(name)) = (op_name(&op) == "func.func", symbol_name(&op)) else {
            continue;
        };
        direct.insert(name, uses(&op, globals));
    }
    let mut reached = BTreeMap::new();
    for name in direct.keys() {
        let mut seen = BTreeSet::new();
        let mut found = BTreeSet::new();
        let mut stack = vec![name.clone()];
        while let Some(function) = stack.pop() {
            if !seen.insert(function.clone()) {
                continue;
            }
            if let Some((named, callees)) = direct.get(&function) {
                found.extend(named.iter().cloned());
                stack.extend(callees.iter().cloned());
            }
        }
        reached.insert(name.clone(), found);
    }
    reached
}

/// The globals `function` names and the functions it calls.
fn uses(function: &OperationRef, globals: &[MutableGlobal]) -> (BTreeSet<String>, Vec<String>) {
    let mut named = BTreeSet::new();
    let mut callees = Vec::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if let Some(symbol) = global_name(&op)
            && globals.iter().any(|g| g.name == symbol)
        {
            named.insert(symbol);
        }
        if let Some(callee) = callee(&op) {
            callees.push(callee);
        }
        WalkResult::Advance
    });
    (named, callees)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutable_globals_and_who_reaches_them() {
        let context = crate::create_context().unwrap();
        let source = r#"
memref.global "private" constant @table : memref<4xi32> = dense<[1, 2, 3, 4]>
memref.global "private" @counter : memref<2x3xf64> = dense<0.0>
func.func @bump() {
  %g = memref.get_global @counter : memref<2x3xf64>
  return
}
func.func @outer() {
  call @bump() : () -> ()
  return
}
func.func @reader() {
  %t = memref.get_global @table : memref<4xi32>
  return
}
"#;
        let module = tensorlang::parse_module(&context, source, "g.mlir").unwrap();
        let globals = mutable_globals(&module);
        assert_eq!(
            globals,
            [MutableGlobal {
                name: "counter".into(),
                bytes: 48
            }]
        );
        let reached = reached_globals(&module, &globals);
        assert!(reached["outer"].contains("counter"));
        assert!(reached["reader"].is_empty());
    }
}
