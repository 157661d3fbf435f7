//! Replacing a function of a running program from new source: the cache is asked first (by a
//! hash of the source), and only on a miss is the source parsed, lowered and compiled.

use crate::jit::{Jit, JitError, LoadReport};
use crate::program::{Program, ProgramError};

/// Why a function could not be replaced.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    /// The new source did not parse or lower.
    #[error("{0}")]
    Program(#[from] ProgramError),
    /// It did not compile or link, or the function is not replaceable.
    #[error("{0}")]
    Jit(#[from] JitError),
    /// The MLIR context for compiling it could not be created.
    #[error("{0}")]
    Context(#[from] tensorlang::Error),
}

/// Compiles `function` from `source` (a whole module, named `filename` in locations) and swaps
/// it into its slot. Calls already running finish in the old version; the next call of the
/// function, on any thread, runs the new one.
pub fn replace_function(
    jit: &Jit,
    function: &str,
    source: &str,
    filename: &str,
) -> Result<LoadReport, SwapError> {
    let key = jit.version_key(function, source);
    if let Some(report) = jit.swap_cached(function, key)? {
        return Ok(report);
    }
    let context = crate::create_context()?;
    let mut program = Program::parse(&context, source, filename, true)?;
    program.add_replaceable(&jit.replaceable());
    program.lower(&context)?;
    Ok(jit.swap_compiled(function, key, program.module().as_operation())?)
}
