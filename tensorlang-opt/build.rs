//! Lets the binaries and plugin of this crate find `libMLIR-C.so` and LLVM (see the root
//! `build.rs`), and gives the `tensorlang-opt` binary upstream's test passes and test dialect,
//! the way `mlir-opt` has them, so that upstream tests that use them (`-test-lower-to-llvm`,
//! `-test-cf-assert`, ...) run with `tensorlang-opt` too.
//!
//! Debian ships the test passes as static archives (`libMLIR*TestPasses.a`, `libMLIRTest*.a`,
//! `libMLIRShardTest.a`) with no header: their registration functions are declared where they
//! are called. The functions registered here are the ones `mlir-opt` calls ([`PASSES`],
//! [`DIALECTS`]) that the installed archives define (read with `nm`); the generated C++
//! declares and calls them, and only the binary links it (the plugin loads into an `mlir-opt`
//! that has them already).

use std::collections::BTreeSet;
use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Test-pass registrations `mlir-opt` makes, as `namespace::name` (no arguments).
const PASSES: &[&str] = &[
    "mlir::registerCloneTestPasses",
    "mlir::registerConvertToTargetEnvPass",
    "mlir::registerPrintTosaAvailabilityPass",
    "mlir::registerLazyLoadingTestPasses",
    "mlir::registerLoopLikeInterfaceTestPasses",
    "mlir::registerPassManagerTestPass",
    "mlir::registerPrintSpirvAvailabilityPass",
    "mlir::registerRegionTestPasses",
    "mlir::registerShapeFunctionTestPasses",
    "mlir::registerSideEffectTestPasses",
    "mlir::registerSymbolTestPasses",
    "mlir::registerTestAffineAccessAnalysisPass",
    "mlir::registerTestAffineDataCopyPass",
    "mlir::registerTestAffineLoopUnswitchingPass",
    "mlir::registerTestAffineReifyValueBoundsPass",
    "mlir::registerTestAffineWalk",
    "mlir::registerTestBytecodeRoundtripPasses",
    "mlir::registerTestDecomposeAffineOpPass",
    "mlir::registerTestFunc",
    "mlir::registerTestGpuLoweringPasses",
    "mlir::registerTestGpuMemoryPromotionPass",
    "mlir::registerTestLoopPermutationPass",
    "mlir::registerTestMatchers",
    "mlir::registerTestOperationEqualPass",
    "mlir::registerTestPreserveUseListOrders",
    "mlir::registerTestPrintDefUsePass",
    "mlir::registerTestPrintInvalidPass",
    "mlir::registerTestPrintNestingPass",
    "mlir::registerTestReducer",
    "mlir::registerTestSpirvEntryPointABIPass",
    "mlir::registerTestSpirvModuleCombinerPass",
    "mlir::registerTestTraitsPass",
    "mlir::registerTosaTestQuantUtilAPIPass",
    "mlir::registerVectorizerTestPass",
    "mlir::test::registerCommutativityUtils",
    "mlir::test::registerConvertCallOpPass",
    "mlir::test::registerConvertFuncOpPass",
    "mlir::test::registerInliner",
    "mlir::test::registerInlinerCallback",
    "mlir::test::registerMemRefBoundCheck",
    "mlir::test::registerPatternsTestPass",
    "mlir::test::registerSimpleParametricTilingPass",
    "mlir::test::registerTestAffineLoopParametricTilingPass",
    "mlir::test::registerTestAliasAnalysisPass",
    "mlir::test::registerTestArithEmulateWideIntPass",
    "mlir::test::registerTestBuiltinAttributeInterfaces",
    "mlir::test::registerTestBuiltinDistinctAttributes",
    "mlir::test::registerTestCallGraphPass",
    "mlir::test::registerTestCfAssertPass",
    "mlir::test::registerTestCFGLoopInfoPass",
    "mlir::test::registerTestComposeSubView",
    "mlir::test::registerTestCompositePass",
    "mlir::test::registerTestControlFlowSink",
    "mlir::test::registerTestConvertToSPIRVPass",
    "mlir::test::registerTestDataLayoutPropagation",
    "mlir::test::registerTestDataLayoutQuery",
    "mlir::test::registerTestDeadCodeAnalysisPass",
    "mlir::test::registerTestDecomposeCallGraphTypes",
    "mlir::test::registerTestDiagnosticsPass",
    "mlir::test::registerTestDiagnosticsMetadataPass",
    "mlir::test::registerTestDominancePass",
    "mlir::test::registerTestDynamicPipelinePass",
    "mlir::test::registerTestRemarkPass",
    "mlir::test::registerTestEmulateNarrowTypePass",
    "mlir::test::registerTestFooAnalysisPass",
    "mlir::test::registerTestMultiBuffering",
    "mlir::test::registerTestIRVisitorsPass",
    "mlir::test::registerTestGenericIRVisitorsPass",
    "mlir::test::registerTestInterfaces",
    "mlir::test::registerTestIrdlTestDialectConversionPass",
    "mlir::test::registerTestLastModifiedPass",
    "mlir::test::registerTestLinalgDecomposeOps",
    "mlir::test::registerTestLinalgDropUnitDims",
    "mlir::test::registerTestLinalgElementwiseFusion",
    "mlir::test::registerTestLinalgGreedyFusion",
    "mlir::test::registerTestLinalgRankReduceContractionOps",
    "mlir::test::registerTestLinalgTransforms",
    "mlir::test::registerTestLivenessAnalysisPass",
    "mlir::test::registerTestLivenessPass",
    "mlir::test::registerTestLLVMLegalizePatternsPass",
    "mlir::test::registerTestLoopFusion",
    "mlir::test::registerTestLoopMappingPass",
    "mlir::test::registerTestLoopUnrollingPass",
    "mlir::test::registerTestLowerToArmSME",
    "mlir::test::registerTestLowerToLLVM",
    "mlir::test::registerTestMakeIsolatedFromAbovePass",
    "mlir::test::registerTestMatchReductionPass",
    "mlir::test::registerTestMathAlgebraicSimplificationPass",
    "mlir::test::registerTestMathPolynomialApproximationPass",
    "mlir::test::registerTestMathToVCIXPass",
    "mlir::test::registerTestMemRefDependenceCheck",
    "mlir::test::registerTestMemRefStrideCalculation",
    "mlir::test::registerTestMemRefToLLVMWithTransforms",
    "mlir::test::registerTestReshardingPartitionPass",
    "mlir::test::registerTestShardSimplificationsPass",
    "mlir::test::registerTestNextAccessPass",
    "mlir::test::registerTestNVGPULowerings",
    "mlir::test::registerTestOpenACC",
    "mlir::test::registerTestOneShotModuleBufferizePass",
    "mlir::test::registerTestOpaqueLoc",
    "mlir::test::registerTestOpLoweringPasses",
    "mlir::test::registerTestPadFusion",
    "mlir::test::registerTestParallelLoopUnrollingPass",
    "mlir::test::registerTestRecursiveTypesPass",
    "mlir::test::registerTestSCFUpliftWhileToFor",
    "mlir::test::registerTestSCFUtilsPass",
    "mlir::test::registerTestSCFWhileOpBuilderPass",
    "mlir::test::registerTestSCFWrapInZeroTripCheckPasses",
    "mlir::test::registerTestShapeMappingPass",
    "mlir::test::registerTestSingleFold",
    "mlir::test::registerTestSliceAnalysisPass",
    "mlir::test::registerTestSPIRVCPURunnerPipeline",
    "mlir::test::registerTestSPIRVFuncSignatureConversion",
    "mlir::test::registerTestSPIRVVectorUnrolling",
    "mlir::test::registerTestStridedMetadataRangeAnalysisPass",
    "mlir::test::registerTestTensorCopyInsertionPass",
    "mlir::test::registerTestTensorLikeAndBufferLikePass",
    "mlir::test::registerTestTensorTransforms",
    "mlir::test::registerTestTopologicalSortAnalysisPass",
    "mlir::test::registerTestTransformDialectEraseSchedulePass",
    "mlir::test::registerTestPassStateExtensionCommunication",
    "mlir::test::registerTestVectorLowerings",
    "mlir::test::registerTestVectorReductionToSPIRVDotProd",
    "mlir::test::registerTestVulkanRunnerPipeline",
    "mlir::test::registerTestWrittenToPass",
    "mlir::test::registerTestXeGPULowerings",
    "mlir::test::registerTestDialectConversionPasses",
    "mlir::test::registerTestPDLByteCodePass",
    "mlir::test::registerTestPDLLPasses",
];

