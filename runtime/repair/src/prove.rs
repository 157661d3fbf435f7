//! Repairs proved for every input the program passes, where a solver can tell: the repaired
//! function is translated into SMT-LIB2 ([`smt`]), with the checks that guard it (its divisions'
//! divisors, its asserts) as obligations, and Z3 ([`z3`]) is asked for inputs in the program's
//! range that break one. The range is what the program's calls pass: where every argument of a
//! call is a constant, exactly those values (call by call); an argument computed at run time is
//! any value of its type. No input: **proved**. An input: **refuted**, with the counterexample and
//! the check it breaks. No answer within the solver's budget: said so.
//!
//! The asserts of the drivers that call the function (functions without arguments, such as a
//! test's `@main`, whose asserts are the specification) are obligations too, with the calls
//! inlined, when the driver translates.
//!
//! What "proved" covers: integer and `index` arithmetic (wrapping, as MLIR's), `f32`/`f64`
//! arithmetic (IEEE 754), compares, selects, casts, `scf.if`, `scf.for` with constant bounds,
//! `cf.assert`, calls of functions of the module (inlined), and loads from constant globals
//! (directly, or as an argument every call fixes); not memory the program writes, tensors or
//! loops with run-time bounds (such a function is [`Verdict::NotTranslatable`], such a driver
//! left out). A refutation carries a driver that runs the counterexample
//! ([`counterexample`]), which the engine runs on the candidate and on the original.

use std::fmt;
use tensorlang::ir::OperationExt;

use melior::ir::OperationRef;
use melior::ir::operation::OperationLike;
use melior::ir::operation::{WalkOrder, WalkResult};
use melior::ir::{BlockLike, RegionLike};
use tensorlang::ir::{callee, find_symbol, op_name, top_level_ops};

pub mod counterexample;
pub mod smt;
pub mod z3;

use smt::{Sort, Translation};

/// The resource budget the solver gets per question (Z3's `rlimit` units; about a second of
/// work here).
pub const BUDGET: u64 = 10_000_000;

/// What the solver found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Verdict {
    /// No input in the range breaks a check.
    Proved {
        /// How many checks.
        checks: usize,
        /// The range, in words.
        range: String,
    },
    /// This input breaks `check`.
    Refuted {
        /// `arg0 = 7, arg1 = 0`.
        counterexample: Vec<(String, String)>,
        /// The check it breaks.
        check: String,
        /// Whether the program itself passes that input: every argument is a constant at the
        /// program's calls, or the check is a driver's (whose inputs are the program's own), and
        /// no float arithmetic is involved. Otherwise the input is one of the argument types the
        /// program may never pass, or a float computation compiled code may round otherwise.
        in_program: bool,
        /// A driver function that calls the function on the counterexample
        /// ([`counterexample::driver`]): when the broken check is the function's own and every
        /// argument is a scalar.
        #[serde(default)]
        driver: Option<String>,
        /// What running the compiled program on it showed, once it has run (the engine's
        /// differential run).
        #[serde(default)]
        run: Option<String>,
    },
    /// The solver gave no answer within its budget.
    Unknown {
        /// Its budget.
        budget: u64,
    },
    /// The function has no check to prove.
    NothingToProve,
    /// The function holds something the translation does not cover.
    NotTranslatable(String),
    /// The proof could not run (its child process crashed or hung).
    Failed(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Proved { checks, range } => write!(
                f,
                "proved: {checks} check(s), its own and those of the drivers that call it, hold for every input {range} (Z3)"
            ),
            Verdict::Refuted {
                counterexample,
                check,
                in_program,
                run,
                ..
            } => {
                let inputs: Vec<String> = counterexample
                    .iter()
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect();
                let whose = if *in_program {
                    "an input the program passes"
                } else {
                    "an input of its argument types the program may not pass, or float arithmetic compiled code may round otherwise"
                };
                write!(
                    f,
                    "refuted: {check} for {} ({whose}; Z3)",
                    inputs.join(", ")
                )?;
                match run {
                    Some(run) => write!(f, "; {run}"),
                    None => Ok(()),
                }
            }
            Verdict::Unknown { budget } => write!(
                f,
                "not proved: Z3 gave no answer within its budget of {budget} steps"
            ),
            Verdict::NothingToProve => write!(f, "nothing to prove: it has no check"),
            Verdict::NotTranslatable(why) => write!(
                f,
                "not proved: it holds {why}, which the SMT translation does not cover"
            ),
            Verdict::Failed(why) => write!(f, "not proved: the proof did not run: {why}"),
        }
    }
}

