//! Hot-swap slots: the function pointer that every call of a replaceable function goes through.
//!
//! JIT code reaches a slot as an external global (`__tensorlang_slot.NAME`) bound to the address
//! of the slot's `AtomicPtr`; each call loads it with acquire ordering and calls the target, so a
//! swap (a release store) is seen by the next call on every thread, and a call in progress
//! finishes in the version it started in.

use std::sync::atomic::{AtomicPtr, Ordering};

/// The symbol JIT code uses for the slot of `function`.
pub fn slot_symbol(function: &str) -> String {
    format!("__tensorlang_slot.{function}")
}

/// The declaration that calls of replaceable `function` are redirected to before lowering, so
/// that interprocedural analyses (which would otherwise read the current body and fold its
/// results into callers) treat the call as opaque. The JIT routes it through the slot.
pub fn call_symbol(function: &str) -> String {
    format!("__tensorlang_call.{function}")
}

/// The function pointer of one replaceable function.
pub struct HotSwapSlot {
    function: String,
    // Boxed: JIT code holds its address, so it must never move.
    target: Box<AtomicPtr<u8>>,
}

impl HotSwapSlot {
    /// An empty slot for `function`.
    pub fn new(function: &str) -> Self {
        Self {
            function: function.into(),
            target: Box::new(AtomicPtr::new(std::ptr::null_mut())),
        }
    }

    /// The function this slot stands for.
    pub fn function(&self) -> &str {
        &self.function
    }

    /// Where the slot lives (what `__tensorlang_slot.NAME` is bound to).
    pub fn address(&self) -> usize {
        (&raw const *self.target) as usize
    }

    /// The current target.
    pub fn load(&self) -> usize {
        self.target.load(Ordering::Acquire) as usize
    }

    /// Points the slot at `target`; returns the previous target.
    pub fn swap(&self, target: usize) -> usize {
        self.target.swap(target as *mut u8, Ordering::AcqRel) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_stays_put_and_swaps_its_target() {
        let slot = HotSwapSlot::new("f");
        let address = slot.address();
        assert_eq!(slot.swap(0x1000), 0);
        assert_eq!(slot.swap(0x2000), 0x1000);
        assert_eq!(slot.load(), 0x2000);
        let moved = slot;
        assert_eq!(moved.address(), address);
        assert_eq!(slot_symbol("f"), "__tensorlang_slot.f");
    }
}
