//! The static half of the verifier: what a candidate function must be before it is ever run.
//!
//! Candidates come from untrusted sources (a model, a cache file that may have been edited), so
//! each one must parse and verify next to declarations of the program's other functions, define
//! exactly the function it replaces with the same signature, use only the dialects a repair may
//! use (no LLVM dialect, so no inline assembly, raw pointers or intrinsics), call only the
//! program's own functions, and keep every assert of the original: asserts are the specification,
//! and a candidate that drops one is rejected. The entry function, which holds the program's
//! checks, is never replaced.

use std::collections::BTreeMap;

use melior::Context;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{Module, OperationRef};

use crate::ir::{callee, is_definition, op_name, string_attribute, symbol_name, top_level_ops};

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

/// Ops of allowed dialects that escape the type system or the bounds checks.
const FORBIDDEN_OPS: &[&str] = &[
    "memref.extract_aligned_pointer_as_index",
    "memref.reinterpret_cast",
    "memref.memory_space_cast",
    "memref.dealloc",
    "func.call_indirect",
    "builtin.unrealized_conversion_cast",
];

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
    asserts: BTreeMap<String, usize>,
}

impl Admission {
    /// The rules for replacing `function` of `module`, whose entry point is `entry`.
    pub fn new(module: &Module, function: &str, entry: &str) -> Self {
        let mut signatures = Vec::new();
        let mut asserts = BTreeMap::new();
        for op in functions(module) {
            let (Some(name), Some(function_type)) = (symbol_name(&op), function_type(&op)) else {
                continue;
            };
            if name == function {
                asserts = assert_messages(&op);
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
            asserts,
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
    ) -> Result<Module<'c>, Rejection> {
        if self.function == self.entry {
            return Err(Rejection::Entry(self.entry.clone()));
        }
        let source = format!("{}\n{candidate}", self.declarations());
        let module = tensorlang::parse_module(context, &source, "candidate.mlir")
            .map_err(|error| Rejection::Invalid(error.to_string()))?;
        let mut found = None;
        for op in functions(&module) {
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
        Ok(module)
    }

    /// `func.func private @g(...) -> ...` for every function but the one replaced.
    fn declarations(&self) -> String {
        self.signatures
            .iter()
            .filter(|signature| signature.name != self.function)
            .map(|signature| {
                format!(
                    "func.func private @{}{}\n",
                    signature.name,
                    declaration_type(&signature.function_type)
                )
            })
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
