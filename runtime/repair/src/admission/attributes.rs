//! Attributes that promise the compiler something: a candidate may make no promise the original
//! does not make.
//!
//! Attributes reach LLVM as facts it optimizes on, and no check verifies them: `passthrough =
//! ["noreturn"]` on the function, `llvm.noalias` or `llvm.dereferenceable` on an argument, or
//! `fastmath<nnan>` on an add (which lets LLVM fold away the very NaN check that would catch
//! the candidate). So:
//!
//! - **the function's attributes** (all but `sym_name` and `function_type`, which the signature
//!   rule covers: `arg_attrs`, `res_attrs`, `sym_visibility`, `passthrough`, `llvm.linkage`,
//!   `llvm.emit_c_interface`, ...) must be the original's: none added, none changed; one the
//!   original has may be left out, which promises nothing ([`function_attributes`]);
//! - **an op's discardable attributes** (`{llvm.foo}`, `{tensorlang.bar}`: a dialect's, which
//!   its passes and translation read) must be ones the original's ops carry too;
//! - **an op's promising flags**: `fastmath<...>` other than `none`, `overflow<nsw|nuw>`,
//!   `exact` and `nneg` make a result poison when the promise is false, so a candidate may use
//!   only those (with their values) the original uses ([`promises`]).
//!
//! `nontemporal` on a load or store is allowed: a cache hint, it changes no value. The `ub` and
//! `llvm` dialects (`ub.poison`, `ub.unreachable`, `llvm.intr.assume`) are not allowed dialects
//! at all; `memref.assume_alignment`, the one promise an allowed dialect makes, is checked at
//! run time ([`super::memory`]).

use std::collections::{BTreeMap, BTreeSet};

use melior::ir::OperationRef;
use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};

/// The function's attributes the signature rule covers.
const SIGNATURE: &[&str] = &["sym_name", "function_type"];

/// Inherent attributes that promise something, and the value that promises nothing.
const FLAGS: &[(&str, Option<&str>)] = &[
    ("fastmath", Some("#arith.fastmath<none>")),
    ("overflowFlags", Some("#arith.overflow<none>")),
    ("isExact", None),
    ("nonNeg", None),
];

/// `function`'s attributes but its name and type, each as printed.
pub(super) fn function_attributes(function: &OperationRef) -> BTreeMap<String, String> {
    function
        .attributes()
        .filter_map(|(name, value)| {
            let name = name.as_string_ref().as_str().ok()?.to_owned();
            (!SIGNATURE.contains(&name.as_str())).then(|| (name, value.to_string()))
        })
        .collect()
}

/// The promises of the ops in `function`'s body: each discardable attribute by name, and each
/// promising flag as `name = value`; each with the first op that makes it.
pub(super) fn promises<'c, 'a>(
    function: &OperationRef<'c, 'a>,
) -> BTreeMap<String, OperationRef<'c, 'a>> {
    let mut found = BTreeMap::new();
    function.walk(WalkOrder::PreOrder, |op| {
        if op.to_raw().ptr == function.to_raw().ptr {
            return WalkResult::Advance;
        }
        let mut made = BTreeSet::new();
        for index in 0..op.discardable_attribute_count() {
            if let Ok((name, _)) = op.discardable_attribute_at(index)
                && let Ok(name) = name.as_string_ref().as_str()
            {
                made.insert(name.to_owned());
            }
        }
        for (flag, none) in FLAGS {
            if let Ok(value) = op.attribute(flag) {
                let value = value.to_string();
                if Some(value.as_str()) != *none {
                    made.insert(format!("{flag} = {value}"));
                }
            }
        }
        for promise in made {
            // SAFETY: an op of `function`, which outlives the result.
            found
                .entry(promise)
                .or_insert_with(|| unsafe { OperationRef::from_raw(op.to_raw()) });
        }
        WalkResult::Advance
    });
    found
}
