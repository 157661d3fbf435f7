//! Overflow and exactness flags are promises that no check verifies: `overflow<nsw>` on an
//! `arith.muli` says the product does not wrap, and integer range analysis (and later LLVM)
//! believes it, so a bounds check on an index that does wrap loses its lower half and the access
//! reads before the buffer. The flags are removed before any check is inserted or analysed:
//! without them every operation wraps (or rounds) as plain two's complement arithmetic, which is
//! what the checks then reason about.
//!
//! ```mlir
//! // before
//! %j = arith.muli %i, %c overflow<nsw, nuw> : index
//! %k = arith.shrui %j, %c1 exact : index
//! // after
//! %j = arith.muli %i, %c : index
//! %k = arith.shrui %j, %c1 : index
//! ```
//!
//! The flags are the `overflowFlags` property (`arith.addi`, `subi`, `muli`, `shli`, `trunci` and
//! the LLVM dialect's integer ops) and the `isExact` unit property (`arith.divsi`, `divui`,
//! `shrsi`, `shrui`); whatever dialect an op is in, both are removed. The `index` and `affine`
//! dialects carry no such flags.

use crate::{OpExt, ops_where};
use melior::Context;
use melior::ir::operation::{OperationLike, OperationMutLike};
use melior::ir::{Attribute, OperationRef};

/// Sets every overflow flag in `module` to `none` and removes every exactness flag; returns how
/// many ops promised something.
pub(super) fn strip(context: &Context, module: OperationRef) -> usize {
    let none = |dialect: &str| {
        Attribute::parse(context, &format!("#{dialect}.overflow<none>"))
            .expect("the overflow attribute parses")
    };
    let (arith, llvm) = (none("arith"), none("llvm"));
    let mut stripped = 0;
    for op in ops_where(module, |name| {
        name.starts_with("arith.") || name.starts_with("llvm.")
    }) {
        let flags = op.attribute("overflowFlags").ok();
        let promises_no_wrap = flags.is_some_and(|flags| flags != arith && flags != llvm);
        let promises_exact = op.has_attribute("isExact");
        if !promises_no_wrap && !promises_exact {
            continue;
        }
        // SAFETY: the op was just found in the module; nothing else refers to it mutably.
        let mut op_mut = unsafe { tensorlang::lifetime::operation_mut(&op) };
        if promises_no_wrap {
            // The property must hold an attribute (the ops read it unchecked): `none`, not null.
            let none = if op.op_name().starts_with("llvm.") {
                llvm
            } else {
                arith
            };
            op_mut.set_attribute("overflowFlags", none);
        }
        if promises_exact {
            // A unit property: absent means not exact.
            let _ = op_mut.remove_attribute("isExact");
        }
        stripped += 1;
    }
    stripped
}
