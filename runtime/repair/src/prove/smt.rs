//! A scalar function as SMT-LIB2 terms, with the checks that guard it as
//! obligations: every integer division's divisor is not zero and, signed, is not `MIN / -1`
//! (what the instrumentation checks at run time), and every `cf.assert` holds, each under the
//! path condition of the `scf.if` branches around it. Calls of functions of the module are
//! inlined (a few deep), their checks included. Integers and `index` (64 bits) are bit-vectors,
//! `i1` is Bool; arithmetic wraps as in MLIR. Floats are IEEE 754 terms ([`float`]), `scf.for`
//! with constant bounds is unrolled ([`loops`]) and loads from constant globals are their
//! elements ([`memory`]). Anything else (memory the program writes or does not fix, loops with
//! run-time bounds, recursion) is [`Untranslatable`]: nothing is claimed about it.

use std::collections::HashMap;
use std::fmt::Write as _;
use tensorlang::ir::OperationExt;

use melior::ir::operation::OperationLike;
use melior::ir::{BlockLike, BlockRef, OperationRef, RegionLike, ValueLike};
use tensorlang::ir::op_name;

mod float;
mod integer;
mod loops;
mod memory;

/// Why a function cannot be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable(pub String);

/// An SMT sort: a bit-vector of a width, or Bool (`i1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// `(_ BitVec N)`.
    Bits(u32),
    /// `Bool`.
    Bool,
    /// `(_ FloatingPoint E S)`: exponent and significand bits (`f32`: 8 and 24).
    Float(u32, u32),
}

impl Sort {
    fn of(ty: &str) -> Result<Self, Untranslatable> {
        match ty {
            "i1" => Ok(Sort::Bool),
            "index" => Ok(Sort::Bits(64)),
            "f32" => Ok(Sort::Float(8, 24)),
            "f64" => Ok(Sort::Float(11, 53)),
            _ => ty
                .strip_prefix('i')
                .and_then(|w| w.parse().ok())
                .filter(|&w| (2..=128).contains(&w))
                .map(Sort::Bits)
                .ok_or_else(|| Untranslatable(format!("a value of type {ty}"))),
        }
    }

    /// The sort as SMT-LIB2 writes it.
    pub fn smt(self) -> String {
        match self {
            Sort::Bits(w) => format!("(_ BitVec {w})"),
            Sort::Bool => "Bool".into(),
            Sort::Float(e, s) => format!("(_ FloatingPoint {e} {s})"),
        }
    }
}

/// A check the function must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    /// Its name in the script (a Bool `define-fun`).
    pub name: String,
    /// What it says, in words, with where (`division by zero in 'arith.divsi' at f.mlir:3:8`).
    pub what: String,
    /// The `cf.assert` it is, when it is one of the translated function's own (not of a callee
    /// inlined into it): the op's address.
    pub assert: Option<usize>,
}

/// A scalar argument of a translated function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// Its SMT name (`f_arg0`).
    pub name: String,
    /// Its sort.
    pub sort: Sort,
    /// Which argument of the function it is.
    pub position: usize,
}

/// A memory argument whose contents every call of the function fixes: the same constant
/// `memref.global` at each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownArgument {
    /// Which argument of the function it is.
    pub position: usize,
    /// The global.
    pub global: String,
    /// The global's type (`memref<6xf32>`).
    pub ty: String,
}

/// A memory argument the calls do not fix: any contents, one free value per element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeArgument {
    /// Which argument of the function it is.
    pub position: usize,
    /// Its type (`memref<4xi32>`).
    pub ty: String,
    /// Its elements' sort.
    pub sort: Sort,
    /// Its elements' SMT names, row-major.
    pub elements: Vec<String>,
}

/// A translated function.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    /// `declare-const` of the arguments and `define-fun` of every value and obligation.
    pub script: String,
    /// The scalar arguments.
    pub arguments: Vec<Argument>,
    /// The memory arguments, each a known constant global.
    pub known: Vec<KnownArgument>,
    /// The memory arguments of any contents.
    pub free: Vec<FreeArgument>,
    /// The checks.
    pub obligations: Vec<Obligation>,
    /// Whether it computes with floats: compiled code may contract or reorder float arithmetic
    /// where SMT's IEEE semantics does not, so a refutation is a hint there, not a verdict.
    pub floats: bool,
}

struct Translator<'c, 'a> {
    script: String,
    values: HashMap<usize, (String, Sort)>,
    /// The integer values known as constants (loop bounds, induction variables).
    constants: HashMap<usize, i128>,
    obligations: Vec<Obligation>,
    next: usize,
    /// Whether a float value was translated.
    floats: bool,
    /// Where callees are looked up.
    module: OperationRef<'c, 'a>,
    /// Every name this translation defines starts with it.
    prefix: String,
    /// Calls being inlined, innermost last.
    depth: usize,
    /// The memrefs whose contents are known (views of constant globals).
    memories: HashMap<usize, memory::Memory>,
}