/// Dialect and extension registrations `mlir-opt` makes, taking a `mlir::DialectRegistry &`.
const DIALECTS: &[&str] = &[
    "test::registerIrdlTestDialect",
    "test::registerTestDialect",
    "test::registerTestDynDialect",
    "test::registerTestTilingInterfaceTransformDialectExtension",
    "test::registerTestTransformDialectExtension",
    "test::registerTestTransformsTransformDialectExtension",
    "test::registerTestAnalysisTransformDialectExtension",
];

fn main() {
    let rpath =
        env::var("DEP_TENSORLANG_NATIVE_RPATH").expect("the tensorlang crate exports its rpath");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{rpath}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=native");

    let prefix =
        PathBuf::from(env::var("LLVM_SYS_221_PREFIX").unwrap_or("/usr/lib/llvm-22".into()));
    let lib = prefix.join("lib");
    let archives = test_archives(&lib);
    let defined = defined_symbols(&archives);
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = out.join("test_registration.cpp");
    // The layout of the struct the plugin hands mlir-opt, for the plugin's unit test.
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(prefix.join("include"))
        .flag("-fno-rtti")
        .file("native/plugin_layout.cpp")
        .compile("tensorlang_plugin_layout");
    let (passes, dialects) = registration_source(&defined, &source);
    if passes + dialects == 0 {
        println!(
            "cargo:warning=no upstream MLIR test passes found in {} (install libmlir-22-dev): tensorlang-opt runs without them",
            lib.display()
        );
    }
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(prefix.join("include"))
        // LLVM is built without RTTI.
        .flag("-fno-rtti")
        .flag_if_supported("-Wno-unused-parameter")
        .file(&source)
        // Linked into the binary only (below), not the plugin.
        .cargo_metadata(false)
        .compile("tensorlang_test_registration");
    println!(
        "cargo:rustc-link-arg-bins={}",
        out.join("libtensorlang_test_registration.a").display()
    );
    if !archives.is_empty() {
        println!("cargo:rustc-link-arg-bins=-Wl,--start-group");
        for archive in &archives {
            println!("cargo:rustc-link-arg-bins={}", archive.display());
        }
        println!("cargo:rustc-link-arg-bins=-Wl,--end-group");
    }
    // What the archives call lives in these; named after the archives so that they count.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-as-needed");
    println!("cargo:rustc-link-arg-bins=-L{}", lib.display());
    println!("cargo:rustc-link-arg-bins=-lMLIR");
    println!("cargo:rustc-link-arg-bins=-lLLVM");
    println!("cargo:rustc-link-arg-bins=-lstdc++");
}

