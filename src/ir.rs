//! Small queries on MLIR operations that the program loader, the JIT and the repair engine share:
//! the ops at the top of a module, op names, symbol names, string attributes, definitions, the
//! ops that make views, the shape of a memref or tensor type, and the size of an element type.

use melior::ir::attribute::{FlatSymbolRefAttribute, StringAttribute};
use melior::ir::operation::OperationLike;
use melior::ir::{BlockLike, BlockRef, OperationRef, RegionLike};

/// Positional accessors that answer `None` for an index out of range. melior's own
/// (`operand`, `result`, `region`, `successor`) print the whole operation into the error they
/// return, which turns a walk that asks every op for its first operand into a print of every
/// op: a function's admission took 0.7 ms, most of it printing.
pub trait OperationExt<'c: 'a, 'a> {
    /// Operand `index`, if the op has it.
    fn operand_at(&self, index: usize) -> Option<melior::ir::Value<'c, 'a>>;
    /// Result `index`, if the op has it.
    fn result_at(&self, index: usize) -> Option<melior::ir::operation::OperationResult<'c, 'a>>;
    /// Region `index`, if the op has it.
    fn region_at(&self, index: usize) -> Option<melior::ir::RegionRef<'c, 'a>>;
    /// Successor `index`, if the op has it.
    fn successor_at(&self, index: usize) -> Option<BlockRef<'c, 'a>>;
}

impl<'c: 'a, 'a, T: OperationLike<'c, 'a>> OperationExt<'c, 'a> for T {
    fn operand_at(&self, index: usize) -> Option<melior::ir::Value<'c, 'a>> {
        (index < self.operand_count())
            .then(|| OperationLike::operand(self, index).ok())
            .flatten()
    }

    fn result_at(&self, index: usize) -> Option<melior::ir::operation::OperationResult<'c, 'a>> {
        (index < self.result_count())
            .then(|| OperationLike::result(self, index).ok())
            .flatten()
    }

    fn region_at(&self, index: usize) -> Option<melior::ir::RegionRef<'c, 'a>> {
        (index < self.region_count())
            .then(|| OperationLike::region(self, index).ok())
            .flatten()
    }

    fn successor_at(&self, index: usize) -> Option<BlockRef<'c, 'a>> {
        (index < self.successor_count())
            .then(|| OperationLike::successor(self, index).ok())
            .flatten()
    }
}

/// Removes `op` from its block and destroys it (its body drops its own references first).
///
/// # Safety
/// Nothing may use `op`, or anything inside it, afterwards, and no value it defines may be used
/// outside it (top-level ops that others reach only by symbol, such as functions, qualify).
pub unsafe fn erase(op: OperationRef) {
    let raw = op.to_raw();
    // SAFETY: `raw` is live (the caller's contract); out of its block it is owned here and
    // destroyed on drop.
    drop(unsafe {
        mlir_sys::mlirOperationRemoveFromParent(raw);
        melior::ir::Operation::from_raw(raw)
    });
}

/// A deep copy of `op` (with its regions), owned and in no block; its operands are still the
/// original's values until they are set.
pub fn clone_op<'c>(op: &OperationRef<'c, '_>) -> melior::ir::Operation<'c> {
    // SAFETY: `op` is live; the clone is a new op that the returned value owns.
    unsafe { melior::ir::Operation::from_raw(mlir_sys::mlirOperationClone(op.to_raw())) }
}

/// The ops directly in `block` (a module's body), in order.
pub fn ops_in<'c, 'a>(block: BlockRef<'c, 'a>) -> Vec<OperationRef<'c, 'a>> {
    let mut ops = Vec::new();
    let mut next = block.first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        ops.push(op);
    }
    ops
}

/// The ops at the top of the module op `module`.
pub fn top_level_ops<'c, 'a>(module: OperationRef<'c, 'a>) -> Vec<OperationRef<'c, 'a>> {
    module
        .region_at(0)
        .and_then(|region| region.first_block())
        .map(ops_in)
        .unwrap_or_default()
}

/// `func.func`, `arith.addi`, ...
pub fn op_name(op: &OperationRef) -> String {
    op.name().as_string_ref().as_str().unwrap_or("").to_owned()
}

/// The value of a string attribute.
pub fn string_attribute(op: &OperationRef, name: &str) -> Option<String> {
    let value = StringAttribute::try_from(op.attribute(name).ok()?).ok()?;
    Some(value.value().to_owned())
}

/// The function a `func.call` calls; `None` for other ops.
pub fn callee(op: &OperationRef) -> Option<String> {
    if op_name(op) != "func.call" {
        return None;
    }
    let callee = FlatSymbolRefAttribute::try_from(op.attribute("callee").ok()?).ok()?;
    Some(callee.value().to_owned())
}

/// The global a `memref.get_global` names; `None` for other ops.
pub fn global_name(op: &OperationRef) -> Option<String> {
    if op_name(op) != "memref.get_global" {
        return None;
    }
    let global = FlatSymbolRefAttribute::try_from(op.attribute("name").ok()?).ok()?;
    Some(global.value().to_owned())
}

/// The op's `sym_name`.
pub fn symbol_name(op: &OperationRef) -> Option<String> {
    string_attribute(op, "sym_name")
}

/// Whether a function op has a body (a definition, not a declaration).
pub fn is_definition(op: &OperationRef) -> bool {
    op.region_at(0)
        .is_some_and(|body| body.first_block().is_some())
}

/// The op among `ops` whose symbol is `name`.
pub fn find_symbol<'c, 'a>(
    ops: impl IntoIterator<Item = OperationRef<'c, 'a>>,
    name: &str,
) -> Option<OperationRef<'c, 'a>> {
    ops.into_iter()
        .find(|op| symbol_name(op).as_deref() == Some(name))
}

