//! Counting the checks of a module, to report what instrumentation inserted and removed.

use super::CHECK_ATTRIBUTE;
use crate::{OpExt, ops_where};
use melior::ir::operation::{OperationLike, OperationResult};
use melior::ir::{OperationRef, Value};
use mlir_sys::MlirOperation;
use std::collections::HashSet;
use tensorlang::ir::OperationExt;
use tensorlang_checks::CheckKind;

/// Every `cf.assert` of a module at one moment, with the kind its tag names (none for user asserts).
pub(super) struct Census {
    asserts: Vec<(MlirOperation, Option<CheckKind>)>,
    /// The asserts' addresses, for membership tests in large modules.
    addresses: HashSet<usize>,
}

/// How many checks of each kind (indexed like [`CheckKind::ALL`]).
#[derive(Default)]
pub(super) struct Counts([usize; CheckKind::ALL.len()]);

impl Counts {
    fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

impl Census {
    /// The asserts in `module` now.
    pub fn take(module: OperationRef) -> Self {
        let asserts: Vec<_> = ops_where(module, |name| name == "cf.assert")
            .into_iter()
            .map(|op| (op.to_raw(), check_kind(op)))
            .collect();
        let addresses = asserts.iter().map(|(raw, _)| raw.ptr as usize).collect();
        Self { asserts, addresses }
    }

    /// Whether `op` was an assert when this census was taken.
    pub fn contains(&self, op: OperationRef) -> bool {
        self.addresses.contains(&(op.to_raw().ptr as usize))
    }

    /// The tagged checks of this census that `earlier` did not have, by kind.
    pub fn since(&self, earlier: &Census) -> Counts {
        let mut counts = Counts::default();
        for (raw, kind) in &self.asserts {
            let known = earlier.addresses.contains(&(raw.ptr as usize));
            if let (false, Some(kind)) = (known, kind) {
                let index = CheckKind::ALL.iter().position(|k| k == kind).unwrap_or(0);
                counts.0[index] += 1;
            }
        }
        counts
    }

    /// Warns at every assert whose condition folded to `false`: it fails whenever it runs.
    pub fn warn_about_checks_that_always_fail(&self) {
        for (raw, _) in &self.asserts {
            // SAFETY: the census was taken after the last change to the IR, so the op is alive.
            let op = unsafe { OperationRef::from_raw(*raw) };
            if op.operand_at(0).is_some_and(is_constant_false) {
                let message = op.string_attribute("msg");
                tensorlang::emit_warning(
                    op.location(),
                    &format!("this check always fails: {message}"),
                );
            }
        }
    }
}

/// The kind named by an assert's `tensorlang.check` tag, if it has a valid one.
pub(crate) fn check_kind(op: OperationRef) -> Option<CheckKind> {
    op.string_attribute(CHECK_ATTRIBUTE).parse().ok()
}

fn is_constant_false(value: Value) -> bool {
    let Ok(result) = OperationResult::try_from(value) else {
        return false;
    };
    let owner = result.owner();
    owner.op_name() == "arith.constant"
        && owner
            .attribute("value")
            .is_ok_and(|value| value.to_string() == "false")
}

/// Emits the statistics remark on `module`.
pub(super) fn report(module: OperationRef, inserted: &Counts, left: &Counts, versioned: usize) {
    let by_kind: Vec<String> = CheckKind::ALL
        .iter()
        .zip(inserted.0)
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| format!("{kind}: {count}"))
        .collect();
    let by_kind = if by_kind.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_kind.join(", "))
    };
    let removed = inserted.total().saturating_sub(left.total());
    tensorlang::emit_remark(
        module.location(),
        &format!(
            "tensorlang-instrument: inserted {} checks{by_kind}, removed {removed} that can never fail, {} left ({versioned} only on a slow path, checked once per loop on the fast one)",
            inserted.total(),
            left.total()
        ),
    );
}
