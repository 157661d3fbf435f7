//! TensorLang's runtime: the ORC JIT behind hot-swap slots, the crash guard, failure reports, the
//! model runners, the repair engine and self-healing.
//!
//! It holds nothing yet: the runner issue (#4) brings the JIT, slots and guard, with the `llvm-sys`
//! dependency they need. The crate exists now so the workspace has the shape of the design card.
