//! The static half of the verifier: what a candidate function must be before it is ever run.
//!
//! Candidates come from untrusted sources (a model, a cache file that may have been edited), so
//! each one must parse and verify next to declarations of the program's other functions, define
//! exactly the function it replaces with the same signature, use only the dialects a repair may
//! use (no LLVM dialect, so no inline assembly, raw pointers or intrinsics), call only the
//! program's own functions, and keep every assert of the original: asserts are the specification,
//! and a candidate that drops one is rejected. The entry function, which holds the program's
//! checks, is never replaced.
//!
//! **Memory safety by construction.** Every op of an allowed dialect that touches memory is either
//! bounds-checked in the compiled candidate (the `tensorlang-to-llvm` pipeline instruments it, and
//! the checks stay in the live process) or not allowed:
//!
//! | op | in a candidate |
//! |---|---|
//! | `memref.load`, `memref.store`, `memref.subview`, `memref.copy`, `memref.atomic_rmw`, `memref.generic_atomic_rmw`, `memref.cast`, `memref.expand_shape`, `memref.assume_alignment` | allowed: checked by `generate-runtime-verification` |
//! | `memref.collapse_shape`, `memref.dim`, `memref.rank`, `memref.prefetch` | allowed: no access out of bounds possible |
//! | `affine.load`, `affine.store` | allowed: lowered to `memref.load`/`store` before instrumentation |
//! | `tensor.*` (`extract`, `insert`, slices, ...) | allowed: bufferized to checked memref ops |
//! | `linalg.*` | allowed: operand shapes checked, loops lowered to checked memref ops |
//! | `memref.alloc`, `memref.alloca` | allowed with static sizes; dynamic sizes only where the original allocates dynamically too (a failed huge `malloc` is a null base no bounds check sees) |
//! | `vector.load`, `vector.store`, `vector.maskedload`, `vector.maskedstore`, `vector.gather`, `vector.scatter`, `vector.expandload`, `vector.compressstore`, `vector.transfer_read`, `vector.transfer_write`, `affine.vector_load`, `affine.vector_store` | not allowed: not bounds-checked |
//! | `memref.view`, `memref.reinterpret_cast`, `memref.extract_aligned_pointer_as_index`, `memref.extract_strided_metadata`, `memref.memory_space_cast`, `memref.realloc`, `memref.dealloc` | not allowed: escape the bounds of the buffer they are given |
//!
//! **Effect containment** ([`effects`]). A candidate may not call a function or print where the
//! original did not, may not write an argument or a global the original never wrote, and must
//! read every argument the original read. A model-written candidate may not return, as literals,
//! the values the entry point's checks compare against (hard-coded answers).

use std::collections::{BTreeMap, BTreeSet};

use melior::Context;
use melior::ir::operation::OperationResult;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use crate::ir::{callee, is_definition, op_name, string_attribute, symbol_name, top_level_ops};
pub use effects::{Effects, Root};

pub mod effects;

/// Dialects a repair may use.
const ALLOWED_DIALECTS: &[&str] = &[
    "arith",
    "math",
    "scf",
    "cf",
    "memref",
    "tensor",
    "linalg",
    "vector",
    "index",
    "affine",
    "func",
    "tensorlang",
    "builtin",
];

/// Ops of allowed dialects that escape the type system or the bounds checks (see the module docs).
const FORBIDDEN_OPS: &[&str] = &[
    "memref.extract_aligned_pointer_as_index",
    "memref.extract_strided_metadata",
    "memref.reinterpret_cast",
    "memref.view",
    "memref.memory_space_cast",
    "memref.realloc",
    "memref.dealloc",
    "memref.global",
    "vector.load",
    "vector.store",
    "vector.maskedload",
    "vector.maskedstore",
    "vector.gather",
    "vector.scatter",
    "vector.expandload",
    "vector.compressstore",
    "vector.transfer_read",
    "vector.transfer_write",
    "affine.vector_load",
    "affine.vector_store",
    "func.call_indirect",
    "builtin.unrealized_conversion_cast",
];

/// Allocations, allowed with dynamic sizes only where the original has them.
const ALLOCATIONS: &[&str] = &["memref.alloc", "memref.alloca"];

/// Ops that state the program's specification.
const ASSERT_OPS: &[&str] = &["tensorlang.assert", "cf.assert"];

