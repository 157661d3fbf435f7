//! Rewrites of TensorLang ops on whole tensors, as the user wrote them (the dialect prints in
//! generic form: `%2 = "tensorlang.matmul"(%0, %1) : (T, U) -> V loc(...)`). Each is valid by
//! construction or turned away by the parser and the verifier like any candidate:
//! - `swap-operands` of `matmul`, `sub` and `div` (the types follow), and `transpose-operand`
//!   of a `matmul` (when the transposed operand keeps the product's types);
//! - `change-operator` within a family: `add`/`sub`, `mul`/`div`;
//! - `change-reduce` kind (`sum`/`max`) and axis (when the result keeps its type);
//! - `remove-relu` and `insert-relu` (after an op whose tensor result is used);
//! - `guard-tensor-division`: where the divisor is zero, the quotient is zero or the dividend,
//!   with `arith.cmp`/`arith.select` on whole tensors;
//! - `permute-transpose`: another permutation that keeps the result type;
//! - `change-tensor-constant`: a `tensorlang.constant` scaled (by -1, 2, 1/2, 10, 1/10).

use super::Candidate;

/// A TensorLang op line in generic form.
#[derive(Debug, Clone)]
pub struct TensorOp<'a> {
    indent: &'a str,
    /// `%2`.
    result: Option<&'a str>,
    /// `matmul` (without the dialect).
    pub kind: &'a str,
    operands: Vec<&'a str>,
    /// The attribute dictionary's inside, if any: `axis = 1 : i64, kind = "max"`.
    attributes: Option<&'a str>,
    /// Operand types (without parentheses) and the result type.
    inputs: Vec<&'a str>,
    output: &'a str,
    /// Everything after the type (` loc(...)`), kept as it is.
    tail: &'a str,
}

