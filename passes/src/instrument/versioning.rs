//! Loop versioning for checks range analysis could not remove: when a loop's bounds checks hold
//! at its first and last index, they hold at every index in between, so the loop runs a copy
//! without them; otherwise the original, checked loop runs and fails at the exact iteration.
//!
//! ```mlir
//! // before
//! scf.for %j = %lb to %ub step %s {
//!   %ok = arith.cmpi slt, %j, %dim : index
//!   cf.assert %ok, "out-of-bounds access" {tensorlang.check = "bounds"}
//!   ...
//! }
//! // after
//! %last = arith.subi %ub, %c1 : index
//! %ok_first = arith.cmpi slt, %lb, %dim : index
//! %ok_last = arith.cmpi slt, %last, %dim : index
//! %all = arith.andi %ok_first, %ok_last : i1
//! scf.if %all { scf.for ... (no bounds asserts) } else { scf.for ... (checked) }
//! ```
//!
//! A check qualifies when its condition is an `andi` tree of signed comparisons, each between a
//! value defined outside the loop and an expression that grows with the index by adding or
//! subtracting loop-invariant values. Why testing both ends is enough, for every program:
//!
//! - The fast copy runs only when the step is positive (`step > 0` is part of the test): then
//!   every index the loop takes is in `[lb, ub - 1]`, because the loop check of [`super::loops`]
//!   (before every loop) guarantees that stepping past `ub - 1` does not wrap around. A zero or
//!   negative step, or an empty loop, takes the checked original.
//! - The fast copy runs only when `ub - lb` (wrapping) is positive, so the interval is shorter
//!   than `2^63`: an expression `i + c` (wrapping, flags are stripped) then wraps at most once on
//!   it, and where it wraps it is negative at `ub - 1`, so the lower half `0 <= i + c` of its
//!   bounds check fails there and the checked loop runs. (Upstream bounds checks always test
//!   both halves; one is missing only when range analysis, which the loop check and the
//!   stripped flags keep sound, proved it for every iteration.)
//! - Without wrap-around each comparison is monotone in the index, so it holds on the whole
//!   interval exactly when it holds at both ends.

use super::census::check_kind;
use crate::builder::Builder;
use crate::{OpExt, ops_where};
use melior::dialect::{arith, scf};
use melior::ir::attribute::IntegerAttribute;
use melior::ir::block::BlockLike;
use melior::ir::operation::{OperationLike, OperationMutLike, OperationResult};
use melior::ir::{Block, BlockRef, OperationRef, Region, RegionLike, Type, Value, ValueLike};
use melior::{Context, IrRewriter};
use std::collections::HashMap;
use tensorlang::ir::OperationExt;
use tensorlang_checks::CheckKind;

/// Versions every `scf.for` whose body holds qualifying bounds checks; returns how many checks
/// the fast copies no longer run.
pub(crate) fn version_loops<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
) -> usize {
    let mut moved = 0;
    // Innermost loops first (post-order), so each check is versioned by the loop right around it.
    let mut loops = ops_where(module, |name| name == "scf.for");
    loops.reverse();
    for for_op in loops {
        if for_op.has_attribute("unsignedCmp") {
            continue;
        }
        let checks: Vec<OperationRef> = body_ops(for_op)
            .into_iter()
            .filter(|op| {
                op.op_name() == "cf.assert"
                    && check_kind(*op) == Some(CheckKind::Bounds)
                    && qualifies(for_op, op.operand(0).expect("cf.assert has a condition"))
            })
            .collect();
        if !checks.is_empty() {
            version(context, rewriter, for_op, &checks);
            moved += checks.len();
        }
    }
    moved
}

/// The ops directly in the loop body, in order.
fn body_ops<'c, 'a>(for_op: OperationRef<'c, 'a>) -> Vec<OperationRef<'c, 'a>> {
    let mut ops = Vec::new();
    let mut next = body(for_op).first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        ops.push(op);
    }
    ops
}

fn body<'c, 'a>(for_op: OperationRef<'c, 'a>) -> BlockRef<'c, 'a> {
    for_op
        .region_at(0)
        .and_then(|region| region.first_block())
        .expect("scf.for has a body")
}

fn induction_variable<'c, 'a>(for_op: OperationRef<'c, 'a>) -> Value<'c, 'a> {
    body(for_op)
        .argument(0)
        .expect("scf.for has an induction variable")
        .into()
}

