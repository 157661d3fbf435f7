//! What a new version of a function may write and call, read off the function it replaces: the
//! [`Containment`] its compiled code runs under ([`tensorlang_checks::contain`]).
//!
//! The function as the user wrote it is the reference, whatever versions ran since: it may
//! write the arguments and globals the original writes (every memref the original hands to a
//! call counts as written, as in [`Effects`]) and call what the original calls.

use melior::ir::Module;
use tensorlang::ir::OperationExt;
use tensorlang::ir::{op_name, symbol_name, top_level_ops};
use tensorlang_checks::contain::Containment;

use crate::admission::{Effects, Root};

/// The containment of new versions of `function` of `module` (the user's program); `None` when
/// the module does not define it.
pub fn containment_of(module: &Module, function: &str) -> Option<Containment> {
    let op = top_level_ops(module.as_operation())
        .into_iter()
        .find(|op| op_name(op) == "func.func" && symbol_name(op).as_deref() == Some(function))?;
    if !tensorlang::ir::is_definition(&op) {
        return None;
    }
    let effects = Effects::of(&op);
    let mut containment = Containment {
        function: function.to_string(),
        callees: effects.callees.iter().cloned().collect(),
        ..Containment::default()
    };
    for root in &effects.writes {
        match root {
            Root::Argument(index) => containment.writable_arguments.push(*index),
            Root::Global(name) => containment.writable_globals.push(name.clone()),
            // The original writes a memref whose origin the analysis lost: any of its memref
            // arguments may be it.
            Root::Unknown => containment.writable_arguments.extend(memref_arguments(&op)),
        }
    }
    containment.writable_arguments.sort_unstable();
    containment.writable_arguments.dedup();
    Some(containment)
}

/// Indices of the memref arguments of `function`.
fn memref_arguments(function: &melior::ir::OperationRef) -> Vec<usize> {
    use melior::ir::{BlockLike, RegionLike, ValueLike};
    let Some(entry) = function.region_at(0).and_then(|r| r.first_block()) else {
        return Vec::new();
    };
    (0..entry.argument_count())
        .filter(|&i| {
            entry
                .argument(i)
                .is_ok_and(|a| a.r#type().to_string().starts_with("memref<"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_calls_come_from_the_original() {
        let context = tensorlang::create_context().unwrap();
        let source = "memref.global @g : memref<2xf32> = dense<0.0>\n\
            func.func private @h(memref<4xf32>)\n\
            func.func @f(%in: memref<4xf32>, %out: memref<4xf32>, %t: memref<4xf32>) {\n  \
            %c0 = arith.constant 0 : index\n  \
            %v = memref.load %in[%c0] : memref<4xf32>\n  \
            memref.store %v, %out[%c0] : memref<4xf32>\n  \
            %g = memref.get_global @g : memref<2xf32>\n  \
            memref.store %v, %g[%c0] : memref<2xf32>\n  \
            call @h(%t) : (memref<4xf32>) -> ()\n  \
            return\n}";
        let module = tensorlang::parse_module(&context, source, "f.mlir").unwrap();
        let containment = containment_of(&module, "f").unwrap();
        assert_eq!(containment.writable_arguments, vec![1, 2]);
        assert_eq!(containment.writable_globals, vec!["g".to_string()]);
        assert_eq!(containment.callees, vec!["h".to_string()]);
        assert!(containment_of(&module, "h").is_none(), "a declaration");
    }
}