/// [`prove`] of `function` in `program` (text), in a child process: hostile text could crash
/// MLIR's parser, and a solver that crashes or runs away costs the proof, not the program.
pub fn prove_in_child(program: &str, function: &str, budget: u64) -> Verdict {
    let answer = crate::isolated::in_child(|| {
        let context = tensorlang::create_context().map_err(|e| e.to_string())?;
        context.enable_multi_threading(false);
        let module = tensorlang::parse_module(&context, program, "candidate.mlir")
            .map_err(|e| e.to_string())?;
        let verdict = prove(module.as_operation(), function, budget);
        serde_json::to_vec(&verdict)
            .map(Into::into)
            .map_err(|e| e.to_string())
    });
    match answer {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| Verdict::Failed(format!("a garbled verdict: {e}"))),
        Err(why) => Verdict::Failed(why),
    }
}

/// Proves the checks of `function` in `module` for the inputs the module's calls pass.
pub fn prove(module: OperationRef, function: &str, budget: u64) -> Verdict {
    let Some(definition) = find_symbol(top_level_ops(module), function) else {
        return Verdict::NotTranslatable(format!("no function @{function}"));
    };
    let translation = match smt::translate(&definition, module, "f_") {
        Ok(translation) => translation,
        Err(why) => return Verdict::NotTranslatable(why.0),
    };
    // The asserts of the drivers that call it (functions without arguments, such as a test's
    // @main), with the call inlined: the program's own specification.
    let drivers = drivers(module, function);
    let mut obligations = translation.obligations.clone();
    let mut script = translation.script.clone();
    for driver in &drivers {
        obligations.extend(driver.obligations.iter().cloned());
        script.push_str(&driver.script);
    }
    if obligations.is_empty() {
        return Verdict::NothingToProve;
    }
    let (domain, range, exact) = call_domain(module, function, &translation);
    let all: Vec<&str> = obligations.iter().map(|o| o.name.as_str()).collect();
    let names: Vec<&str> = translation
        .arguments
        .iter()
        .map(|a| a.name.as_str())
        .chain(
            translation
                .free
                .iter()
                .flat_map(|f| f.elements.iter().map(String::as_str)),
        )
        .collect();
    script.push_str(&format!(
        "(assert {domain})\n(assert (not (and true {})))\n(check-sat)\n",
        all.join(" ")
    ));
    if !names.is_empty() {
        script.push_str(&format!("(get-value ({}))\n", names.join(" ")));
    }
    script.push_str(&format!("(get-value ({}))\n", all.join(" ")));
    let answer = match z3::run_script(&script, budget) {
        Ok(answer) => answer,
        Err(why) => return Verdict::NotTranslatable(why),
    };
    let first = answer.lines().next().unwrap_or_default().trim();
    match first {
        "unsat" => Verdict::Proved {
            checks: all.len(),
            range,
        },
        "sat" => {
            let values = parse_values(&answer);
            let mut counterexample: Vec<(usize, String, String)> = translation
                .arguments
                .iter()
                .filter_map(|a| {
                    Some((
                        a.position,
                        shown(&a.name).to_owned(),
                        shown_value(values.get(&a.name)?, a.sort)?,
                    ))
                })
                .collect();
            for free in &translation.free {
                let elements: Option<Vec<String>> = free
                    .elements
                    .iter()
                    .map(|e| shown_value(values.get(e)?, free.sort))
                    .collect();
                if let Some(elements) = elements {
                    let contents = format!("[{}]", elements.join(", "));
                    counterexample.push((free.position, format!("arg{}", free.position), contents));
                }
            }
            counterexample.sort();
            let counterexample = counterexample
                .into_iter()
                .map(|(_, name, value)| (name, value))
                .collect();
            let broken = obligations.iter().find(|o| {
                values
                    .get(&o.name)
                    .and_then(|v| v.first())
                    .is_some_and(|v| v == "false")
            });
            let check = broken.map_or_else(|| "a check fails".to_owned(), |o| o.what.clone());
            let in_driver = broken.is_some_and(|o| o.name.starts_with('d'));
            // Float arithmetic in compiled code may be contracted or reordered where SMT's IEEE
            // semantics is not: there a refutation is reported, never taken as the program's.
            let floats = translation.floats || drivers.iter().any(|d| d.floats);
            // A driver's assert is broken on the driver's own inputs, not on these.
            let driver = (!in_driver && broken.is_some())
                .then(|| counterexample::driver(&definition, function, &translation, &values))
                .flatten();
            Verdict::Refuted {
                counterexample,
                check,
                in_program: (exact || in_driver) && !floats,
                driver,
                run: None,
            }
        }
        "unknown" => Verdict::Unknown { budget },
        _ if answer.contains("error") => {
            Verdict::NotTranslatable(format!("a script Z3 rejects ({})", answer.trim()))
        }
        _ => Verdict::Unknown { budget },
    }
}

