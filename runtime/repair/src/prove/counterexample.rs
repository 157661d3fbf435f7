//! A counterexample as a program input: a driver function that calls the refuted function with
//! the arguments Z3 found (and the constant globals its memory arguments are known to be), so that the compiled candidate, and the original beside it, can run on
//! it with every check (the engine's differential run, `engine/counterexample.rs`).
//!
//! Before (Z3 refuted `@avg` with `arg0 = 0`):
//! ```mlir
//! func.func @avg(%n: i32) -> i32 { ... }
//! ```
//! After, appended to the program:
//! ```mlir
//! func.func @__tensorlang_counterexample() {
//!   %a0 = arith.constant 0 : i32
//!   %r = func.call @avg(%a0) : (i32) -> (i32)
//!   return
//! }
//! ```

use std::collections::HashMap;
use tensorlang::ir::OperationExt;

use melior::ir::{BlockLike, OperationRef, RegionLike, ValueLike};

use super::smt::{self, Sort, Translation};
use crate::driver::{Driver, float_literal};

/// The name of the driver function.
pub const DRIVER: &str = "__tensorlang_counterexample";

/// The driver that calls `function` (the definition `definition`, translated as
/// `translation`) on the values Z3 gave its scalar arguments and the elements of its memory
/// arguments of any contents (`values`, keyed by their SMT names; each such memory a global of
/// its own, before the driver), and on the globals its other memory arguments are known to be;
/// `None` when an argument has no value.
pub(crate) fn driver(
    definition: &OperationRef,
    function: &str,
    translation: &Translation,
    values: &HashMap<String, Vec<String>>,
) -> Option<String> {
    let block = definition.region_at(0)?.first_block()?;
    let mut driver = Driver::default();
    for i in 0..block.argument_count() {
        let ty = block.argument(i).ok()?.r#type().to_string();
        if let Some(argument) = translation.arguments.iter().find(|a| a.position == i) {
            let literal = literal(values.get(&argument.name)?, argument.sort, &ty)?;
            driver
                .body
                .push_str(&format!("  %a{i} = arith.constant {literal}\n"));
        } else if let Some(free) = translation.free.iter().find(|f| f.position == i) {
            // Any contents: the global holds those Z3 chose (writable: the function may write).
            let elements: Vec<String> = free
                .elements
                .iter()
                .map(|e| element(values.get(e)?, free.sort))
                .collect::<Option<_>>()?;
            let global = format!("{DRIVER}_arg{i}");
            driver.globals.push_str(&format!(
                "memref.global \"private\" @{global} : {ty} = dense<[{}]>\n",
                elements.join(", ")
            ));
            driver
                .body
                .push_str(&format!("  %a{i} = memref.get_global @{global} : {ty}\n"));
        } else {
            let known = translation.known.iter().find(|k| k.position == i)?;
            let (global, global_ty) = (&known.global, &known.ty);
            if *global_ty == ty {
                driver
                    .body
                    .push_str(&format!("  %a{i} = memref.get_global @{global} : {ty}\n"));
            } else {
                driver.body.push_str(&format!(
                    "  %g{i} = memref.get_global @{global} : {global_ty}\n  %a{i} = memref.cast %g{i} : {global_ty} to {ty}\n"
                ));
            }
        }
        driver.types.push(ty);
    }
    driver.finish(DRIVER, definition, function)
}

/// `program` (top-level ops, as [`crate::module_text::splice`] prints them) with `driver` added.
pub fn with_driver(program: &str, driver: &str) -> String {
    format!("{program}{driver}")
}

/// Z3's value of an argument (its tokens) as the operand of `arith.constant` (`-7 : i32`,
/// `true`, `0x7FC00000 : f32`).
fn literal(tokens: &[String], sort: Sort, ty: &str) -> Option<String> {
    let value = element(tokens, sort)?;
    Some(match sort {
        Sort::Bool => value,
        _ => format!("{value} : {ty}"),
    })
}

/// Z3's value (its tokens) as an MLIR literal of `sort`, without its type: `-7`, `true`,
/// `0x7FC00000` (a float by its bits).
fn element(tokens: &[String], sort: Sort) -> Option<String> {
    match sort {
        Sort::Bool => match tokens.first()?.as_str() {
            "true" => Some("true".into()),
            "false" => Some("false".into()),
            _ => None,
        },
        Sort::Bits(_) => Some(super::signed(tokens.first()?, sort)?.to_string()),
        Sort::Float(exponent, significand) => {
            let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
            let bits = smt::float_bits(&tokens, sort)?;
            Some(float_literal(bits, exponent + significand))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver_of(source: &str, values: &[(&str, &[&str])]) -> Option<String> {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "p.mlir").unwrap();
        let function = tensorlang::ir::top_level_ops(module.as_operation())[0];
        let translation = smt::translate(&function, module.as_operation(), "f_").unwrap();
        let values = values
            .iter()
            .map(|(name, tokens)| {
                (
                    (*name).to_owned(),
                    tokens.iter().map(|t| (*t).to_owned()).collect(),
                )
            })
            .collect();
        driver(&function, "f", &translation, &values)
    }

    #[test]
    fn the_driver_passes_each_value_as_a_constant_of_its_type() {
        let source = "func.func @f(%a: i32, %b: f32, %c: i1, %d: index) -> (i32, f32) {\n  return %a, %b : i32, f32\n}\n";
        let driver = driver_of(
            source,
            &[
                ("f_arg0", &["#xffffffff"]),
                ("f_arg1", &["_", "NaN", "8", "24"]),
                ("f_arg2", &["true"]),
                ("f_arg3", &["#x0000000000000007"]),
            ],
        )
        .unwrap();
        assert_eq!(
            driver,
            "func.func @__tensorlang_counterexample() {\n  %a0 = arith.constant -1 : i32\n  %a1 = arith.constant 0x7FC00000 : f32\n  %a2 = arith.constant true\n  %a3 = arith.constant 7 : index\n  %r:2 = func.call @f(%a0, %a1, %a2, %a3) : (i32, f32, i1, index) -> (i32, f32)\n  return\n}\n"
        );
        // It parses and verifies beside the function.
        let context = tensorlang::create_context().unwrap();
        let program = with_driver(source, &driver);
        assert!(tensorlang::parse_module(&context, &program, "p.mlir").is_ok());
    }

    #[test]
    fn an_argument_without_a_value_gives_no_driver() {
        let source = "func.func @f(%a: i32) {\n  return\n}\n";
        assert!(driver_of(source, &[]).is_none());
        let driver = driver_of(source, &[("f_arg0", &["#x00000000"])]).unwrap();
        assert!(
            driver.contains("  func.call @f(%a0) : (i32) -> ()\n"),
            "{driver}"
        );
    }
}
