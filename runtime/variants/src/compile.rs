//! A variant from text to the LLVM dialect: parsed, its transform script interpreted and then
//! removed ([`transform_variant`], what `--neuro-optimize` writes into a module), lowered
//! ([`lower_variant`]). The JIT compiles the result as a new version of the function.

use melior::Context;
use melior::ir::Attribute;
use melior::ir::Module;
use melior::ir::operation::{OperationLike, OperationMutLike};
use tensorlang::ir::{op_name, top_level_ops};

use crate::variant::{VariantParameters, lowering};

/// `text` (a variant's module, see [`crate::variant::module_text`]) in the LLVM dialect, its
/// `function` the only one outside code sees (the helpers the threads run on are internal, so
/// the version carries them with it).
///
/// # Errors
/// The first diagnostic of the step that failed.
pub fn lower_variant<'c>(
    context: &'c Context,
    text: &str,
    function: &str,
    parameters: &VariantParameters,
) -> Result<Module<'c>, String> {
    let mut module = transform_variant(context, text)?;
    tensorlang::pass::run_pipeline(context, &mut module, &lowering(parameters))
        .map_err(|e| format!("lowering failed: {e}"))?;
    internalize_helpers(context, &module, function);
    Ok(module)
}

/// `text` (a variant's module) with its transform script interpreted, then removed: the
/// function tiled, vectorized and bufferized (memrefs, vectors, `scf`), not lowered further.
///
/// # Errors
/// The first diagnostic of the step that failed.
pub fn transform_variant<'c>(context: &'c Context, text: &str) -> Result<Module<'c>, String> {
    let mut module =
        tensorlang::parse_module(context, text, "variant.mlir").map_err(|e| e.to_string())?;
    tensorlang::pass::register_upstream_passes();
    tensorlang::pass::run_pipeline(
        context,
        &mut module,
        "builtin.module(transform-interpreter)",
    )
    .map_err(|e| format!("the transform script failed: {e}"))?;
    erase_transform_script(&module);
    Ok(module)
}

/// Gives every function but `function` internal linkage.
fn internalize_helpers(context: &Context, module: &Module, function: &str) {
    let Some(internal) = Attribute::parse(context, "#llvm.linkage<internal>") else {
        return;
    };
    for op in top_level_ops(module.as_operation()) {
        if op_name(&op) == "llvm.func"
            && tensorlang::ir::is_definition(&op)
            && tensorlang::ir::symbol_name(&op).as_deref() != Some(function)
        {
            // SAFETY: a live top-level op of `module`, which nothing else reads or changes now.
            let mut op = unsafe { tensorlang::lifetime::operation_mut(&op) };
            op.set_attribute("linkage", internal);
        }
    }
}

/// Removes the nested module that holds the transform script.
fn erase_transform_script(module: &Module) {
    for op in top_level_ops(module.as_operation()) {
        if op_name(&op) == "builtin.module" && op.attribute("transform.with_named_sequence").is_ok()
        {
            // SAFETY: a live top-level op of this module that nothing else refers to (transform
            // ops only refer to each other), not used after this.
            unsafe { tensorlang::ir::erase(op) };
        }
    }
}
