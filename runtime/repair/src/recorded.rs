//! The failing call a failure report recorded (`tensorlang-run --failure-report`: its arguments
//! and the buffers they reach, as the call began), as a program input: a driver that calls the
//! function again with those values, each buffer a global of its own holding the recorded
//! elements. The engine runs every candidate for that function on it: a candidate must pass the
//! very call that failed, not only a run of the program (which a candidate can pass by no longer
//! reaching that call).
//!
//! Before (the report holds `@scale`'s call with `[1.0, 2.0, 3.0]` and `7`):
//! ```mlir
//! func.func @scale(%a: memref<?xf32>, %k: i32) -> f32 { ... }
//! ```
//! After, appended to the program:
//! ```mlir
//! memref.global "private" @__tensorlang_recorded_arg0 : memref<3xf32> = dense<[0x3F800000, ...]>
//! func.func @__tensorlang_recorded() {
//!   %g0 = memref.get_global @__tensorlang_recorded_arg0 : memref<3xf32>
//!   %a0 = memref.cast %g0 : memref<3xf32> to memref<?xf32>
//!   %a1 = arith.constant 7 : i32
//!   %r = func.call @scale(%a0, %a1) : (memref<?xf32>, i32) -> (f32)
//!   return
//! }
//! ```
//!
//! A function that reaches a global the program writes is left out: run alone, it would see the
//! global as the program starts, not as it was at the failing call.

use std::collections::BTreeSet;

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};
use serde_json::Value;
use tensorlang::ir::{callee, find_symbol, global_name, op_name, shaped_type, top_level_ops};
use tensorlang_checks::failure::{ArgumentRecord, Failure};

use crate::driver::{Driver, float_literal};

/// The name of the driver function.
pub const DRIVER: &str = "__tensorlang_recorded";

/// The recorded failing call of `failure.function` as a driver (and the globals it reads), to
/// append to the program; `None` when the failure holds no arguments, one of them was not
/// recorded in full, or the function reaches a global the program writes.
pub fn driver(module: &Module, failure: &Failure) -> Option<String> {
    if failure.arguments.is_empty() {
        return None;
    }
    let ops = top_level_ops(module.as_operation());
    let function = find_symbol(ops, &failure.function)?;
    if reaches_mutable_global(module.as_operation(), &function) {
        return None;
    }
    let mut driver = Driver::default();
    for (i, argument) in failure.arguments.iter().enumerate() {
        let ty = &argument.ty;
        if shaped_type(ty).is_some() {
            let (ops, definition) = buffer(i, argument)?;
            driver.globals.push_str(&definition);
            driver.body.push_str(&ops);
        } else {
            driver.body.push_str(&format!(
                "  %a{i} = arith.constant {}\n",
                scalar(&argument.value, ty)?
            ));
        }
        driver.types.push(ty.clone());
    }
    driver.finish(DRIVER, &function, &failure.function)
}

/// A buffer argument: the ops that make it in the driver, and the global holding its elements
/// (writable: the function may write its arguments). A tensor is a constant.
fn buffer(i: usize, argument: &ArgumentRecord) -> Option<(String, String)> {
    let ty = &argument.ty;
    let shaped = shaped_type(ty)?;
    let shape: Vec<u64> = argument.value["shape"]
        .as_array()?
        .iter()
        .map(Value::as_u64)
        .collect::<Option<_>>()?;
    let elements: Vec<String> = argument.value["elements"]
        .as_array()?
        .iter()
        .map(|e| element(e, shaped.element))
        .collect::<Option<_>>()?;
    // A hostile bundle's shape may overflow: it then matches no element count.
    let count = shape.iter().try_fold(1u64, |n, d| n.checked_mul(*d));
    if count != Some(elements.len() as u64) {
        return None;
    }
    let extents: String = shape.iter().map(|d| format!("{d}x")).collect();
    let dense = format!("dense<{}>", nested(&elements, &shape));
    let name = format!("{DRIVER}_arg{i}");
    if !shaped.memref {
        let exact = format!("tensor<{extents}{}>", shaped.element);
        let mut ops = format!("  %g{i} = arith.constant {dense} : {exact}\n");
        ops.push_str(&cast(i, "tensor", &exact, ty));
        return Some((ops, String::new()));
    }
    let exact = format!("memref<{extents}{}>", shaped.element);
    let definition = format!("memref.global \"private\" @{name} : {exact} = {dense}\n");
    let mut ops = format!("  %g{i} = memref.get_global @{name} : {exact}\n");
    ops.push_str(&cast(i, "memref", &exact, ty));
    Some((ops, definition))
}

/// `%a{i}` as `ty`, from `%g{i}` of type `exact` (a cast to the same type is valid too).
fn cast(i: usize, dialect: &str, exact: &str, ty: &str) -> String {
    format!("  %a{i} = {dialect}.cast %g{i} : {exact} to {ty}\n")
}

