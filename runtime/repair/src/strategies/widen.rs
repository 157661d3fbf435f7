//! Widening: an integer sum, difference or product that overflows is computed, together with
//! the op that consumes it, in 64 bits, and only the final result is truncated back. This fixes
//! `(a + b) / 2` style overflows, where the intermediate value does not fit but the result does.
//! An overflowing op whose only use widens its result (`arith.extsi` / `extui`) is computed in
//! the wider type instead: `extsi(a * b)` becomes `extsi(a) * extsi(b)`.

use super::op_line::OpLine;

/// Ops whose result can overflow.
const WIDENABLE: &[&str] = &["arith.addi", "arith.subi", "arith.muli"];
/// Consumers that bring a wide value back into range.
const CONSUMERS: &[&str] = &[
    "arith.divsi",
    "arith.divui",
    "arith.remsi",
    "arith.shrsi",
    "arith.addi",
    "arith.subi",
];

/// A change spanning two lines.
pub struct Widening {
    /// What changed, for remarks.
    pub change: String,
    /// The new text of the producer's line.
    pub producer: (usize, String),
    /// The new text of the consumer's line.
    pub consumer: (usize, String),
}

/// Every widening of `lines`: an overflowing op and its single consumer.
pub fn widenings(lines: &[&str]) -> Vec<Widening> {
    let mut widenings = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(op) = OpLine::parse(line) else {
            continue;
        };
        let (Some(result), true) = (op.results, WIDENABLE.contains(&op.name)) else {
            continue;
        };
        let Some(width) = narrow_integer(op.types) else {
            continue;
        };
        let users: Vec<usize> = (0..lines.len())
            .filter(|&other| other != index && uses(lines[other], result))
            .collect();
        let [user] = users.as_slice() else {
            continue;
        };
        let Some(consumer) = OpLine::parse(lines[*user]) else {
            continue;
        };
        if matches!(consumer.name, "arith.extsi" | "arith.extui") && *user > index {
            widenings.extend(widen_into_extension(&op, index, &consumer, *user, width));
            continue;
        }
        if !CONSUMERS.contains(&consumer.name) || consumer.types != op.types || *user < index {
            continue;
        }
        if let Some(widening) = widen(&op, index, &consumer, *user, result, width) {
            widenings.push(widening);
        }
    }
    widenings
}

fn widen(
    op: &OpLine,
    index: usize,
    consumer: &OpLine,
    user: usize,
    result: &str,
    width: &str,
) -> Option<Widening> {
    let [a, b] = op.values().try_into().ok()?;
    let [x, y] = consumer.values().try_into().ok()?;
    let consumer_result = consumer.results?;
    let name = |what: &str| format!("%tl_wide_{index}_{what}");
    let location = |line: &OpLine| {
        line.location
            .map(|location| format!(" loc({location})"))
            .unwrap_or_default()
    };
    let extend = |value: &str, what: &str| {
        format!(
            "{}{} = arith.extsi {value} : {width} to i64{}",
            op.indent,
            name(what),
            location(op)
        )
    };
    let producer = [
        extend(a, "lhs"),
        extend(b, "rhs"),
        format!(
            "{}{} = {} {}, {} : i64{}",
            op.indent,
            name("value"),
            op.name,
            name("lhs"),
            name("rhs"),
            location(op)
        ),
    ]
    .join("\n");
    let (other, wide_x, wide_y) = if x == result {
        (y, name("value"), name("other"))
    } else {
        (x, name("other"), name("value"))
    };
    let consumer_lines = [
        format!(
            "{}{} = arith.extsi {other} : {width} to i64{}",
            consumer.indent,
            name("other"),
            location(consumer)
        ),
        format!(
            "{}{} = {} {wide_x}, {wide_y} : i64{}",
            consumer.indent,
            name("result"),
            consumer.name,
            location(consumer)
        ),
        format!(
            "{}{consumer_result} = arith.trunci {} : i64 to {width}{}",
            consumer.indent,
            name("result"),
            location(consumer)
        ),
    ]
    .join("\n");
    Some(Widening {
        change: format!(
            "compute '{}' at {} and '{}' at {} in 64 bits",
            op.name,
            op.place(),
            consumer.name,
            consumer.place()
        ),
        producer: (index, producer),
        consumer: (user, consumer_lines),
    })
}