/// Upstream's test archives under `lib`.
fn test_archives(lib: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(lib) else {
        return Vec::new();
    };
    let mut archives: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("libMLIR") && name.ends_with(".a") && name.contains("Test")
        })
        .collect();
    archives.sort();
    archives
}

/// The demangled names of the functions the archives define.
fn defined_symbols(archives: &[PathBuf]) -> BTreeSet<String> {
    let mut defined = BTreeSet::new();
    for archive in archives {
        let Ok(output) = Command::new("nm")
            .args(["-C", "--defined-only"])
            .arg(archive)
            .output()
        else {
            continue;
        };
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some((_, symbol)) = line.split_once(" T ") {
                defined.insert(symbol.to_owned());
            }
        }
    }
    defined
}

/// Writes the C++ that declares and calls the registrations `defined` has; how many of each.
fn registration_source(defined: &BTreeSet<String>, path: &Path) -> (usize, usize) {
    let passes: Vec<&str> = PASSES
        .iter()
        .copied()
        .filter(|name| defined.contains(&format!("{name}()")))
        .collect();
    let dialects: Vec<&str> = DIALECTS
        .iter()
        .copied()
        .filter(|name| defined.contains(&format!("{name}(mlir::DialectRegistry&)")))
        .collect();
    let mut text = String::from(
        "// Generated by tensorlang-opt/build.rs: upstream MLIR's test passes and dialects.\n\
         #include \"mlir/IR/DialectRegistry.h\"\n\n",
    );
    for name in &passes {
        let (namespace, function) = name.rsplit_once("::").expect("qualified");
        let _ = writeln!(text, "namespace {namespace} {{ void {function}(); }}");
    }
    for name in &dialects {
        let (namespace, function) = name.rsplit_once("::").expect("qualified");
        let _ = writeln!(
            text,
            "namespace {namespace} {{ void {function}(mlir::DialectRegistry &); }}"
        );
    }
    text.push_str("\nextern \"C\" void tlRegisterTestPasses() {\n");
    for name in &passes {
        let _ = writeln!(text, "  ::{name}();");
    }
    text.push_str("}\n\nextern \"C\" void tlRegisterTestDialects(void *registry) {\n");
    text.push_str("  auto &r = *static_cast<mlir::DialectRegistry *>(registry);\n  (void)r;\n");
    for name in &dialects {
        let _ = writeln!(text, "  ::{name}(r);");
    }
    text.push_str("}\n");
    std::fs::write(path, text).expect("OUT_DIR is writable");
    (passes.len(), dialects.len())
}
