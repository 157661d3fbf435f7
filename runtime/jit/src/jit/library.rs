//! Shared libraries given with `-shared-libs`: MLIR runtime libraries that export an
//! `__mlir_execution_engine_init` hand their symbols over through it (and are shut down through
//! `__mlir_execution_engine_destroy`); any other library is searched by name.

use super::JitError;
use super::orc::{OrcJit, runtime_library_symbols};
use std::ffi::{CStr, CString, c_void};
use std::path::{Path, PathBuf};

/// The loaded libraries' shutdown hooks.
#[derive(Default)]
pub(crate) struct RuntimeLibraries {
    destroy: std::sync::Mutex<Vec<usize>>,
}

fn library_error(path: &Path, reason: impl Into<String>) -> JitError {
    JitError::Library {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// `dlopen`s `path` for the life of the process.
fn open(path: &Path) -> Result<*mut c_void, JitError> {
    if !path.exists() {
        return Err(library_error(path, "no such file"));
    }
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| library_error(path, "the path holds a NUL byte"))?;
    // SAFETY: a valid C string; the handle is never closed (JIT code may call into it any time).
    let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if handle.is_null() {
        // SAFETY: dlerror returns the last error as a C string (or null).
        let reason = unsafe { libc::dlerror() };
        let reason = if reason.is_null() {
            "dlopen failed".to_string()
        } else {
            // SAFETY: non-null, NUL-terminated, valid until the next dl call.
            unsafe { CStr::from_ptr(reason) }
                .to_string_lossy()
                .into_owned()
        };
        return Err(library_error(path, reason));
    }
    Ok(handle)
}

fn symbol(handle: *mut c_void, name: &CStr) -> Option<*mut c_void> {
    // SAFETY: a live handle from dlopen and a C string.
    let address = unsafe { libc::dlsym(handle, name.as_ptr()) };
    (!address.is_null()).then_some(address)
}

impl RuntimeLibraries {
    /// Loads each library and makes its symbols visible to JIT code.
    pub(crate) fn load(jit: &OrcJit, paths: &[PathBuf]) -> Result<Self, JitError> {
        let libraries = Self::default();
        for path in paths {
            let handle = open(path)?;
            match symbol(handle, c"__mlir_execution_engine_init") {
                Some(init) => {
                    // SAFETY: MLIR runtime libraries export init with this exact signature.
                    let symbols = unsafe { runtime_library_symbols(init) };
                    let symbols: Vec<(&str, usize)> =
                        symbols.iter().map(|(n, a)| (n.as_str(), *a)).collect();
                    jit.define_absolute(&symbols)?;
                    if let Some(destroy) = symbol(handle, c"__mlir_execution_engine_destroy") {
                        libraries
                            .destroy
                            .lock()
                            .expect("lock")
                            .push(destroy as usize);
                    }
                }
                None => {
                    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
                        .map_err(|_| library_error(path, "the path holds a NUL byte"))?;
                    jit.add_library(&c_path)?;
                }
            }
        }
        Ok(libraries)
    }

    /// Runs each library's shutdown hook once.
    pub(crate) fn destroy(&self) {
        for destroy in std::mem::take(&mut *self.destroy.lock().expect("lock")) {
            // SAFETY: `__mlir_execution_engine_destroy` takes no arguments.
            unsafe { std::mem::transmute::<usize, extern "C" fn()>(destroy)() }
        }
    }
}