/// Bytes per element of the MLIR element type `element` as printed (`f32`, `i1`, `index`, ...);
/// `None` for a type whose size is not known here.
pub fn element_bytes(element: &str) -> Option<usize> {
    match element {
        "f16" | "bf16" => Some(2),
        "f32" => Some(4),
        "f64" | "index" => Some(8),
        "complex<f32>" => Some(8),
        "complex<f64>" => Some(16),
        _ => {
            let bits: usize = element.strip_prefix('i')?.parse().ok()?;
            Some(bits.div_ceil(8).next_power_of_two())
        }
    }
}

/// Ops whose memref result is a view of their memref operand: a write through the view writes
/// the operand's buffer.
pub const VIEW_OPS: &[&str] = &[
    "memref.subview",
    "memref.cast",
    "memref.expand_shape",
    "memref.collapse_shape",
    "memref.reinterpret_cast",
    "memref.view",
    "memref.transpose",
    "memref.memory_space_cast",
    "memref.assume_alignment",
];

/// A `memref<...>` or `tensor<...>` type as printed, split into its shape and element type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapedType<'t> {
    /// `memref` (else `tensor`).
    pub memref: bool,
    /// The extents (`None` for `?`); `None` for an unranked type (`*`).
    pub dims: Option<Vec<Option<u64>>>,
    /// The element type, as printed (`f32`, `vector<4xf32>`).
    pub element: &'t str,
}

/// Reads `memref<4x?xf32, strided<[?, 1]>>`, `tensor<8xi32>`, `memref<*xf32>`; `None` for any
/// other type.
pub fn shaped_type(ty: &str) -> Option<ShapedType<'_>> {
    let (memref, inner) = match ty.strip_prefix("memref<") {
        Some(inner) => (true, inner),
        None => (false, ty.strip_prefix("tensor<")?),
    };
    let shape = outer_part(inner);
    if let Some(element) = shape.strip_prefix('*') {
        return Some(ShapedType {
            memref,
            dims: None,
            element: element.trim_start_matches('x').trim(),
        });
    }
    let mut dims = Vec::new();
    let mut rest = shape;
    while let Some(at) = rest.find('x') {
        let dim = match &rest[..at] {
            "?" => None,
            extent => match extent.parse::<u64>() {
                Ok(extent) => Some(extent),
                Err(_) => break,
            },
        };
        dims.push(dim);
        rest = &rest[at + 1..];
    }
    Some(ShapedType {
        memref,
        dims: Some(dims),
        element: rest.trim(),
    })
}

/// `4x?xf32` out of `4x?xf32, strided<[?], offset: ?>>`: up to the first top-level `,` or the
/// closing `>`.
fn outer_part(inner: &str) -> &str {
    let mut depth = 0usize;
    for (at, c) in inner.char_indices() {
        match c {
            '<' | '[' | '(' => depth += 1,
            '>' | ']' | ')' if depth == 0 => return &inner[..at],
            '>' | ']' | ')' => depth -= 1,
            ',' if depth == 0 => return &inner[..at],
            _ => {}
        }
    }
    inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_global_names_its_global() {
        let context = crate::create_context().unwrap();
        let source = "memref.global \"private\" constant @data : memref<2xi32> = dense<[1, 2]>\nfunc.func @f() -> memref<2xi32> {\n  %g = memref.get_global @data : memref<2xi32>\n  return %g : memref<2xi32>\n}\n";
        let module = crate::parse_module(&context, source, "g.mlir").unwrap();
        let function = find_symbol(top_level_ops(module.as_operation()), "f").unwrap();
        let body = function.region(0).unwrap().first_block().unwrap();
        let ops = ops_in(body);
        assert_eq!(global_name(&ops[0]).as_deref(), Some("data"));
        assert_eq!(global_name(&ops[1]), None);
    }

    #[test]
    fn positional_accessors_answer_none_out_of_range() {
        let context = crate::create_context().unwrap();
        let source = "func.func @f(%a: i32) -> i32 {\n  %c = arith.constant 1 : i32\n  %s = arith.addi %a, %c : i32\n  return %s : i32\n}\n";
        let module = crate::parse_module(&context, source, "f.mlir").unwrap();
        let function = find_symbol(top_level_ops(module.as_operation()), "f").unwrap();
        assert!(function.region_at(0).is_some());
        assert!(function.region_at(1).is_none());
        assert!(function.operand_at(0).is_none());
        let ops = ops_in(function.region_at(0).unwrap().first_block().unwrap());
        let (constant, add, ret) = (&ops[0], &ops[1], &ops[2]);
        assert!(constant.operand_at(0).is_none());
        assert!(constant.result_at(0).is_some());
        assert!(add.operand_at(1).is_some() && add.operand_at(2).is_none());
        assert!(ret.result_at(0).is_none() && ret.successor_at(0).is_none());
    }

    #[test]
    fn shaped_types_are_read() {
        let strided = shaped_type("memref<4x?xf32, strided<[?, 1], offset: ?>>").unwrap();
        assert_eq!(strided.dims, Some(vec![Some(4), None]));
        assert_eq!(strided.element, "f32");
        assert!(strided.memref);
        let nested = shaped_type("tensor<4xvector<8xf32>>").unwrap();
        assert_eq!((nested.memref, nested.element), (false, "vector<8xf32>"));
        assert_eq!(shaped_type("memref<f64>").unwrap().dims, Some(vec![]));
        let unranked = shaped_type("memref<*xi32>").unwrap();
        assert_eq!((unranked.dims, unranked.element), (None, "i32"));
        assert_eq!(shaped_type("vector<4xf32>"), None);
    }
}
