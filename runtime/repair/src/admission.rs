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
//! **Memory safety by construction** ([`memory`]): every op of an allowed dialect that touches
//! memory is either bounds-checked in the compiled candidate or not allowed.
//!
//! **Bounded cost** (`admission/cost.rs`): the candidate's text, its ops and the elements of
//! every shape it names are limited before anything costly is done with it.
//!
//! **No new promises** (`admission/attributes.rs`): the function gains and changes none of its
//! attributes, and its ops carry no attribute or flag the compiler would trust (`passthrough`,
//! `llvm.*`, `fastmath`, `nsw`, ...) that the original's do not.
//!
//! **Effect containment** ([`effects`]). A candidate may not call a function or print where the
//! original did not, may not write an argument or a global the original never wrote, and must
//! read every argument the original read. It may not read a buffer it allocated before writing
//! into it ([`memory`]).
//!
//! **No hard-coding**, for a model-written candidate (`admission/hard_coding.rs`): it may not
//! hold, as literals, the values the entry point's checks compare against, bring constant tables
//! beyond a small budget, or test its inputs against values the original never compares with.

use std::collections::{BTreeMap, BTreeSet};
use tensorlang::ir::OperationExt;

use melior::Context;
use melior::ir::operation::OperationResult;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use attributes::{function_attributes, promises};
use cost::{Limits, op_count, oversized_shape};
pub use effects::{Effects, Root};
use hard_coding::{
    TABLE_BUDGET, compared_literals, constants, equality_literals, global_elements, range_literals,
    resource, resource_section, switch_cases, table_elements,
};
use memory::{FORBIDDEN_OPS, dynamic_allocation, oversized_allocation, unwritten_read};
use tensorlang::ir::{
    callee, is_definition, op_name, string_attribute, symbol_name, top_level_ops,
};

mod attributes;
mod cost;
pub mod effects;
mod hard_coding;
pub mod memory;
mod rejection;
mod sources;
pub use rejection::{Origin, Rejection};

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