/// A value's term and sort.
type Term = (String, Sort);

/// How deep calls are inlined.
const MAX_DEPTH: usize = 8;

/// Translates `function` (a `func.func` definition of `module`), every name it defines starting
/// with `prefix`.
///
/// # Errors
/// The first op or type outside what is translated.
pub fn translate<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    module: OperationRef<'c, 'a>,
    prefix: &str,
) -> Result<Translation, Untranslatable> {
    let block = function
        .region_at(0)
        .and_then(|r| r.first_block())
        .ok_or_else(|| Untranslatable("a declaration".into()))?;
    let mut t = Translator {
        script: String::new(),
        values: HashMap::new(),
        constants: HashMap::new(),
        obligations: Vec::new(),
        next: 0,
        floats: false,
        module,
        prefix: prefix.to_owned(),
        depth: 0,
        memories: HashMap::new(),
    };
    let mut arguments = Vec::new();
    let mut known = Vec::new();
    let mut free = Vec::new();
    let memory_arguments = (0..block.argument_count())
        .filter_map(|i| block.argument(i).ok())
        .filter(|a| a.r#type().to_string().starts_with("memref<"))
        .count();
    for i in 0..block.argument_count() {
        let argument = block
            .argument(i)
            .map_err(|e| Untranslatable(e.to_string()))?;
        let ty = argument.r#type().to_string();
        if ty.starts_with("memref<") {
            let memory = match t.known_argument(function, i) {
                Ok(memory) => {
                    known.push(KnownArgument {
                        position: i,
                        global: memory.global.clone().unwrap_or_default(),
                        ty: memory.ty.clone(),
                    });
                    memory
                }
                Err(unknown) => {
                    let mut memory = t
                        .free_memory(&ty, &format!("{prefix}arg{i}"))
                        .map_err(|_| unknown)?;
                    if memory_arguments > 1 {
                        memory.read_only = Some("one of several memory arguments, which may alias");
                    }
                    free.push(FreeArgument {
                        position: i,
                        ty,
                        sort: memory.sort,
                        elements: memory.elements.borrow().clone(),
                    });
                    memory
                }
            };
            t.memories.insert(argument.to_raw().ptr as usize, memory);
            continue;
        }
        let sort = Sort::of(&ty)?;
        t.floats |= matches!(sort, Sort::Float(..));
        let name = format!("{prefix}arg{i}");
        let _ = writeln!(t.script, "(declare-const {name} {})", sort.smt());
        t.values
            .insert(argument.to_raw().ptr as usize, (name.clone(), sort));
        arguments.push(Argument {
            name,
            sort,
            position: i,
        });
    }
    t.block(block, "true")?;
    Ok(Translation {
        script: t.script,
        arguments,
        known,
        free,
        obligations: t.obligations,
        floats: t.floats,
    })
}

impl<'c, 'a> Translator<'c, 'a> {
    fn value(&self, op: &OperationRef, i: usize) -> Result<(String, Sort), Untranslatable> {
        let operand = op
            .operand(i)
            .map_err(|_| Untranslatable(format!("'{}' without operand {i}", op_name(op))))?;
        self.values
            .get(&(operand.to_raw().ptr as usize))
            .cloned()
            .ok_or_else(|| Untranslatable(format!("a value '{}' uses from outside", op_name(op))))
    }

    fn define(
        &mut self,
        op: &OperationRef,
        index: usize,
        sort: Sort,
        term: String,
    ) -> Result<(), Untranslatable> {
        self.floats |= matches!(sort, Sort::Float(..));
        let name = format!("{}v{}", self.prefix, self.next);
        self.next += 1;
        let _ = writeln!(self.script, "(define-fun {name} () {} {term})", sort.smt());
        let result = op
            .result(index)
            .map_err(|_| Untranslatable(format!("'{}' without a result", op_name(op))))?;
        self.values
            .insert(result.to_raw().ptr as usize, (name, sort));
        Ok(())
    }

    /// The term a result of `op` was defined as.
    fn value_of_result(&self, op: &OperationRef, index: usize) -> Result<Term, Untranslatable> {
        let result = op
            .result(index)
            .map_err(|_| Untranslatable(format!("'{}' without a result", op_name(op))))?;
        self.values
            .get(&(result.to_raw().ptr as usize))
            .cloned()
            .ok_or_else(|| Untranslatable(format!("'{}' left undefined", op_name(op))))
    }

    fn oblige(&mut self, path: &str, condition: String, what: String, assert: Option<usize>) {
        let name = format!("{}check{}", self.prefix, self.obligations.len());
        let _ = writeln!(
            self.script,
            "(define-fun {name} () Bool (=> {path} {condition}))"
        );
        let assert = assert.filter(|_| self.depth == 0);
        self.obligations.push(Obligation { name, what, assert });
    }

    /// Translates the ops of `block` under `path`; the operands of its terminator.
    fn block(
        &mut self,
        block: BlockRef,
        path: &str,
    ) -> Result<Vec<(String, Sort)>, Untranslatable> {
        let mut next = block.first_operation();
        while let Some(op) = next {
            next = op.next_in_block();
            let name = op_name(&op);
            if matches!(name.as_str(), "func.return" | "scf.yield") {
                return (0..op.operand_count())
                    .map(|i| self.value(&op, i))
                    .collect();
            }
            self.op(&op, &name, path)?;
        }
        Ok(Vec::new())
    }

    fn op(&mut self, op: &OperationRef, name: &str, path: &str) -> Result<(), Untranslatable> {
        let location = tensorlang::diagnostic::format_location(op.location());
        match name {
            "cf.assert" => {
                let (c, _) = self.value(op, 0)?;
                let message = tensorlang::ir::string_attribute(op, "msg").unwrap_or_default();
                self.oblige(
                    path,
                    c,
                    format!("assertion failed: {message} at {location}"),
                    Some(op.to_raw().ptr as usize),
                );
                Ok(())
            }
            "scf.if" => {
                let (c, _) = self.value(op, 0)?;
                let region = |i: usize| op.region_at(i).and_then(|r| r.first_block());
                let then = match region(0) {
                    Some(block) => self.block(block, &format!("(and {path} {c})"))?,
                    None => Vec::new(),
                };
                let otherwise = match region(1) {
                    Some(block) => self.block(block, &format!("(and {path} (not {c}))"))?,
                    None => Vec::new(),
                };
                for (i, ((a, sort), (b, _))) in then.into_iter().zip(otherwise).enumerate() {
                    self.define(op, i, sort, format!("(ite {c} {a} {b})"))?;
                }
                Ok(())
            }
            "func.call" => self.inline(op, path),
            "scf.for" => self.unroll(op, path),
            memory if memory::OPS.contains(&memory) => self.memory_op(op, memory, path),
            float if float::OPS.contains(&float) => self.float_op(op, float, path),
            integer if integer::OPS.contains(&integer) => self.integer_op(op, integer, path),
            other => Err(Untranslatable(format!("'{other}'"))),
        }
    }
}

impl<'c, 'a> Translator<'c, 'a> {
    /// A call of a function of the module: its body, on the call's operands, under `path`.
    fn inline(&mut self, op: &OperationRef, path: &str) -> Result<(), Untranslatable> {
        let name = tensorlang::ir::callee(op).unwrap_or_default();
        if self.depth >= MAX_DEPTH {
            return Err(Untranslatable(format!("calls of @{name} nested too deep")));
        }
        let callee = tensorlang::ir::find_symbol(tensorlang::ir::top_level_ops(self.module), &name)
            .filter(tensorlang::ir::is_definition)
            .ok_or_else(|| Untranslatable(format!("a call of @{name}, which has no body here")))?;
        // SAFETY: a top-level op of the module, which outlives this translation.
        let callee = unsafe { tensorlang::lifetime::operation(&callee) };
        let block = callee
            .region_at(0)
            .and_then(|r| r.first_block())
            .ok_or_else(|| Untranslatable(format!("@{name} without a body")))?;
        for i in 0..block.argument_count() {
            let argument = block
                .argument(i)
                .map_err(|e| Untranslatable(e.to_string()))?;
            let key = argument.to_raw().ptr as usize;
            if let Some(memory) = self.known_operand(op, i) {
                self.memories.insert(key, memory);
            } else {
                let value = self.value(op, i)?;
                self.values.insert(key, value);
            }
        }
        self.depth += 1;
        let results = self.block(block, path);
        self.depth -= 1;
        for (i, (term, sort)) in results?.into_iter().enumerate() {
            self.define(op, i, sort, term)?;
        }
        Ok(())
    }
}

/// A float literal (`1.500000e+00`) of `sort` as an SMT term.
pub fn float_literal(text: &str, sort: Sort) -> Option<String> {
    float::literal(text, sort)
}

/// A float value as Z3 prints it (its tokens, parentheses gone), as a number.
pub fn float_value(tokens: &[&str], sort: Sort) -> Option<String> {
    float::value_of(tokens, sort)
}

/// The bits of a float value as Z3 prints it (see [`float_value`]).
pub fn float_bits(tokens: &[&str], sort: Sort) -> Option<u64> {
    float::bits_of(tokens, sort)
}

/// `value` as a `w`-bit literal (two's complement).
pub fn bits(value: i128, w: u32) -> String {
    let mask = if w >= 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    };
    format!("(_ bv{} {w})", (value as u128) & mask)
}
