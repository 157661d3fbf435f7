//! An MLIR program on its way into the JIT: parsed, lowered to the LLVM dialect when it is not
//! there already, with what the runtime needs to know about its functions (locations, parameter
//! types, which ones are replaceable).

use crate::jit::call_symbol;
use melior::Context;
use melior::StringRef;
use melior::dialect::func;
use melior::ir::attribute::{
    AttributeLike, FlatSymbolRefAttribute, StringAttribute, TypeAttribute,
};
use melior::ir::operation::{OperationLike, OperationMutLike};
use melior::ir::operation::{WalkOrder, WalkResult};
use melior::ir::{BlockLike, Module, OperationRef, RegionLike, ValueLike};
use melior::ir::{Identifier, Region};
use tensorlang::diagnostic::format_location;
use tensorlang::ir::OperationExt;
use tensorlang::ir::{op_name, symbol_name, top_level_ops};

pub mod globals;
mod outline;
pub use globals::MutableGlobal;

/// The attribute that makes any function replaceable (`func.func @f() attributes
/// {tensorlang.replaceable}`); TensorLang functions are replaceable without it.
pub const REPLACEABLE_ATTRIBUTE: &str = "tensorlang.replaceable";

/// What the runtime knows about one function of the program.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionInfo {
    /// Its symbol name.
    pub name: String,
    /// `file:line:col` of its definition.
    pub location: String,
    /// Its parameter types as written in the source, e.g. `memref<4xf32>`.
    pub parameters: Vec<String>,
    /// The mutable globals it can reach (see [`globals`]).
    pub globals: Vec<String>,
}

/// What went wrong before the program could run.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// Parsing, verification or lowering failed; the text holds located diagnostics.
    #[error("{0}")]
    Mlir(#[from] tensorlang::Error),
    /// Lowering left an op outside the LLVM dialect (one that `tensorlang-to-llvm` cannot lower).
    #[error(
        "{location}: error: '{op}' was not lowered to the LLVM dialect (tensorlang-to-llvm has no lowering for it)"
    )]
    NotLowered {
        /// `file:line:col` of the op.
        location: String,
        /// Its name.
        op: String,
    },
    /// `--no-implicit-module` was given and the file's top level is not one module.
    #[error("top-level op must be a symbol table.")]
    NotASymbolTable,
}

/// A parsed (and possibly lowered) program.
pub struct Program<'c> {
    module: Module<'c>,
    /// The functions of the source, before lowering.
    pub functions: Vec<FunctionInfo>,
    /// Functions whose calls go through hot-swap slots.
    pub replaceable: Vec<String>,
    /// Its mutable globals (see [`globals`]).
    pub globals: Vec<MutableGlobal>,
    /// Whether some function holds a TensorLang op.
    pub is_tensorlang: bool,
    /// Whether [`Program::lower`] lowered it (it was not in the LLVM dialect already).
    pub was_lowered: bool,
    /// Whether calls of replaceable functions point at their declarations already.
    calls_hidden: bool,
    /// Whether [`Program::bufferize`] ran (the first part of the lowering).
    bufferized: bool,
}