/// The elements as a nested list of `shape` (`[[1, 2], [3, 4]]`; a rank-0 value alone).
fn nested(elements: &[String], shape: &[u64]) -> String {
    match shape.split_first() {
        None => elements.first().cloned().unwrap_or_default(),
        Some((&extent, inner)) => {
            let chunk = elements.len() / (extent.max(1) as usize);
            let parts: Vec<String> = elements
                .chunks(chunk.max(1))
                .map(|c| nested(c, inner))
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// A scalar argument as the operand of `arith.constant`.
fn scalar(value: &Value, ty: &str) -> Option<String> {
    Some(match ty {
        "i1" => element(value, ty)?,
        _ => format!("{} : {ty}", element(value, ty)?),
    })
}

/// One recorded value of element type `ty` as an MLIR literal: an integer, `true`/`false`, or a
/// float by its bits (`0x3F800000`), exact for NaN and infinities too.
fn element(value: &Value, ty: &str) -> Option<String> {
    let float = || -> Option<f64> {
        match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s == "nan" => Some(f64::NAN),
            Value::String(s) if s == "inf" => Some(f64::INFINITY),
            Value::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
            _ => None,
        }
    };
    match ty {
        "i1" => Some(
            if value.as_i64()? != 0 {
                "true"
            } else {
                "false"
            }
            .to_owned(),
        ),
        "f32" => Some(float_literal(u64::from((float()? as f32).to_bits()), 32)),
        "f64" => Some(float_literal(float()?.to_bits(), 64)),
        "index" => Some(value.as_i64()?.to_string()),
        _ if ty.starts_with('i') => Some(value.as_i64()?.to_string()),
        _ => None,
    }
}

/// Whether `function`, or a function it calls, reads or writes a global that is not constant.
fn reaches_mutable_global(module: OperationRef, function: &OperationRef) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![*function];
    let mut reaches = false;
    while let Some(next) = pending.pop() {
        next.walk(WalkOrder::PreOrder, |op| {
            match op_name(&op).as_str() {
                "memref.get_global" => {
                    let name = global_name(&op).unwrap_or_default();
                    let constant = find_symbol(top_level_ops(module), &name)
                        .is_some_and(|g| g.attribute("constant").is_ok());
                    reaches |= !constant;
                }
                "llvm.mlir.addressof" => reaches = true,
                _ => {}
            }
            if let Some(name) = callee(&op)
                && seen.insert(name.clone())
                && let Some(called) = find_symbol(top_level_ops(module), &name)
            {
                // SAFETY: a top-level op of the module, which outlives this walk.
                pending.push(unsafe { tensorlang::lifetime::operation(&called) });
            }
            WalkResult::Advance
        });
    }
    reaches
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCALE: &str = "func.func @scale(%a: memref<?xf32>, %k: i32) -> f32 {\n  %c0 = arith.constant 0 : index\n  %v = memref.load %a[%c0] : memref<?xf32>\n  return %v : f32\n}\n";

    fn failure(arguments: Vec<ArgumentRecord>) -> Failure {
        Failure {
            function: "scale".into(),
            entry: "main".into(),
            kind: "div-by-zero".parse().unwrap(),
            location: "p.mlir:3:8".into(),
            message: "division by zero".into(),
            arguments,
        }
    }

    fn record(ty: &str, value: Value) -> ArgumentRecord {
        ArgumentRecord {
            ty: ty.into(),
            value,
        }
    }

    #[test]
    fn the_recorded_call_is_a_driver_over_globals_of_its_buffers() {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, SCALE, "p.mlir").unwrap();
        let recorded = failure(vec![
            record(
                "memref<?xf32>",
                json!({"shape": [3], "elements": [1.0, "nan", -2.5]}),
            ),
            record("i32", json!(7)),
        ]);
        let driver = driver(&module, &recorded).unwrap();
        assert_eq!(
            driver,
            "memref.global \"private\" @__tensorlang_recorded_arg0 : memref<3xf32> = dense<[0x3F800000, 0x7FC00000, 0xC0200000]>\nfunc.func @__tensorlang_recorded() {\n  %g0 = memref.get_global @__tensorlang_recorded_arg0 : memref<3xf32>\n  %a0 = memref.cast %g0 : memref<3xf32> to memref<?xf32>\n  %a1 = arith.constant 7 : i32\n  %r = func.call @scale(%a0, %a1) : (memref<?xf32>, i32) -> (f32)\n  return\n}\n"
        );
        let program = format!("{SCALE}{driver}");
        assert!(tensorlang::parse_module(&context, &program, "p.mlir").is_ok());
    }

    #[test]
    fn a_tensor_is_a_constant_and_shapes_nest() {
        let source = "func.func @t(%x: tensor<2x2xi32>) {\n  return\n}\n";
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "p.mlir").unwrap();
        let mut recorded = failure(vec![record(
            "tensor<2x2xi32>",
            json!({"shape": [2, 2], "elements": [1, 2, 3, 4]}),
        )]);
        recorded.function = "t".into();
        let driver = driver(&module, &recorded).unwrap();
        assert!(
            driver.contains("%g0 = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>\n"),
            "{driver}"
        );
        assert!(tensorlang::parse_module(&context, &format!("{source}{driver}"), "p.mlir").is_ok());
    }

    #[test]
    fn no_driver_without_the_whole_call_or_with_state() {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, SCALE, "p.mlir").unwrap();
        assert!(driver(&module, &failure(Vec::new())).is_none());
        let omitted = failure(vec![
            record(
                "memref<?xf32>",
                json!({"shape": [3], "elements": null, "omitted": "not saved"}),
            ),
            record("i32", json!(7)),
        ]);
        assert!(driver(&module, &omitted).is_none());
        let overflowing = failure(vec![
            record(
                "memref<?xf32>",
                json!({"shape": [u64::MAX, 2], "elements": [1.0, 2.0]}),
            ),
            record("i32", json!(7)),
        ]);
        assert!(driver(&module, &overflowing).is_none());
        let stateful = "memref.global \"private\" @count : memref<i32> = dense<0>\nfunc.func @scale(%a: memref<?xf32>, %k: i32) -> f32 {\n  %g = memref.get_global @count : memref<i32>\n  %c0 = arith.constant 0 : index\n  %v = memref.load %a[%c0] : memref<?xf32>\n  return %v : f32\n}\n";
        let module = tensorlang::parse_module(&context, stateful, "p.mlir").unwrap();
        let recorded = failure(vec![
            record("memref<?xf32>", json!({"shape": [1], "elements": [1.0]})),
            record("i32", json!(7)),
        ]);
        assert!(driver(&module, &recorded).is_none());
    }
}