impl<'a> TensorOp<'a> {
    /// Reads `line`; `None` unless it is a TensorLang op in generic form.
    pub fn parse(line: &'a str) -> Option<Self> {
        let indent = &line[..line.len() - line.trim_start().len()];
        let text = line.trim_start();
        let (result, rest) = match text.split_once(" = ") {
            Some((result, rest)) if result.starts_with('%') => (Some(result), rest),
            _ => (None, text),
        };
        let rest = rest.strip_prefix("\"tensorlang.")?;
        let (kind, rest) = rest.split_once("\"(")?;
        let (operands, rest) = rest.split_once(')')?;
        let operands: Vec<&str> = operands
            .split(", ")
            .filter(|operand| !operand.is_empty())
            .collect();
        let rest = rest.trim_start();
        let (attributes, rest) = match rest.strip_prefix('{') {
            Some(inside) => {
                let (attributes, rest) = inside.split_once('}')?;
                (Some(attributes), rest.trim_start())
            }
            None => (None, rest),
        };
        let rest = rest.strip_prefix(": (")?;
        let (inputs, rest) = rest.split_once(") -> ")?;
        let (output, tail) = match rest.find(" loc(") {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        Some(Self {
            indent,
            result,
            kind,
            operands,
            attributes,
            inputs: inputs.split(", ").filter(|t| !t.is_empty()).collect(),
            output,
            tail,
        })
    }

    fn render(&self) -> String {
        let mut line = self.indent.to_owned();
        if let Some(result) = self.result {
            line.push_str(result);
            line.push_str(" = ");
        }
        line.push_str(&format!(
            "\"tensorlang.{}\"({})",
            self.kind,
            self.operands.join(", ")
        ));
        if let Some(attributes) = self.attributes {
            line.push_str(&format!(" {{{attributes}}}"));
        }
        line.push_str(&format!(
            " : ({}) -> {}{}",
            self.inputs.join(", "),
            self.output,
            self.tail
        ));
        line
    }

    /// `file:line:col` of the op, or its name.
    pub fn place(&self) -> String {
        self.tail
            .trim()
            .strip_prefix("loc(")
            .and_then(|l| l.strip_suffix(')'))
            .map_or_else(
                || format!("tensorlang.{}", self.kind),
                |l| l.replace('"', ""),
            )
    }
}

/// Families of elementwise ops a user may have confused.
const FAMILIES: &[&[&str]] = &[&["add", "sub"], &["mul", "div"]];

/// Every rewrite of the TensorLang op on line `index` of `lines`, as whole functions.
pub fn edits(lines: &[&str], index: usize) -> Vec<Candidate> {
    let Some(op) = TensorOp::parse(lines[index]) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let at = op.place();
    let one = |found: &mut Vec<Candidate>, strategy: &'static str, change: String, line: String| {
        found.push(candidate(lines, &[(index, line)], strategy, change, &op))
    };
    if matches!(op.kind, "matmul" | "sub" | "div") && op.operands.len() == 2 {
        let mut swapped = op.clone();
        swapped.operands.swap(0, 1);
        swapped.inputs.swap(0, 1);
        let change = format!("swap the operands of 'tensorlang.{}' at {at}", op.kind);
        one(&mut found, "swap-operands", change, swapped.render());
    }
    if op.kind == "matmul" {
        found.extend(transposed_operands(lines, index, &op));
    }
    for family in FAMILIES {
        if family.contains(&op.kind) {
            for other in family.iter().filter(|other| **other != op.kind) {
                let mut changed = op.clone();
                changed.kind = other;
                let change = format!(
                    "use 'tensorlang.{other}' instead of 'tensorlang.{}' at {at}",
                    op.kind
                );
                one(&mut found, "change-operator", change, changed.render());
            }
        }
    }
    if op.kind == "reduce" {
        for (attributes, change) in reduce_variants(&op) {
            let mut changed = op.clone();
            changed.attributes = Some(&attributes);
            let change = format!("{change} of 'tensorlang.reduce' at {at}");
            one(&mut found, "change-reduce", change, changed.render());
        }
    }
    if op.kind == "relu"
        && let (Some(result), [input]) = (op.result, op.operands.as_slice())
    {
        let renamed = rename_after(lines, index, result, input);
        let mut replacements: Vec<(usize, String)> = renamed;
        replacements.push((index, String::new()));
        found.push(candidate(
            lines,
            &replacements,
            "remove-relu",
            format!("remove the 'tensorlang.relu' at {at}"),
            &op,
        ));
    }
    if op.kind != "relu"
        && let Some(result) = op.result
        && op.output.starts_with("tensor<")
        && !lines[index + 1..].iter().any(|l| is_relu_of(l, result))
    {
        let fresh = format!("%tl_relu{index}");
        let mut replacements = rename_after(lines, index, result, &fresh);
        let relu = format!(
            "{}{fresh} = \"tensorlang.relu\"({result}) : ({}) -> {}{}",
            op.indent, op.output, op.output, op.tail
        );
        replacements.push((index, format!("{}\n{relu}", lines[index])));
        found.push(candidate(
            lines,
            &replacements,
            "insert-relu",
            format!("apply 'tensorlang.relu' to the result of the op at {at}"),
            &op,
        ));
    }
    if op.kind == "div" {
        found.extend(division_guards(lines, index, &op));
    }
    if op.kind == "transpose" {
        for (attributes, change) in transpose_variants(&op) {
            let mut changed = op.clone();
            changed.attributes = Some(&attributes);
            let change = format!("{change} in 'tensorlang.transpose' at {at}");
            one(&mut found, "permute-transpose", change, changed.render());
        }
    }
    if op.kind == "constant" {
        for (attributes, change) in constant_variants(&op) {
            let mut changed = op.clone();
            changed.attributes = Some(&attributes);
            let change = format!("{change} the 'tensorlang.constant' at {at}");
            one(
                &mut found,
                "change-tensor-constant",
                change,
                changed.render(),
            );
        }
    }
    found
}

