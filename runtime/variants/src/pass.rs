//! `--neuro-optimize`: the `--optimize` search, offline. Each function that is one static
//! `linalg.matmul` of its memref arguments is timed against the variants of the sweep on this
//! machine, through `tensorlang-run --optimize --optimize-first` (which checks each variant
//! against the original before timing it, and remembers the winner in the strategy cache); the
//! winner's transform script is then applied here and the function replaced by its result:
//! tiled, vectorized, on memrefs, its row blocks an `scf.parallel` when threads won (a standard
//! pipeline runs it sequentially; `async-parallel-for` runs it on threads).
//!
//! ```mlir
//! // before
//! func.func @mm(%a: memref<512x512xf32>, %b: memref<512x512xf32>, %c: memref<512x512xf32>) {
//!   linalg.matmul ins(%a, %b : ...) outs(%c : ...)
//!   return
//! }
//! // after (remark: neuro-optimize: 'mm' (512x512x512): variant t2-c128x512x64-r4x32 ...)
//! func.func @mm(...) attributes {tensorlang.variant = "t2-c128x512x64-r4x32"} {
//!   ... scf.parallel ... scf.for ... vector.fma ... (the original linalg.matmul where C
//!   overlaps A or B)
//! }
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use melior::ir::OperationRef;
use melior::ir::attribute::StringAttribute;
use melior::ir::operation::{OperationLike, OperationMutLike};
use melior::{Context, IrRewriter};
use serde::Deserialize;
use tensorlang::ir::{find_symbol, top_level_ops};
use tensorlang::{PassDefinition, PassFailure, PassInvocation, PassOption};

use crate::target::{self, MatmulTarget};
use crate::variant::{self, VariantParameters};

/// The pass definition, registered as `neuro-optimize`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"neuro-optimize",
    name: c"NeuroOptimize",
    summary: c"Replace each matmul function with the fastest variant, checked against the original and timed on this machine (through tensorlang-run --optimize)",
    anchor: Some(c"builtin.module"),
    options: &[
        PassOption {
            name: c"runner",
            description: c"The tensorlang-run that times the variants (default: TENSORLANG_RUN, else beside tensorlang-opt, else PATH)",
            default: c"",
        },
    ],
    dependent_dialects: &[],
    run,
};

/// The entry point added to the module that is timed: it does nothing, the search runs first.
const ENTRY: &str = "__tensorlang_neuro_optimize";

/// What the pass reads of `tensorlang-run --optimize-report`.
#[derive(Debug, Deserialize)]
struct Searched {
    function: String,
    before_ms: f64,
    after_ms: Option<f64>,
    after_gflops: Option<f64>,
    variant: Option<String>,
    checked_on: Option<String>,
    #[serde(default)]
    tried: Vec<(String, Result<f64, String>)>,
}

fn run(
    context: &Context,
    root: OperationRef,
    invocation: &PassInvocation,
) -> Result<(), PassFailure> {
    let fail = |message: String| {
        tensorlang::emit_error(root.location(), &format!("neuro-optimize: {message}"));
        PassFailure
    };
    let targets: Vec<MatmulTarget> = target::find_in(root, "")
        .into_iter()
        .filter(MatmulTarget::has_shape)
        .collect();
    if targets.is_empty() {
        tensorlang::emit_remark(
            root.location(),
            "neuro-optimize: no function to optimize (one static linalg.matmul of memref arguments, optionally after a linalg.fill of its output)",
        );
        return Ok(());
    }
    let runner = match invocation.option("runner").filter(|r| !r.is_empty()) {
        Some(runner) => PathBuf::from(runner),
        None => tensorlang::runner_path(),
    };
    let searched = search(root, &targets, &runner).map_err(&fail)?;
    for target in &targets {
        let Some(found) = searched.iter().find(|s| s.function == target.function) else {
            continue;
        };
        let Some(function) = find_symbol(top_level_ops(root), &target.function) else {
            continue;
        };
        let location = function.location();
        match &found.variant {
            Some(name) => {
                replace_with_variant(context, root, target, name).map_err(&fail)?;
                tensorlang::emit_remark(location, &replaced_remark(target, name, found));
            }
            None => tensorlang::emit_remark(
                location,
                &format!(
                    "neuro-optimize: '{}' ({}) is unchanged: no variant passed and beat it by 10% ({})",
                    target.function,
                    target.shape(),
                    turned_away(found)
                ),
            ),
        }
    }
    Ok(())
}

