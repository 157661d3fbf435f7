//! Safe wrappers over LLVM's ORC LLJIT C API (and the runtime-library helper in
//! `native/llvm_shims.cpp`): the only place the JIT's raw handles are touched.

use super::JitError;
use llvm_sys::error::{LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::*;
use llvm_sys::orc2::*;
use std::ffi::{CStr, CString, c_char, c_void};

unsafe extern "C" {
    fn tlRuntimeLibraryInit(
        init_function: *mut c_void,
        sink: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut c_void),
        user: *mut c_void,
    );
}

/// Turns an `LLVMErrorRef` into a `Result`, consuming the error.
pub(crate) fn check(error: LLVMErrorRef, what: &str) -> Result<(), JitError> {
    if error.is_null() {
        return Ok(());
    }
    // SAFETY: `error` is a live error we own; the message is consumed and disposed here.
    let message = unsafe {
        let raw = LLVMGetErrorMessage(error);
        let text = CStr::from_ptr(raw).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(raw);
        text
    };
    Err(JitError::Llvm(format!("{what}: {message}")))
}

/// An LLJIT instance for the host, whose main JITDylib resolves names against the process.
pub(crate) struct OrcJit {
    raw: LLVMOrcLLJITRef,
}

// SAFETY: LLJIT is thread-safe: its session serializes definitions and lookups.
unsafe impl Send for OrcJit {}
// SAFETY: as above.
unsafe impl Sync for OrcJit {}

impl OrcJit {
    /// Creates a JIT for the host whose unresolved names fall back to the process's symbols.
    pub(crate) fn new() -> Result<Self, JitError> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: a null builder asks for the defaults (host target); `raw` receives the JIT.
        let error = unsafe { LLVMOrcCreateLLJIT(&mut raw, std::ptr::null_mut()) };
        check(error, "cannot create the JIT")?;
        let jit = Self { raw };
        let mut generator = std::ptr::null_mut();
        // SAFETY: the JIT is live; the generator is handed over to its main JITDylib.
        unsafe {
            check(
                LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                    &mut generator,
                    LLVMOrcLLJITGetGlobalPrefix(jit.raw),
                    None,
                    std::ptr::null_mut(),
                ),
                "cannot search the process's symbols",
            )?;
            LLVMOrcJITDylibAddGenerator(jit.main_dylib(), generator);
        }
        Ok(jit)
    }

    fn main_dylib(&self) -> LLVMOrcJITDylibRef {
        // SAFETY: the JIT is live for as long as `self`.
        unsafe { LLVMOrcLLJITGetMainJITDylib(self.raw) }
    }

    /// The target triple the JIT compiles for.
    pub(crate) fn triple(&self) -> String {
        // SAFETY: the JIT owns the string and outlives this call.
        unsafe { CStr::from_ptr(LLVMOrcLLJITGetTripleString(self.raw)) }
            .to_string_lossy()
            .into_owned()
    }

    /// Defines `name` as the absolute address `address` in the main JITDylib.
    pub(crate) fn define_absolute(&self, symbols: &[(&str, usize)]) -> Result<(), JitError> {
        let mut pairs = Vec::with_capacity(symbols.len());
        for (name, address) in symbols {
            let name = CString::new(*name).map_err(|_| JitError::BadName(name.to_string()))?;
            pairs.push(LLVMOrcCSymbolMapPair {
                // SAFETY: the JIT is live; interning returns an owned pool entry.
                Name: unsafe { LLVMOrcLLJITMangleAndIntern(self.raw, name.as_ptr()) },
                Sym: LLVMJITEvaluatedSymbol {
                    Address: *address as u64,
                    Flags: LLVMJITSymbolFlags {
                        GenericFlags: LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsExported
                            as u8
                            | LLVMJITSymbolGenericFlags::LLVMJITSymbolGenericFlagsCallable as u8,
                        TargetFlags: 0,
                    },
                },
            });
        }
        // SAFETY: the pairs are valid; the materialization unit takes over the pool entries and
        // `JITDylibDefine` takes over the unit (also on error).
        unsafe {
            let unit = LLVMOrcAbsoluteSymbols(pairs.as_mut_ptr(), pairs.len());
            check(
                LLVMOrcJITDylibDefine(self.main_dylib(), unit),
                "cannot define host symbols",
            )
        }
    }

    /// Makes the exported symbols of the shared library at `path` visible to JIT code.
    pub(crate) fn add_library(&self, path: &CStr) -> Result<(), JitError> {
        let mut generator = std::ptr::null_mut();
        // SAFETY: the JIT is live; the generator is handed over to its main JITDylib.
        unsafe {
            check(
                LLVMOrcCreateDynamicLibrarySearchGeneratorForPath(
                    &mut generator,
                    path.as_ptr(),
                    LLVMOrcLLJITGetGlobalPrefix(self.raw),
                    None,
                    std::ptr::null_mut(),
                ),
                &format!("cannot load shared library '{}'", path.to_string_lossy()),
            )?;
            LLVMOrcJITDylibAddGenerator(self.main_dylib(), generator);
        }
        Ok(())
    }

    /// A new resource tracker: code added through it can be removed as a unit.
    pub(crate) fn create_tracker(&self) -> ResourceTracker {
        // SAFETY: the JIT is live; the tracker is released by its Drop.
        let raw = unsafe { LLVMOrcJITDylibCreateResourceTracker(self.main_dylib()) };
        ResourceTracker { raw }
    }

    /// Adds an object file (copied) to the main JITDylib under `tracker`.
    pub(crate) fn add_object(
        &self,
        tracker: &ResourceTracker,
        object: &[u8],
    ) -> Result<(), JitError> {
        // SAFETY: the bytes are copied into a buffer that the JIT takes over.
        unsafe {
            let buffer = llvm_sys::core::LLVMCreateMemoryBufferWithMemoryRangeCopy(
                object.as_ptr().cast(),
                object.len(),
                c"tensorlang-object".as_ptr(),
            );
            check(
                LLVMOrcLLJITAddObjectFileWithRT(self.raw, tracker.raw, buffer),
                "cannot add object code to the JIT",
            )
        }
    }

    /// The address of `name`, compiling and linking what it needs first.
    pub(crate) fn lookup(&self, name: &str) -> Result<usize, JitError> {
        let c_name = CString::new(name).map_err(|_| JitError::BadName(name.into()))?;
        let mut address = 0;
        // SAFETY: the JIT is live; `address` receives the result.
        let error = unsafe { LLVMOrcLLJITLookup(self.raw, &mut address, c_name.as_ptr()) };
        check(error, &format!("cannot find '{name}'"))?;
        Ok(address as usize)
    }
}

