//! Memory safety by construction: which memory ops a candidate may use, and what it may read.
//!
//! Every op of an allowed dialect that touches memory is either bounds-checked in the compiled
//! candidate (the `tensorlang-to-llvm` pipeline instruments it, and
//! the checks stay in the live process) or not allowed:
//!
//! | op | in a candidate |
//! |---|---|
//! | `memref.load`, `memref.store`, `memref.subview`, `memref.copy`, `memref.atomic_rmw`, `memref.generic_atomic_rmw`, `memref.cast`, `memref.expand_shape`, `memref.assume_alignment` | allowed: checked by `generate-runtime-verification` |
//! | `memref.collapse_shape`, `memref.dim`, `memref.rank`, `memref.prefetch` | allowed: no access out of bounds possible |
//! | `affine.load`, `affine.store` | allowed: lowered to `memref.load`/`store` before instrumentation |
//! | `tensor.*` (`extract`, `insert`, slices, ...) | allowed: bufferized to checked memref ops |
//! | `linalg.*` | allowed: operand shapes checked, loops lowered to checked memref ops |
//! | `memref.alloc`, `memref.alloca` | allowed with static sizes up to 1 GiB; dynamic sizes only where the original allocates dynamically too (a failed huge `malloc` is a null base no bounds check sees) |
//! | `vector.load`, `vector.store`, `vector.maskedload`, `vector.maskedstore`, `vector.gather`, `vector.scatter`, `vector.expandload`, `vector.compressstore`, `vector.transfer_read`, `vector.transfer_write`, `affine.vector_load`, `affine.vector_store` | not allowed: not bounds-checked |
//! | `memref.view`, `memref.reinterpret_cast`, `memref.extract_aligned_pointer_as_index`, `memref.extract_strided_metadata`, `memref.memory_space_cast`, `memref.realloc`, `memref.dealloc` | not allowed: escape the bounds of the buffer they are given |
//!
//! A buffer a candidate allocates may not be read before anything is written into it
//! ([`unwritten_read`]): what it would read is whatever the heap held.

use std::collections::BTreeSet;
use tensorlang::ir::OperationExt;

use melior::ir::OperationRef;
use melior::ir::ValueLike;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};

use super::effects::{accesses, reads_and_writes};
use super::sources::{ALLOCATIONS, Source, Sources};
use tensorlang::ir::op_name;

/// Ops of allowed dialects that escape the type system or the bounds checks (see the module docs).
pub(super) const FORBIDDEN_OPS: &[&str] = &[
    "memref.extract_aligned_pointer_as_index",
    "memref.extract_strided_metadata",
    "memref.reinterpret_cast",
    "memref.view",
    "memref.memory_space_cast",
    "memref.realloc",
    "memref.dealloc",
    "memref.global",
    "vector.load",
    "vector.store",
    "vector.maskedload",
    "vector.maskedstore",
    "vector.gather",
    "vector.scatter",
    "vector.expandload",
    "vector.compressstore",
    "vector.transfer_read",
    "vector.transfer_write",
    "affine.vector_load",
    "affine.vector_store",
    "func.call_indirect",
    "builtin.unrealized_conversion_cast",
];

/// The largest buffer a candidate may allocate. A failed `malloc` gives a null base that no bounds
/// check sees; below this size, every address such a buffer reaches is in the unmapped low
/// memory of the process (and the trial's address space leaves room for it).
pub(super) const LARGEST_ALLOCATION: u64 = 1 << 30;

/// The first allocation over [`LARGEST_ALLOCATION`] bytes in `function`: the op and its size.
pub(super) fn oversized_allocation<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> Option<(OperationRef<'c, 'a>, u64)> {
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if ALLOCATIONS.contains(&name.as_str())
            && let Some(result) = op.result_at(0)
            && let Some(bytes) = static_bytes(&result.r#type().to_string())
            && bytes > LARGEST_ALLOCATION
        {
            // SAFETY: an op of `function`, which outlives the result.
            found = Some((unsafe { OperationRef::from_raw(op.to_raw()) }, bytes));
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

/// The size of the static part of `memref<4x8xf32>` (a dynamic extent counts 1, an element of
/// unknown size 16 bytes).
fn static_bytes(ty: &str) -> Option<u64> {
    let shaped = tensorlang::ir::shaped_type(ty).filter(|shaped| shaped.memref)?;
    let elements = shaped.dims?.iter().fold(1u64, |product, dim| {
        product.saturating_mul(dim.unwrap_or(1))
    });
    let bytes = tensorlang::ir::element_bytes(shaped.element).unwrap_or(16) as u64;
    Some(elements.saturating_mul(bytes))
}

/// The first allocation of a dynamic size in `function`.
pub(super) fn dynamic_allocation<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> Option<OperationRef<'c, 'a>> {
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| {
        let name = op_name(&op);
        if ALLOCATIONS.contains(&name.as_str()) && op.operand_count() > 0 {
            // SAFETY: an op of `function`, which outlives the result.
            found = Some(unsafe { OperationRef::from_raw(op.to_raw()) });
            return WalkResult::Interrupt;
        }
        WalkResult::Advance
    });
    found
}

/// The first op of `function` that reads a buffer the function allocated before anything was
/// written into it (earlier in the function's text): what it reads is whatever the heap held,
/// another caller's data, say. A first filter only: one written element lets the rest be read,
/// and allocations are zeroed at run time for that.
///
/// Reads are loads, a copy's source and a `linalg` op's inputs; anything else handed the buffer
/// (a call, a `linalg` op's outputs) may fill it, and counts as writing it.
pub(super) fn unwritten_read<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> Option<OperationRef<'c, 'a>> {
    let sources = Sources::of(function);
    let mut written = BTreeSet::new();
    let mut found = None;
    function.walk(WalkOrder::PreOrder, |op| {
        let Some((reads, writes)) = reads_and_writes(&op) else {
            return WalkResult::Advance;
        };
        let name = op_name(&op);
        let precise = accesses(&name).is_some() || name.starts_with("linalg.");
        let allocations = |indices: &[usize]| -> Vec<Source> {
            sources
                .of_operands(&op, indices.iter().copied())
                .into_iter()
                .filter(|source| matches!(source, Source::Allocation(_)))
                .collect()
        };
        let read = if precise {
            let outputs: BTreeSet<usize> = writes.iter().copied().collect();
            // A `linalg` op's outputs are in its reads too, but filling them is its purpose.
            let inputs: Vec<usize> = if name.starts_with("linalg.") {
                reads.into_iter().filter(|i| !outputs.contains(i)).collect()
            } else {
                reads
            };
            allocations(&inputs)
        } else {
            Vec::new()
        };
        if read.iter().any(|source| !written.contains(source)) {
            // SAFETY: an op of `function`, which outlives the result.
            found = Some(unsafe { OperationRef::from_raw(op.to_raw()) });
            return WalkResult::Interrupt;
        }
        written.extend(allocations(&writes));
        WalkResult::Advance
    });
    found
}
