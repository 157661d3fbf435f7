//! A module as text: functions found by name, printed with their locations inline (so candidates
//! and sandboxed runs point at the user's source), and programs with one function replaced.

use melior::ir::attribute::StringAttribute;
use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use melior::ir::{BlockLike, BlockRef, Module, OperationRef};

/// The top-level function `name` of `module`.
pub fn find_function<'c, 'a>(module: &'a Module<'c>, name: &str) -> Option<OperationRef<'c, 'a>> {
    find_in_block(module.body(), name)
}

/// The op of `block` whose symbol is `name`.
pub fn find_in_block<'c, 'a>(block: BlockRef<'c, 'a>, name: &str) -> Option<OperationRef<'c, 'a>> {
    let mut next = block.first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        if symbol(&op).as_deref() == Some(name) {
            return Some(op);
        }
    }
    None
}

fn symbol(op: &OperationRef) -> Option<String> {
    let symbol = StringAttribute::try_from(op.attribute("sym_name").ok()?).ok()?;
    Some(symbol.value().to_owned())
}

/// The op as MLIR prints it; with `locations`, each op carries its `loc(...)` inline.
pub fn print(op: &OperationRef, locations: bool) -> String {
    let flags = OperationPrintingFlags::new().enable_debug_info(locations, false);
    op.to_string_with_flags(flags)
        .unwrap_or_else(|_| op.to_string())
}

/// The program with `function` replaced by `replacement`, every other op as printed.
pub fn splice(module: &Module, function: &str, replacement: &str) -> String {
    let mut program = String::new();
    let mut next = module.body().first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        if symbol(&op).as_deref() == Some(function) {
            program.push_str(replacement);
        } else {
            program.push_str(&print(&op, true));
        }
        program.push('\n');
    }
    program
}
