//! TensorLang's JIT: the ORC JIT behind hot-swap slots ([`jit`]), the crash guard ([`guard`]),
//! failures from traps ([`failure`]) and the programs it runs ([`program`]).
//!
//! The data flows one way: [`program::Program`] (parse, lower) → [`jit::Jit`] (compile or load
//! from the object cache, link, slots) → guarded calls → `Ok` or a [`failure::Failure`];
//! [`swap::replace_function`] puts a new version of a function behind its slot while it runs.

pub mod failure;
pub mod guard;
pub mod jit;
pub mod program;
pub mod swap;

pub use failure::{Failure, FailureReport};
pub use guard::Trap;
pub use jit::{
    CallCounts, EntryResult, EntryValue, HotSwapSlot, Jit, JitError, JitOptions, ObjectCache,
    ObjectKey,
};
pub use program::{Program, ProgramError};
pub use swap::{SwapError, replace_function};

pub use tensorlang::neurojit_dir;

/// Creates an MLIR context for the runtime: TensorLang's (every dialect, ours loaded) plus the
/// translations to LLVM IR.
pub fn create_context() -> Result<melior::Context, tensorlang::Error> {
    let context = tensorlang::create_context()?;
    jit::register_translations(&context);
    Ok(context)
}
