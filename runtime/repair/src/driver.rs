//! Driver functions: a function without arguments that makes a call's operands and calls a
//! function of the program with them, so that one call runs on its own, with every check (a
//! counterexample Z3 found, [`crate::prove::counterexample`]; the failing call a report recorded,
//! [`crate::recorded`]).

use melior::ir::OperationRef;
use melior::ir::operation::OperationLike;
use melior::ir::r#type::FunctionType;

/// A driver being written: the globals it reads, and the ops that make operand `%a{i}` of type
/// `types[i]` for each argument `i`.
#[derive(Debug, Default)]
pub struct Driver {
    /// Top-level ops to add before the driver (`memref.global`s).
    pub globals: String,
    /// The driver's ops so far, one per line.
    pub body: String,
    /// The type of each operand `%a{i}`.
    pub types: Vec<String>,
}

impl Driver {
    /// The driver `@{name}` calling `function` (the definition `definition`) on `%a0`, `%a1`,
    /// ..., after the globals; `None` when the function's type does not read.
    pub fn finish(self, name: &str, definition: &OperationRef, function: &str) -> Option<String> {
        let results = results(definition)?;
        let operands: Vec<String> = (0..self.types.len()).map(|i| format!("%a{i}")).collect();
        let call = format!(
            "func.call @{function}({}) : ({}) -> ({})",
            operands.join(", "),
            self.types.join(", "),
            results.join(", ")
        );
        let call = match results.len() {
            0 => format!("  {call}\n"),
            1 => format!("  %r = {call}\n"),
            n => format!("  %r:{n} = {call}\n"),
        };
        Some(format!(
            "{}func.func @{name}() {{\n{}{call}  return\n}}\n",
            self.globals, self.body
        ))
    }
}

/// A float of `width` bits (32, 64) as an MLIR literal by its bits (`0x7FC00000`): exact for
/// every value, NaN and the infinities included.
pub fn float_literal(bits: u64, width: u32) -> String {
    let digits = width.div_ceil(4) as usize;
    format!("0x{bits:0digits$X}")
}

/// The result types of a `func.func`.
fn results(definition: &OperationRef) -> Option<Vec<String>> {
    let attribute = definition.attribute("function_type").ok()?;
    let ty = melior::ir::attribute::TypeAttribute::try_from(attribute)
        .ok()?
        .value();
    let function = FunctionType::try_from(ty).ok()?;
    (0..function.result_count())
        .map(|i| function.result(i).ok().map(|t| t.to_string()))
        .collect()
}
