//! Outlining: an op in the middle of a function body becomes a call of a new public function
//! that holds only that op, so that it gets a hot-swap slot of its own (`--optimize` outlines a
//! `linalg.matmul` written inline in `main`'s loop, then swaps faster code in behind the slot).
//!
//! Only ops without results qualify (a `linalg.matmul` on memrefs writes its output in place):
//! the call takes the op's operands, in order, and the new function's body is a copy of the op
//! on its parameters, with the op's location. Nothing else changes: the op runs on the same
//! values, once, at the same point.

use melior::Context;
use melior::dialect::func;
use melior::ir::attribute::{FlatSymbolRefAttribute, StringAttribute, TypeAttribute};
use melior::ir::operation::{OperationLike, OperationMutLike, WalkOrder, WalkResult};
use melior::ir::r#type::FunctionType;
use melior::ir::{Block, BlockLike, OperationRef, Region, RegionLike, Type, ValueLike};
use tensorlang::diagnostic::format_location;
use tensorlang::ir::OperationExt;
use tensorlang::ir::{op_name, symbol_name, top_level_ops};

use super::{FunctionInfo, Program};

impl<'c> Program<'c> {
    /// Moves each op in a function body that `select` picks (and that has no results) into a
    /// new public function named `PREFIX<n>` (a name no symbol has), and calls that function in
    /// its place. The new functions, in order.
    pub fn outline(
        &mut self,
        context: &'c Context,
        select: impl Fn(&OperationRef) -> bool,
        prefix: &str,
    ) -> Vec<String> {
        let mut picked = Vec::new();
        for function in top_level_ops(self.module.as_operation()) {
            if op_name(&function) != "func.func" {
                continue;
            }
            function.walk(WalkOrder::PreOrder, |op| {
                if op.result_count() == 0 && op.block().is_some() && select(&op) {
                    picked.push(op.to_raw());
                    // What is inside a picked op moves with it.
                    return WalkResult::Skip;
                }
                WalkResult::Advance
            });
        }
        let mut taken: Vec<String> = top_level_ops(self.module.as_operation())
            .iter()
            .filter_map(symbol_name)
            .collect();
        // Ops that are the same but for their operands share one function: the same matmul
        // written in two loops is one function, made faster once.
        let mut outlined: Vec<(String, String)> = Vec::new();
        for raw in picked {
            // SAFETY: an op of this module found by the walk above. The only ops erased since
            // are earlier picks, and no pick is inside another (the walk skips a pick's body).
            let op = unsafe { OperationRef::from_raw(raw) };
            let shape = op_without_operands(&op);
            if let Some((name, _)) = outlined.iter().find(|(_, s)| *s == shape) {
                self.call_instead(context, op, name);
                continue;
            }
            let name = (0..)
                .map(|n| format!("{prefix}{n}"))
                .find(|name| !taken.contains(name))
                .expect("some name is free");
            taken.push(name.clone());
            self.outline_one(context, op, &name);
            outlined.push((name, shape));
        }
        outlined.into_iter().map(|(name, _)| name).collect()
    }

    fn outline_one(&mut self, context: &'c Context, op: OperationRef<'c, '_>, name: &str) {
        let location = op.location();
        let operands: Vec<_> = (0..op.operand_count())
            .filter_map(|i| op.operand_at(i))
            .collect();
        let types: Vec<Type> = operands.iter().map(|v| v.r#type()).collect();
        let block = Block::new(&types.iter().map(|&t| (t, location)).collect::<Vec<_>>());
        let mut body = tensorlang::ir::clone_op(&op);
        for i in 0..operands.len() {
            if let Ok(argument) = block.argument(i) {
                body.set_operand(i, argument.into());
            }
        }
        block.append_operation(body);
        block.append_operation(func::r#return(&[], location));
        let region = Region::new();
        region.append_block(block);
        let function = func::func(
            context,
            StringAttribute::new(context, name),
            TypeAttribute::new(FunctionType::new(context, &types, &[]).into()),
            region,
            &[],
            location,
        );
        self.module.body().append_operation(function);
        self.call_instead(context, op, name);
        self.functions.push(FunctionInfo {
            name: name.to_owned(),
            location: format_location(location),
            parameters: types.iter().map(|t| t.to_string()).collect(),
            globals: Vec::new(),
        });
    }

    /// Replaces `op` with a call of `name` on its operands.
    fn call_instead(&self, context: &'c Context, op: OperationRef<'c, '_>, name: &str) {
        let location = op.location();
        let operands: Vec<_> = (0..op.operand_count())
            .filter_map(|i| op.operand_at(i))
            .collect();
        let call = func::call(
            context,
            FlatSymbolRefAttribute::new(context, name),
            &operands,
            &[],
            location,
        );
        if let Some(block) = op.block() {
            block.insert_operation_before(op, call);
        }
        // SAFETY: the op has no results, so nothing outside it uses a value it defines, and
        // nothing refers to it after this.
        unsafe { tensorlang::ir::erase(op) };
    }
}

/// `op` as text, its operands replaced by their types and its location left out: two ops with
/// the same text do the same to their operands.
fn op_without_operands(op: &OperationRef) -> String {
    let copy = tensorlang::ir::clone_op(op);
    let types: Vec<String> = (0..op.operand_count())
        .filter_map(|i| op.operand_at(i))
        .map(|v| v.r#type().to_string())
        .collect();
    // The generic form names operands by position and types them in the signature.
    let text = copy.to_string_with_flags(
        melior::ir::operation::OperationPrintingFlags::new().print_generic_operation_form(),
    );
    format!(
        "{}|{}",
        types.join(","),
        text.map(|t| strip_operands(&t)).unwrap_or_default()
    )
}

/// The generic text of an op without its operand list (`"linalg.matmul"(%a, %b, %c) ...` to
/// `"linalg.matmul"(...) ...`).
fn strip_operands(text: &str) -> String {
    match (text.find('('), text.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}(...){}", &text[..open], &text[close + 1..])
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_op_in_a_loop_becomes_a_call_of_a_function_of_its_own() {
        let source = "func.func @main(%a: memref<4xf32>, %b: memref<4xf32>) {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c2 = arith.constant 2 : index\n  scf.for %i = %c0 to %c2 step %c1 {\n    memref.copy %a, %b : memref<4xf32> to memref<4xf32>\n  }\n  memref.copy %b, %a : memref<4xf32> to memref<4xf32>\n  return\n}\nfunc.func @f_outlined0() {\n  return\n}\n";
        let context = crate::create_context().unwrap();
        let mut program = Program::parse(&context, source, "o.mlir", true).unwrap();
        let names = program.outline(&context, |op| op_name(op) == "memref.copy", "f_outlined");
        assert_eq!(names, vec!["f_outlined1".to_string()]);
        let text = program.module().as_operation().to_string();
        assert!(
            text.contains("call @f_outlined1(%arg0, %arg1) : (memref<4xf32>, memref<4xf32>) -> ()"),
            "{text}"
        );
        assert!(text.contains("func.func @f_outlined1(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {\n    memref.copy %arg0, %arg1"), "{text}");
        // The same op on other operands calls the same function.
        assert!(text.contains("call @f_outlined1(%arg1, %arg0)"), "{text}");
        assert!(program.module().as_operation().verify());
        let info = program
            .functions
            .iter()
            .find(|f| f.name == "f_outlined1")
            .unwrap();
        assert!(info.location.starts_with("o.mlir:6:"), "{info:?}");
    }
}