impl Drop for OrcJit {
    fn drop(&mut self) {
        // SAFETY: we own the JIT; nothing uses it after this. An error here has nowhere to go.
        let _ = check(
            unsafe { LLVMOrcDisposeLLJIT(self.raw) },
            "disposing the JIT",
        );
    }
}

/// Code added to the JIT as one unit, removable with [`ResourceTracker::remove`].
pub(crate) struct ResourceTracker {
    raw: LLVMOrcResourceTrackerRef,
}

// SAFETY: trackers are used under the JIT's own locking.
unsafe impl Send for ResourceTracker {}
// SAFETY: as above.
unsafe impl Sync for ResourceTracker {}

impl ResourceTracker {
    /// Frees the code added under this tracker; nothing may still run it.
    pub(crate) fn remove(self) -> Result<(), JitError> {
        // SAFETY: the tracker is live; Drop releases it afterwards.
        check(
            unsafe { LLVMOrcResourceTrackerRemove(self.raw) },
            "cannot remove retired code",
        )
    }
}

impl Drop for ResourceTracker {
    fn drop(&mut self) {
        // SAFETY: we own this reference to the tracker (the code stays unless removed).
        unsafe { LLVMOrcReleaseResourceTracker(self.raw) }
    }
}

/// Calls a runtime library's `__mlir_execution_engine_init` and returns the symbols it exports.
///
/// # Safety
///
/// `init_function` must be the address of a function with the signature
/// `void (llvm::StringMap<void *> &)`, as MLIR runtime libraries export it.
pub(crate) unsafe fn runtime_library_symbols(init_function: *mut c_void) -> Vec<(String, usize)> {
    unsafe extern "C" fn sink(
        user: *mut c_void,
        name: *const c_char,
        len: usize,
        addr: *mut c_void,
    ) {
        // SAFETY: `user` is the Vec below; `name` points at `len` bytes owned by the StringMap.
        unsafe {
            let symbols = &mut *user.cast::<Vec<(String, usize)>>();
            let bytes = std::slice::from_raw_parts(name.cast::<u8>(), len);
            symbols.push((String::from_utf8_lossy(bytes).into_owned(), addr as usize));
        }
    }
    let mut symbols: Vec<(String, usize)> = Vec::new();
    // SAFETY: the caller guarantees the signature; `sink` only runs during this call.
    unsafe { tlRuntimeLibraryInit(init_function, sink, (&raw mut symbols).cast()) };
    symbols
}
