//! Bounded cost: what admitting and compiling a candidate may cost is bounded before it is paid.
//!
//! A short text can describe a huge program: `dense<11> : tensor<134217728xi64>` is 35
//! characters, and building the gigabyte constant it names took 21 s and 3.3 GB. So besides a
//! limit on the candidate's text ([`MAX_TEXT`], checked before it is parsed) and on its ops
//! ([`MAX_OPS`]), every shaped type a candidate uses (results, block arguments and the types
//! inside attributes: constants, splats, `tensor.empty`, `memref.alloc`/`alloca`) may hold at
//! most [`SHAPE_FACTOR`] times as many elements as the largest shape of the program, and never
//! less than [`MIN_ELEMENTS`]. Each limit grows with the original, so that a repair of a large
//! function, or of a program with large buffers, is never refused for its size alone.

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{BlockLike, Module, OperationRef, RegionLike, ValueLike};

/// The longest candidate text (bytes), unless the original is longer: then 4 times its length.
pub(super) const MAX_TEXT: usize = 64 << 10;

/// The most ops a candidate may hold, unless the original holds more: then 4 times as many.
pub(super) const MAX_OPS: usize = 4096;

/// How many times the largest shape of the program a candidate's shapes may hold.
pub(super) const SHAPE_FACTOR: u64 = 4;

/// The fewest elements a candidate's shapes may always hold (1 Mi).
pub(super) const MIN_ELEMENTS: u64 = 1 << 20;

/// The cost limits for candidates replacing one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of candidate text.
    pub text: usize,
    /// Ops in the candidate function (itself included).
    pub ops: usize,
    /// Elements of any one shaped type.
    pub elements: u64,
}

impl Limits {
    /// The limits for replacing `function` of `module`.
    pub fn new(module: &Module, function: &OperationRef) -> Self {
        let mut largest = 0;
        module.as_operation().walk(WalkOrder::PreOrder, |op| {
            // The program's own attributes may be large tables: only a global's type is read.
            let shape = largest_shape(&op, false).map_or(0, |(_, elements)| elements);
            let global = op
                .attribute("type")
                .ok()
                .and_then(|ty| shapes(&ty.to_string()).into_iter().map(|(_, n)| n).max());
            largest = largest.max(shape).max(global.unwrap_or(0));
            WalkResult::Advance
        });
        Self {
            text: MAX_TEXT.max(4 * function.to_string().len()),
            ops: MAX_OPS.max(4 * op_count(function)),
            elements: MIN_ELEMENTS.max(largest.saturating_mul(SHAPE_FACTOR)),
        }
    }
}

/// The ops of `function`, itself included.
pub(super) fn op_count(function: &OperationRef) -> usize {
    let mut count = 0;
    function.walk(WalkOrder::PreOrder, |_| {
        count += 1;
        WalkResult::Advance
    });
    count
}

/// The first op of `function` whose shapes hold more than `limit` elements: the op, the type and
/// its elements.
pub(super) fn oversized_shape<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    limit: u64,
) -> Option<(OperationRef<'c, 'a>, String, u64)> {
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| match largest_shape(&op, true) {
        Some((ty, elements)) if elements > limit => {
            // SAFETY: an op of `function`, which outlives the result.
            found = Some((unsafe { OperationRef::from_raw(op.to_raw()) }, ty, elements));
            WalkResult::Interrupt
        }
        _ => WalkResult::Advance,
    });
    found
}

/// The shaped type of `op` with the most elements (among its results, the arguments of its
/// regions' blocks and, with `attributes`, the types its attributes name), and how many.
fn largest_shape(op: &OperationRef, attributes: bool) -> Option<(String, u64)> {
    let mut types: Vec<String> = op.results().map(|r| r.r#type().to_string()).collect();
    for region in op.regions() {
        let mut block = region.first_block();
        while let Some(current) = block {
            types.extend(
                (0..current.argument_count())
                    .filter_map(|i| current.argument(i).ok())
                    .map(|argument| argument.r#type().to_string()),
            );
            block = current.next_in_region();
        }
    }
    if attributes {
        types.extend(op.attributes().map(|(_, value)| value.to_string()));
    }
    types
        .iter()
        .flat_map(|text| shapes(text))
        .max_by_key(|(_, elements)| *elements)
}

/// Every `tensor<...>`, `memref<...>` and `vector<...>` in `text` with its element count (a
/// dynamic extent counts 1; a vector element multiplies).
pub(super) fn shapes(text: &str) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for kind in ["tensor<", "memref<", "vector<"] {
        let mut rest = text;
        while let Some(at) = rest.find(kind) {
            let from = &rest[at..];
            // A word ending in the kind (`mytensor<`) is no type.
            let word = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if !word && let Some(elements) = elements(&from[kind.len()..]) {
                found.push((type_text(from).to_owned(), elements));
            }
            rest = &from[kind.len()..];
        }
    }
    found
}

/// The elements of the shape that starts `inner` (`4x?x[8]xf32, ...>` is 32), times those of
/// a vector element.
fn elements(inner: &str) -> Option<u64> {
    let mut product = 1u64;
    let mut rest = inner;
    while let Some(at) = rest.find('x') {
        let extent = rest[..at].trim_matches(|c| c == '[' || c == ']');
        let value = match extent {
            "?" => 1,
            text => match text.parse::<u64>() {
                Ok(value) => value,
                Err(_) => break,
            },
        };
        product = product.saturating_mul(value);
        rest = &rest[at + 1..];
    }
    let vector = rest.strip_prefix("vector<").and_then(elements).unwrap_or(1);
    Some(product.saturating_mul(vector))
}

/// The type that starts `text`, up to its closing `>`.
fn type_text(text: &str) -> &str {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[..=at];
                }
            }
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_count_their_elements() {
        assert_eq!(
            shapes("dense<11> : tensor<134217728xi64>"),
            vec![("tensor<134217728xi64>".to_owned(), 134_217_728)]
        );
        assert_eq!(
            shapes("memref<4x?x8xf32, strided<[?, 8, 1]>>"),
            vec![("memref<4x?x8xf32, strided<[?, 8, 1]>>".to_owned(), 32)]
        );
        assert_eq!(shapes("tensor<4xvector<[8]xf32>>")[0].1, 32);
        assert_eq!(shapes("memref<f32>")[0].1, 1);
        assert!(shapes("i32").is_empty());
    }
}
