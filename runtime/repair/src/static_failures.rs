//! Asserts that fail whatever happens at run time: after inlining and constant propagation their
//! condition is the constant `false`. `--neuro-repair` repairs them without a failure report.

use melior::Context;
use melior::ir::OperationRef;
use melior::ir::attribute::{BoolAttribute, IntegerAttribute};
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use tensorlang::ir::OperationExt;

use tensorlang::ir::{string_attribute, symbol_name, top_level_ops};

use tensorlang_checks::failure::Failure;

/// The asserts of `source` that always fail, as failures of the function holding them once
/// callees are inlined (the entry point, for a test driver), called from `entry`.
pub fn statically_failing(
    context: &Context,
    source: &str,
    file: &str,
    entry: &str,
) -> Vec<Failure> {
    let Ok(mut module) = tensorlang::parse_module(context, source, file) else {
        return Vec::new();
    };
    // Failing to simplify only means finding less.
    // Needs the upstream passes registered, as tools that run passes have them.
    let _ = tensorlang::pass::run_pipeline(
        context,
        &mut module,
        "builtin.module(inline,sccp,canonicalize)",
    );
    let mut failures = Vec::new();
    for function in top_level_ops(module.as_operation()) {
        let Some(name) = symbol_name(&function) else {
            continue;
        };
        function.walk(WalkOrder::PreOrder, |op| {
            let kind = op.name().as_string_ref().as_str().unwrap_or("").to_owned();
            if (kind == "cf.assert" || kind == "tensorlang.assert") && always_false(&op) {
                let message = string_attribute(&op, "msg")
                    .or_else(|| string_attribute(&op, "message"))
                    .unwrap_or_default();
                failures.push(Failure {
                    function: name.clone(),
                    entry: entry.to_owned(),
                    kind: tensorlang_checks::FailureKind::ASSERT,
                    location: tensorlang::diagnostic::format_location(op.location()),
                    message: format!("assertion failed: {message}"),
                    arguments: Vec::new(),
                });
            }
            WalkResult::Advance
        });
    }
    failures
}

/// Whether the assert's condition is a constant false.
fn always_false(assert: &OperationRef) -> bool {
    let Some(condition) = assert.operand_at(0) else {
        return false;
    };
    let Ok(definition) = melior::ir::operation::OperationResult::try_from(condition) else {
        return false;
    };
    let owner = definition.owner();
    if owner.name().as_string_ref().as_str() != Ok("arith.constant") {
        return false;
    }
    let Ok(value) = owner.attribute("value") else {
        return false;
    };
    BoolAttribute::try_from(value).is_ok_and(|value| !value.value())
        || IntegerAttribute::try_from(value).is_ok_and(|value| value.value() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_assert_on_constants_is_found() {
        let source = r#"
func.func @double(%x: i32) -> i32 {
  %k = arith.constant 3 : i32
  %d = arith.muli %x, %k : i32
  return %d : i32
}
func.func @main() {
  %c5 = arith.constant 5 : i32
  %d = func.call @double(%c5) : (i32) -> i32
  %c10 = arith.constant 10 : i32
  %ok = arith.cmpi eq, %d, %c10 : i32
  cf.assert %ok, "double(5) is 10"
  return
}
"#;
        tensorlang::pass::register_upstream_passes();
        let context = tensorlang::create_context().unwrap();
        let failures = statically_failing(&context, source, "d.mlir", "main");
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].function, "main");
        assert_eq!(failures[0].location, "d.mlir:12:3");
        assert_eq!(failures[0].message, "assertion failed: double(5) is 10");
        let fixed = source.replace("constant 3 : i32", "constant 2 : i32");
        assert!(statically_failing(&context, &fixed, "d.mlir", "main").is_empty());
    }
}
