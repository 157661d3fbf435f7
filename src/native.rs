//! Declarations of the C++ shims in `native/` (see `native/tensorlang_native.h`).
//!
//! Only [`crate::pass`] and [`crate::opt_main`] use these; they wrap them safely.

use mlir_sys::{MlirContext, MlirDialectHandle, MlirModule, MlirOperation, MlirStringRef};
use std::ffi::{c_char, c_int, c_void};

/// `TlPassOption`.
#[repr(C)]
pub(crate) struct TlPassOption {
    pub name: *const c_char,
    pub description: *const c_char,
    pub default_value: *const c_char,
}

/// The pass body called by the C++ `RustPass`.
pub(crate) type TlPassRun =
    unsafe extern "C" fn(*const c_void, MlirOperation, *const MlirStringRef, *mut c_void) -> bool;

/// `TlPassDescriptor`.
#[repr(C)]
pub(crate) struct TlPassDescriptor {
    pub argument: *const c_char,
    pub name: *const c_char,
    pub summary: *const c_char,
    pub anchor: *const c_char,
    pub options: *const TlPassOption,
    pub num_options: usize,
    pub dependent_dialects: *const MlirDialectHandle,
    pub num_dependent_dialects: usize,
    pub run: TlPassRun,
    pub user_data: *const c_void,
}

/// `TlSeverity`.
#[repr(C)]
#[allow(dead_code)] // Rust builds every variant only through `crate::diagnostic`.
pub(crate) enum TlSeverity {
    Error = 0,
    Warning = 1,
    Remark = 2,
}

/// Adds dialects to the `mlir-opt` driver's registry before it runs: called with a
/// `mlir::DialectRegistry *` (upstream's test dialect, for one; see `tensorlang-opt`).
pub type RegistryHook = unsafe extern "C" fn(registry: *mut c_void);

unsafe extern "C" {
    pub(crate) fn tlEmitDiagnostic(
        location: mlir_sys::MlirLocation,
        severity: TlSeverity,
        message: *const c_char,
    );
    pub(crate) fn tlRegisterPass(descriptor: *const TlPassDescriptor);
    pub(crate) fn tlRunNestedPipeline(
        pass: *mut c_void,
        op: MlirOperation,
        pipeline: MlirStringRef,
    ) -> bool;
    pub(crate) fn tlRegisterPipeline(
        argument: *const c_char,
        summary: *const c_char,
        pipeline: *const c_char,
    );
    pub(crate) fn tlParseModule(
        context: MlirContext,
        source: MlirStringRef,
        filename: MlirStringRef,
    ) -> MlirModule;
    pub(crate) fn tlOptMain(
        argc: c_int,
        argv: *mut *mut c_char,
        extend_registry: Option<RegistryHook>,
    ) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    unsafe extern "C" {
        static tlLayoutPassOption: [usize; 5];
        static tlLayoutPassDescriptor: [usize; 12];
        static tlLayoutSeverity: [usize; 5];
    }

    #[test]
    fn the_rust_mirrors_match_the_header() {
        // SAFETY: constant arrays defined in native/layout.cpp, of the declared lengths.
        let (option, descriptor, severity) =
            unsafe { (tlLayoutPassOption, tlLayoutPassDescriptor, tlLayoutSeverity) };
        assert_eq!(
            option,
            [
                size_of::<TlPassOption>(),
                align_of::<TlPassOption>(),
                offset_of!(TlPassOption, name),
                offset_of!(TlPassOption, description),
                offset_of!(TlPassOption, default_value),
            ]
        );
        assert_eq!(
            descriptor,
            [
                size_of::<TlPassDescriptor>(),
                align_of::<TlPassDescriptor>(),
                offset_of!(TlPassDescriptor, argument),
                offset_of!(TlPassDescriptor, name),
                offset_of!(TlPassDescriptor, summary),
                offset_of!(TlPassDescriptor, anchor),
                offset_of!(TlPassDescriptor, options),
                offset_of!(TlPassDescriptor, num_options),
                offset_of!(TlPassDescriptor, dependent_dialects),
                offset_of!(TlPassDescriptor, num_dependent_dialects),
                offset_of!(TlPassDescriptor, run),
                offset_of!(TlPassDescriptor, user_data),
            ]
        );
        assert_eq!(
            severity,
            [
                size_of::<TlSeverity>(),
                align_of::<TlSeverity>(),
                TlSeverity::Error as usize,
                TlSeverity::Warning as usize,
                TlSeverity::Remark as usize,
            ]
        );
    }
}
