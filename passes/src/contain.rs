//! `--tensorlang-contain`: the buffers a version of a function that is not the user's own (a
//! repair candidate) may touch, registered with the containment runtime as the call runs.
//!
//! This is the memref-level half of containment at the address
//! ([`tensorlang_checks::contain`]): it runs on buffers, before lowering, and registers in the
//! call's frame the exact extent of every memref the function is handed (writable when the
//! function it replaces writes that argument), names (`memref.get_global`) or gets back from a
//! call, and checks that every memref it hands to a call, copies or returns lies in what the frame
//! allows.
//! After lowering and optimization, the JIT checks every load and store of the compiled
//! function against that frame (the LLVM-level half, `runtime/jit/native/contain.cpp`), which
//! also opens the frame, registers allocations and passes the frame's token to the calls inserted
//! here (their first operand, 0 until then).
//!
//! ```mlir
//! // before: tensorlang-contain{function=f writable-arguments=1}
//! func.func @f(%in: memref<4xf32>, %out: memref<4xf32>) { ... }
//! // after
//! func.func @f(%in: memref<4xf32>, %out: memref<4xf32>) {
//!   %c0 = arith.constant 0 : i64
//!   %0 = memref.cast %in : memref<4xf32> to memref<*xf32>
//!   %c4 = arith.constant 4 : i64
//!   %c0_0 = arith.constant 0 : i64
//!   call @__tensorlang_contain_buffer.f32(%c0, %0, %c4, %c0_0) : (i64, memref<*xf32>, i64, i64) -> ()
//!   ... (and %out, writable: 1)
//! }
//! ```

use crate::builder::Builder;
use crate::instrument::CHECK_ATTRIBUTE;
use crate::{OpExt, ops_where};
use melior::dialect::{arith, func};
use melior::ir::attribute::{
    FlatSymbolRefAttribute, IntegerAttribute, StringAttribute, TypeAttribute,
};
use melior::ir::block::BlockLike;
use melior::ir::operation::{OperationBuilder, OperationLike};
use melior::ir::r#type::{FunctionType, IntegerType, MemRefType, ShapedTypeLike};
use melior::ir::{Location, OperationRef, Region, RegionLike, Type, TypeLike, Value, ValueLike};
use melior::{Context, IrRewriter};
use std::cell::RefCell;
use tensorlang::ir::OperationExt;
use tensorlang::{PassDefinition, PassFailure, PassInvocation, PassOption, emit_error};
use tensorlang_checks::CheckKind;
use tensorlang_checks::contain::{BUFFER_SYMBOL, SYMBOL_PREFIX, VIEW_SYMBOL};

/// The pass definition, registered as `tensorlang-contain`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"tensorlang-contain",
    name: c"TensorLangContain",
    summary: c"Register the buffers a repair candidate may touch with the containment runtime, and check the buffers it hands to calls and copies",
    anchor: Some(c"builtin.module"),
    options: &[
        PassOption {
            name: c"function",
            description: c"The function to contain",
            default: c"",
        },
        PassOption {
            name: c"writable-arguments",
            description: c"Comma-separated indices of the memref arguments it may write",
            default: c"",
        },
        PassOption {
            name: c"writable-globals",
            description: c"Comma-separated memref.globals it may write",
            default: c"",
        },
        PassOption {
            name: c"callees",
            description: c"Comma-separated functions it may call (checked after lowering)",
            default: c"",
        },
    ],
    dependent_dialects: &[
        mlir_sys::mlirGetDialectHandle__arith__,
        mlir_sys::mlirGetDialectHandle__cf__,
        mlir_sys::mlirGetDialectHandle__func__,
        mlir_sys::mlirGetDialectHandle__memref__,
    ],
    run,
};

/// The options, read.
struct Options {
    function: String,
    writable_arguments: Vec<usize>,
    writable_globals: Vec<String>,
}

