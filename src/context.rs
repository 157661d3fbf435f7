//! An MLIR context ready for TensorLang: every upstream dialect registered, ours loaded.

use crate::diagnostic::Diagnostics;
use crate::{Error, dialect};
use melior::Context;
use melior::dialect::DialectRegistry;
use melior::ir::Module;

/// Creates a context with every upstream dialect and extension registered and the `tensorlang`
/// dialect loaded.
pub fn create_context() -> Result<Context, Error> {
    let registry = DialectRegistry::new();
    melior::utility::register_all_dialects(&registry);
    let context = Context::new();
    context.append_dialect_registry(&registry);
    context.load_all_available_dialects();
    dialect::load(&context)?;
    Ok(context)
}

/// Parses and verifies `source`, naming it `filename` in locations (`loc("filename":line:col)`).
///
/// On failure the error holds the located diagnostics, as `mlir-opt` would print them.
pub fn parse_module<'c>(
    context: &'c Context,
    source: &str,
    filename: &str,
) -> Result<Module<'c>, Error> {
    let diagnostics = Diagnostics::capture(context);
    // SAFETY: the string views point at live UTF-8 data for the duration of the call; MLIR copies
    // what it keeps.
    let raw = unsafe {
        crate::native::tlParseModule(
            context.to_raw(),
            mlir_sys::MlirStringRef {
                data: source.as_ptr().cast(),
                length: source.len(),
            },
            mlir_sys::MlirStringRef {
                data: filename.as_ptr().cast(),
                length: filename.len(),
            },
        )
    };
    // SAFETY: `raw` is null or a freshly parsed module we now own.
    unsafe { Module::from_option_raw(raw) }.ok_or_else(|| {
        Error::Parse(diagnostics.take_message(&format!("{filename}: error: cannot parse")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensorlang_ops_parse_and_verify() {
        let context = create_context().unwrap();
        let source = r#"
            func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
              %0 = "tensorlang.relu"(%a) : (tensor<4xf32>) -> tensor<4xf32>
              return %0 : tensor<4xf32>
            }"#;
        let module = parse_module(&context, source, "relu.mlir").unwrap();
        assert!(
            module
                .as_operation()
                .to_string()
                .contains("tensorlang.relu")
        );
    }

    #[test]
    fn irdl_constraints_reject_bad_ops_with_a_location() {
        let context = create_context().unwrap();
        let source = "func.func @f(%a: tensor<4xf32>, %b: tensor<5xf32>) {\n  \
                      %0 = \"tensorlang.add\"(%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>\n  \
                      return\n}";
        let error = parse_module(&context, source, "bad.mlir")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("bad.mlir:2:8: error: "), "{error}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let context = create_context().unwrap();
        let error = parse_module(&context, "func.func @f( {", "broken.mlir")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("broken.mlir:1:"), "{error}");
        assert!(error.contains("error:"), "{error}");
    }
}