/// The other permutations of a transpose that give the same result type.
fn transpose_variants(op: &TensorOp) -> Vec<(String, String)> {
    let attributes = op.attributes.unwrap_or("");
    let Some(current) = attributes
        .split_once("array<i64: ")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(list, _)| list)
    else {
        return Vec::new();
    };
    let (Some(input), Some(output)) = (op.inputs.first().and_then(|t| shape(t)), shape(op.output))
    else {
        return Vec::new();
    };
    if input.len() > 4 {
        return Vec::new();
    }
    permutations(input.len())
        .into_iter()
        .filter(|p| p.iter().map(|&i| input[i].clone()).collect::<Vec<_>>() == output)
        .map(|p| {
            p.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|p| p != current)
        .map(|p| {
            (
                attributes.replace(
                    &format!("array<i64: {current}>"),
                    &format!("array<i64: {p}>"),
                ),
                format!("use permutation [{p}] instead of [{current}]"),
            )
        })
        .collect()
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for rest in permutations(n - 1) {
        for at in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(at, n - 1);
            all.push(p);
        }
    }
    all
}

/// The constant's value scaled by a few factors (integers by -1 and 2 only).
fn constant_variants(op: &TensorOp) -> Vec<(String, String)> {
    let attributes = op.attributes.unwrap_or("");
    let Some((before, rest)) = attributes.split_once("dense<") else {
        return Vec::new();
    };
    let Some((literal, after)) = rest.rsplit_once("> :") else {
        return Vec::new();
    };
    let float = op.output.contains("xf") || op.output.contains("<f");
    let factors: &[(f64, &str)] = if float {
        &[
            (-1.0, "negate"),
            (2.0, "double"),
            (0.5, "halve"),
            (10.0, "multiply by 10"),
            (0.1, "divide by 10"),
        ]
    } else {
        &[(-1.0, "negate"), (2.0, "double")]
    };
    factors
        .iter()
        .filter_map(|&(factor, what)| {
            let scaled = scale_numbers(literal, factor, float)?;
            (scaled != literal)
                .then(|| (format!("{before}dense<{scaled}> :{after}"), what.to_owned()))
        })
        .collect()
}

/// `literal` (`[1.0, -2.5]`, `[[1, 2]]`, `3.0`) with every number multiplied by `factor`.
fn scale_numbers(literal: &str, factor: f64, float: bool) -> Option<String> {
    let mut out = String::new();
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String| -> Option<()> {
        if number.is_empty() {
            return Some(());
        }
        let value: f64 = number.parse().ok()?;
        let scaled = value * factor;
        out.push_str(&if float {
            format!("{scaled:e}")
        } else {
            format!("{}", scaled as i64)
        });
        number.clear();
        Some(())
    };
    for c in literal.chars() {
        if c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E') {
            number.push(c);
        } else {
            flush(&mut number, &mut out)?;
            out.push(c);
        }
    }
    flush(&mut number, &mut out)?;
    Some(out)
}

/// The matmul with one operand transposed first, for operands whose transpose has the same type
/// (square matrices).
fn transposed_operands(lines: &[&str], index: usize, op: &TensorOp) -> Vec<Candidate> {
    let at = op.place();
    (0..op.operands.len().min(2))
        .filter(|&i| {
            shape(op.inputs[i]).is_some_and(|dims| dims.len() == 2 && dims[0] == dims[1])
        })
        .map(|i| {
            let fresh = format!("%tl_t{index}_{i}");
            let ty = op.inputs[i];
            let transpose = format!(
                "{}{fresh} = \"tensorlang.transpose\"({}) {{permutation = array<i64: 1, 0>}} : ({ty}) -> {ty}{}",
                op.indent, op.operands[i], op.tail
            );
            let mut changed = op.clone();
            changed.operands[i] = &fresh;
            let line = format!("{transpose}\n{}", changed.render());
            let which = if i == 0 { "left" } else { "right" };
            candidate(
                lines,
                &[(index, line)],
                "transpose-operand",
                format!("transpose the {which} operand of 'tensorlang.matmul' at {at}"),
                op,
            )
        })
        .collect()
}

