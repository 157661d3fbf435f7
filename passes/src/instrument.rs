//! `--tensorlang-instrument`: run-time checks for the invariants a program relies on, each at the
//! location of the op it guards, minus those that provably never fail.
//!
//! | option | checks |
//! |---|---|
//! | `bounds` | indices of memref and tensor accesses, shapes of casts and views (upstream `generate-runtime-verification`) |
//! | `div-by-zero` | integer `divsi`/`divui`/`remsi`/`remui`/`ceildivsi`/`ceildivui`/`floordivsi` divisors |
//! | `overflow` | signed division and remainder of `MIN` by `-1` |
//! | `nan-ops` | scalar results of the listed float ops are neither NaN nor infinite |
//! | `eliminate` | integer range analysis and folding remove the checks that can never fail; loops whose remaining bounds checks hold at both ends run a copy without them ([`versioning`]) |
//! | `statistics` | a remark on the module: checks inserted, removed, left |
//!
//! Checks are `cf.assert` ops tagged `tensorlang.check = "<kind>"`; `tensorlang-lower-asserts`
//! turns them (and untagged user asserts) into calls of the runtime.
//!
//! ```mlir
//! // before
//! %q = arith.divsi %a, %b : i32 loc("k.mlir":4:8)
//! // after
//! %c0_i32 = arith.constant 0 : i32
//! %0 = arith.cmpi ne, %b, %c0_i32 : i32
//! cf.assert %0, "division by zero in 'arith.divsi'" {tensorlang.check = "div-by-zero"}
//! %c-2147483648_i32 = arith.constant -2147483648 : i32
//! ...
//! cf.assert %3, "signed division overflow in 'arith.divsi'" {tensorlang.check = "overflow"}
//! %q = arith.divsi %a, %b : i32
//! ```

mod allocations;
mod arithmetic;
mod bounds;
pub(crate) mod census;
mod loops;
mod overflow_flags;
mod reshapes;
pub mod versioning;
mod views;
mod wide;

use census::Census;
use melior::ir::OperationRef;
use melior::{Context, IrRewriter};
use tensorlang::{PassDefinition, PassFailure, PassInvocation, PassOption};

/// The attribute that marks a `cf.assert` as an inserted check, holding its kind's name.
pub const CHECK_ATTRIBUTE: &str = "tensorlang.check";

/// The pass definition, registered as `tensorlang-instrument`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"tensorlang-instrument",
    name: c"TensorLangInstrument",
    summary: c"Insert run-time checks (bounds, division, NaN/Inf) located at the ops they guard, and remove those that can never fail",
    anchor: Some(c"builtin.module"),
    options: &[
        PassOption {
            name: c"bounds",
            description: c"Check indices and shapes of memref/tensor ops (upstream runtime verification)",
            default: c"true",
        },
        PassOption {
            name: c"div-by-zero",
            description: c"Check integer divisors for zero",
            default: c"true",
        },
        PassOption {
            name: c"overflow",
            description: c"Check signed integer division and remainder for MIN / -1",
            default: c"true",
        },
        PassOption {
            name: c"nan-ops",
            description: c"Comma-separated float ops whose scalar results must be neither NaN nor Inf (empty: none)",
            default: c"arith.divf,math.sqrt,math.rsqrt,math.log,math.log2,math.log10,math.log1p,math.powf",
        },
        PassOption {
            name: c"eliminate",
            description: c"Remove checks that integer range analysis and folding prove can never fail (runs canonicalize)",
            default: c"true",
        },
        PassOption {
            name: c"statistics",
            description: c"Report the checks inserted and removed as a remark on the module",
            default: c"false",
        },
    ],
    dependent_dialects: &[
        mlir_sys::mlirGetDialectHandle__arith__,
        mlir_sys::mlirGetDialectHandle__cf__,
        mlir_sys::mlirGetDialectHandle__math__,
        mlir_sys::mlirGetDialectHandle__memref__,
        mlir_sys::mlirGetDialectHandle__tensor__,
    ],
    run,
};

fn run(
    context: &Context,
    module: OperationRef,
    invocation: &PassInvocation,
) -> Result<(), PassFailure> {
    let bounds = invocation.flag(module, "bounds")?;
    let div_by_zero = invocation.flag(module, "div-by-zero")?;
    let overflow = invocation.flag(module, "overflow")?;
    let eliminate = invocation.flag(module, "eliminate")?;
    let statistics = invocation.flag(module, "statistics")?;
    let nan_ops: Vec<String> = invocation
        .option("nan-ops")
        .unwrap_or_default() // declared above, so MLIR always gives a value (its default)
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();

    let existing = Census::take(module);
    let rewriter = IrRewriter::new(context);
    // Promises no check verifies go first, before anything is analysed or inserted.
    overflow_flags::strip(context, module);
    if div_by_zero || overflow {
        arithmetic::guard_divisions(context, &rewriter, module, div_by_zero, overflow);
    }
    if !nan_ops.is_empty() {
        arithmetic::guard_float_results(context, &rewriter, module, &nan_ops);
    }
    if bounds {
        bounds::insert(context, module, invocation, &existing)?;
        // After upstream's verification, so that it does not verify (and tag) these checks' ops.
        allocations::guard_allocations(context, &rewriter, module);
        views::guard_views(context, &rewriter, module);
        reshapes::guard_reshapes(context, &rewriter, module);
    }
    if bounds || div_by_zero || overflow || !nan_ops.is_empty() {
        // Range analysis removes checks of every kind on the strength of loop index ranges.
        loops::guard_steps(context, &rewriter, module);
    }
    let inserted = Census::take(module).since(&existing);
    let mut versioned = 0;
    if eliminate {
        invocation.run_nested(
            module,
            "canonicalize,int-range-optimizations,canonicalize,cse,loop-invariant-code-motion",
        )?;
        versioned = versioning::version_loops(context, &rewriter, module);
        if versioned > 0 {
            // The conditions were cloned per check; fold and share what they have in common.
            invocation.run_nested(module, "canonicalize,cse")?;
        }
    }
    let left = Census::take(module);
    left.warn_about_checks_that_always_fail();
    if statistics {
        census::report(module, &inserted, &left.since(&existing), versioned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tensorlang::pass::run_pipeline;

    fn instrument(source: &str, options: &str) -> String {
        tensorlang::pass::register_upstream_passes();
        crate::register_all();
        let context = tensorlang::create_context().unwrap();
        let mut module = tensorlang::parse_module(&context, source, "k.mlir").unwrap();
        let pipeline = format!("builtin.module(tensorlang-instrument{{{options}}})");
        run_pipeline(&context, &mut module, &pipeline).unwrap();
        module.as_operation().to_string()
    }

    #[test]
    fn a_division_by_an_unknown_value_keeps_its_checks() {
        let ir = instrument(
            "func.func @f(%a: i32, %b: i32) -> i32 {\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}",
            "",
        );
        assert!(
            ir.contains(
                "\"division by zero in 'arith.divsi'\" {tensorlang.check = \"div-by-zero\"}"
            ),
            "{ir}"
        );
        assert!(ir.contains("{tensorlang.check = \"overflow\"}"), "{ir}");
    }

    #[test]
    fn a_division_by_a_nonzero_constant_needs_no_check() {
        let ir = instrument(
            "func.func @f(%a: i32) -> i32 {\n  %c = arith.constant 7 : i32\n  %q = arith.divsi %a, %c : i32\n  return %q : i32\n}",
            "",
        );
        assert!(!ir.contains("cf.assert"), "{ir}");
    }
}