/// Parameter types of a `func.func` (from its `function_type`) or an `llvm.func`.
fn parameter_types(op: &OperationRef) -> Vec<String> {
    let Some(region) = op.region_at(0) else {
        return Vec::new();
    };
    let Some(block) = region.first_block() else {
        return Vec::new();
    };
    (0..block.argument_count())
        .filter_map(|i| block.argument(i).ok())
        .map(|argument| argument.r#type().to_string())
        .collect()
}

fn contains_tensorlang_op(op: &OperationRef) -> bool {
    let mut found = false;
    op.walk(melior::ir::operation::WalkOrder::PreOrder, |inner| {
        found |= tensorlang::dialect::is_tensorlang_op(
            inner.name().as_string_ref().as_str().unwrap_or(""),
        );
        if found {
            melior::ir::operation::WalkResult::Interrupt
        } else {
            melior::ir::operation::WalkResult::Advance
        }
    });
    found
}

impl<'c> Program<'c> {
    /// Parses `source` (named `filename` in locations) and records its functions. With
    /// `implicit_module` false the file must be a single `module` op, as `mlir-runner
    /// --no-implicit-module` demands.
    pub fn parse(
        context: &'c Context,
        source: &str,
        filename: &str,
        implicit_module: bool,
    ) -> Result<Self, ProgramError> {
        let module = tensorlang::parse_module(context, source, filename)?;
        // The parser wraps a top level that is not one module in an implicit module, located
        // at line 0 of the file.
        if !implicit_module && format_location(module.as_operation().location()).ends_with(":0:0") {
            return Err(ProgramError::NotASymbolTable);
        }
        let mut program = Self {
            module,
            functions: Vec::new(),
            replaceable: Vec::new(),
            globals: Vec::new(),
            is_tensorlang: false,
            was_lowered: false,
            calls_hidden: false,
            bufferized: false,
        };
        program.globals = globals::mutable_globals(&program.module);
        let reached = globals::reached_globals(&program.module, &program.globals);
        for op in top_level_ops(program.module.as_operation()) {
            let name = op_name(&op);
            if name != "func.func" && name != "llvm.func" {
                continue;
            }
            let Some(symbol) = symbol_name(&op) else {
                continue;
            };
            let is_definition = op.region_at(0).is_some_and(|r| r.first_block().is_some());
            let tensorlang = is_definition && contains_tensorlang_op(&op);
            program.is_tensorlang |= tensorlang;
            if is_definition && (op.attribute(REPLACEABLE_ATTRIBUTE).is_ok() || tensorlang) {
                program.replaceable.push(symbol.clone());
            }
            program.functions.push(FunctionInfo {
                location: format_location(op.location()),
                parameters: parameter_types(&op),
                globals: reached
                    .get(&symbol)
                    .map(|g| g.iter().cloned().collect())
                    .unwrap_or_default(),
                name: symbol,
            });
        }
        Ok(program)
    }

    /// Makes `names` replaceable too (the runner's `--replaceable`).
    pub fn add_replaceable(&mut self, names: &[String]) {
        for name in names {
            if !self.replaceable.contains(name) {
                self.replaceable.push(name.clone());
            }
        }
    }

    /// The `func.func` definitions (not declarations), in order.
    pub fn defined_functions(&self) -> Vec<String> {
        top_level_ops(self.module.as_operation())
            .iter()
            .filter(|op| op_name(op) == "func.func" && tensorlang::ir::is_definition(op))
            .filter_map(symbol_name)
            .collect()
    }

    /// Whether everything is in the LLVM dialect already (what upstream `mlir-runner` accepts).
    pub fn is_llvm_dialect(&self) -> bool {
        self.first_foreign_op().is_none()
    }

    /// The name and location of the first op outside the LLVM dialect.
    fn first_foreign_op(&self) -> Option<(String, String)> {
        let mut foreign = None;
        self.module.as_operation().walk(WalkOrder::PreOrder, |op| {
            let name = op.name().as_string_ref().as_str().unwrap_or("").to_string();
            if name.starts_with("llvm.") || name == "builtin.module" {
                return WalkResult::Advance;
            }
            foreign = Some((name, format_location(op.location())));
            WalkResult::Interrupt
        });
        foreign
    }

    /// Runs the first part of `tensorlang-to-llvm` ([`tensorlang_passes::pipeline::BUFFERIZE`]):
    /// TensorLang to linalg, tensors to buffers. [`Program::lower`] then does the rest. Nothing
    /// happens to a program in the LLVM dialect.
    pub fn bufferize(&mut self, context: &'c Context) -> Result<(), ProgramError> {
        if self.is_llvm_dialect() || self.bufferized {
            return Ok(());
        }
        tensorlang_passes::register_all();
        tensorlang::pass::register_upstream_passes();
        let pipeline = format!("builtin.module({})", tensorlang_passes::pipeline::BUFFERIZE);
        tensorlang::pass::run_pipeline(context, &mut self.module, &pipeline)?;
        self.bufferized = true;
        Ok(())
    }

    /// Lowers the program to the LLVM dialect with `tensorlang-to-llvm` (its second part only,
    /// after [`Program::bufferize`]), unless it is there.
    pub fn lower(&mut self, context: &'c Context) -> Result<(), ProgramError> {
        if self.is_llvm_dialect() {
            return Ok(());
        }
        self.was_lowered = true;
        self.hide_replaceable_calls(context);
        tensorlang_passes::register_all();
        tensorlang::pass::register_upstream_passes();
        let pipeline = if self.bufferized {
            format!(
                "builtin.module({})",
                tensorlang_passes::pipeline::FROM_BUFFERS
            )
        } else {
            "builtin.module(tensorlang-to-llvm)".to_owned()
        };
        tensorlang::pass::run_pipeline(context, &mut self.module, &pipeline)?;
        match self.first_foreign_op() {
            Some((op, location)) => Err(ProgramError::NotLowered { location, op }),
            None => Ok(()),
        }
    }

    /// [`Program::lower`] for a program that holds a new version of `containment.function` that
    /// is not the user's own (a repair candidate): after bufferization, `tensorlang-contain`
    /// registers the buffers the version may touch, and after lowering every function gets a
    /// line table, so that the JIT's containment of the compiled code
    /// ([`Jit::build_contained_version`](crate::jit::Jit::build_contained_version)) can locate
    /// each access it checks.
    pub fn lower_contained(
        &mut self,
        context: &'c Context,
        containment: &tensorlang_checks::contain::Containment,
    ) -> Result<(), ProgramError> {
        self.keep_arguments_unwritten(context, containment);
        self.bufferize(context)?;
        let pipeline = format!(
            "builtin.module(tensorlang-contain{{{}}})",
            containment.pass_options()
        );
        tensorlang::pass::run_pipeline(context, &mut self.module, &pipeline)?;
        self.lower(context)?;
        tensorlang::pass::run_pipeline(
            context,
            &mut self.module,
            "builtin.module(ensure-debug-info-scope-on-llvm-func{emission-kind=LineTablesOnly})",
        )?;
        Ok(())
    }

    /// Marks the tensor arguments of `containment.function` that the function it replaces does
    /// not write `bufferization.writable = false`, so that bufferization gives the version's
    /// results buffers of their own instead of writing into those arguments: the running callers
    /// were compiled knowing which arguments the function writes.
    fn keep_arguments_unwritten(
        &mut self,
        context: &'c Context,
        containment: &tensorlang_checks::contain::Containment,
    ) {
        let Some(function) = top_level_ops(self.module.as_operation())
            .into_iter()
            .find(|op| {
                op_name(op) == "func.func"
                    && symbol_name(op).as_deref() == Some(containment.function.as_str())
            })
        else {
            return;
        };
        let parameters = parameter_types(&function);
        if !parameters.iter().any(|ty| ty.starts_with("tensor<"))
            || function.attribute("arg_attrs").is_ok()
        {
            return;
        }
        let dictionaries: Vec<&str> = parameters
            .iter()
            .enumerate()
            .map(|(index, ty)| {
                if ty.starts_with("tensor<") && !containment.writable_arguments.contains(&index) {
                    "{bufferization.writable = false}"
                } else {
                    "{}"
                }
            })
            .collect();
        let Some(attribute) =
            melior::ir::Attribute::parse(context, &format!("[{}]", dictionaries.join(", ")))
        else {
            return;
        };
        // SAFETY: a live top-level op of this module; nothing else refers to it mutably.
        let mut function = unsafe { tensorlang::lifetime::operation_mut(&function) };
        function.set_attribute("arg_attrs", attribute);
    }

    /// Points every `func.call` of a replaceable function at a private declaration
    /// ([`call_symbol`]), so lowering cannot fold what the current body returns into its callers:
    /// the body may be replaced at run time.
    fn hide_replaceable_calls(&mut self, context: &'c Context) {
        if std::mem::replace(&mut self.calls_hidden, true) {
            return;
        }
        let definitions: Vec<(String, OperationRef)> = top_level_ops(self.module.as_operation())
            .into_iter()
            .filter(|op| op_name(op) == "func.func")
            .filter(|op| op.region_at(0).is_some_and(|r| r.first_block().is_some()))
            .filter_map(|op| Some((symbol_name(&op)?, op)))
            .filter(|(name, _)| self.replaceable.contains(name))
            .collect();
        let mut declarations = Vec::new();
        for (name, op) in &definitions {
            if let Some(declaration) = private_declaration(context, op, &call_symbol(name)) {
                declarations.push(declaration);
            }
        }
        let mut calls = Vec::new();
        self.module.as_operation().walk(WalkOrder::PreOrder, |op| {
            if let Some(callee) = tensorlang::ir::callee(&op)
                && definitions.iter().any(|(name, _)| callee == *name)
            {
                calls.push((op.to_raw(), call_symbol(&callee)));
            }
            WalkResult::Advance
        });
        for declaration in declarations {
            self.module.body().append_operation(declaration);
        }
        for (call, target) in calls {
            let target = FlatSymbolRefAttribute::new(context, &target);
            // SAFETY: `call` is a live op of this module; the attribute belongs to its context.
            unsafe {
                mlir_sys::mlirOperationSetAttributeByName(
                    call,
                    StringRef::new("callee").to_raw(),
                    target.to_raw(),
                )
            };
        }
    }

    /// Cuts the program down to what a new version of `function` needs, so that lowering it
    /// costs a fraction of lowering the whole: every other public function becomes a private
    /// declaration (a new version binds to the live ones), while private helpers, globals and
    /// everything else stay. Returns whether it did: a program with tensors in some function's
    /// signature stays whole, since bufferizing a call of a declaration is not the same as
    /// bufferizing a call of a body (the version must keep the running program's calling
    /// convention).
    pub fn reduce_to(&mut self, context: &'c Context, function: &str) -> bool {
        let has_tensors = top_level_ops(self.module.as_operation())
            .iter()
            .filter(|op| op_name(op) == "func.func")
            .any(|op| {
                op.attribute("function_type")
                    .is_ok_and(|ty| ty.to_string().contains("tensor<"))
            });
        if has_tensors || self.is_tensorlang {
            return false;
        }
        // Calls of replaceable functions must reach them through their declarations first, as
        // lowering the whole program would have them (a healed function's calls go through its
        // guard).
        self.hide_replaceable_calls(context);
        let definitions: Vec<OperationRef> = top_level_ops(self.module.as_operation())
            .into_iter()
            .filter(|op| op_name(op) == "func.func" && tensorlang::ir::is_definition(op))
            .collect();
        for op in definitions {
            let Some(name) = symbol_name(&op) else {
                continue;
            };
            let private = tensorlang::ir::string_attribute(&op, "sym_visibility").as_deref()
                == Some("private");
            if name == function || private {
                continue;
            }
            let Some(declaration) = private_declaration(context, &op, &name) else {
                continue;
            };
            // SAFETY: a live top-level function of this module, referenced only by symbol
            // (calls name it, no SSA value crosses function bodies), not used after this.
            unsafe { tensorlang::ir::erase(op) };
            self.module.body().append_operation(declaration);
        }
        true
    }

    /// The module, as it is now.
    pub fn module(&self) -> &Module<'c> {
        &self.module
    }

    /// The signature of `llvm.func @name` after lowering, or `None` when there is no such
    /// definition (a declaration does not count).
    pub fn entry_signature(&self, name: &str) -> Option<EntrySignature> {
        let op = top_level_ops(self.module.as_operation())
            .into_iter()
            .find(|op| op_name(op) == "llvm.func" && symbol_name(op).as_deref() == Some(name))?;
        if op.region_at(0).is_none_or(|r| r.first_block().is_none()) {
            return None;
        }
        let ty = TypeAttribute::try_from(op.attribute("function_type").ok()?).ok()?;
        EntrySignature::parse(&ty.value().to_string())
    }
}

