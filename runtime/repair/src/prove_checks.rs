//! `--tensorlang-prove-checks`: removes the run-time checks Z3 proves can never fail, for every
//! input the program passes: after `--tensorlang-instrument` (whose own elimination removes the
//! checks whose condition folds or whose divisor's range excludes zero), each check (a
//! `cf.assert` tagged `tensorlang.check`) in a function that translates to SMT (see
//! [`crate::prove`]) is proved on its own, under the path that reaches it and the inputs the
//! module's calls pass; a proved one goes. The user's own asserts are never removed, and a
//! check Z3 cannot decide within its budget stays.
//!
//! ```mlir
//! // before (after --tensorlang-instrument): the divisor is guarded, which folding cannot see
//! %safe = arith.select %is_zero, %one, %b : i32
//! %nz = arith.cmpi ne, %safe, %zero : i32
//! cf.assert %nz, "division by zero in 'arith.divsi'" {tensorlang.check = "div-by-zero"}
//! %q = arith.divsi %a, %safe : i32
//! // after (remark: tensorlang-prove-checks: removed 1 check(s) of @ratio that Z3 proved never fail)
//! %q = arith.divsi %a, %safe : i32
//! ```

use melior::Context;
use melior::ir::OperationRef;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use tensorlang::ir::{is_definition, op_name, symbol_name, top_level_ops};
use tensorlang::{PassDefinition, PassFailure, PassInvocation, PassOption};

use crate::prove::{self, smt, z3};

/// The pass definition, registered as `tensorlang-prove-checks`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"tensorlang-prove-checks",
    name: c"TensorLangProveChecks",
    summary: c"Remove the run-time checks that Z3 proves never fail for the inputs the program passes (after tensorlang-instrument)",
    anchor: Some(c"builtin.module"),
    options: &[PassOption {
        name: c"budget",
        description: c"The resource budget Z3 gets per check (its rlimit steps; 10000000 is about a second)",
        default: c"10000000",
    }],
    dependent_dialects: &[],
    run,
};

/// The attribute the instrumentation tags its checks with.
const CHECK_ATTRIBUTE: &str = "tensorlang.check";

fn run(_: &Context, root: OperationRef, invocation: &PassInvocation) -> Result<(), PassFailure> {
    let budget = match invocation
        .option("budget")
        .unwrap_or("10000000")
        .parse::<u64>()
    {
        Ok(steps) if steps > 0 => steps,
        _ => {
            tensorlang::emit_error(
                root.location(),
                "tensorlang-prove-checks: option 'budget' expects a positive number of steps",
            );
            return Err(PassFailure);
        }
    };
    for function in top_level_ops(root) {
        if op_name(&function) != "func.func" || !is_definition(&function) {
            continue;
        }
        let Some(name) = symbol_name(&function) else {
            continue;
        };
        let checks = tagged_checks(&function);
        if checks.is_empty() {
            continue;
        }
        let Ok(translation) = smt::translate(&function, root, "f_") else {
            continue;
        };
        let (domain, _, _) = prove::call_domain(root, &name, &translation);
        let mut removed = 0;
        for obligation in &translation.obligations {
            let Some(op) = obligation
                .assert
                .and_then(|a| checks.iter().find(|c| c.0 == a))
            else {
                continue;
            };
            let script = format!(
                "{}(assert {domain})\n(assert (not {}))\n(check-sat)\n",
                translation.script, obligation.name
            );
            if z3::run_script(&script, budget).is_ok_and(|answer| answer.trim() == "unsat") {
                // SAFETY: a live cf.assert of this function, found above and erased once (no
                // two obligations name the same op); it has no results, so nothing refers to it.
                unsafe { tensorlang::ir::erase(OperationRef::from_raw(op.1)) };
                removed += 1;
            }
        }
        if removed > 0 {
            tensorlang::emit_remark(
                function.location(),
                &format!(
                    "tensorlang-prove-checks: removed {removed} check(s) of @{name} that Z3 proved never fail for the inputs the program passes"
                ),
            );
        }
    }
    Ok(())
}

/// The tagged checks in `function`'s body and its nested regions: each one's address and op.
fn tagged_checks(function: &OperationRef) -> Vec<(usize, mlir_sys::MlirOperation)> {
    let mut found = Vec::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if op_name(&op) == "cf.assert" && op.attribute(CHECK_ATTRIBUTE).is_ok() {
            found.push((op.to_raw().ptr as usize, op.to_raw()));
        }
        WalkResult::Advance
    });
    found
}