/// Why a candidate was turned away before running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// It does not parse or verify.
    #[error("does not parse or verify: {0}")]
    Invalid(String),
    /// It does not define the function it should replace.
    #[error("defines no function @{0}")]
    Missing(String),
    /// It defines other functions too.
    #[error("defines @{0} besides the function it replaces")]
    Extra(String),
    /// It would replace the entry function.
    #[error("would replace the entry function @{0}, which holds the program's checks")]
    Entry(String),
    /// The signature changed.
    #[error("changes the signature from {expected} to {found}")]
    Signature {
        /// The original's type.
        expected: String,
        /// The candidate's type.
        found: String,
    },
    /// It uses an op a repair may not use.
    #[error("uses '{0}', which repairs may not use")]
    ForbiddenOp(String),
    /// It calls something that is not one of the program's functions.
    #[error("calls @{0}, which is not one of the program's functions")]
    ForbiddenCall(String),
    /// It drops or bypasses an assert.
    #[error("removes the assert \"{0}\": asserts are the specification")]
    AssertRemoved(String),
    /// It allocates memory of a size known only at run time, which the original never does.
    #[error("allocates a buffer of dynamic size with '{0}', which the original never does")]
    DynamicAllocation(String),
    /// It calls a function the original does not call.
    #[error("calls @{0}, which the original never calls (a repair may not add effects)")]
    NewCallee(String),
    /// It prints where the original does not.
    #[error("prints with '{0}', which the original never does (a repair may not add output)")]
    NewOutput(String),
    /// It writes memory the original only reads.
    #[error("writes {0}, which the original never writes")]
    NewWrite(String),
    /// It ignores an input the original reads.
    #[error(
        "never reads {0}, which the original reads: a function that ignores its inputs is hard-coding its answers"
    )]
    IgnoredInput(String),
    /// It returns, as literals, the values the program's checks expect.
    #[error(
        "holds the literal {0}, a value the entry point's checks compare against, which the original does not: a hard-coded answer"
    )]
    HardCoded(String),
}

/// Where a candidate comes from, as far as admission cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A symbolic strategy: a small edit, valid by construction.
    Symbolic,
    /// Written whole (by a model, or a cache entry a model wrote): hostile until proven otherwise.
    Written,
}

/// A function of the original program, as the admission check needs it.
#[derive(Debug, Clone)]
struct Signature {
    name: String,
    function_type: String,
}

/// Admits or rejects candidates replacing one function of a program.
#[derive(Debug, Clone)]
pub struct Admission {
    function: String,
    entry: String,
    signatures: Vec<Signature>,
    /// The program's `memref.global`s, as printed: a candidate may name them.
    globals: Vec<String>,
    asserts: BTreeMap<String, usize>,
    /// What the original does ([`effects`]).
    effects: Effects,
    /// Whether the original allocates buffers of dynamic size.
    allocates_dynamically: bool,
    /// Literals the original holds, and those the entry's checks compare against.
    literals: BTreeSet<String>,
    expected: BTreeSet<String>,
}

impl Admission {
    /// The rules for replacing `function` of `module`, whose entry point is `entry`.
    pub fn new(module: &Module, function: &str, entry: &str) -> Self {
        let mut signatures = Vec::new();
        let mut asserts = BTreeMap::new();
        let mut effects = Effects::default();
        let mut allocates_dynamically = false;
        let mut literals = BTreeSet::new();
        let mut expected = BTreeSet::new();
        for op in functions(module) {
            let (Some(name), Some(function_type)) = (symbol_name(&op), function_type(&op)) else {
                continue;
            };
            if name == function {
                asserts = assert_messages(&op);
                effects = Effects::of(&op);
                allocates_dynamically = dynamic_allocation(&op).is_some();
                literals = constants(&op, false);
            }
            if name == entry {
                expected = constants(&op, true);
                expected.extend(global_elements(module, &op));
            }
            signatures.push(Signature {
                name,
                function_type,
            });
        }
        Self {
            function: function.to_owned(),
            entry: entry.to_owned(),
            signatures,
            globals: top_level_ops(module.as_operation())
                .iter()
                .filter(|op| op_name(op) == "memref.global")
                .map(|op| op.to_string())
                .collect(),
            asserts,
            effects,
            allocates_dynamically,
            literals,
            expected,
        }
    }