fn list(invocation: &PassInvocation, name: &str) -> Vec<String> {
    invocation
        .option(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

fn run(
    context: &Context,
    module: OperationRef,
    invocation: &PassInvocation,
) -> Result<(), PassFailure> {
    let mut writable_arguments = Vec::new();
    for item in list(invocation, "writable-arguments") {
        let Ok(index) = item.parse() else {
            emit_error(
                module.location(),
                &format!("option 'writable-arguments' expects indices, got '{item}'"),
            );
            return Err(PassFailure);
        };
        writable_arguments.push(index);
    }
    let options = Options {
        function: invocation
            .option("function")
            .unwrap_or_default()
            .to_string(),
        writable_arguments,
        writable_globals: list(invocation, "writable-globals"),
    };
    let Some(function) = ops_where(module, |name| name == "func.func")
        .into_iter()
        .find(|op| op.string_attribute("sym_name") == options.function)
    else {
        emit_error(
            module.location(),
            &format!("no function @{} to contain", options.function),
        );
        return Err(PassFailure);
    };
    // The runtime's registrations are the pass's alone: a function that calls them itself
    // could register any bytes it likes.
    for op in ops_where(function, |name| name == "func.call") {
        if op.string_attribute("callee").starts_with(SYMBOL_PREFIX)
            || callee(&op).starts_with(SYMBOL_PREFIX)
        {
            emit_error(
                op.location(),
                "contained code may not call the containment runtime",
            );
            return Err(PassFailure);
        }
    }
    let rewriter = IrRewriter::new(context);
    let mut contain = Contain {
        context,
        rewriter: &rewriter,
        declared: RefCell::default(),
    };
    contain.register_arguments(function, &options)?;
    for op in ops_where(function, |name| {
        name == "memref.get_global"
            || name == "func.call"
            || name == "memref.copy"
            || name == "func.return"
    }) {
        match op.op_name().as_str() {
            "func.return" => {
                // The caller trusts the views it gets back: each must lie in what this call
                // may read.
                let returned: Vec<Value> = (0..op.operand_count())
                    .filter_map(|i| op.operand_at(i))
                    .filter(|value| is_memref(value.r#type()))
                    .collect();
                contain.before(op, |builder| {
                    for memref in &returned {
                        contain.check_view(
                            builder,
                            *memref,
                            false,
                            "a buffer returned lies outside the memory this call may read (contained code)",
                        )?;
                    }
                    Ok(())
                })?;
            }
            "memref.get_global" => {
                let writable = options
                    .writable_globals
                    .iter()
                    .any(|g| tensorlang::ir::global_name(&op).as_deref() == Some(g.as_str()));
                let result = op.result(0).map_err(|_| PassFailure)?.into();
                contain.after(op, |builder| contain.buffer(builder, result, writable))?;
            }
            "memref.copy" => {
                let source = op.operand(0).map_err(|_| PassFailure)?;
                let target = op.operand(1).map_err(|_| PassFailure)?;
                contain.before(op, |builder| {
                    contain.view(builder, source, false)?;
                    contain.view(builder, target, true)
                })?;
            }
            // The registrations just inserted are the runtime's own.
            _ if callee(&op).starts_with(SYMBOL_PREFIX) => {}
            _ => contain.guard_call(op)?,
        }
    }
    let body = module
        .region_at(0)
        .and_then(|region| region.first_block())
        .ok_or(PassFailure)?;
    for (name, r#type) in contain.declared.into_inner() {
        let declaration = func::func(
            context,
            StringAttribute::new(context, &name),
            TypeAttribute::new(r#type),
            Region::new(),
            &[(
                melior::ir::Identifier::new(context, "sym_visibility"),
                StringAttribute::new(context, "private").into(),
            )],
            Location::unknown(context),
        );
        body.append_operation(declaration);
    }
    Ok(())
}

/// The callee of a `func.call`, as written.
fn callee(op: &OperationRef) -> String {
    tensorlang::ir::callee(op).unwrap_or_default()
}

/// Bytes one element of a memref of `element` takes (its stride unit after lowering): `None` for
/// element types containment does not know.
pub fn element_bytes(element: Type) -> Option<i64> {
    let text = element.to_string();
    let scalar = |text: &str| -> Option<i64> {
        match text {
            "index" => Some(8),
            "f16" | "bf16" => Some(2),
            "f32" => Some(4),
            "f64" => Some(8),
            "f80" | "f128" => Some(16),
            _ => {
                let bits: i64 = text
                    .strip_prefix('i')
                    .or_else(|| text.strip_prefix("si"))
                    .or_else(|| text.strip_prefix("ui"))?
                    .parse()
                    .ok()?;
                // LLVM's allocation size: the store size rounded up to a power of two.
                Some(((bits + 7) / 8).max(1).unsigned_abs().next_power_of_two() as i64)
            }
        }
    };
    if let Some(inner) = text
        .strip_prefix("complex<")
        .and_then(|t| t.strip_suffix('>'))
    {
        return scalar(inner).map(|bytes| 2 * bytes);
    }
    if let Some(inner) = text
        .strip_prefix("vector<")
        .and_then(|t| t.strip_suffix('>'))
    {
        let mut parts: Vec<&str> = inner.split('x').collect();
        let element = parts.pop()?;
        let bits = match element {
            "index" => 64,
            _ => scalar(element)? * 8,
        };
        let mut lanes: i64 = 1;
        for part in parts {
            lanes = lanes.checked_mul(part.parse().ok()?)?;
        }
        let store = (lanes.checked_mul(bits)? + 7) / 8;
        return Some(store.max(1).unsigned_abs().next_power_of_two() as i64);
    }
    scalar(&text)
}

/// Builds the registrations and checks, and remembers the runtime declarations they need.
struct Contain<'c, 'r> {
    context: &'c Context,
    rewriter: &'r IrRewriter<'c>,
    /// Declarations to add: one per runtime entry and element type.
    declared: RefCell<Vec<(String, Type<'c>)>>,
}

impl<'c> Contain<'c, '_> {
    /// Runs `build` with the insertion point before `op`.
    fn before(
        &self,
        op: OperationRef<'c, '_>,
        build: impl FnOnce(&Builder<'c, '_>) -> Result<(), PassFailure>,
    ) -> Result<(), PassFailure> {
        self.rewriter
            .as_rewriter_base()
            .set_insertion_point_before(op);
        build(&Builder {
            context: self.context,
            location: op.location(),
            rewriter: self.rewriter,
        })
    }

    /// Runs `build` with the insertion point after `op`.
    fn after(
        &self,
        op: OperationRef<'c, '_>,
        build: impl FnOnce(&Builder<'c, '_>) -> Result<(), PassFailure>,
    ) -> Result<(), PassFailure> {
        self.rewriter
            .as_rewriter_base()
            .set_insertion_point_after(op);
        build(&Builder {
            context: self.context,
            location: op.location(),
            rewriter: self.rewriter,
        })
    }

    /// Registers every memref argument of `function` at its entry.
    fn register_arguments(
        &mut self,
        function: OperationRef<'c, '_>,
        options: &Options,
    ) -> Result<(), PassFailure> {
        let entry = function
            .region_at(0)
            .and_then(|region| region.first_block())
            .ok_or(PassFailure)?;
        let Some(first) = entry.first_operation() else {
            return Ok(());
        };
        self.rewriter
            .as_rewriter_base()
            .set_insertion_point_before(first);
        let builder = Builder {
            context: self.context,
            location: function.location(),
            rewriter: self.rewriter,
        };
        for index in 0..entry.argument_count() {
            let argument: Value = entry.argument(index).map_err(|_| PassFailure)?.into();
            if is_memref(argument.r#type()) {
                // SAFETY: the argument belongs to the function, which outlives the pass.
                let argument = unsafe { tensorlang::lifetime::value(argument) };
                self.buffer(
                    &builder,
                    argument,
                    options.writable_arguments.contains(&index),
                )?;
            }
        }
        Ok(())
    }

    /// Registers the results of a call that are memrefs (readable), and checks the memrefs it
    /// is handed (each must be writable: the callee may write it).
    fn guard_call(&mut self, call: OperationRef<'c, '_>) -> Result<(), PassFailure> {
        let operands: Vec<Value> = (0..call.operand_count())
            .filter_map(|i| call.operand_at(i))
            .filter(|value| is_memref(value.r#type()))
            .collect();
        self.before(call, |builder| {
            for operand in &operands {
                self.view(builder, *operand, true)?;
            }
            Ok(())
        })?;
        let results: Vec<Value> = (0..call.result_count())
            .filter_map(|i| call.result_at(i).map(Into::into))
            .filter(|value: &Value| is_memref(value.r#type()))
            .collect();
        self.after(call, |builder| {
            for result in &results {
                self.buffer(builder, *result, false)?;
            }
            Ok(())
        })
    }

    /// `call @__tensorlang_contain_buffer.<element>(0, %unranked, bytes, writable)`.
    fn buffer(
        &self,
        builder: &Builder<'c, '_>,
        memref: Value<'c, '_>,
        writable: bool,
    ) -> Result<(), PassFailure> {
        self.runtime_call(builder, BUFFER_SYMBOL, memref, writable, &[])?;
        Ok(())
    }

    /// `call @<symbol>.<element>(0, %unranked, bytes, flag)`: the runtime entry that takes a
    /// memref (the token, 0 here, is set when the compiled code is contained); its result.
    fn runtime_call(
        &self,
        builder: &Builder<'c, '_>,
        symbol: &str,
        memref: Value<'c, '_>,
        flag: bool,
        results: &[Type<'c>],
    ) -> Result<Option<Value<'c, 'c>>, PassFailure> {
        let (unranked, bytes) = self.unranked(builder, memref)?;
        let name = format!("{symbol}.{}", element_name(memref.r#type()));
        let arguments = [
            self.i64(builder, 0),
            unranked,
            self.i64(builder, bytes),
            self.i64(builder, i64::from(flag)),
        ];
        self.call(builder, &name, &arguments, results)
    }

    /// `%ok = call @__tensorlang_contain_view.<element>(0, %unranked, bytes, write)` and a
    /// bounds check of `%ok`, located at the op that uses the memref.
    fn view(
        &self,
        builder: &Builder<'c, '_>,
        memref: Value<'c, '_>,
        write: bool,
    ) -> Result<(), PassFailure> {
        let message = if write {
            "a buffer handed on for writing lies outside the memory this call may write (contained code)"
        } else {
            "a buffer copied lies outside the memory this call may read (contained code)"
        };
        self.check_view(builder, memref, write, message)
    }

    /// The check behind [`Contain::view`], failing with `message`.
    fn check_view(
        &self,
        builder: &Builder<'c, '_>,
        memref: Value<'c, '_>,
        write: bool,
        message: &str,
    ) -> Result<(), PassFailure> {
        let i1: Type = IntegerType::new(self.context, 1).into();
        let ok = self
            .runtime_call(builder, VIEW_SYMBOL, memref, write, &[i1])?
            .ok_or(PassFailure)?;
        builder.insert_void(
            builder.build(
                builder
                    .op("cf.assert")
                    .add_operands(&[ok])
                    .add_attributes(&[
                        builder.named("msg", StringAttribute::new(self.context, message).into()),
                        builder.named(
                            CHECK_ATTRIBUTE,
                            StringAttribute::new(self.context, CheckKind::Bounds.name()).into(),
                        ),
                    ]),
            ),
        );
        Ok(())
    }

    /// `memref` as an unranked memref (a cast unless it is one), and its element's bytes.
    fn unranked(
        &self,
        builder: &Builder<'c, '_>,
        memref: Value<'c, '_>,
    ) -> Result<(Value<'c, 'c>, i64), PassFailure> {
        let r#type = memref.r#type();
        let element = memref_element(r#type).ok_or(PassFailure)?;
        let Some(bytes) = element_bytes(element) else {
            emit_error(
                builder.location,
                &format!("contained code may not use memrefs of {element}"),
            );
            return Err(PassFailure);
        };
        if r#type.to_string().starts_with("memref<*x") {
            // SAFETY: the value is in the function, which outlives the pass.
            return Ok((unsafe { tensorlang::lifetime::value(memref) }, bytes));
        }
        // SAFETY: reads the memory space of a ranked memref type and builds the unranked type
        // of the same element and space, in the same context.
        let unranked = unsafe {
            let space = mlir_sys::mlirMemRefTypeGetMemorySpace(r#type.to_raw());
            Type::from_raw(mlir_sys::mlirUnrankedMemRefTypeGet(element.to_raw(), space))
        };
        let cast = builder.insert(
            builder.build(
                builder
                    .op("memref.cast")
                    .add_operands(&[memref])
                    .add_results(&[unranked]),
            ),
        );
        Ok((cast, bytes))
    }

    /// An `i64` constant.
    fn i64(&self, builder: &Builder<'c, '_>, value: i64) -> Value<'c, 'c> {
        let i64_type: Type = IntegerType::new(self.context, 64).into();
        builder.insert(arith::constant(
            self.context,
            IntegerAttribute::new(i64_type, value).into(),
            builder.location,
        ))
    }

    /// `func.call @name(arguments) : ... -> results`, declaring `name` once; its result if any.
    fn call(
        &self,
        builder: &Builder<'c, '_>,
        name: &str,
        arguments: &[Value<'c, '_>],
        results: &[Type<'c>],
    ) -> Result<Option<Value<'c, 'c>>, PassFailure> {
        let inputs: Vec<Type> = arguments.iter().map(|a| a.r#type()).collect();
        let r#type = FunctionType::new(self.context, &inputs, results);
        self.declare(name, r#type.into());
        let op = OperationBuilder::new("func.call", builder.location)
            .add_operands(arguments)
            .add_attributes(&[builder.named(
                "callee",
                FlatSymbolRefAttribute::new(self.context, name).into(),
            )])
            .add_results(results)
            .build()
            .map_err(|_| PassFailure)?;
        if results.is_empty() {
            builder.insert_void(op);
            Ok(None)
        } else {
            Ok(Some(builder.insert(op)))
        }
    }

    fn declare(&self, name: &str, r#type: Type<'c>) {
        let mut declared = self.declared.borrow_mut();
        if !declared.iter().any(|(known, _)| known == name) {
            declared.push((name.to_string(), r#type));
        }
    }
}

/// Whether `r#type` is a memref (ranked or not).
fn is_memref(r#type: Type) -> bool {
    r#type.to_string().starts_with("memref<")
}

/// The element type of a memref type.
fn memref_element(r#type: Type) -> Option<Type> {
    if let Ok(ranked) = MemRefType::try_from(r#type) {
        return Some(ranked.element());
    }
    // SAFETY: reads the element type of an unranked memref type (a shaped type).
    let raw = unsafe { mlir_sys::mlirShapedTypeGetElementType(r#type.to_raw()) };
    // SAFETY: the element type belongs to the same context as `r#type`.
    (!raw.ptr.is_null()).then(|| unsafe { Type::from_raw(raw) })
}

/// The element type's name in a runtime symbol (`f32`, `i64`, `vector_4xf32`).
fn element_name(r#type: Type) -> String {
    memref_element(r#type)
        .map(|element| element.to_string())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Whether `module` has a `func.func` named `name` (used by tests).
#[cfg(test)]
fn defines(module: &melior::ir::Module, name: &str) -> bool {
    ops_where(module.as_operation(), |op| op == "func.func")
        .iter()
        .any(|op| op.string_attribute("sym_name") == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlang::pass::run_pipeline;

    fn contain(source: &str, options: &str) -> Result<String, String> {
        tensorlang::pass::register_upstream_passes();
        crate::register_all();
        let context = tensorlang::create_context().unwrap();
        let mut module = tensorlang::parse_module(&context, source, "c.mlir").unwrap();
        let pipeline = format!("builtin.module(tensorlang-contain{{{options}}})");
        run_pipeline(&context, &mut module, &pipeline).map_err(|e| e.to_string())?;
        assert!(defines(&module, "f"));
        Ok(module.as_operation().to_string())
    }

    #[test]
    fn arguments_are_registered_with_their_element_size_and_writability() {
        let ir = contain(
            "func.func @f(%in: memref<4xf32>, %out: memref<?xi64, strided<[2]>>) {\n  return\n}",
            "function=f writable-arguments=1",
        )
        .unwrap();
        assert!(
            ir.contains("memref.cast %arg0 : memref<4xf32> to memref<*xf32>"),
            "{ir}"
        );
        assert!(ir.contains("call @__tensorlang_contain_buffer.f32"), "{ir}");
        assert!(ir.contains("call @__tensorlang_contain_buffer.i64"), "{ir}");
        assert!(
            ir.contains(
                "func.func private @__tensorlang_contain_buffer.f32(i64, memref<*xf32>, i64, i64)"
            ),
            "{ir}"
        );
    }

    #[test]
    fn copies_and_calls_are_checked_and_globals_registered() {
        let ir = contain(
            "memref.global \"private\" constant @t : memref<2xf32> = dense<1.0>\n\
             func.func private @g(memref<2xf32>)\n\
             func.func @f(%out: memref<2xf32>) {\n  %t = memref.get_global @t : memref<2xf32>\n  memref.copy %t, %out : memref<2xf32> to memref<2xf32>\n  call @g(%out) : (memref<2xf32>) -> ()\n  return\n}",
            "function=f writable-arguments=0",
        )
        .unwrap();
        assert_eq!(
            ir.matches("call @__tensorlang_contain_view.f32").count(),
            3,
            "{ir}"
        );
        assert_eq!(
            ir.matches("tensorlang.check = \"bounds\"").count(),
            3,
            "{ir}"
        );
        assert_eq!(
            ir.matches("call @__tensorlang_contain_buffer.f32").count(),
            2,
            "{ir}"
        );
    }

    #[test]
    fn returned_views_are_checked() {
        let ir = contain(
            "func.func @f(%in: memref<4xf32>) -> memref<4xf32> {\n  return %in : memref<4xf32>\n}",
            "function=f",
        )
        .unwrap();
        assert!(ir.contains("a buffer returned lies outside"), "{ir}");
        assert_eq!(
            ir.matches("call @__tensorlang_contain_view.f32").count(),
            1,
            "{ir}"
        );
    }

    #[test]
    fn a_candidate_calling_the_runtime_is_refused() {
        let error = contain(
            "func.func private @__tensorlang_contain_buffer.f32(i64, memref<*xf32>, i64, i64)\n\
             func.func @f(%u: memref<*xf32>) {\n  %c = arith.constant 0 : i64\n  call @__tensorlang_contain_buffer.f32(%c, %u, %c, %c) : (i64, memref<*xf32>, i64, i64) -> ()\n  return\n}",
            "function=f",
        )
        .unwrap_err();
        assert!(
            error.contains("may not call the containment runtime"),
            "{error}"
        );
    }

    #[test]
    fn element_sizes_follow_the_lowering() {
        let context = tensorlang::create_context().unwrap();
        let size = |text: &str| element_bytes(Type::parse(&context, text).unwrap());
        assert_eq!(size("f32"), Some(4));
        assert_eq!(size("i1"), Some(1));
        assert_eq!(size("i48"), Some(8));
        assert_eq!(size("index"), Some(8));
        assert_eq!(size("vector<3xf32>"), Some(16));
        assert_eq!(size("complex<f64>"), Some(16));
    }
}
