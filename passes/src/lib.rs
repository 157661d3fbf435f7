//! TensorLang's passes, one per file, each registered by name (see [`register_all`]):
//!
//! - `tensorlang-verify` ([`verify`]): the checks IRDL cannot express.
//! - `convert-tensorlang-to-linalg` ([`lower_to_linalg`]): every `tensorlang` op to upstream dialects.
//! - `tensorlang-instrument` ([`instrument`]): run-time checks, minus those that never fail.
//! - `tensorlang-lower-asserts` ([`lower_asserts`]): asserts call the runtime with a check id.
//! - `tensorlang-contain` ([`contain`]): a repair candidate's buffers, registered for containment.
//! - `tensorlang-to-llvm` ([`pipeline`]): TensorLang and upstream dialects down to the LLVM dialect.
//!
//! The passes are pure IR in, IR out: no JIT, no model.

mod builder;
pub mod contain;
pub mod instrument;
pub mod lower_asserts;
pub mod lower_to_linalg;
pub mod pipeline;
pub mod tensor_type;
pub mod verify;

use melior::ir::attribute::StringAttribute;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{OperationRef, Type, ValueLike};
use std::sync::Once;

/// Registers every TensorLang pass and pipeline by name, once per process.
pub fn register_all() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tensorlang::pass::register(&verify::PASS);
        tensorlang::pass::register(&lower_to_linalg::PASS);
        tensorlang::pass::register(&instrument::PASS);
        tensorlang::pass::register(&lower_asserts::PASS);
        tensorlang::pass::register(&contain::PASS);
        pipeline::register();
    });
}

/// The `tensorlang` ops nested in `root`, in pre-order.
///
/// They stay valid while the caller erases some of them: tensorlang ops hold no regions, so erasing
/// one never frees another.
pub(crate) fn tensorlang_ops<'c, 'a>(root: OperationRef<'c, 'a>) -> Vec<OperationRef<'c, 'a>> {
    ops_where(root, tensorlang::dialect::is_tensorlang_op)
}

/// The ops nested in `root` whose name satisfies `select`, in pre-order.
///
/// The caller may erase ops that hold no regions without invalidating the others.
pub(crate) fn ops_where<'c, 'a>(
    root: OperationRef<'c, 'a>,
    mut select: impl FnMut(&str) -> bool,
) -> Vec<OperationRef<'c, 'a>> {
    let mut raw = Vec::new();
    root.walk(WalkOrder::PreOrder, |op| {
        if select(&op.op_name()) {
            raw.push(op.to_raw());
        }
        WalkResult::Advance
    });
    // SAFETY: each handle was just found inside `root`, which outlives `'a`.
    raw.into_iter()
        .map(|op| unsafe { OperationRef::from_raw(op) })
        .collect()
}

/// Shorthands for reading ops.
pub(crate) trait OpExt<'c> {
    /// The op's name, e.g. `tensorlang.add`.
    fn op_name(&self) -> String;
    /// The type of result `index` (the op's arity was checked by IRDL).
    fn result_type(&self, index: usize) -> Type<'c>;
    /// The type of operand `index` (the op's arity was checked by IRDL).
    fn operand_type(&self, index: usize) -> Type<'c>;
    /// The value of string attribute `name`; empty when the op has none by that name.
    fn string_attribute(&self, name: &str) -> String;
}

impl<'c, T: OperationLike<'c, 'c> + ?Sized> OpExt<'c> for T {
    fn op_name(&self) -> String {
        self.name()
            .as_string_ref()
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn result_type(&self, index: usize) -> Type<'c> {
        self.result(index)
            .expect("IRDL checked the result count")
            .r#type()
    }

    fn operand_type(&self, index: usize) -> Type<'c> {
        self.operand(index)
            .expect("IRDL checked the operand count")
            .r#type()
    }

    fn string_attribute(&self, name: &str) -> String {
        self.attribute(name)
            .ok()
            .and_then(|value| StringAttribute::try_from(value).ok())
            .map(|value| value.value().to_string())
            .unwrap_or_default()
    }
}