/// The op defining `value` inside the loop body, or `None` when it is defined outside the loop
/// (or is a block argument: the induction variable or an iteration argument).
fn defined_in_body<'c, 'a>(
    for_op: OperationRef<'c, 'a>,
    value: Value<'c, 'a>,
) -> Option<OperationRef<'c, 'a>> {
    let owner = OperationResult::try_from(value).ok()?.owner();
    let mut parent = owner.parent_operation();
    while let Some(op) = parent {
        if op == for_op {
            return Some(owner);
        }
        parent = op.parent_operation();
    }
    None
}

fn is_invariant(for_op: OperationRef, value: Value) -> bool {
    if value.to_raw().ptr == induction_variable(for_op).to_raw().ptr {
        return false;
    }
    let inside_body = defined_in_body(for_op, value).is_some();
    // Block arguments of the body (iteration arguments) change from one iteration to the next.
    let body_argument = (0..body(for_op).argument_count()).any(|i| {
        body(for_op)
            .argument(i)
            .is_ok_and(|arg| arg.to_raw().ptr == value.to_raw().ptr)
    });
    !inside_body && !body_argument
}

/// `andi` trees of loop-invariant conditions and of signed comparisons between an invariant and
/// an increasing expression.
fn qualifies(for_op: OperationRef, condition: Value) -> bool {
    if is_invariant(for_op, condition) {
        return true;
    }
    let Some(op) = defined_in_body(for_op, condition) else {
        return false;
    };
    match op.op_name().as_str() {
        "arith.andi" => op.operands().all(|operand| qualifies(for_op, operand)),
        "arith.cmpi" => {
            let predicate = op
                .attribute("predicate")
                .ok()
                .and_then(|p| IntegerAttribute::try_from(p).ok())
                .map(|p| p.value());
            // slt, sle, sgt, sge: monotone in either operand; eq, ne and unsigned are not.
            let signed = matches!(predicate, Some(2..=5));
            let (lhs, rhs) = (op.operand(0).unwrap(), op.operand(1).unwrap());
            let sides = (is_invariant(for_op, lhs), is_invariant(for_op, rhs));
            signed
                && match sides {
                    (true, false) => increasing(for_op, rhs),
                    (false, true) => increasing(for_op, lhs),
                    _ => false,
                }
        }
        _ => false,
    }
}

/// The induction variable plus or minus loop-invariant values.
fn increasing(for_op: OperationRef, value: Value) -> bool {
    if value.to_raw().ptr == induction_variable(for_op).to_raw().ptr {
        return true;
    }
    let Some(op) = defined_in_body(for_op, value) else {
        return false;
    };
    let (lhs, rhs) = match (op.operand(0), op.operand(1)) {
        (Ok(lhs), Ok(rhs)) => (lhs, rhs),
        _ => return false,
    };
    match op.op_name().as_str() {
        "arith.addi" => {
            (increasing(for_op, lhs) && is_invariant(for_op, rhs))
                || (is_invariant(for_op, lhs) && increasing(for_op, rhs))
        }
        "arith.subi" => increasing(for_op, lhs) && is_invariant(for_op, rhs),
        _ => false,
    }
}