/// The translated functions without arguments that call `function` directly (those that do not
/// translate are left out: their asserts are not proved).
fn drivers(module: OperationRef, function: &str) -> Vec<Translation> {
    top_level_ops(module)
        .iter()
        .filter(|op| op_name(op) == "func.func" && tensorlang::ir::is_definition(op))
        .filter(|op| {
            op.region_at(0)
                .and_then(|r| r.first_block())
                .is_some_and(|b| b.argument_count() == 0)
        })
        .filter(|op| {
            let mut calls = false;
            op.walk(WalkOrder::PreOrder, |inner| {
                calls |= callee(&inner).as_deref() == Some(function);
                WalkResult::Advance
            });
            calls
        })
        .enumerate()
        .filter_map(|(i, op)| smt::translate(op, module, &format!("d{i}_")).ok())
        .collect()
}

/// The inputs the module passes to `function`: a disjunction over its calls of the constant
/// arguments of each (an argument computed at run time is free), the same in words, and
/// whether it is exact (there are calls, and every argument of each is a constant).
pub(crate) fn call_domain(
    module: OperationRef,
    function: &str,
    translation: &Translation,
) -> (String, String, bool) {
    let mut calls: Vec<Vec<Option<String>>> = Vec::new();
    module.walk(WalkOrder::PreOrder, |op| {
        if callee(&op).as_deref() == Some(function) {
            let constants = (0..op.operand_count())
                .map(|i| op.operand_at(i).and_then(|v| constant_of(&v)))
                .collect();
            calls.push(constants);
        }
        WalkResult::Advance
    });
    let free = "of its argument types".to_owned();
    let scalars_free = calls.iter().all(|c| {
        translation
            .arguments
            .iter()
            .all(|a| c.get(a.position).is_none_or(Option::is_none))
    });
    if calls.is_empty() || (scalars_free && translation.known.is_empty()) {
        return ("true".into(), free, false);
    }
    // A memory argument is a known global, the same at every call: fixed, like a constant; one
    // of any contents is not.
    let exact = translation.free.is_empty()
        && calls.iter().all(|c| {
            translation
                .arguments
                .iter()
                .all(|a| c.get(a.position).is_some_and(Option::is_some))
        });
    let (terms, words): (Vec<String>, Vec<String>) = calls
        .iter()
        .map(|call| call_term(translation, call))
        .unzip();
    (
        format!("(or false {})", terms.join(" ")),
        format!("the program passes: {}", words.join(" or ")),
        exact,
    )
}

