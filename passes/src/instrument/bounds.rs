//! Bounds and shape checks: upstream `generate-runtime-verification` inserts them (for every op
//! that implements `RuntimeVerifiableOpInterface`: memref loads, stores, casts, views, tensor
//! extracts and inserts, ...); this module tags them and keeps only their short message.

use super::CHECK_ATTRIBUTE;
use super::census::{Census, check_kind};
use crate::{OpExt, ops_where};
use melior::Context;
use melior::ir::OperationRef;
use melior::ir::attribute::StringAttribute;
use melior::ir::operation::OperationMutLike;
use tensorlang::{PassFailure, PassInvocation};
use tensorlang_checks::CheckKind;

/// Runs upstream runtime verification on `module`, then tags each assert it added (those neither
/// in `before` nor tagged already) with its kind and a one-line message.
pub(super) fn insert(
    context: &Context,
    module: OperationRef,
    invocation: &PassInvocation,
    before: &Census,
) -> Result<(), PassFailure> {
    // Verbosity 0: the message names the failure and the location, not the whole op.
    invocation.run_nested(module, "generate-runtime-verification{verbose-level=0}")?;
    for op in ops_where(module, |name| name == "cf.assert") {
        if before.contains(op) || check_kind(op).is_some() {
            continue;
        }
        let upstream = op.string_attribute("msg");
        let (kind, message) = summarize(&upstream);
        // SAFETY: the op was just found in the module; nothing else refers to it mutably.
        let mut op = unsafe { tensorlang::lifetime::operation_mut(&op) };
        op.set_attribute("msg", StringAttribute::new(context, &message).into());
        op.set_attribute(
            CHECK_ATTRIBUTE,
            StringAttribute::new(context, kind.name()).into(),
        );
    }
    Ok(())
}

/// The kind and short message of an upstream runtime-verification message, which reads
/// `ERROR: Runtime op verification failed\n^ <what>\nLocation: loc(...)`.
fn summarize(upstream: &str) -> (CheckKind, String) {
    let what = upstream
        .lines()
        .find_map(|line| line.strip_prefix("^ "))
        .unwrap_or(upstream)
        .trim()
        .to_string();
    let kind = if what.contains("out-of-bounds") || what.contains("out of bounds") {
        CheckKind::Bounds
    } else {
        CheckKind::Shape
    };
    (kind, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_messages_shrink_to_what_failed() {
        let upstream = "ERROR: Runtime op verification failed\n^ out-of-bounds access\nLocation: loc(\"a.mlir\":3:9)";
        assert_eq!(
            summarize(upstream),
            (CheckKind::Bounds, "out-of-bounds access".to_string())
        );
        let upstream = "ERROR: Runtime op verification failed\n^ size mismatch of dim 0\nLocation: loc(unknown)";
        assert_eq!(
            summarize(upstream),
            (CheckKind::Shape, "size mismatch of dim 0".to_string())
        );
    }
}
