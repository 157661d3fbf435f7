//! Symbolic repair strategies: candidate replacements of a function that are valid IR by
//! construction (each keeps every op's types), cheapest and most likely first.
//!
//! They work on the function as MLIR prints it (one op per line, locations inline), so every
//! candidate carries the original locations and a failure in it points at the user's source.
//! Two families:
//! - guards (`guards.rs`): clamp an index into bounds, make a zero divisor 1, keep `sqrt`/`log`
//!   arguments in their domain;
//! - guards that answer with a default (`defaults.rs`): an access out of bounds gives 0 (a store is
//!   skipped), a division by zero gives 0;
//! - in-place rewrites (`rewrites.rs`): swap operands, change a comparison predicate or an
//!   arithmetic op, try nearby constants (which also moves loop bounds and steps), permute the
//!   indices of a multi-dimensional access;
//! - loop bounds moved one up or down (`loops.rs`), whatever computes them;
//! - widening (`widen.rs`): an overflowing integer op and its consumer computed in 64 bits;
//! - pairs of the most promising single-line edits above, when one edit is not enough;
//! - a controller template (`controller.rs`) filled from a grid of gains, for functions from a
//!   small float state to a float command, when an assert fails;
//! - TensorLang ops on whole tensors (`tensor_ops.rs`): operands, operators, reductions,
//!   transposes, constants, relus and zero divisors.
//!
//! Candidates are proposals: the verifier ([`super::Admission`], then a sandboxed run) decides.

mod controller;
mod defaults;
mod guards;
mod loops;
mod op_line;
mod rewrites;
mod slice;
mod tensor_ops;
mod widen;

use op_line::OpLine;
use rewrites::Rewrite;
use tensorlang_checks::{CheckKind, FailureKind};

/// A candidate replacement of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The strategy: `clamp-index`, `guard-access`, `guard-division`, `guard-division-zero`,
    /// `guard-nan`, `swap-operands`, `change-predicate`, `change-operator`, `change-constant`,
    /// `permute-indices`, `move-bound`, `widen-integer`, `controller-template`, `combined`.
    pub strategy: &'static str,
    /// What it changes, for remarks: `swap the operands of 'arith.subf' at lander.mlir:12:9`.
    pub change: String,
    /// The whole replacement function.
    pub function: String,
    /// The op it edits (the first, for two edits): `arith.addi`, `scf.for`; `func.func` for a
    /// whole new body. With the failure's kind, what a learned ranking keys on
    /// ([`super::ranking`]).
    pub op: String,
}

/// What is known about the failure, to order the candidates.
#[derive(Debug, Clone, Copy)]
pub struct FailureHint<'a> {
    /// The check kind or fault.
    pub kind: FailureKind,
    /// `file:line:col` of the failing op, when it is in this function.
    pub location: Option<&'a str>,
}

/// The guards that answer a failure kind directly.
fn guards_for(kind: FailureKind) -> &'static [&'static str] {
    match kind {
        FailureKind::Check(CheckKind::Bounds) | FailureKind::Segfault | FailureKind::BusError => {
            &["clamp-index", "guard-access"]
        }
        FailureKind::Check(CheckKind::DivByZero) | FailureKind::FloatingPoint => {
            &["guard-division", "guard-division-zero"]
        }
        FailureKind::Check(CheckKind::NonFinite) => &["guard-nan"],
        _ => &[],
    }
}