/// The other kind and the other axes of a reduce (axes that keep the result type).
fn reduce_variants(op: &TensorOp) -> Vec<(String, String)> {
    let attributes = op.attributes.unwrap_or("");
    let mut variants = Vec::new();
    for (from, to) in [("\"sum\"", "\"max\""), ("\"max\"", "\"sum\"")] {
        if attributes.contains(&format!("kind = {from}")) {
            variants.push((
                attributes.replace(&format!("kind = {from}"), &format!("kind = {to}")),
                format!("use kind {to} instead of {from}"),
            ));
        }
    }
    let axis = attributes
        .split(", ")
        .find_map(|a| a.strip_prefix("axis = "))
        .and_then(|a| a.split(' ').next())
        .and_then(|a| a.parse::<usize>().ok());
    let dims = op.inputs.first().and_then(|t| shape(t));
    if let (Some(axis), Some(dims)) = (axis, dims) {
        for other in (0..dims.len()).filter(|&a| a != axis) {
            let kept = |removed: usize| {
                dims.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != removed)
                    .map(|(_, d)| d.clone())
                    .collect::<Vec<_>>()
            };
            if kept(other) == kept(axis) {
                variants.push((
                    attributes.replace(&format!("axis = {axis} "), &format!("axis = {other} ")),
                    format!("reduce axis {other} instead of axis {axis}"),
                ));
            }
        }
    }
    variants
}

/// `["2", "3"]` of `tensor<2x3xf32>`.
fn shape(ty: &str) -> Option<Vec<String>> {
    let inner = ty.strip_prefix("tensor<")?.strip_suffix('>')?;
    let mut parts: Vec<String> = inner.split('x').map(str::to_owned).collect();
    parts.pop();
    Some(parts)
}

/// `tensor<2x3xi1>` for `tensor<2x3xf32>`.
fn with_element(ty: &str, element: &str) -> Option<String> {
    let inner = ty.strip_prefix("tensor<")?.strip_suffix('>')?;
    let (dims, _) = inner.rsplit_once('x').unwrap_or(("", inner));
    Some(if dims.is_empty() {
        format!("tensor<{element}>")
    } else {
        format!("tensor<{dims}x{element}>")
    })
}

/// Where the divisor is zero, the quotient is zero (`guard-tensor-division-zero`) or the
/// dividend (`guard-tensor-division-identity`).
fn division_guards(lines: &[&str], index: usize, op: &TensorOp) -> Vec<Candidate> {
    let (Some(result), [dividend, divisor], [ty, _]) =
        (op.result, op.operands.as_slice(), op.inputs.as_slice())
    else {
        return Vec::new();
    };
    let Some(element) = ty
        .strip_prefix("tensor<")
        .and_then(|t| t.rsplit('x').next())
    else {
        return Vec::new();
    };
    let element = element.trim_end_matches('>');
    let float = element.starts_with('f') || element.starts_with("bf");
    let (zero, one, compare) = if float {
        ("0.0", "1.0", "arith.cmpf oeq")
    } else {
        ("0", "1", "arith.cmpi eq")
    };
    let Some(mask) = with_element(ty, "i1") else {
        return Vec::new();
    };
    let n = format!("%tl_div{index}");
    let i = op.indent;
    let tail = op.tail;
    let mut raw = op.clone();
    let raw_name = format!("{n}_raw");
    raw.result = Some(&raw_name);
    let safe = format!("{n}_safe");
    raw.operands = vec![dividend, &safe];
    let prefix = format!(
        "{i}{n}_zero = arith.constant dense<{zero}> : {ty}{tail}\n\
         {i}{n}_one = arith.constant dense<{one}> : {ty}{tail}\n\
         {i}{n}_isz = {compare}, {divisor}, {n}_zero : {ty}{tail}\n\
         {i}{safe} = arith.select {n}_isz, {n}_one, {divisor} : {mask}, {ty}{tail}\n\
         {}\n",
        raw.render()
    );
    let at = op.place();
    [
        ("guard-tensor-division-zero", format!("{n}_zero"), "zero"),
        (
            "guard-tensor-division-identity",
            (*dividend).to_owned(),
            "the dividend",
        ),
    ]
    .into_iter()
    .map(|(strategy, default, what)| {
        let line = format!(
            "{prefix}{i}{result} = arith.select {n}_isz, {default}, {raw_name} : {mask}, {ty}{tail}"
        );
        candidate(
            lines,
            &[(index, line)],
            strategy,
            format!("give {what} where the divisor of 'tensorlang.div' at {at} is 0"),
            op,
        )
    })
    .collect()
}

