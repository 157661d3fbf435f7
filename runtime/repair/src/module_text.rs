//! A module as text: functions found by name, printed with their locations inline (so candidates
//! and sandboxed runs point at the user's source), and programs with one function replaced.

use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use melior::ir::{Module, OperationRef};

use tensorlang::ir::{find_symbol, symbol_name, top_level_ops};

/// The top-level function `name` of `module`.
pub fn find_function<'c, 'a>(module: &'a Module<'c>, name: &str) -> Option<OperationRef<'c, 'a>> {
    find_symbol(top_level_ops(module.as_operation()), name)
}

/// The op as MLIR prints it; with `locations`, each op carries its `loc(...)` inline.
pub fn print(op: &OperationRef, locations: bool) -> String {
    let flags = OperationPrintingFlags::new().enable_debug_info(locations, false);
    op.to_string_with_flags(flags)
        .unwrap_or_else(|_| op.to_string())
}

/// The program as [`splice`] prints it, nothing replaced.
pub fn program(module: &Module) -> String {
    splice(module, "", "")
}

/// The program with `function` replaced by `replacement`, every other op as printed.
pub fn splice(module: &Module, function: &str, replacement: &str) -> String {
    let mut program = String::new();
    for op in top_level_ops(module.as_operation()) {
        if symbol_name(&op).as_deref() == Some(function) {
            program.push_str(replacement);
        } else {
            program.push_str(&print(&op, true));
        }
        program.push('\n');
    }
    program
}