/// `%p = arith.muli %a, %b : i32` used only by `%w = arith.extsi %p : i32 to i64`: the operands
/// are extended first and `%w` is the product computed in `i64` (the extension's line goes).
fn widen_into_extension(
    op: &OpLine,
    index: usize,
    extension: &OpLine,
    user: usize,
    width: &str,
) -> Option<Widening> {
    let [a, b] = op.values().try_into().ok()?;
    let result = extension.results?;
    let wide = extension.types.split(" to ").nth(1)?.trim();
    narrow_integer(wide).is_none().then_some(())?;
    let location = op
        .location
        .map(|location| format!(" loc({location})"))
        .unwrap_or_default();
    let name = |what: &str| format!("%tl_wide_{index}_{what}");
    let extend = |value: &str, what: &str| {
        format!(
            "{}{} = {} {value} : {width} to {wide}{location}",
            op.indent,
            name(what),
            extension.name
        )
    };
    let producer = [
        extend(a, "lhs"),
        extend(b, "rhs"),
        format!(
            "{}{result} = {} {}, {} : {wide}{location}",
            op.indent,
            op.name,
            name("lhs"),
            name("rhs")
        ),
    ]
    .join("\n");
    Some(Widening {
        change: format!(
            "compute '{}' at {} in {wide}, the type '{}' at {} extends it to",
            op.name,
            op.place(),
            extension.name,
            extension.place()
        ),
        producer: (index, producer),
        consumer: (user, String::new()),
    })
}

/// `i8`, `i16`, `i32`: integers narrower than 64 bits.
fn narrow_integer(ty: &str) -> Option<&str> {
    let bits: u32 = ty.strip_prefix('i')?.parse().ok()?;
    (bits < 64).then_some(ty)
}

/// Whether `line` uses the value `name` (not merely a longer name starting with it).
fn uses(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(at, _)| {
        let next = line[at + name.len()..].chars().next();
        !matches!(next, Some(c) if c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_average_is_computed_wide() {
        let lines = [
            "func.func @average(%arg0: i32, %arg1: i32) -> i32 {",
            "  %0 = arith.addi %arg0, %arg1 : i32",
            "  %c2_i32 = arith.constant 2 : i32",
            "  %1 = arith.divsi %0, %c2_i32 : i32",
            "  return %1 : i32",
            "}",
        ];
        let [widening] = widenings(&lines).try_into().ok().unwrap();
        assert_eq!(widening.producer.0, 1);
        assert_eq!(
            widening.producer.1,
            "  %tl_wide_1_lhs = arith.extsi %arg0 : i32 to i64\n  %tl_wide_1_rhs = arith.extsi %arg1 : i32 to i64\n  %tl_wide_1_value = arith.addi %tl_wide_1_lhs, %tl_wide_1_rhs : i64"
        );
        assert_eq!(widening.consumer.0, 3);
        assert!(
            widening
                .consumer
                .1
                .ends_with("  %1 = arith.trunci %tl_wide_1_result : i64 to i32")
        );
        assert!(
            widening
                .consumer
                .1
                .contains("arith.divsi %tl_wide_1_value, %tl_wide_1_other : i64")
        );
    }

    #[test]
    fn a_product_that_is_extended_is_computed_wide() {
        let lines = [
            "  %0 = arith.muli %arg0, %arg1 : i32",
            "  %1 = arith.extsi %0 : i32 to i64",
            "  return %1 : i64",
        ];
        let [widening] = widenings(&lines).try_into().ok().unwrap();
        assert_eq!(
            widening.producer.1,
            "  %tl_wide_0_lhs = arith.extsi %arg0 : i32 to i64\n  %tl_wide_0_rhs = arith.extsi %arg1 : i32 to i64\n  %1 = arith.muli %tl_wide_0_lhs, %tl_wide_0_rhs : i64"
        );
        assert_eq!(widening.consumer, (1, String::new()));
    }

    #[test]
    fn names_are_matched_whole() {
        assert!(uses("  %1 = arith.divsi %0, %c2 : i32", "%0"));
        assert!(!uses("  %1 = arith.divsi %01, %c2 : i32", "%0"));
    }
}