/// Candidate replacements of `function` (printed with locations), most promising first: the
/// guard for the failure's kind at the failing op, the same guard elsewhere, then in-place
/// rewrites (those on the failing op's backward slice first, nearest first, then the others in
/// order), then guards that answer the failure's kind with a default, then other guards.
pub fn propose(function: &str, hint: FailureHint) -> Vec<Candidate> {
    let lines: Vec<&str> = function.lines().collect();
    let preferred = guards_for(hint.kind);
    let failing = hint.location.and_then(|location| {
        lines.iter().position(|line| {
            OpLine::parse(line)
                .map(|op| op.place())
                .or_else(|| tensor_ops::TensorOp::parse(line).map(|op| op.place()))
                .is_some_and(|place| place == location)
        })
    });
    let slice = failing
        .map(|failing| slice::slice_order(&lines, failing))
        .unwrap_or_default();
    // Rewrites on the slice come first, in the slice's order; the others after, in line order.
    let rewrite_rank = |index: usize| match slice.get(&index) {
        Some(order) => (2, *order),
        None => (3, lines.len() + index),
    };
    let mut ranked: Vec<(u8, usize, Candidate)> = Vec::new();
    let mut singles: Vec<(u8, usize, usize, Rewrite)> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        // A constant bound is moved by `change-constant` already.
        let computed = |value: &str| !slice::is_constant(&lines, value);
        for rewrite in loops::moves(line, index, computed) {
            let (rank, key) = rewrite_rank(index);
            singles.push((rank, key, index, rewrite));
        }
        let Some(op) = OpLine::parse(line) else {
            continue;
        };
        let at_failure = failing == Some(index);
        // Ranks: the guard for the failure's kind at the failing op, the same guard elsewhere,
        // in-place rewrites (at the failing op first), guards that answer with a default, then
        // every other guard.
        let repairing = guards::guards(&op, index).into_iter().map(|rewrite| {
            let rank = match (preferred.contains(&rewrite.strategy), at_failure) {
                (true, true) => 0,
                (true, false) => 1,
                (false, _) => 5,
            };
            (rank, rewrite)
        });
        let answering = defaults::defaults(&op, index).into_iter().map(|rewrite| {
            let rank = if preferred.contains(&rewrite.strategy) {
                4
            } else {
                5
            };
            (rank, rewrite)
        });
        for (rank, rewrite) in repairing.chain(answering) {
            singles.push((rank, index, index, rewrite));
        }
        for rewrite in rewrites::rewrites(&op) {
            let (rank, key) = rewrite_rank(index);
            singles.push((rank, key, index, rewrite));
        }
    }
    singles.sort_by_key(|(rank, key, _, _)| (*rank, *key));
    for (position, (rank, _, index, rewrite)) in singles.iter().enumerate() {
        // Keyed by their place in the sorted list, so the final sort keeps this order.
        ranked.push((*rank, position, candidate(&lines, *index, rewrite.clone())));
    }
    // TensorLang ops on whole tensors: a guard for a division that failed first, the other
    // rewrites with the in-place ones, in line order.
    for index in 0..lines.len() {
        for candidate in tensor_ops::edits(&lines, index) {
            let rank = if candidate.strategy.starts_with("guard-tensor-division")
                && preferred.contains(&"guard-division")
            {
                if failing == Some(index) { 0 } else { 1 }
            } else {
                2
            };
            ranked.push((rank, lines.len() + index, candidate));
        }
    }
    // Two edits at once, from the most promising single ones, after everything else.
    const PAIRED: usize = 10;
    let best: Vec<(usize, &Rewrite)> = singles
        .iter()
        .take(PAIRED)
        .map(|(_, _, index, rewrite)| (*index, rewrite))
        .collect();
    for (first, a) in best.iter().enumerate() {
        for b in &best[first + 1..] {
            if a.0 == b.0 {
                continue;
            }
            ranked.push((
                7,
                0,
                Candidate {
                    strategy: "combined",
                    op: op_name(&lines, a.0),
                    change: format!("{}, and {}", a.1.change, b.1.change),
                    function: replace_lines(
                        &lines,
                        &[(a.0, a.1.line.clone()), (b.0, b.1.line.clone())],
                    ),
                },
            ));
        }
    }
    for widening in widen::widenings(&lines) {
        let producer = widening.producer.0;
        let function = replace_lines(&lines, &[widening.producer, widening.consumer]);
        ranked.push((
            3,
            producer,
            Candidate {
                strategy: "widen-integer",
                op: op_name(&lines, producer),
                change: widening.change,
                function,
            },
        ));
    }
    if hint.kind == FailureKind::ASSERT {
        for filled in controller::fillings(function) {
            ranked.push((
                6,
                lines.len(),
                Candidate {
                    strategy: "controller-template",
                    op: "func.func".into(),
                    change: format!(
                        "a controller max(0, bias + gains . state) with {}",
                        filled.parameters
                    ),
                    function: filled.function,
                },
            ));
        }
    }
    // Stable: within a rank, candidates keep the order of the ops.
    ranked.sort_by_key(|(rank, index, _)| (*rank, *index));
    let mut seen = std::collections::HashSet::new();
    ranked
        .into_iter()
        .map(|(_, _, candidate)| candidate)
        .filter(|candidate| seen.insert(candidate.function.clone()))
        .collect()
}