fn is_relu_of(line: &str, value: &str) -> bool {
    TensorOp::parse(line).is_some_and(|op| op.kind == "relu" && op.operands == [value])
}

/// The lines after `index` that use `from`, with `to` in its place.
fn rename_after(lines: &[&str], index: usize, from: &str, to: &str) -> Vec<(usize, String)> {
    lines
        .iter()
        .enumerate()
        .skip(index + 1)
        .filter_map(|(at, line)| {
            let renamed = replace_value(line, from, to);
            (renamed != *line).then_some((at, renamed))
        })
        .collect()
}

/// `line` with every use of SSA value `from` (not `%10` for `%1`) replaced by `to`.
fn replace_value(line: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        let whole = !after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '#');
        out.push_str(&rest[..at]);
        out.push_str(if whole { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn candidate(
    lines: &[&str],
    replacements: &[(usize, String)],
    strategy: &'static str,
    change: String,
    op: &TensorOp,
) -> Candidate {
    Candidate {
        strategy,
        change,
        // A line replaced by nothing (a relu removed) stays as an empty line.
        function: super::replace_lines(lines, replacements),
        op: format!("tensorlang.{}", op.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "func.func @target(%arg0: tensor<2x2xf32>, %arg1: tensor<2x2xf32>) -> tensor<2xf32> {
  %0 = \"tensorlang.matmul\"(%arg1, %arg0) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc(\"t.mlir\":2:8)
  %1 = \"tensorlang.sub\"(%0, %arg0) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc(\"t.mlir\":3:8)
  %2 = \"tensorlang.relu\"(%1) : (tensor<2x2xf32>) -> tensor<2x2xf32> loc(\"t.mlir\":4:8)
  %3 = \"tensorlang.reduce\"(%2) {axis = 1 : i64, kind = \"max\"} : (tensor<2x2xf32>) -> tensor<2xf32> loc(\"t.mlir\":5:8)
  return %3 : tensor<2xf32> loc(\"t.mlir\":6:3)
}";

    fn all() -> Vec<Candidate> {
        let lines: Vec<&str> = FUNCTION.lines().collect();
        (0..lines.len()).flat_map(|i| edits(&lines, i)).collect()
    }

    fn find<'a>(candidates: &'a [Candidate], strategy: &str, op: &str) -> &'a Candidate {
        candidates
            .iter()
            .find(|c| c.strategy == strategy && c.op == op)
            .unwrap_or_else(|| panic!("no {strategy} at {op}"))
    }

    #[test]
    fn generic_lines_read_and_print_back_unchanged() {
        for line in FUNCTION.lines() {
            if let Some(op) = TensorOp::parse(line) {
                assert_eq!(op.render(), line);
            }
        }
        assert_eq!(
            TensorOp::parse(FUNCTION.lines().nth(1).unwrap())
                .unwrap()
                .place(),
            "t.mlir:2:8"
        );
    }

    #[test]
    fn operands_operators_and_reductions_change() {
        let candidates = all();
        let swapped = find(&candidates, "swap-operands", "tensorlang.matmul");
        assert!(
            swapped
                .function
                .contains("\"tensorlang.matmul\"(%arg0, %arg1)")
        );
        let transposed = find(&candidates, "transpose-operand", "tensorlang.matmul");
        assert!(transposed.function.contains(
            "%tl_t1_0 = \"tensorlang.transpose\"(%arg1) {permutation = array<i64: 1, 0>}"
        ));
        assert!(
            transposed
                .function
                .contains("\"tensorlang.matmul\"(%tl_t1_0, %arg0)")
        );
        let added = find(&candidates, "change-operator", "tensorlang.sub");
        assert!(added.function.contains("\"tensorlang.add\"(%0, %arg0)"));
        let kinds: Vec<&Candidate> = candidates
            .iter()
            .filter(|c| c.strategy == "change-reduce")
            .collect();
        assert!(kinds.iter().any(|c| c.function.contains("kind = \"sum\"")));
        // Axis 0 of a 2x2 input keeps the result type.
        assert!(kinds.iter().any(|c| c.function.contains("axis = 0 : i64")));
    }

    #[test]
    fn relus_are_removed_or_inserted_with_their_uses_renamed() {
        let candidates = all();
        let removed = find(&candidates, "remove-relu", "tensorlang.relu");
        assert!(!removed.function.contains("tensorlang.relu"));
        assert!(removed.function.contains("\"tensorlang.reduce\"(%1)"));
        let inserted = find(&candidates, "insert-relu", "tensorlang.matmul");
        assert!(
            inserted
                .function
                .contains("%tl_relu1 = \"tensorlang.relu\"(%0)")
        );
        assert!(
            inserted
                .function
                .contains("\"tensorlang.sub\"(%tl_relu1, %arg0)")
        );
        // The sub already feeds a relu: no second one.
        assert!(
            !candidates
                .iter()
                .any(|c| c.strategy == "insert-relu" && c.op == "tensorlang.sub")
        );
    }

    #[test]
    fn transposes_and_constants_change() {
        let lines = [
            "func.func @f(%arg0: tensor<2x2xf32>) {",
            "  %0 = \"tensorlang.transpose\"(%arg0) {permutation = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>",
            "  %1 = \"tensorlang.constant\"() {value = dense<[1.0, -2.5]> : tensor<2xf32>} : () -> tensor<2xf32>",
            "}",
        ];
        let transposed = edits(&lines, 1);
        assert!(
            transposed
                .iter()
                .any(|c| c.strategy == "permute-transpose"
                    && c.function.contains("array<i64: 0, 1>"))
        );
        let scaled = edits(&lines, 2);
        assert!(
            scaled.iter().any(|c| c.strategy == "change-tensor-constant"
                && c.function.contains("dense<[2e0, -5e0]> : tensor<2xf32>")),
            "{:#?}",
            scaled.iter().map(|c| &c.function).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_division_is_guarded_two_ways() {
        let line = "  %2 = \"tensorlang.div\"(%0, %1) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32> loc(\"d.mlir\":3:8)";
        let lines = ["func.func @f() {", line, "}"];
        let candidates = edits(&lines, 1);
        let zero = find(&candidates, "guard-tensor-division-zero", "tensorlang.div");
        assert!(
            zero.function
                .contains("arith.cmpi eq, %1, %tl_div1_zero : tensor<4xi32>")
        );
        assert!(zero.function.contains(
            "%2 = arith.select %tl_div1_isz, %tl_div1_zero, %tl_div1_raw : tensor<4xi1>, tensor<4xi32>"
        ));
        let identity = find(
            &candidates,
            "guard-tensor-division-identity",
            "tensorlang.div",
        );
        assert!(
            identity
                .function
                .contains("arith.select %tl_div1_isz, %0, %tl_div1_raw")
        );
    }
}
