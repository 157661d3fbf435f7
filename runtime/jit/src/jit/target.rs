//! The host target machine: LLVM's optimization pipeline and object code emission (safe
//! wrappers over the `llvm-sys` target API).

use super::JitError;
use super::llvm_ir::LlvmModule;
use super::orc::check;
use llvm_sys::core::{
    LLVMDisposeMemoryBuffer, LLVMGetBufferSize, LLVMGetBufferStart, LLVMSetTarget,
};
use llvm_sys::target::*;
use llvm_sys::target_machine::*;
use llvm_sys::transforms::pass_builder::*;
use std::ffi::{CStr, CString};
use std::sync::Once;

/// An LLVM target machine for this host (its CPU and features), as the JIT compiles for.
pub(crate) struct TargetMachine {
    raw: LLVMTargetMachineRef,
    triple: CString,
    /// CPU name and features: object code depends on them, so the cache key includes them.
    pub(crate) description: String,
}

// SAFETY: a target machine is only read while compiling; we never mutate it after creation.
unsafe impl Send for TargetMachine {}
// SAFETY: as above.
unsafe impl Sync for TargetMachine {}

/// Registers the host target with LLVM, once per process; the JIT needs it before it starts.
pub(crate) fn initialize_native_target() {
    static ONCE: Once = Once::new();
    // SAFETY: LLVM's target registration, done once per process.
    ONCE.call_once(|| unsafe {
        LLVM_InitializeNativeTarget();
        LLVM_InitializeNativeAsmPrinter();
        LLVM_InitializeNativeAsmParser();
    });
}

/// The widest vector register this host has, in bits, from LLVM's host CPU features (`+avx512f`:
/// 512, `+avx`: 256, else 128): what code meant to be fast sizes its vectors by, never a
/// width assumed at build time.
pub fn host_vector_bits() -> usize {
    // SAFETY: an LLVM-allocated string, read and disposed by `take_message`.
    let features = take_message(unsafe { LLVMGetHostCPUFeatures() });
    let has = |feature: &str| features.split(',').any(|f| f == feature);
    if has("+avx512f") {
        512
    } else if has("+avx") {
        256
    } else {
        128
    }
}

fn take_message(raw: *mut std::ffi::c_char) -> String {
    // SAFETY: an LLVM-allocated message, disposed here.
    unsafe {
        let text = CStr::from_ptr(raw).to_string_lossy().into_owned();
        llvm_sys::core::LLVMDisposeMessage(raw);
        text
    }
}

impl TargetMachine {
    /// A target machine for `triple` with the host's CPU and features, generating code at
    /// `codegen_level` (0-3).
    pub(crate) fn host(triple: &str, codegen_level: u8) -> Result<Self, JitError> {
        initialize_native_target();
        let triple = CString::new(triple).map_err(|_| JitError::BadName(triple.into()))?;
        let level = match codegen_level {
            0 => LLVMCodeGenOptLevel::LLVMCodeGenLevelNone,
            1 => LLVMCodeGenOptLevel::LLVMCodeGenLevelLess,
            2 => LLVMCodeGenOptLevel::LLVMCodeGenLevelDefault,
            _ => LLVMCodeGenOptLevel::LLVMCodeGenLevelAggressive,
        };
        // SAFETY: the strings are live for the calls; LLVM copies them.
        unsafe {
            let mut target = std::ptr::null_mut();
            let mut error = std::ptr::null_mut();
            if LLVMGetTargetFromTriple(triple.as_ptr(), &mut target, &mut error) != 0 {
                return Err(JitError::Llvm(take_message(error)));
            }
            let cpu = LLVMGetHostCPUName();
            let features = LLVMGetHostCPUFeatures();
            let raw = LLVMCreateTargetMachine(
                target,
                triple.as_ptr(),
                cpu,
                features,
                level,
                LLVMRelocMode::LLVMRelocPIC,
                LLVMCodeModel::LLVMCodeModelSmall,
            );
            let description = format!(
                "{} {} {} O{codegen_level}",
                triple.to_string_lossy(),
                take_message(cpu),
                take_message(features)
            );
            Ok(Self {
                raw,
                triple,
                description,
            })
        }
    }

    /// Sets the module's triple and data layout to this machine's.
    fn adopt(&self, module: &LlvmModule) {
        // SAFETY: both are live; LLVM copies the layout.
        unsafe {
            LLVMSetTarget(module.raw(), self.triple.as_ptr());
            let layout = LLVMCreateTargetDataLayout(self.raw);
            LLVMSetModuleDataLayout(module.raw(), layout);
            LLVMDisposeTargetData(layout);
        }
    }

    /// Runs LLVM's `default<O{level}>` pipeline on the module.
    pub(crate) fn optimize(&self, module: &LlvmModule, level: u8) -> Result<(), JitError> {
        self.adopt(module);
        let pipeline = CString::new(format!("default<O{level}>")).expect("no NUL");
        // SAFETY: module and machine are live; the options are disposed after the run.
        unsafe {
            let options = LLVMCreatePassBuilderOptions();
            let error = LLVMRunPasses(module.raw(), pipeline.as_ptr(), self.raw, options);
            LLVMDisposePassBuilderOptions(options);
            check(error, "LLVM optimization failed")
        }
    }

    /// Compiles the module to a relocatable object file.
    pub(crate) fn emit_object(&self, module: &LlvmModule) -> Result<Vec<u8>, JitError> {
        self.adopt(module);
        // SAFETY: module and machine are live; the buffer is copied out and disposed.
        unsafe {
            let mut error = std::ptr::null_mut();
            let mut buffer = std::ptr::null_mut();
            if LLVMTargetMachineEmitToMemoryBuffer(
                self.raw,
                module.raw(),
                LLVMCodeGenFileType::LLVMObjectFile,
                &mut error,
                &mut buffer,
            ) != 0
            {
                return Err(JitError::Llvm(take_message(error)));
            }
            let bytes = std::slice::from_raw_parts(
                LLVMGetBufferStart(buffer).cast::<u8>(),
                LLVMGetBufferSize(buffer),
            )
            .to_vec();
            LLVMDisposeMemoryBuffer(buffer);
            Ok(bytes)
        }
    }
}

impl Drop for TargetMachine {
    fn drop(&mut self) {
        // SAFETY: we own the machine.
        unsafe { LLVMDisposeTargetMachine(self.raw) }
    }
}