/// The name of the op on line `index` (or the line's first word, for a line `OpLine` does not
/// read, such as a loop header).
fn op_name(lines: &[&str], index: usize) -> String {
    let line = lines.get(index).copied().unwrap_or("");
    OpLine::parse(line).map_or_else(
        || {
            let line = line.trim_start();
            let after_results = match line.split_once(" = ") {
                Some((_, op)) if line.starts_with('%') => op,
                _ => line,
            };
            after_results
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned()
        },
        |op| op.name.to_owned(),
    )
}

fn candidate(lines: &[&str], index: usize, rewrite: Rewrite) -> Candidate {
    Candidate {
        op: op_name(lines, index),
        function: replace_lines(lines, &[(index, rewrite.line)]),
        strategy: rewrite.strategy,
        change: rewrite.change,
    }
}

/// The function with the given lines replaced (each by one or more lines).
fn replace_lines(lines: &[&str], replacements: &[(usize, String)]) -> String {
    let mut function = String::new();
    for (at, line) in lines.iter().enumerate() {
        let replacement = replacements
            .iter()
            .find(|(index, _)| *index == at)
            .map(|(_, text)| text.as_str());
        function.push_str(replacement.unwrap_or(line));
        function.push('\n');
    }
    function
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOKUP: &str = r#"func.func @lookup(%arg0: memref<10xf32>, %arg1: index) -> f32 {
  %c1 = arith.constant 1 : index loc("t.mlir":2:9)
  %0 = arith.addi %arg1, %c1 : index loc("t.mlir":3:8)
  %1 = memref.load %arg0[%0] : memref<10xf32> loc("t.mlir":4:8)
  return %1 : f32 loc("t.mlir":5:3)
} loc("t.mlir":1:1)
"#;

    #[test]
    fn a_bounds_failure_puts_the_clamp_at_the_failing_op_first() {
        let candidates = propose(
            LOOKUP,
            FailureHint {
                kind: FailureKind::Check(CheckKind::Bounds),
                location: Some("t.mlir:4:8"),
            },
        );
        assert_eq!(candidates[0].strategy, "clamp-index");
        assert_eq!(
            candidates[0].change,
            "clamp the indices of 'memref.load' at t.mlir:4:8 into bounds"
        );
        assert!(
            candidates[0]
                .function
                .contains("memref.load %arg0[%tl_fix_3_index0]")
        );
        // Then the rewrites: here the off-by-one constant and the operator of the addition.
        let strategies: Vec<_> = candidates
            .iter()
            .map(|candidate| candidate.strategy)
            .collect();
        assert!(strategies.contains(&"change-constant"));
        assert!(strategies.contains(&"change-operator"));
        let fix = candidates
            .iter()
            .find(|candidate| candidate.change == "use 0 instead of 1 at t.mlir:2:9")
            .unwrap();
        assert!(
            fix.function
                .contains("%c1 = arith.constant 0 : index loc(\"t.mlir\":2:9)")
        );
    }

    #[test]
    fn two_edits_are_combined_after_the_single_ones() {
        let candidates = propose(
            LOOKUP,
            FailureHint {
                kind: FailureKind::Check(CheckKind::Bounds),
                location: Some("t.mlir:4:8"),
            },
        );
        let first = candidates
            .iter()
            .position(|candidate| candidate.strategy == "combined")
            .unwrap();
        assert!(candidates[first..].iter().all(|c| c.strategy == "combined"));
        assert!(candidates[first].change.contains(", and "));
    }

    #[test]
    fn an_assert_failure_gets_rewrites_only_before_unrelated_guards() {
        let candidates = propose(
            LOOKUP,
            FailureHint {
                kind: FailureKind::ASSERT,
                location: None,
            },
        );
        let first_guard = candidates
            .iter()
            .position(|candidate| candidate.strategy == "clamp-index")
            .unwrap();
        // After the first guard: guards, then pairs of edits.
        assert!(candidates[first_guard..].iter().all(|candidate| {
            ["clamp-index", "guard-access", "combined"].contains(&candidate.strategy)
        }));
        assert!(
            candidates[..first_guard]
                .iter()
                .all(|c| c.strategy != "combined")
        );
    }
}