/// One call's inputs (the constant at each argument, where it is one): the SMT term that holds
/// for them, and the same in words (`(arg0 = @table, arg1 = 3)`).
fn call_term(translation: &Translation, call: &[Option<String>]) -> (String, String) {
    let mut conjunction = vec!["true".to_owned()];
    let mut described: Vec<(usize, String)> = translation
        .known
        .iter()
        .map(|k| (k.position, format!("arg{} = @{}", k.position, k.global)))
        .chain(
            translation
                .free
                .iter()
                .map(|f| (f.position, format!("arg{} any contents", f.position))),
        )
        .collect();
    for argument in &translation.arguments {
        let (name, sort) = (&argument.name, argument.sort);
        let value = call.get(argument.position).cloned().flatten();
        let literal = value.as_deref().and_then(|value| match sort {
            Sort::Bool => Some((value == "true").to_string()),
            Sort::Bits(w) => Some(smt::bits(value.parse().unwrap_or(0), w)),
            Sort::Float(..) => smt::float_literal(value, sort),
        });
        match (value, literal) {
            (Some(value), Some(literal)) => {
                conjunction.push(format!("(= {name} {literal})"));
                described.push((argument.position, format!("{} = {value}", shown(name))));
            }
            _ => described.push((argument.position, format!("{} any", shown(name)))),
        }
    }
    described.sort();
    let described: Vec<String> = described.into_iter().map(|(_, d)| d).collect();
    (
        format!("(and {})", conjunction.join(" ")),
        format!("({})", described.join(", ")),
    )
}

/// An argument's name as the user reads it (`arg0`, without the translation's prefix).
fn shown(name: &str) -> &str {
    name.strip_prefix("f_").unwrap_or(name)
}

/// The literal of a value defined by `arith.constant` (`7`, `-1`, `true`).
fn constant_of(value: &melior::ir::Value) -> Option<String> {
    let op = melior::ir::operation::OperationResult::try_from(*value)
        .ok()?
        .owner();
    if op_name(&op) != "arith.constant" {
        return None;
    }
    let text = op.attribute("value").ok()?.to_string();
    Some(text.split(" : ").next()?.to_owned())
}

/// `name -> tokens of its value` from Z3's `get-value` answers (`((arg0 #x00000007) (check0
/// false))`; a float's value is several tokens: `fp #b0 #x80 #b0...`).
fn parse_values(answer: &str) -> std::collections::HashMap<String, Vec<String>> {
    let mut values = std::collections::HashMap::new();
    let flat = answer.replace(['(', ')'], " ");
    let tokens: Vec<&str> = flat.split_whitespace().collect();
    let is_name = |t: &str| t.contains("arg") || t.contains("check");
    for (i, token) in tokens.iter().enumerate() {
        if is_name(token) {
            let value: Vec<String> = tokens[i + 1..]
                .iter()
                .take_while(|t| !is_name(t))
                .take(4)
                .map(|t| (*t).to_owned())
                .collect();
            values.insert((*token).to_owned(), value);
        }
    }
    values
}

/// A value's tokens as the user reads it: a signed integer, `true`/`false`, or a float.
fn shown_value(tokens: &[String], sort: Sort) -> Option<String> {
    if let Sort::Float(..) = sort {
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        return smt::float_value(&tokens, sort);
    }
    signed(tokens.first()?, sort).map(|v| v.to_string())
}

/// A bit-vector literal (`#x...`, `#b...`) as a signed number of `sort`.
fn signed(literal: &str, sort: Sort) -> Option<i128> {
    let (digits, radix) = if let Some(hex) = literal.strip_prefix("#x") {
        (hex, 16)
    } else if let Some(binary) = literal.strip_prefix("#b") {
        (binary, 2)
    } else {
        return match literal {
            "true" => Some(1),
            "false" => Some(0),
            _ => None,
        };
    };
    let value = u128::from_str_radix(digits, radix).ok()?;
    let Sort::Bits(w) = sort else {
        return Some(value as i128);
    };
    let negative = w < 128 && value >> (w - 1) & 1 == 1;
    Some(if negative {
        value as i128 - (1i128 << w)
    } else {
        value as i128
    })
}

#[cfg(test)]
mod tests;