    /// Parses `candidate` (one `func.func`) next to declarations of the program's other
    /// functions and checks it; the parsed module on success.
    ///
    /// # Errors
    /// The first [`Rejection`] found.
    pub fn admit<'c>(
        &self,
        context: &'c Context,
        candidate: &str,
        origin: Origin,
    ) -> Result<Module<'c>, Rejection> {
        if self.function == self.entry {
            return Err(Rejection::Entry(self.entry.clone()));
        }
        let source = format!("{}\n{candidate}", self.declarations());
        if origin == Origin::Written {
            // Hostile text could crash MLIR's parser or verifier: try it in a child first.
            super::isolated::in_child(|| {
                let context = crate::create_context().map_err(|e| e.to_string())?;
                context.enable_multi_threading(false);
                tensorlang::parse_module(&context, &source, "candidate.mlir")
                    .map(|_| std::sync::Arc::from(&b"parsed"[..]))
                    .map_err(|e| e.to_string())
            })
            .map_err(Rejection::Invalid)?;
        }
        let module = tensorlang::parse_module(context, &source, "candidate.mlir")
            .map_err(|error| Rejection::Invalid(error.to_string()))?;
        let mut found = None;
        let declared = self.globals.len();
        for op in top_level_ops(module.as_operation())
            .into_iter()
            .skip(declared)
        {
            if op_name(&op) != "func.func" {
                return Err(Rejection::ForbiddenOp(op_name(&op)));
            }
            let name = symbol_name(&op).unwrap_or_default();
            match (is_definition(&op), name == self.function) {
                (true, true) => found = Some(op),
                (true, false) => return Err(Rejection::Extra(name)),
                (false, _) => {}
            }
        }
        let function = found.ok_or_else(|| Rejection::Missing(self.function.clone()))?;
        self.check_signature(&function)?;
        self.check_ops(&function)?;
        let kept = assert_messages(&function);
        for (message, count) in &self.asserts {
            if kept.get(message).copied().unwrap_or(0) < *count {
                return Err(Rejection::AssertRemoved(message.clone()));
            }
        }
        self.check_effects(&function, origin)?;
        Ok(module)
    }

    /// Effect containment (see the module docs).
    fn check_effects(&self, function: &OperationRef, origin: Origin) -> Result<(), Rejection> {
        if !self.allocates_dynamically
            && let Some(op) = dynamic_allocation(function)
        {
            return Err(Rejection::DynamicAllocation(op));
        }
        let found = Effects::of(function);
        let original = &self.effects;
        if let Some(callee) = found.callees.difference(&original.callees).next() {
            return Err(Rejection::NewCallee(callee.clone()));
        }
        if let Some(output) = found.outputs.difference(&original.outputs).next() {
            return Err(Rejection::NewOutput(output.clone()));
        }
        if let Some(root) = found.writes.difference(&original.writes).next() {
            return Err(Rejection::NewWrite(self.describe(root)));
        }
        if let Some(root) = original.reads.difference(&found.reads).next() {
            return Err(Rejection::IgnoredInput(self.describe(root)));
        }
        if origin == Origin::Written {
            let literals = constants(function, false);
            if let Some(literal) = literals
                .iter()
                .find(|l| self.expected.contains(*l) && !self.literals.contains(*l))
            {
                return Err(Rejection::HardCoded(literal.clone()));
            }
        }
        Ok(())
    }

    fn describe(&self, root: &Root) -> String {
        match root {
            Root::Argument(index) => format!("argument #{index} of @{}", self.function),
            Root::Global(name) => format!("the global @{name}"),
        }
    }

    /// The program's globals, and `func.func private @g(...) -> ...` for every function but the
    /// one replaced.
    fn declarations(&self) -> String {
        let globals = self.globals.iter().map(|g| format!("{g}\n"));
        globals
            .chain(
                self.signatures
                    .iter()
                    .filter(|signature| signature.name != self.function)
                    .map(|signature| {
                        format!(
                            "func.func private @{}{}\n",
                            signature.name,
                            declaration_type(&signature.function_type)
                        )
                    }),
            )
            .collect()
    }

    fn check_signature(&self, function: &OperationRef) -> Result<(), Rejection> {
        let expected = self
            .signatures
            .iter()
            .find(|signature| signature.name == self.function)
            .map(|signature| signature.function_type.clone())
            .unwrap_or_default();
        let found = function_type(function).unwrap_or_default();
        if found == expected {
            Ok(())
        } else {
            Err(Rejection::Signature { expected, found })
        }
    }

    fn check_ops(&self, function: &OperationRef) -> Result<(), Rejection> {
        let mut rejection = None;
        function.walk(WalkOrder::PreOrder, |op| {
            let name = op_name(&op);
            let dialect = name.split('.').next().unwrap_or("");
            rejection =
                if !ALLOWED_DIALECTS.contains(&dialect) || FORBIDDEN_OPS.contains(&name.as_str()) {
                    Some(Rejection::ForbiddenOp(name))
                } else if name == "func.call" {
                    callee(&op)
                        .filter(|callee| !self.may_call(callee))
                        .map(Rejection::ForbiddenCall)
                } else {
                    None
                };
            if rejection.is_some() {
                WalkResult::Interrupt
            } else {
                WalkResult::Advance
            }
        });
        rejection.map_or(Ok(()), Err)
    }

    /// The program's own functions, except the entry point.
    fn may_call(&self, callee: &str) -> bool {
        callee != self.entry
            && self
                .signatures
                .iter()
                .any(|signature| signature.name == callee)
    }
}

