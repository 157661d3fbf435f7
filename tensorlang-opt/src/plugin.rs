//! The TensorLang pass plugin: `mlir-opt --load-pass-plugin=libtensorlang_plugin.so` registers our
//! passes and the `tensorlang-to-llvm` pipeline. Pair it with `--irdl-file=` naming
//! `dialect/tensorlang.irdl.mlir` so the `tensorlang` ops parse.

use std::ffi::c_char;

/// `MLIR_PLUGIN_API_VERSION` of `mlir/Tools/Plugins/PassPlugin.h`.
const MLIR_PLUGIN_API_VERSION: u32 = 1;

/// `mlir::PassPluginLibraryInfo`, as `mlir-opt` reads it.
#[repr(C)]
pub struct PassPluginLibraryInfo {
    /// The plugin API version this plugin was built for.
    pub api_version: u32,
    /// The plugin's name.
    pub plugin_name: *const c_char,
    /// The plugin's version.
    pub plugin_version: *const c_char,
    /// Called once by `mlir-opt` to register the plugin's passes.
    pub register_pass_registry_callbacks: extern "C" fn(),
}

extern "C" fn register_passes() {
    tensorlang_passes::register_all();
    tensorlang::pass::register(&tensorlang_repair::pass::PASS);
    tensorlang::pass::register(&tensorlang_repair::prove_checks::PASS);
    tensorlang::pass::register(&tensorlang_variants::pass::PASS);
}

/// The entry point `mlir-opt --load-pass-plugin` looks up.
#[unsafe(no_mangle)]
pub extern "C" fn mlirGetPassPluginInfo() -> PassPluginLibraryInfo {
    PassPluginLibraryInfo {
        api_version: MLIR_PLUGIN_API_VERSION,
        plugin_name: c"TensorLang".as_ptr(),
        plugin_version: concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast(),
        register_pass_registry_callbacks: register_passes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    unsafe extern "C" {
        static tlLayoutPassPluginLibraryInfo: [usize; 6];
        static tlPluginApiVersion: usize;
    }

    #[test]
    fn the_rust_mirror_matches_upstreams_header() {
        // SAFETY: constants defined in native/plugin_layout.cpp, of the declared types.
        let (layout, version) = unsafe { (tlLayoutPassPluginLibraryInfo, tlPluginApiVersion) };
        assert_eq!(
            layout,
            [
                size_of::<PassPluginLibraryInfo>(),
                align_of::<PassPluginLibraryInfo>(),
                offset_of!(PassPluginLibraryInfo, api_version),
                offset_of!(PassPluginLibraryInfo, plugin_name),
                offset_of!(PassPluginLibraryInfo, plugin_version),
                offset_of!(PassPluginLibraryInfo, register_pass_registry_callbacks),
            ]
        );
        assert_eq!(version, MLIR_PLUGIN_API_VERSION as usize);
    }
}
