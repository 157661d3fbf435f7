//! Moving a loop's bounds: `scf.for %i = %lb to %ub step %s` with `%ub` one lower or higher, or
//! `%lb` one higher or lower, whatever computes them (a constant is moved by `change-constant`
//! already; a bound from `memref.dim` or an argument is moved here).

use super::rewrites::Rewrite;

/// Every bound move of the `scf.for` header at `line` for the bounds `movable` accepts; `id`
/// makes new names unique.
pub fn moves(line: &str, id: usize, movable: impl Fn(&str) -> bool) -> Vec<Rewrite> {
    let Some(header) = Header::parse(line) else {
        return Vec::new();
    };
    let mut moves = Vec::new();
    for (bound, value) in [("upper", header.upper), ("lower", header.lower)] {
        if !movable(value) {
            continue;
        }
        for (op, word) in [("arith.subi", "one lower"), ("arith.addi", "one higher")] {
            let moved = format!("%tl_fix_{id}_{bound}");
            let one = format!("%tl_fix_{id}_one");
            let ty = header.ty;
            let prefix = format!(
                "{indent}{one} = arith.constant 1 : {ty}\n{indent}{moved} = {op} {value}, {one} : {ty}\n",
                indent = header.indent
            );
            let rewritten = if bound == "upper" {
                header.render(header.lower, &moved)
            } else {
                header.render(&moved, header.upper)
            };
            moves.push(Rewrite {
                strategy: "move-bound",
                change: format!(
                    "make the {bound} bound of the loop over {} {word}",
                    header.variable
                ),
                line: prefix + &rewritten,
            });
        }
    }
    moves
}

/// `%r = scf.for %i = %lb to %ub step %s iter_args(...) -> (...) {`, in parts.
struct Header<'a> {
    indent: &'a str,
    /// Everything up to and including `scf.for %i = `.
    head: &'a str,
    variable: &'a str,
    lower: &'a str,
    upper: &'a str,
    /// ` step %s ...{` to the end.
    tail: &'a str,
    ty: &'a str,
}

impl<'a> Header<'a> {
    fn parse(line: &'a str) -> Option<Self> {
        let at = line.find("scf.for %")?;
        if !line.trim_end().ends_with('{') {
            return None;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let after = &line[at + "scf.for ".len()..];
        let (variable, rest) = after.split_once(" = ")?;
        let (lower, rest) = rest.split_once(" to ")?;
        let (upper, _) = rest.split_once(" step ")?;
        // Both are slices of `line`: their offsets split it.
        let lower_start = lower.as_ptr() as usize - line.as_ptr() as usize;
        let upper_end = upper.as_ptr() as usize - line.as_ptr() as usize + upper.len();
        let head_len = lower_start;
        let tail = &line[upper_end..];
        // An integer-typed loop prints its type after the step: `step %c1 : i32`.
        let ty = tail
            .split_once(" : ")
            .map(|(_, rest)| rest.split([' ', '{']).next().unwrap_or("index"))
            .filter(|ty| ty.starts_with('i') && ty[1..].parse::<u32>().is_ok())
            .unwrap_or("index");
        if !lower.starts_with('%') || !upper.starts_with('%') {
            return None;
        }
        Some(Self {
            indent,
            head: &line[..head_len],
            variable,
            lower,
            upper,
            tail,
            ty,
        })
    }

    fn render(&self, lower: &str, upper: &str) -> String {
        format!("{}{lower} to {upper}{}", self.head, self.tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bounds_move_both_ways() {
        let line = "    %0 = scf.for %arg1 = %c0 to %dim step %c1 iter_args(%arg2 = %z) -> (f32) {";
        let moves = moves(line, 4, |_| true);
        assert_eq!(moves.len(), 4);
        assert_eq!(
            moves[0].line,
            "    %tl_fix_4_one = arith.constant 1 : index\n    %tl_fix_4_upper = arith.subi %dim, %tl_fix_4_one : index\n    %0 = scf.for %arg1 = %c0 to %tl_fix_4_upper step %c1 iter_args(%arg2 = %z) -> (f32) {"
        );
        assert!(moves[3].line.ends_with(
            "scf.for %arg1 = %tl_fix_4_lower to %dim step %c1 iter_args(%arg2 = %z) -> (f32) {"
        ));
        let typed = moves_of("  scf.for %i = %a to %b step %s : i32 {");
        assert!(typed.contains("arith.constant 1 : i32"), "{typed}");
        assert!(super::moves("  %x = arith.addi %a, %b : i32", 0, |_| true).is_empty());
        assert!(super::moves(line, 0, |value| value != "%dim").len() == 2);
    }

    fn moves_of(line: &str) -> String {
        moves(line, 0, |_| true)[0].line.clone()
    }
}