/// `func.func private @name`, without a body, of the type (and at the location) of `function`.
fn private_declaration<'c>(
    context: &'c Context,
    function: &OperationRef<'c, '_>,
    name: &str,
) -> Option<melior::ir::Operation<'c>> {
    let ty = TypeAttribute::try_from(function.attribute("function_type").ok()?).ok()?;
    Some(func::func(
        context,
        StringAttribute::new(context, name),
        ty,
        Region::new(),
        &[(
            Identifier::new(context, "sym_visibility"),
            StringAttribute::new(context, "private").into(),
        )],
        function.location(),
    ))
}

/// The signature of an `llvm.func`, read from its `!llvm.func<result (params)>` type.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySignature {
    /// The result type (`void`, `i32`, ...).
    pub result: String,
    /// How many parameters it takes.
    pub parameter_count: usize,
}

impl EntrySignature {
    /// Parses `!llvm.func<i32 (i64, f32)>`.
    pub fn parse(text: &str) -> Option<Self> {
        let inner = text.strip_prefix("!llvm.func<")?.strip_suffix('>')?;
        let open = inner.find(" (")?;
        let params = inner[open + 2..].strip_suffix(')')?.trim();
        Some(Self {
            result: inner[..open].trim().to_string(),
            parameter_count: if params.is_empty() {
                0
            } else {
                params.split(',').count()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llvm_function_types_parse() {
        assert_eq!(
            EntrySignature::parse("!llvm.func<void ()>"),
            Some(EntrySignature {
                result: "void".into(),
                parameter_count: 0
            })
        );
        assert_eq!(
            EntrySignature::parse("!llvm.func<i32 (i64, f32)>").map(|s| s.parameter_count),
            Some(2)
        );
        assert_eq!(EntrySignature::parse("i32"), None);
    }
}