/// Ops that state the program's specification.
const ASSERT_OPS: &[&str] = &["tensorlang.assert", "cf.assert"];

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
    /// Literals the original tests values for equality with.
    tested: BTreeSet<String>,
    /// Values the original compares with in any way (`hard_coding::compared_literals`).
    compared: BTreeSet<String>,
    /// The original's function attributes, but its name and type.
    attributes: BTreeMap<String, String>,
    /// The promises the original's ops make (`attributes::promises`).
    promises: BTreeSet<String>,
    /// Whether the original reads a buffer it allocated before writing it.
    reads_unwritten: bool,
    /// What admitting a candidate may cost.
    limits: Limits,
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
        let mut tested = BTreeSet::new();
        let mut compared = BTreeSet::new();
        let mut attributes = BTreeMap::new();
        let mut promised = BTreeSet::new();
        let mut reads_unwritten = false;
        let mut limits = None;
        for op in functions(module) {
            let (Some(name), Some(function_type)) = (symbol_name(&op), function_type(&op)) else {
                continue;
            };
            if name == function {
                asserts = assert_messages(&op);
                effects = Effects::of(&op);
                allocates_dynamically = dynamic_allocation(&op).is_some();
                literals = constants(&op, false).into_keys().collect();
                tested = equality_literals(&op).into_keys().collect();
                compared = compared_literals(&op);
                attributes = function_attributes(&op);
                promised = promises(&op).into_keys().collect();
                reads_unwritten = unwritten_read(&op).is_some();
                limits = Some(Limits::new(module, &op));
            }
            if name == entry {
                expected = constants(&op, true).into_keys().collect();
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
            tested,
            compared,
            attributes,
            promises: promised,
            reads_unwritten,
            limits: limits.unwrap_or(Limits {
                text: cost::MAX_TEXT,
                ops: cost::MAX_OPS,
                elements: cost::MIN_ELEMENTS,
            }),
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
        // Before parsing: what parsing and building a candidate costs grows with its text.
        if candidate.len() > self.limits.text {
            return Err(Rejection::TooLong(candidate.len(), self.limits.text));
        }
        if let Some((line, column)) = resource_section(candidate) {
            return Err(Rejection::At(
                format!("candidate.mlir:{line}:{column}"),
                Box::new(Rejection::Resource("a `{-# ... #-}` section".into())),
            ));
        }
        // The candidate first, so that its locations count from its own first line; the
        // program's globals and declarations after it (symbols may be used before they appear).
        let source = format!("{candidate}\n{}", self.declarations());
        if origin == Origin::Written {
            // Hostile text could crash MLIR's parser or verifier: try it in a child first.
            super::isolated::in_child(|| {
                let context = tensorlang::create_context().map_err(|e| e.to_string())?;
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
        let declared = self.globals.len() + self.signatures.len().saturating_sub(1);
        let ops = top_level_ops(module.as_operation());
        let written = ops.len().saturating_sub(declared);
        for op in ops.into_iter().take(written) {
            if op_name(&op) != "func.func" {
                return Err(at(&op, Rejection::ForbiddenOp(op_name(&op))));
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
        self.check_cost(&function)?;
        self.check_attributes(&function)?;
        self.check_ops(&function)?;
        let kept = assert_messages(&function);
        for (message, count) in &self.asserts {
            if kept.get(message).copied().unwrap_or(0) < *count {
                return Err(Rejection::AssertRemoved(message.clone()));
            }
        }
        self.check_effects(&function)?;
        if origin == Origin::Written {
            self.check_hard_coding(&function)?;
        }
        Ok(module)
    }

    /// Bounded cost (`admission/cost.rs`).
    fn check_cost(&self, function: &OperationRef) -> Result<(), Rejection> {
        let ops = op_count(function);
        if ops > self.limits.ops {
            return Err(at(function, Rejection::TooManyOps(ops, self.limits.ops)));
        }
        if let Some((op, ty, elements)) = oversized_shape(function, self.limits.elements) {
            return Err(at(
                &op,
                Rejection::TooManyElements(ty, elements, self.limits.elements),
            ));
        }
        Ok(())
    }

    /// No new promises (`admission/attributes.rs`).
    fn check_attributes(&self, function: &OperationRef) -> Result<(), Rejection> {
        let found = function_attributes(function);
        let names: BTreeSet<&String> = found.keys().chain(self.attributes.keys()).collect();
        for name in names {
            let (original, candidate) = (self.attributes.get(name), found.get(name));
            // Dropping one promises nothing new (a model rewriting the function often leaves
            // `tensorlang.replaceable` or a visibility out): only additions and changes count.
            if candidate.is_some() && original != candidate {
                return Err(at(
                    function,
                    Rejection::FunctionAttribute(
                        name.clone(),
                        original.cloned(),
                        candidate.cloned(),
                    ),
                ));
            }
        }
        if let Some((promise, op)) = promises(function)
            .into_iter()
            .find(|(promise, _)| !self.promises.contains(promise))
        {
            return Err(at(&op, Rejection::Promise(promise)));
        }
        Ok(())
    }

    /// No hard-coding, for a candidate written whole (`admission/hard_coding.rs`).
    fn check_hard_coding(&self, function: &OperationRef) -> Result<(), Rejection> {
        if let Some((literal, op)) = constants(function, false)
            .into_iter()
            .find(|(l, _)| self.expected.contains(l) && !self.literals.contains(l))
        {
            return Err(at(&op, Rejection::HardCoded(literal)));
        }
        if let Some(op) = resource(function) {
            return Err(at(&op, Rejection::Resource("`dense_resource`".into())));
        }
        if let (count, Some(op)) = table_elements(function, &self.literals)
            && count > TABLE_BUDGET
        {
            return Err(at(&op, Rejection::Table(count, TABLE_BUDGET)));
        }
        if let Some((literal, op)) = equality_literals(function)
            .into_iter()
            .find(|(l, _)| !self.tested.contains(l))
        {
            return Err(at(&op, Rejection::SpecialCased(literal)));
        }
        if let Some((literal, op)) = switch_cases(function)
            .into_iter()
            .find(|(l, _)| !self.tested.contains(l) && !self.compared.contains(l))
        {
            return Err(at(&op, Rejection::SwitchCase(literal)));
        }
        if let Some((literal, op)) = range_literals(function)
            .into_iter()
            .find(|(l, _)| !self.compared.contains(l))
        {
            return Err(at(&op, Rejection::RangeTested(literal)));
        }
        Ok(())
    }

    /// Effect containment (see the module docs).
    fn check_effects(&self, function: &OperationRef) -> Result<(), Rejection> {
        if !self.allocates_dynamically
            && let Some(op) = dynamic_allocation(function)
        {
            return Err(at(&op, Rejection::DynamicAllocation(op_name(&op))));
        }
        if let Some((op, bytes)) = oversized_allocation(function) {
            return Err(at(&op, Rejection::LargeAllocation(op_name(&op), bytes)));
        }
        let found = Effects::of(function);
        let original = &self.effects;
        let placed = |key: String, rejection: Rejection| match found.location(&key) {
            Some(location) => Rejection::At(location.to_owned(), Box::new(rejection)),
            None => rejection,
        };
        if let Some(callee) = found.callees.difference(&original.callees).next() {
            let key = Effects::key("callee", callee);
            return Err(placed(key, Rejection::NewCallee(callee.clone())));
        }
        if let Some(output) = found.outputs.difference(&original.outputs).next() {
            let key = Effects::key("output", output);
            return Err(placed(key, Rejection::NewOutput(output.clone())));
        }
        // Through a memref of unknown source first: it is why the arguments count as written.
        let unknown = Some(&Root::Unknown).filter(|_| !original.writes.contains(&Root::Unknown));
        if let Some(root) = unknown
            .filter(|root| found.writes.contains(root))
            .or_else(|| found.writes.difference(&original.writes).next())
        {
            let key = Effects::key("write", &format!("{root:?}"));
            return Err(placed(key, Rejection::NewWrite(self.describe(root))));
        }
        if let Some(root) = original.reads.difference(&found.reads).next() {
            return Err(at(function, Rejection::IgnoredInput(self.describe(root))));
        }
        if !self.reads_unwritten
            && let Some(op) = unwritten_read(function)
        {
            return Err(at(&op, Rejection::UnwrittenRead(op_name(&op))));
        }
        Ok(())
    }

    fn describe(&self, root: &Root) -> String {
        match root {
            Root::Argument(index) => format!("argument #{index} of @{}", self.function),
            Root::Global(name) => format!("the global @{name}"),
            Root::Unknown => "a memref whose source the analysis cannot follow (a call's result, say), which may be any argument or global".into(),
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
                    Some(at(&op, Rejection::ForbiddenOp(name)))
                } else if name == "func.call" {
                    callee(&op)
                        .filter(|callee| !self.may_call(callee))
                        .map(|callee| at(&op, Rejection::ForbiddenCall(callee)))
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

/// `rejection` at `op`'s location.
fn at(op: &OperationRef, rejection: Rejection) -> Rejection {
    Rejection::At(
        tensorlang::diagnostic::format_location(op.location()),
        Box::new(rejection),
    )
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

/// How many asserts carry each message.
fn assert_messages(function: &OperationRef) -> BTreeMap<String, usize> {
    let mut messages = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        // An assert of a constant checks nothing: it counts as removed.
        let constant = op
            .operand_at(0)
            .and_then(|condition| OperationResult::try_from(condition).ok())
            .is_some_and(|result| op_name(&result.owner()) == "arith.constant");
        if ASSERT_OPS.contains(&op_name(&op).as_str()) && !constant {
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
