//! The `tensorlang` dialect: its IRDL definition and how a context loads it.

use crate::Error;
use melior::Context;
use melior::ir::Module;
use std::path::PathBuf;

/// The IRDL source of the dialect, as shipped in `dialect/tensorlang.irdl.mlir`.
pub const DEFINITION: &str = include_str!("../dialect/tensorlang.irdl.mlir");

/// Environment variable that points the tools at another copy of the IRDL file.
pub const DEFINITION_PATH_VAR: &str = "TENSORLANG_IRDL_FILE";

/// Where the IRDL file is: `$TENSORLANG_IRDL_FILE`, else the file in this source tree.
///
/// `tensorlang-opt` passes this path to `MlirOptMain`'s `--irdl-file`, which reads it from disk.
pub fn definition_path() -> PathBuf {
    std::env::var_os(DEFINITION_PATH_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/dialect/tensorlang.irdl.mlir"
            ))
        })
}

/// Registers the `tensorlang` dialect in `context`.
pub fn load(context: &Context) -> Result<(), Error> {
    let module = Module::parse(context, DEFINITION)
        .ok_or_else(|| Error::Dialect("the IRDL definition does not parse".into()))?;
    if melior::utility::load_irdl_dialects(&module) {
        Ok(())
    } else {
        Err(Error::Dialect("IRDL rejected the definition".into()))
    }
}

/// The name of the dialect, as ops are prefixed with it.
pub const NAMESPACE: &str = "tensorlang";

/// Whether `op_name` (e.g. `tensorlang.add`) belongs to the dialect.
pub fn is_tensorlang_op(op_name: &str) -> bool {
    op_name
        .strip_prefix(NAMESPACE)
        .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_path_points_at_the_shipped_file() {
        let on_disk = std::fs::read_to_string(definition_path()).expect("the IRDL file exists");
        assert_eq!(on_disk, DEFINITION);
    }

    #[test]
    fn recognises_dialect_ops() {
        assert!(is_tensorlang_op("tensorlang.matmul"));
        assert!(!is_tensorlang_op("tensorlangx.matmul"));
        assert!(!is_tensorlang_op("linalg.matmul"));
    }
}
