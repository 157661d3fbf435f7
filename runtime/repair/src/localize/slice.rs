//! The backward slice of a failed check: which calls produced the values it compares.
//!
//! From the check's operands, back through the ops that define them (and, for values defined by
//! a loop or a branch, the operands of that op), to the calls that returned them; and for a
//! buffer, forward to the calls and stores that may have written it (through its views) and back
//! from their operands. The callees are named in the order the walk reaches them: the function
//! whose result the check compares comes before one whose result only fed into its argument.

use std::collections::HashSet;
use tensorlang::ir::OperationExt;

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{OperationRef, Value, ValueLike};
use mlir_sys::{MlirOperation, MlirValue};
use tensorlang::diagnostic::format_location;

use tensorlang::ir::{VIEW_OPS, callee, op_name};

/// The functions the check at `location` in `function` depends on, nearest first; empty when no
/// op of `function` is at `location`.
pub fn check_slice(function: &OperationRef, location: &str) -> Vec<String> {
    let mut check = None;
    function.walk(WalkOrder::PreOrder, |op| {
        if format_location(op.location()) == location && op.operand_count() > 0 {
            check = Some(op.to_raw());
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    let Some(check) = check else {
        return Vec::new();
    };
    let mut walk = Walk::default();
    walk.push_operands(check);
    while let Some(value) = walk.values.pop() {
        walk.visit(value);
    }
    walk.callees
}

#[derive(Default)]
struct Walk {
    values: Vec<MlirValue>,
    seen_values: HashSet<usize>,
    seen_ops: HashSet<usize>,
    callees: Vec<String>,
}

impl Walk {
    fn push_operands(&mut self, op: MlirOperation) {
        if !self.seen_ops.insert(op.ptr as usize) {
            return;
        }
        // SAFETY: a live op of the function being walked.
        let op_ref = unsafe { OperationRef::from_raw(op) };
        if let Some(name) = callee(&op_ref)
            && !self.callees.contains(&name)
        {
            self.callees.push(name);
        }
        // Later operands are pushed first, so the first operand is followed first.
        for index in (0..op_ref.operand_count()).rev() {
            if let Some(operand) = op_ref.operand_at(index) {
                self.values.push(operand.to_raw());
            }
        }
    }

    fn visit(&mut self, value: MlirValue) {
        if !self.seen_values.insert(value.ptr as usize) {
            return;
        }
        // SAFETY: a live value of the function being walked.
        let value_ref = unsafe { Value::from_raw(value) };
        // SAFETY: as above; the queries only read the IR.
        unsafe {
            if mlir_sys::mlirValueIsAOpResult(value) {
                self.push_operands(mlir_sys::mlirOpResultGetOwner(value));
            } else if mlir_sys::mlirValueIsABlockArgument(value) {
                let block = mlir_sys::mlirBlockArgumentGetOwner(value);
                let parent = mlir_sys::mlirBlockGetParentOperation(block);
                // The function's own arguments end the walk; a loop's carry its operands.
                let is_function = OperationRef::from_raw(parent)
                    .attribute("function_type")
                    .is_ok();
                if !parent.ptr.is_null() && !is_function {
                    self.push_operands(parent);
                }
            }
        }
        if value_ref.r#type().to_string().starts_with("memref<") {
            self.follow_writers(value);
        }
    }

    /// The users of a buffer that may write it: calls and stores, and views of it.
    fn follow_writers(&mut self, value: MlirValue) {
        // SAFETY: walking the use list of a live value.
        let mut operand = unsafe { mlir_sys::mlirValueGetFirstUse(value) };
        while !operand.ptr.is_null() {
            // SAFETY: a live use; its owner is a live op.
            let user = unsafe { mlir_sys::mlirOpOperandGetOwner(operand) };
            // SAFETY: as above.
            let user_ref = unsafe { OperationRef::from_raw(user) };
            let name = op_name(&user_ref);
            if name == "func.call" || name.starts_with("memref.store") || name == "memref.copy" {
                self.push_operands(user);
            } else if VIEW_OPS.contains(&name.as_str())
                && let Some(result) = user_ref.result_at(0)
            {
                self.values.push(result.to_raw());
            }
            // SAFETY: the next use in the same list.
            operand = unsafe { mlir_sys::mlirOpOperandGetNextUse(operand) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlang::ir::{find_symbol, top_level_ops};

    #[test]
    fn the_check_leads_to_the_calls_it_depends_on() {
        let source = r#"
func.func private @noise() -> i32
func.func @fill(%m: memref<4xi32>) {
  return
}
func.func @scale(%x: i32) -> i32 {
  return %x : i32
}
func.func @main() {
  %n = func.call @noise() : () -> i32
  %m = memref.alloca() : memref<4xi32>
  %view = memref.cast %m : memref<4xi32> to memref<4xi32>
  func.call @fill(%view) : (memref<4xi32>) -> ()
  %c0 = arith.constant 0 : index
  %v = memref.load %m[%c0] : memref<4xi32>
  %s = func.call @scale(%v) : (i32) -> i32
  %ok = arith.cmpi eq, %s, %n : i32
  cf.assert %ok, "checked" loc("t.mlir":40:3)
  return
}
"#;
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "t.mlir").unwrap();
        let main = find_symbol(top_level_ops(module.as_operation()), "main").unwrap();
        assert_eq!(
            check_slice(&main, "t.mlir:40:3"),
            ["scale", "fill", "noise"]
        );
        assert!(check_slice(&main, "t.mlir:99:1").is_empty());
    }
}
