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
            op.region(0)
                .ok()
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
                .map(|i| op.operand(i).ok().and_then(|v| constant_of(&v)))
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
    let mut terms = Vec::new();
    let mut words = Vec::new();
    for call in &calls {
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
            let (name, sort) = (&argument.name, &argument.sort);
            let Some(value) = call.get(argument.position).cloned().flatten() else {
                described.push((argument.position, format!("{} any", shown(name))));
                continue;
            };
            let literal = match sort {
                Sort::Bool => (value == "true").to_string(),
                Sort::Bits(w) => smt::bits(value.parse().unwrap_or(0), *w),
                Sort::Float(..) => match smt::float_literal(&value, *sort) {
                    Some(literal) => literal,
                    None => {
                        described.push((argument.position, format!("{} any", shown(name))));
                        continue;
                    }
                },
            };
            conjunction.push(format!("(= {name} {literal})"));
            described.push((argument.position, format!("{} = {value}", shown(name))));
        }
        terms.push(format!("(and {})", conjunction.join(" ")));
        described.sort();
        let described: Vec<String> = described.into_iter().map(|(_, d)| d).collect();
        words.push(format!("({})", described.join(", ")));
    }
    (
        format!("(or false {})", terms.join(" ")),
        format!("the program passes: {}", words.join(" or ")),
        exact,
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
mod tests {
    use super::*;

    fn verdict(source: &str, function: &str) -> Verdict {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "p.mlir").unwrap();
        prove(module.as_operation(), function, BUDGET)
    }

    const GUARDED: &str = "func.func @ratio(%a: i32, %b: i32) -> i32 {\n  %z = arith.constant 0 : i32\n  %one = arith.constant 1 : i32\n  %zero = arith.cmpi eq, %b, %z : i32\n  %d = arith.select %zero, %one, %b : i32\n  %m = arith.constant -1 : i32\n  %neg = arith.cmpi eq, %d, %m : i32\n  %safe = arith.select %neg, %one, %d : i32\n  %q = arith.divsi %a, %safe : i32\n  return %q : i32\n}\n";

    #[test]
    fn a_guarded_division_is_proved_for_every_input() {
        let found = verdict(GUARDED, "ratio");
        assert!(
            matches!(found, Verdict::Proved { checks: 2, .. }),
            "{found}"
        );
        assert!(found.to_string().starts_with("proved: 2 check(s), its own and those of the drivers that call it, hold for every input of its argument types"), "{found}");
    }

    #[test]
    fn an_unguarded_division_is_refuted_with_the_input_that_breaks_it() {
        let source = "func.func @ratio(%a: i32, %b: i32) -> i32 {\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}\nfunc.func @main() {\n  %c7 = arith.constant 7 : i32\n  %c0 = arith.constant 0 : i32\n  %c2 = arith.constant 2 : i32\n  %r = func.call @ratio(%c7, %c2) : (i32, i32) -> i32\n  %s = func.call @ratio(%c7, %c0) : (i32, i32) -> i32\n  return\n}\n";
        let found = verdict(source, "ratio");
        let Verdict::Refuted {
            counterexample,
            check,
            in_program,
            ..
        } = &found
        else {
            panic!("{found}");
        };
        assert!(*in_program);
        assert_eq!(
            counterexample,
            &vec![
                ("arg0".to_string(), "7".to_string()),
                ("arg1".to_string(), "0".to_string())
            ]
        );
        assert!(
            check.starts_with("division by zero in 'arith.divsi' at p.mlir:2:"),
            "{check}"
        );
    }

    #[test]
    fn the_range_is_what_the_program_passes() {
        // Only ever divided by 2: proved for that call, though not for every divisor.
        let source = "func.func @half(%a: i32, %b: i32) -> i32 {\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}\nfunc.func @main() {\n  %c7 = arith.constant 7 : i32\n  %c2 = arith.constant 2 : i32\n  %r = func.call @half(%c7, %c2) : (i32, i32) -> i32\n  return\n}\n";
        let found = verdict(source, "half");
        assert!(
            found
                .to_string()
                .contains("the program passes: (arg0 = 7, arg1 = 2)"),
            "{found}"
        );
        // The divisor check and the overflow check, in @half and again inlined in @main.
        assert!(
            matches!(found, Verdict::Proved { checks: 4, .. }),
            "{found}"
        );
    }

    #[test]
    fn the_drivers_asserts_are_the_specification() {
        let program = |k: i32| {
            format!(
                "func.func @double(%x: i32) -> i32 {{\n  %k = arith.constant {k} : i32\n  %d = arith.muli %x, %k : i32\n  return %d : i32\n}}\nfunc.func @main() {{\n  %c5 = arith.constant 5 : i32\n  %d = func.call @double(%c5) : (i32) -> i32\n  %c10 = arith.constant 10 : i32\n  %ok = arith.cmpi eq, %d, %c10 : i32\n  cf.assert %ok, \"double(5) is 10\"\n  return\n}}\n"
            )
        };
        assert!(matches!(
            verdict(&program(2), "double"),
            Verdict::Proved { checks: 1, .. }
        ));
        let wrong = verdict(&program(3), "double");
        let Verdict::Refuted { check, .. } = &wrong else {
            panic!("{wrong}");
        };
        assert!(
            check.starts_with("assertion failed: double(5) is 10 at p.mlir:11:"),
            "{check}"
        );
    }

    #[test]
    fn a_proof_in_a_child_gives_the_same_verdict() {
        let found = prove_in_child(GUARDED, "ratio", BUDGET);
        assert!(
            matches!(found, Verdict::Proved { checks: 2, .. }),
            "{found}"
        );
        let broken = prove_in_child("func.func @f(", "f", BUDGET);
        assert!(matches!(broken, Verdict::Failed(_)), "{broken}");
    }

    #[test]
    fn asserts_branches_and_what_is_not_covered() {
        let source = "func.func @clamp(%x: i64) -> i64 {\n  %c0 = arith.constant 0 : i64\n  %c9 = arith.constant 9 : i64\n  %neg = arith.cmpi slt, %x, %c0 : i64\n  %r = scf.if %neg -> (i64) {\n    scf.yield %c0 : i64\n  } else {\n    %m = arith.minsi %x, %c9 : i64\n    scf.yield %m : i64\n  }\n  %ok = arith.cmpi sle, %r, %c9 : i64\n  cf.assert %ok, \"at most 9\"\n  %pos = arith.cmpi sge, %r, %c0 : i64\n  cf.assert %pos, \"not negative\"\n  return %r : i64\n}\nfunc.func @f(%m: memref<?xf32>) -> f32 {\n  %c0 = arith.constant 0 : index\n  %y = memref.load %m[%c0] : memref<?xf32>\n  return %y : f32\n}\n";
        assert!(matches!(
            verdict(source, "clamp"),
            Verdict::Proved { checks: 2, .. }
        ));
        assert!(matches!(verdict(source, "f"), Verdict::NotTranslatable(_)));
    }

    #[test]
    fn float_divisions_and_loops_with_constant_bounds() {
        // x / (|y| + 1) is finite for every finite x, y only: Z3 finds an infinite or NaN input.
        let source = "func.func @scale(%x: f32, %y: f32) -> f32 {\n  %one = arith.constant 1.000000e+00 : f32\n  %a = math.absf %y : f32\n  %d = arith.addf %a, %one : f32\n  %q = arith.divf %x, %d : f32\n  return %q : f32\n}\n";
        let found = verdict(source, "scale");
        assert!(
            found
                .to_string()
                .starts_with("refuted: non-finite result (NaN or Inf) of 'arith.divf'"),
            "{found}"
        );
        // Called only with 6.0 and 2.0: proved.
        let called = format!(
            "{source}func.func @main() {{\n  %a = arith.constant 6.000000e+00 : f32\n  %b = arith.constant 2.000000e+00 : f32\n  %r = func.call @scale(%a, %b) : (f32, f32) -> f32\n  %two = arith.constant 2.000000e+00 : f32\n  %ok = arith.cmpf oeq, %r, %two : f32\n  cf.assert %ok, \"6 / 3 is 2\"\n  return\n}}\n"
        );
        assert!(
            matches!(verdict(&called, "scale"), Verdict::Proved { .. }),
            "{}",
            verdict(&called, "scale")
        );
        // A sum of 1..4 by a loop, and a division by it.
        let looped = "func.func @mean(%x: i32) -> i32 {\n  %c1 = arith.constant 1 : index\n  %c5 = arith.constant 5 : index\n  %zero = arith.constant 0 : i32\n  %s = scf.for %i = %c1 to %c5 step %c1 iter_args(%acc = %zero) -> (i32) {\n    %v = arith.index_cast %i : index to i32\n    %t = arith.addi %acc, %v : i32\n    scf.yield %t : i32\n  }\n  %ten = arith.constant 10 : i32\n  %ok = arith.cmpi eq, %s, %ten : i32\n  cf.assert %ok, \"1 + 2 + 3 + 4 is 10\"\n  %q = arith.divsi %x, %s : i32\n  return %q : i32\n}\n";
        assert!(
            matches!(verdict(looped, "mean"), Verdict::Proved { checks: 3, .. }),
            "{}",
            verdict(looped, "mean")
        );
    }

    const TABLE: &str = "memref.global \"private\" constant @table : memref<4xi32> = dense<[1, 2, 4, 8]>\nfunc.func @pick(%t: memref<?xi32>, %i: index) -> i32 {\n  %v = memref.load %t[%i] : memref<?xi32>\n  %z = arith.constant 0 : i32\n  %nz = arith.cmpi ne, %v, %z : i32\n  cf.assert %nz, \"entries are not zero\"\n  %c16 = arith.constant 16 : i32\n  %q = arith.divsi %c16, %v : i32\n  return %q : i32\n}\n";

    #[test]
    fn loads_from_a_constant_table_the_calls_pass_are_its_elements() {
        let driver = |index: &str| {
            format!(
                "{TABLE}func.func @main() {{\n  %g = memref.get_global @table : memref<4xi32>\n  %v = memref.cast %g : memref<4xi32> to memref<?xi32>\n  {index}\n  %r = func.call @pick(%v, %i) : (memref<?xi32>, index) -> i32\n  %c2 = arith.constant 2 : i32\n  %ok = arith.cmpi eq, %r, %c2 : i32\n  cf.assert %ok, \"16 / 8 is 2\"\n  return\n}}\n"
            )
        };
        // Index 3: the bounds check, the assert, the divisor's two checks, the same four
        // inlined in @main, and @main's assert.
        let found = verdict(&driver("%i = arith.constant 3 : index"), "pick");
        assert!(
            matches!(found, Verdict::Proved { checks: 9, .. }),
            "{found}"
        );
        assert!(
            found
                .to_string()
                .contains("the program passes: (arg0 = @table, arg1 = 3)"),
            "{found}"
        );
        // An index computed at run time (by an op the translation leaves out): any index, and 4
        // is out of bounds. The counterexample runs on the same table.
        let found = verdict(
            &driver(
                "%c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %n = memref.dim %v, %c0 : memref<?xi32>\n  %i = index.sub %n, %c1",
            ),
            "pick",
        );
        let Verdict::Refuted {
            check,
            in_program,
            driver: Some(driver),
            ..
        } = &found
        else {
            panic!("{found}");
        };
        assert!(!in_program);
        assert!(
            check.starts_with("index out of bounds in 'memref.load' at p.mlir:3:"),
            "{check}"
        );
        assert!(
            driver.contains("  %g0 = memref.get_global @table : memref<4xi32>\n  %a0 = memref.cast %g0 : memref<4xi32> to memref<?xi32>\n"),
            "{driver}"
        );
    }

    #[test]
    fn memory_that_is_not_fixed_is_not_translated() {
        let source = format!(
            "{TABLE}func.func @main(%t: memref<?xi32>) {{\n  %c0 = arith.constant 0 : index\n  %r = func.call @pick(%t, %c0) : (memref<?xi32>, index) -> i32\n  return\n}}\n"
        );
        let found = verdict(&source, "pick");
        assert_eq!(
            found,
            Verdict::NotTranslatable(
                "a memref argument (#0) whose contents the program's calls do not fix".into()
            )
        );
    }

    #[test]
    fn math_ops_with_a_theory() {
        // floor(x) <= x for every x (unordered: NaN passes, as the assert's predicate says).
        let floor = "func.func @f(%x: f32) -> f32 {\n  %f = math.floor %x : f32\n  %ok = arith.cmpf ule, %f, %x : f32\n  cf.assert %ok, \"floor is below\"\n  return %f : f32\n}\n";
        assert!(matches!(
            verdict(floor, "f"),
            Verdict::Proved { checks: 1, .. }
        ));
        // round(x) <= x is not: 0.5 rounds away from zero.
        let round = floor.replace("math.floor", "math.round");
        assert!(matches!(verdict(&round, "f"), Verdict::Refuted { .. }));
        // fma(x, 0, 1) is 1 but for an infinite or NaN x.
        let fma = "func.func @f(%x: f32) -> f32 {\n  %z = arith.constant 0.0 : f32\n  %one = arith.constant 1.0 : f32\n  %r = math.fma %x, %z, %one : f32\n  %ok = arith.cmpf oeq, %r, %one : f32\n  cf.assert %ok, \"one\"\n  return %r : f32\n}\n";
        let found = verdict(fma, "f");
        let Verdict::Refuted { counterexample, .. } = &found else {
            panic!("{found}");
        };
        assert!(
            ["inf", "-inf", "NaN"].contains(&counterexample[0].1.as_str()),
            "{found}"
        );
        // |x| >= 0 but for the most negative i8, whose negation wraps.
        let absi = "func.func @f(%x: i8) -> i8 {\n  %a = math.absi %x : i8\n  %z = arith.constant 0 : i8\n  %ok = arith.cmpi sge, %a, %z : i8\n  cf.assert %ok, \"not negative\"\n  return %a : i8\n}\n";
        let found = verdict(absi, "f");
        let Verdict::Refuted { counterexample, .. } = &found else {
            panic!("{found}");
        };
        assert_eq!(
            counterexample,
            &vec![("arg0".to_string(), "-128".to_string())]
        );
    }

    const SUM4: &str = "func.func @sum4(%buf: memref<4xi32>) -> i32 {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %n = arith.constant BOUND : index\n  %zero = arith.constant 0 : i32\n  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {\n    %v = memref.load %buf[%i] : memref<4xi32>\n    %t = arith.addi %acc, %v : i32\n    scf.yield %t : i32\n  }\n  return %s : i32\n}\nfunc.func @main() {\n  %buf = memref.alloca() : memref<4xi32>\n  %one = arith.constant 1 : i32\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c4 = arith.constant 4 : index\n  scf.for %i = %c0 to %c4 step %c1 {\n    memref.store %one, %buf[%i] : memref<4xi32>\n  }\n  %s = func.call @sum4(%buf) : (memref<4xi32>) -> i32\n  %four = arith.constant 4 : i32\n  %ok = arith.cmpi eq, %s, %four : i32\n  cf.assert %ok, \"four ones sum to 4\"\n  return\n}\n";

    #[test]
    fn memory_the_calls_do_not_fix_is_any_contents() {
        // Four loads in bounds for any contents, and @main's buffer of four ones sums to 4: the
        // driver's four stores, the four loads inlined in it and its assert translate too.
        let found = verdict(&SUM4.replace("BOUND", "4"), "sum4");
        assert!(
            matches!(found, Verdict::Proved { checks: 13, .. }),
            "{found}"
        );
        assert!(
            found.to_string().contains("of its argument types"),
            "{found}"
        );
        // One load too many: refuted, the counterexample a buffer's contents, and the driver
        // that runs it holds them in a global.
        let found = verdict(&SUM4.replace("BOUND", "5"), "sum4");
        let Verdict::Refuted {
            counterexample,
            check,
            driver: Some(driver),
            ..
        } = &found
        else {
            panic!("{found}");
        };
        assert!(
            check.starts_with("index out of bounds in 'memref.load'"),
            "{check}"
        );
        assert_eq!(counterexample[0].0, "arg0");
        assert!(counterexample[0].1.starts_with('['), "{found}");
        assert!(
            driver.starts_with("memref.global \"private\" @__tensorlang_counterexample_arg0 : memref<4xi32> = dense<["),
            "{driver}"
        );
        let context = tensorlang::create_context().unwrap();
        let program = counterexample::with_driver(&SUM4.replace("BOUND", "5"), driver);
        assert!(tensorlang::parse_module(&context, &program, "p.mlir").is_ok());
    }

    #[test]
    fn stores_replace_elements_and_may_not_go_through_aliases() {
        let fill = "func.func @fill(%out: memref<3xi32>, %x: i32) -> i32 {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c3 = arith.constant 3 : index\n  scf.for %i = %c0 to %c3 step %c1 {\n    memref.store %x, %out[%i] : memref<3xi32>\n  }\n  %c2 = arith.constant 2 : index\n  %v = memref.load %out[%c2] : memref<3xi32>\n  %ok = arith.cmpi eq, %v, %x : i32\n  cf.assert %ok, \"filled\"\n  return %v : i32\n}\n";
        // Three stores in bounds, a load in bounds, and the assert.
        let found = verdict(fill, "fill");
        assert!(
            matches!(found, Verdict::Proved { checks: 5, .. }),
            "{found}"
        );
        let two = "func.func @copy(%a: memref<2xi32>, %b: memref<2xi32>) {\n  %c0 = arith.constant 0 : index\n  %v = memref.load %a[%c0] : memref<2xi32>\n  memref.store %v, %b[%c0] : memref<2xi32>\n  return\n}\n";
        assert_eq!(
            verdict(two, "copy"),
            Verdict::NotTranslatable(
                "a 'memref.store' to one of several memory arguments, which may alias".into()
            )
        );
    }

    #[test]
    fn a_solver_out_of_budget_says_so() {
        // Whether a 122-bit number has two factors below 2^62: factoring, which a thousand steps
        // are not enough for.
        let n: i128 = 2305843009213693951 * 576460752303423487;
        let source = format!(
            "func.func @hard(%a: i128, %b: i128) -> i128 {{\n  %one = arith.constant 1 : i128\n  %top = arith.constant 4611686018427387904 : i128\n  %n = arith.constant {n} : i128\n  %a1 = arith.cmpi sgt, %a, %one : i128\n  %b1 = arith.cmpi sgt, %b, %one : i128\n  %a2 = arith.cmpi slt, %a, %top : i128\n  %b2 = arith.cmpi slt, %b, %top : i128\n  %p = arith.muli %a, %b : i128\n  %is = arith.cmpi eq, %p, %n : i128\n  %x = arith.andi %a1, %b1 : i1\n  %y = arith.andi %a2, %b2 : i1\n  %z = arith.andi %x, %y : i1\n  %f = arith.andi %z, %is : i1\n  %true = arith.constant true\n  %no = arith.xori %f, %true : i1\n  cf.assert %no, \"not a product of two factors\"\n  return %p : i128\n}}\n"
        );
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, &source, "p.mlir").unwrap();
        let found = prove(module.as_operation(), "hard", 1000);
        assert_eq!(found, Verdict::Unknown { budget: 1000 }, "{found}");
        assert_eq!(
            found.to_string(),
            "not proved: Z3 gave no answer within its budget of 1000 steps"
        );
    }
}
