//! The `mlir-opt` driver: upstream's `MlirOptMain` with every upstream dialect and pass, plus
//! whatever [`crate::pass`] registered, and the `tensorlang` dialect loaded by default.

use crate::dialect;
use std::ffi::{CString, c_char};

pub use crate::native::RegistryHook;

/// Runs `mlir-opt` on `args` (program name first) and returns its exit code.
///
/// Unless the arguments name an `--irdl-file`, the `tensorlang` dialect definition is added, so
/// TensorLang input parses without flags. Register passes before calling this.
pub fn run(args: impl IntoIterator<Item = String>) -> i32 {
    run_with(args, None)
}

/// [`run`], with `extend_registry` called on the driver's dialect registry first.
pub fn run_with(
    args: impl IntoIterator<Item = String>,
    extend_registry: Option<RegistryHook>,
) -> i32 {
    let mut args: Vec<String> = args.into_iter().collect();
    if !args
        .iter()
        .any(|arg| arg.trim_start_matches('-').starts_with("irdl-file"))
    {
        args.insert(
            1.min(args.len()),
            format!("--irdl-file={}", dialect::definition_path().display()),
        );
    }
    // Arguments come from the OS as C strings, so they hold no interior NUL.
    let owned: Vec<CString> = args
        .into_iter()
        .map(|arg| CString::new(arg).unwrap_or_default())
        .collect();
    let mut argv: Vec<*mut c_char> = owned.iter().map(|arg| arg.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    // SAFETY: argv is a NULL-terminated array of NUL-terminated strings that outlive the call;
    // MlirOptMain does not keep them after returning. The hook, if any, takes the registry.
    unsafe { crate::native::tlOptMain(owned.len() as i32, argv.as_mut_ptr(), extend_registry) }
}
