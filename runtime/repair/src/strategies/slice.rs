//! Which lines of a function the failing op depends on, nearest first: the lines whose edits
//! most likely fix it. From the failing op's operands back to the lines that define them; a loop
//! variable leads to its `scf.for` header, whose upper bound is followed first (an access out of
//! bounds is most often a loop that runs one too far), then its lower bound and step.

use std::collections::{HashMap, VecDeque};

use super::op_line::OpLine;

/// Each line in the failing line's backward slice, with the order the walk reached it in (0 for
/// the failing line itself).
pub fn slice_order(lines: &[&str], failing: usize) -> HashMap<usize, usize> {
    let mut order = HashMap::new();
    let mut queue = VecDeque::from([failing]);
    while let Some(line) = queue.pop_front() {
        if order.contains_key(&line) {
            continue;
        }
        order.insert(line, order.len());
        for value in operands(lines[line]) {
            if let Some(definition) = defining_line(lines, value) {
                queue.push_back(definition);
            }
        }
    }
    order
}

/// Whether `value` is defined by an `arith.constant` line of `lines`.
pub fn is_constant(lines: &[&str], value: &str) -> bool {
    defining_line(lines, value)
        .and_then(|line| OpLine::parse(lines[line]))
        .is_some_and(|op| op.name == "arith.constant")
}

/// The SSA values a line uses, in the order to follow them.
fn operands(line: &str) -> Vec<&str> {
    if let Some((lower, upper, step)) = loop_bounds(line) {
        return vec![upper, lower, step];
    }
    OpLine::parse(line)
        .map(|op| op.values())
        .unwrap_or_default()
}

/// `(lower, upper, step)` of an `scf.for` header line.
fn loop_bounds(line: &str) -> Option<(&str, &str, &str)> {
    let after = line.split_once("scf.for ")?.1;
    let (_, rest) = after.split_once(" = ")?;
    let (lower, rest) = rest.split_once(" to ")?;
    let (upper, rest) = rest.split_once(" step ")?;
    let step = rest.split([' ', ':', '{']).next()?;
    Some((lower, upper, step))
}

/// The line that defines `value`: an op's result, or a loop's variable or iteration argument.
fn defining_line(lines: &[&str], value: &str) -> Option<usize> {
    lines.iter().position(|line| {
        let text = line.trim_start();
        let defines_result = text
            .split_once(" = ")
            .is_some_and(|(results, _)| results.split(", ").any(|r| names(r, value)));
        let defines_in_loop = text.contains(&format!("scf.for {value} = "))
            || text.contains(&format!("({value} = "))
            || text.contains(&format!(", {value} = "));
        defines_result || defines_in_loop
    })
}

/// Whether the result text `result` (`%3`, `%3:2`) names `value`.
fn names(result: &str, value: &str) -> bool {
    result == value || result.split(':').next() == Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_leads_to_its_loop_upper_bound_first() {
        let lines = [
            "func.func @sum4(%arg0: memref<4xi32>) -> i32 {",
            "  %c0 = arith.constant 0 : index",
            "  %c1 = arith.constant 1 : index",
            "  %c5 = arith.constant 5 : index",
            "  %0 = scf.for %arg1 = %c0 to %c5 step %c1 iter_args(%arg2 = %c0_i32) -> (i32) {",
            "    %1 = memref.load %arg0[%arg1] : memref<4xi32>",
            "  }",
        ];
        let order = slice_order(&lines, 5);
        assert_eq!(order[&5], 0);
        assert_eq!(order[&4], 1);
        // Upper bound, lower bound, step.
        assert!(order[&3] < order[&1] && order[&1] < order[&2]);
        assert!(!order.contains_key(&0));
        assert!(is_constant(&lines, "%c5"));
        assert!(!is_constant(&lines, "%arg1"));
    }
}