/// `(i32, f32) -> f32` becomes `(i32, f32) -> f32` and `() -> ()` becomes `()`: the text a
/// function declaration takes after its name.
fn declaration_type(function_type: &str) -> String {
    match function_type.split_once(" -> ") {
        Some((inputs, "()")) => inputs.to_owned(),
        _ => function_type.to_owned(),
    }
}

fn functions<'c, 'a>(module: &'a Module<'c>) -> Vec<OperationRef<'c, 'a>> {
    top_level_ops(module.as_operation())
        .into_iter()
        .filter(|op| op_name(op) == "func.func")
        .collect()
}

fn function_type(op: &OperationRef) -> Option<String> {
    Some(op.attribute("function_type").ok()?.to_string())
}

/// The first allocation of a dynamic size in `function`, by op name.
fn dynamic_allocation(function: &OperationRef) -> Option<String> {
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if ALLOCATIONS.contains(&name.as_str()) && op.operand_count() > 0 {
            found = Some(name);
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

/// The integer and float literals of `function` (as printed, with their type) whose
/// magnitude is above 1; with `compared`, only those used directly by a comparison (what a
/// driver checks results against).
fn constants(function: &OperationRef, compared: bool) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if compared && (name == "arith.cmpi" || name == "arith.cmpf") {
            for operand in (0..op.operand_count()).filter_map(|i| op.operand(i).ok()) {
                if let Ok(result) = OperationResult::try_from(operand)
                    && let Some(value) = literal(&result.owner())
                {
                    found.insert(value);
                }
            }
        } else if !compared && let Some(value) = literal(&op) {
            found.insert(value);
        }
        WalkResult::Advance
    });
    found
}

/// The elements (above 1 in magnitude, with their type, as [`literal`] prints them) of the
/// constant `memref.global`s `function` names: a driver's table of expected results (and of its
/// inputs, which a hard-coded answer matches on just as well).
fn global_elements(module: &Module, function: &OperationRef) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if op_name(&op) == "memref.get_global"
            && let Ok(symbol) = op.attribute("name")
        {
            named.insert(symbol.to_string().trim_start_matches('@').to_owned());
        }
        WalkResult::Advance
    });
    let mut found = BTreeSet::new();
    for global in top_level_ops(module.as_operation()) {
        let is_named = symbol_name(&global).is_some_and(|name| named.contains(&name));
        if op_name(&global) != "memref.global" || global.attribute("constant").is_err() || !is_named
        {
            continue;
        }
        let Ok(value) = global.attribute("initial_value") else {
            continue;
        };
        // `dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>`
        let text = value.to_string();
        let Some((elements, ty)) = text.rsplit_once(" : ") else {
            continue;
        };
        let element_type = ty.trim_end_matches('>').rsplit('x').next().unwrap_or("");
        for token in elements.split(|c: char| "[]<>, ".contains(c)) {
            if let Ok(number) = token.parse::<f64>()
                && number.abs() > 1.0
            {
                found.insert(format!("{token} : {element_type}"));
            }
        }
    }
    found
}

/// The value of an `arith.constant` scalar other than 0, 1 and -1, with its type (`15 : i32`,
/// `2.500000e+00 : f32`): a loop bound of 4 is not the result 4 a driver expects.
fn literal(op: &OperationRef) -> Option<String> {
    if op_name(op) != "arith.constant" {
        return None;
    }
    let text = op.attribute("value").ok()?.to_string();
    let number: f64 = text.split(" : ").next()?.trim().parse().ok()?;
    (number.abs() > 1.0).then_some(text)
}

/// How many asserts carry each message.
fn assert_messages(function: &OperationRef) -> BTreeMap<String, usize> {
    let mut messages = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if ASSERT_OPS.contains(&op_name(&op).as_str()) {
            // `tensorlang.assert` names it `message`, `cf.assert` `msg`.
            let message = string_attribute(&op, "message")
                .or_else(|| string_attribute(&op, "msg"))
                .unwrap_or_default();
            *messages.entry(message).or_insert(0) += 1;
        }
        WalkResult::Advance
    });
    messages
}

#[cfg(test)]
mod tests;