/// Runs the search: the target functions (they call nothing) and an empty entry point, through
/// `runner --optimize --optimize-first`; its report.
fn search(
    root: OperationRef,
    targets: &[MatmulTarget],
    runner: &Path,
) -> Result<Vec<Searched>, String> {
    let mut program = String::from("module {\n");
    for target in targets {
        if let Some(function) = find_symbol(top_level_ops(root), &target.function) {
            program.push_str(&function.to_string());
            program.push('\n');
        }
    }
    program.push_str(&format!("func.func @{ENTRY}() {{\n  return\n}}\n}}\n"));
    let scratch =
        std::env::temp_dir().join(format!("tensorlang-neuro-optimize-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let input = scratch.join("module.mlir");
    let report = scratch.join("report.json");
    std::fs::write(&input, program).map_err(|e| format!("{}: {e}", input.display()))?;
    let mut command = Command::new(runner);
    command
        .arg(&input)
        .args(["-e", ENTRY, "-entry-point-result=void", "-O3"])
        .args(["--optimize", "--optimize-first"])
        .arg(format!("--optimize-report={}", report.display()));
    // The runner dies with this process, however it ends (`tensorlang_isolate::command`).
    let output = tensorlang_isolate::command::output(&mut command).map_err(|e| {
        format!(
            "cannot run '{}' to time the variants ({e}); give its path with runner= or TENSORLANG_RUN",
            runner.display()
        )
    })?;
    let searched = std::fs::read_to_string(&report)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()));
    let _ = std::fs::remove_dir_all(&scratch);
    if !output.status.success() {
        return Err(format!(
            "timing the variants failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    searched.map_err(|e| format!("cannot read the search's report: {e}"))
}

/// Replaces `target`'s function in `root` with variant `name`, transformed.
fn replace_with_variant(
    context: &Context,
    root: OperationRef,
    target: &MatmulTarget,
    name: &str,
) -> Result<(), String> {
    let parameters = VariantParameters::parse(name)
        .ok_or_else(|| format!("the search named an unknown variant '{name}'"))?;
    let text = variant::module_text(target, &parameters);
    let mut module = crate::compile::transform_variant(context, &text)?;
    if parameters.threads > 1 {
        // A standard pipeline lowers scf.parallel (sequentially, or on threads with
        // async-parallel-for); scf.forall needs a pass of its own.
        tensorlang::pass::run_pipeline(
            context,
            &mut module,
            "builtin.module(scf-forall-to-parallel)",
        )
        .map_err(|e| e.to_string())?;
    }
    let new = find_symbol(top_level_ops(module.as_operation()), &target.function)
        .ok_or("the variant lost its function")?;
    let old = find_symbol(top_level_ops(root), &target.function)
        .ok_or_else(|| format!("no function @{} in the module", target.function))?;
    // SAFETY: a live function of the variant's module, which nothing else reads or changes now.
    let mut marked = unsafe { tensorlang::lifetime::operation_mut(&new) };
    marked.set_attribute(
        "tensorlang.variant",
        StringAttribute::new(context, name).into(),
    );
    let rewriter = IrRewriter::new(context);
    let rewriter = rewriter.as_rewriter_base();
    rewriter.set_insertion_point_before(old);
    rewriter.clone_op(new);
    rewriter.erase_op(old);
    Ok(())
}

fn replaced_remark(target: &MatmulTarget, name: &str, found: &Searched) -> String {
    let after = found.after_ms.unwrap_or_default();
    format!(
        "neuro-optimize: '{}' ({}): variant {name}, {:.3} ms per call ({:.1} GFLOP/s) against {:.3} ms for the original ({:.1}x), checked against the original on {} on this machine",
        target.function,
        target.shape(),
        after,
        found.after_gflops.unwrap_or_default(),
        found.before_ms,
        if after > 0.0 {
            found.before_ms / after
        } else {
            0.0
        },
        found.checked_on.as_deref().unwrap_or("synthetic inputs"),
    )
}

fn turned_away(found: &Searched) -> String {
    let reasons: Vec<String> = found
        .tried
        .iter()
        .map(|(name, outcome)| match outcome {
            Ok(ms) => format!("{name}: {ms:.3} ms"),
            Err(why) => format!("{name}: {why}"),
        })
        .collect();
    if reasons.is_empty() {
        "no variant fits its shapes".into()
    } else {
        reasons.join("; ")
    }
}
