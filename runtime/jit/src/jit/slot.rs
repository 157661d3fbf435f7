//! Hot-swap slots: the function pointer that every call of a replaceable function goes through.
//!
//! JIT code reaches a slot as an external global (`__tensorlang_slot.NAME`) bound to the address
//! of the slot's `AtomicPtr`; each call loads it with acquire ordering and calls the target, so a
//! swap (a release store) is seen by the next call on every thread, and a call in progress
//! finishes in the version it started in.
//!
//! A JIT made with [`JitOptions::profile_calls`](super::JitOptions::profile_calls) also counts
//! and times every call through a slot in the slot's [`CallProfile`] (external global
//! `__tensorlang_profile.NAME`): a few atomic adds and two reads of the CPU's cycle counter per
//! call, so that `--optimize` can tell where the time goes without slowing the program down.

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

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

/// The symbol JIT code uses for the profile record of `function`.
pub fn profile_symbol(function: &str) -> String {
    format!("__tensorlang_profile.{function}")
}

/// Counters of the calls through one slot, updated by JIT code at the call sites. The layout is
/// what the instrumentation in `llvm_ir.rs` writes to: three `u64`s at offsets 0, 8 and 16.
#[repr(C)]
#[derive(Default)]
pub struct CallProfile {
    calls: AtomicU64,
    cycles: AtomicU64,
    in_flight: AtomicU64,
}

/// A reading of a [`CallProfile`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls that returned.
    pub calls: u64,
    /// Cycle-counter ticks spent in them (0 where the JIT does not time calls).
    pub cycles: u64,
    /// Calls under way now (entered, not yet returned; a call cut short by a trap stays counted).
    pub in_flight: u64,
}

/// The function pointer of one replaceable function.
pub struct HotSwapSlot {
    function: String,
    // Boxed: JIT code holds their addresses, so they must never move.
    target: Box<AtomicPtr<u8>>,
    profile: Box<CallProfile>,
}

impl HotSwapSlot {
    /// An empty slot for `function`.
    pub fn new(function: &str) -> Self {
        Self {
            function: function.into(),
            target: Box::new(AtomicPtr::new(std::ptr::null_mut())),
            profile: Box::default(),
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

    /// Where the profile record lives (what `__tensorlang_profile.NAME` is bound to).
    pub fn profile_address(&self) -> usize {
        (&raw const *self.profile) as usize
    }

    /// The calls through this slot so far (all zero unless the JIT profiles calls).
    pub fn counts(&self) -> CallCounts {
        CallCounts {
            calls: self.profile.calls.load(Ordering::Relaxed),
            cycles: self.profile.cycles.load(Ordering::Relaxed),
            in_flight: self.profile.in_flight.load(Ordering::Relaxed),
        }
    }

    /// Points the slot at `new` if it points at `current`; whether it did.
    pub fn replace_if(&self, current: usize, new: usize) -> bool {
        self.target
            .compare_exchange(
                current as *mut u8,
                new as *mut u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
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
        assert!(moved.replace_if(0x2000, 0x3000));
        assert!(!moved.replace_if(0x2000, 0x4000));
        assert_eq!(moved.load(), 0x3000);
    }

    #[test]
    fn the_profile_record_has_the_layout_the_call_sites_write_to() {
        assert_eq!(std::mem::size_of::<CallProfile>(), 24);
        assert_eq!(std::mem::offset_of!(CallProfile, calls), 0);
        assert_eq!(std::mem::offset_of!(CallProfile, cycles), 8);
        assert_eq!(std::mem::offset_of!(CallProfile, in_flight), 16);
        assert_eq!(HotSwapSlot::new("f").counts(), CallCounts::default());
    }
}