/// Replaces `for_op` by `scf.if (checks hold at both ends) { copy without them } else { for_op }`.
fn version<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    for_op: OperationRef<'c, '_>,
    checks: &[OperationRef<'c, '_>],
) {
    let location = for_op.location();
    let base = rewriter.as_rewriter_base();
    base.set_insertion_point_before(for_op);
    let condition = hold_at_both_ends(context, rewriter, for_op, checks);

    let result_types: Vec<Type> = for_op.results().map(|r| r.r#type()).collect();
    let (fast, checked) = (Block::new(&[]), Block::new(&[]));
    let (fast_region, checked_region) = (Region::new(), Region::new());
    let fast = fast_region.append_block(fast);
    let checked = checked_region.append_block(checked);
    let if_op = insert_op(
        rewriter,
        scf::r#if(
            condition,
            &result_types,
            fast_region,
            checked_region,
            location,
        ),
    );

    // The fast copy: the loop without the versioned checks.
    base.set_insertion_point_to_end(fast);
    let copy = base.clone_op(for_op);
    let copy_checks: Vec<OperationRef> = body_ops(copy)
        .into_iter()
        .zip(body_ops(for_op))
        .filter(|(_, original)| checks.contains(original))
        .map(|(copy, _)| copy)
        .collect();
    for check in copy_checks {
        base.erase_op(check);
    }
    let copy_results: Vec<Value> = copy.results().map(Value::from).collect();
    base.insert(scf::r#yield(&copy_results, location));

    // The checked original, and the if's results in place of the loop's.
    base.set_insertion_point_to_end(checked);
    let results: Vec<Value> = for_op.results().map(Value::from).collect();
    let yield_op = base.insert(scf::r#yield(&results, location));
    for (index, result) in results.iter().enumerate() {
        let replacement = if_op.result(index).expect("one if result per loop result");
        base.replace_all_uses_except(*result, replacement.into(), yield_op);
    }
    base.move_op_before(for_op, yield_op);
}

/// Before the loop: whether every check holds at the first index and at the last one.
fn hold_at_both_ends<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    for_op: OperationRef<'c, '_>,
    checks: &[OperationRef<'c, '_>],
) -> Value<'c, 'c> {
    let location = for_op.location();
    let builder = Builder {
        context,
        location,
        rewriter,
    };
    // The loop's own index type (index, or an integer type).
    let index_type = for_op
        .operand(0)
        .expect("scf.for has a lower bound")
        .r#type();
    let one = IntegerAttribute::new(index_type, 1).into();
    let one = builder.insert(arith::constant(context, one, location));
    let lower = for_op.operand(0).expect("scf.for has a lower bound");
    // SAFETY: the bound is defined before the loop and stays in the IR for the whole pass run.
    let lower: Value<'c, 'c> = unsafe { tensorlang::lifetime::value(lower) };
    let upper = for_op.operand(1).expect("scf.for has an upper bound");
    let step = for_op.operand(2).expect("scf.for has a step");
    let last = builder.insert(arith::subi(upper, one, location));
    // The indices lie in [lb, ub - 1] only for a positive step (see the module docs), and each
    // checked expression is monotone on that interval only when it is shorter than 2^63.
    let zero = IntegerAttribute::new(index_type, 0).into();
    let zero = builder.insert(arith::constant(context, zero, location));
    let positive = builder.insert(arith::cmpi(
        context,
        arith::CmpiPredicate::Sgt,
        step,
        zero,
        location,
    ));
    let span = builder.insert(arith::subi(upper, lower, location));
    let short = builder.insert(arith::cmpi(
        context,
        arith::CmpiPredicate::Sgt,
        span,
        zero,
        location,
    ));
    let mut all: Option<Value<'c, 'c>> =
        Some(builder.insert(arith::andi(positive, short, location)));
    for check in checks {
        let condition = check.operand(0).expect("cf.assert has a condition");
        for end in [lower, last] {
            let mut mapping = HashMap::from([(induction_variable(for_op).to_raw().ptr, end)]);
            let holds = clone_at(rewriter, for_op, condition, &mut mapping);
            all = Some(match all {
                Some(previous) => builder.insert(arith::andi(previous, holds, location)),
                None => holds,
            });
        }
    }
    all.expect("at least one check")
}

/// Clones the ops computing `value` inside the loop before it, with the induction variable (and
/// everything computed from it) replaced through `mapping`; invariant values are used as they are.
fn clone_at<'c>(
    rewriter: &IrRewriter<'c>,
    for_op: OperationRef<'c, '_>,
    value: Value<'c, '_>,
    mapping: &mut HashMap<*const std::ffi::c_void, Value<'c, 'c>>,
) -> Value<'c, 'c> {
    if let Some(mapped) = mapping.get(&value.to_raw().ptr) {
        return *mapped;
    }
    let Some(op) = defined_in_body(for_op, value) else {
        // SAFETY: an invariant value is defined outside the loop, which stays in the IR.
        return unsafe { tensorlang::lifetime::value(value) };
    };
    let operands: Vec<Value<'c, 'c>> = op
        .operands()
        .map(|operand| clone_at(rewriter, for_op, operand, mapping))
        .collect();
    let copy = rewriter.as_rewriter_base().clone_op(op);
    // SAFETY: the copy was just inserted before the loop; nothing else refers to it yet.
    let mut copy_mut = unsafe { tensorlang::lifetime::operation_mut(&copy) };
    copy_mut.set_operands(&operands);
    // SAFETY: the copy lives in the IR, which outlives the pass run.
    let result: Value<'c, 'c> =
        unsafe { tensorlang::lifetime::value(copy.result(0).expect("arith ops have a result")) };
    mapping.insert(value.to_raw().ptr, result);
    result
}

fn insert_op<'c>(rewriter: &IrRewriter<'c>, op: melior::ir::Operation<'c>) -> OperationRef<'c, 'c> {
    let base = rewriter.as_rewriter_base();
    let inserted = base.insert(op);
    // SAFETY: the op was inserted into the IR, which outlives the pass run.
    unsafe { tensorlang::lifetime::operation(&inserted) }
}
