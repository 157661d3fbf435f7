use super::*;

/// A controller called by a driver that checks its result.
const PROGRAM: &str = r#"
func.func @clamp(%x: f32) -> f32 {
  %c = arith.constant 1.0 : f32
  %r = arith.minimumf %x, %c : f32
  return %r : f32
}
func.func @control(%altitude: f32, %speed: f32) -> f32 {
  %limit = arith.constant 4.0 : f32
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "thrust input in range"} : (i1) -> ()
  %t = arith.mulf %altitude, %speed : f32
  %r = func.call @clamp(%t) : (f32) -> f32
  return %r : f32
}
func.func @main() {
  %a = arith.constant 10.0 : f32
  %s = arith.constant 2.0 : f32
  %t = func.call @control(%a, %s) : (f32, f32) -> f32
  %zero = arith.constant 0.0 : f32
  %ok = arith.cmpf oge, %t, %zero : f32
  cf.assert %ok, "thrust is never negative"
  return
}
"#;

/// A valid repair of `@control`: different arithmetic, same assert, a call to the program.
const GOOD: &str = r#"
func.func @control(%altitude: f32, %speed: f32) -> f32 {
  %limit = arith.constant 4.0 : f32
  %ok = arith.cmpf olt, %speed, %limit : f32
  "tensorlang.assert"(%ok) {message = "thrust input in range"} : (i1) -> ()
  %t = arith.subf %altitude, %speed : f32
  %r = func.call @clamp(%t) : (f32) -> f32
  return %r : f32
}
"#;

fn check(function: &str, candidate: &str) -> Result<(), Rejection> {
    let context = tensorlang::create_context().unwrap();
    let program = tensorlang::parse_module(&context, PROGRAM, "lander.mlir").unwrap();
    let admission = Admission::new(&program, function, "main");
    written(&admission, &context, candidate)
}

/// Admits a model-written `candidate`; the reason, without its location, when rejected.
fn written(admission: &Admission, context: &Context, candidate: &str) -> Result<(), Rejection> {
    admission
        .admit(context, candidate, Origin::Written)
        .map(|_| ())
        .map_err(|rejection| rejection.reason().clone())
}

#[test]
fn a_repair_that_keeps_the_rules_is_admitted() {
    assert_eq!(check("control", GOOD), Ok(()));
}

#[test]
fn garbage_is_invalid() {
    let rejection = check(
        "control",
        "func.func @control(%a: f32) -> f32 { return %b : f32 }",
    )
    .unwrap_err();
    assert!(
        matches!(rejection, Rejection::Invalid(ref text) if text.contains("candidate.mlir:")),
        "{rejection}"
    );
}

#[test]
fn the_signature_must_stay() {
    let candidate = GOOD
        .replace("%speed: f32) -> f32", "%speed: f64) -> f32")
        .replace("%speed, %limit : f32", "%speed, %limit : f64")
        .replace("%altitude, %speed : f32", "%altitude, %altitude : f32")
        .replace("constant 4.0 : f32", "constant 4.0 : f64");
    assert_eq!(
        check("control", &candidate),
        Err(Rejection::Signature {
            expected: "(f32, f32) -> f32".into(),
            found: "(f32, f64) -> f32".into(),
        })
    );
}

#[test]
fn dropping_an_assert_is_rejected() {
    let candidate = GOOD.replace(
        "  \"tensorlang.assert\"(%ok) {message = \"thrust input in range\"} : (i1) -> ()\n",
        "",
    );
    assert_eq!(
        check("control", &candidate),
        Err(Rejection::AssertRemoved("thrust input in range".into()))
    );
}

#[test]
fn forbidden_ops_and_calls_are_rejected() {
    let asm = GOOD.replace(
        "  %r = func.call @clamp(%t) : (f32) -> f32\n",
        "  %r = llvm.inline_asm \"nop\", \"=r\" : () -> f32\n",
    );
    assert_eq!(
        check("control", &asm),
        Err(Rejection::ForbiddenOp("llvm.inline_asm".into()))
    );
    let entry = GOOD.replace(
        "func.call @clamp(%t) : (f32) -> f32",
        "func.call @clamp(%t) : (f32) -> f32\n  func.call @main() : () -> ()",
    );
    assert_eq!(
        check("control", &entry),
        Err(Rejection::ForbiddenCall("main".into()))
    );
}

#[test]
fn only_the_replaced_function_may_be_defined() {
    let helper = format!("{GOOD}\nfunc.func @helper() {{\n  return\n}}\n");
    assert_eq!(
        check("control", &helper),
        Err(Rejection::Extra("helper".into()))
    );
    // Redefining another of the program's functions clashes with its declaration.
    assert!(
        matches!(check("clamp", GOOD), Err(Rejection::Invalid(text)) if text.contains("redefinition of symbol named 'control'"))
    );
    assert_eq!(
        check("control", "func.func private @other()"),
        Err(Rejection::Missing("control".into()))
    );
    assert_eq!(check("main", GOOD), Err(Rejection::Entry("main".into())));
}

#[test]
fn declarations_take_the_function_type() {
    assert_eq!(declaration_type("(f32, f32) -> f32"), "(f32, f32) -> f32");
    assert_eq!(declaration_type("() -> ()"), "()");
    assert_eq!(declaration_type("(i32) -> (f32, i1)"), "(i32) -> (f32, i1)");
}

#[test]
fn a_hard_coded_table_of_expected_results_is_turned_away() {
    let program = r#"
memref.global "private" constant @expected : memref<2xi32> = dense<[14, 27]>
func.func @f(%x: i32) -> i32 {
  %r = arith.addi %x, %x : i32
  return %r : i32
}
func.func @main() {
  %c0 = arith.constant 0 : index
  %t = memref.get_global @expected : memref<2xi32>
  %e = memref.load %t[%c0] : memref<2xi32>
  %seven = arith.constant 7 : i32
  %r = func.call @f(%seven) : (i32) -> i32
  %ok = arith.cmpi eq, %r, %e : i32
  cf.assert %ok, "f(7) is 14"
  return
}
"#;
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, program, "t.mlir").unwrap();
    let admission = Admission::new(&module, "f", "main");
    let hard_coded = r#"
func.func @f(%x: i32) -> i32 {
  %seven = arith.constant 7 : i32
  %answer = arith.constant 14 : i32
  %is = arith.cmpi eq, %x, %seven : i32
  %r = arith.select %is, %answer, %x : i32
  return %r : i32
}
"#;
    assert_eq!(
        written(&admission, &context, hard_coded),
        Err(Rejection::HardCoded("14 : i32".into()))
    );
    // The same edit from a symbolic strategy is a small change, valid by construction.
    assert!(
        admission
            .admit(&context, hard_coded, Origin::Symbolic)
            .is_ok()
    );
}

#[test]
fn memory_a_candidate_could_reach_out_of_bounds_is_turned_away() {
    let program = r#"
func.func @f(%m: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %v = memref.load %m[%c0] : memref<?xf32>
  return %v : f32
}
func.func @main() {
  return
}
"#;
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, program, "t.mlir").unwrap();
    let admission = Admission::new(&module, "f", "main");
    let admit = |candidate: &str| written(&admission, &context, candidate);
    let dynamic = r#"
func.func @f(%m: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %big = memref.alloc(%n) : memref<?xf32>
  %w = memref.load %big[%c0] : memref<?xf32>
  %v = memref.load %m[%c0] : memref<?xf32>
  %r = arith.addf %v, %w : f32
  return %r : f32
}
"#;
    assert_eq!(
        admit(dynamic),
        Err(Rejection::DynamicAllocation("memref.alloc".into()))
    );
    let huge = r#"
func.func @f(%m: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %big = memref.alloc() : memref<1073741824xf32>
  memref.store %big_value, %big[%c0] : memref<1073741824xf32>
  %w = memref.load %big[%c0] : memref<1073741824xf32>
  %v = memref.load %m[%c0] : memref<?xf32>
  %r = arith.addf %v, %w : f32
  return %r : f32
}
"#
    .replace("%big_value", "%n_f");
    let huge = huge.replace(
        "  %big = memref.alloc()",
        "  %n_f = arith.constant 0.0 : f32\n  %big = memref.alloc()",
    );
    // Over the elements a candidate may name (4 times the program's largest shape, at least
    // 1 Mi); with a larger limit (a program with large buffers), over the bytes one allocation
    // may take.
    assert_eq!(
        admit(&huge),
        Err(Rejection::TooManyElements(
            "memref<1073741824xf32>".into(),
            1 << 30,
            1 << 20
        ))
    );
    let mut large = admission.clone();
    large.limits.elements = 1 << 32;
    assert_eq!(
        written(&large, &context, &huge),
        Err(Rejection::LargeAllocation("memref.alloc".into(), 1 << 32))
    );
    let vector = r#"
func.func @f(%m: memref<?xf32>, %n: index) -> f32 {
  %v = vector.load %m[%n] : memref<?xf32>, vector<4xf32>
  %r = vector.extract %v[0] : f32 from vector<4xf32>
  return %r : f32
}
"#;
    assert_eq!(
        admit(vector),
        Err(Rejection::ForbiddenOp("vector.load".into()))
    );
}

#[test]
fn a_rejection_names_where_in_the_candidate() {
    let context = tensorlang::create_context().unwrap();
    let program = tensorlang::parse_module(&context, PROGRAM, "lander.mlir").unwrap();
    let admission = Admission::new(&program, "control", "main");
    let printing = GOOD.replace(
        "  %r = func.call @clamp(%t) : (f32) -> f32\n",
        "  %r = func.call @clamp(%t) : (f32) -> f32\n  vector.print %r : f32\n",
    );
    let rejection = admission
        .admit(&context, &printing, Origin::Written)
        .map(|_| ())
        .unwrap_err();
    // Line 8 of the candidate's own text (which starts with an empty line).
    assert_eq!(
        rejection.to_string(),
        "prints with 'vector.print', which the original never does (a repair may not add output) (at candidate.mlir:8:3)"
    );
}

#[test]
fn special_cased_inputs_and_constant_asserts_are_turned_away() {
    let context = tensorlang::create_context().unwrap();
    let program = tensorlang::parse_module(&context, PROGRAM, "lander.mlir").unwrap();
    let admission = Admission::new(&program, "control", "main");
    let reason = |candidate: &str| written(&admission, &context, candidate);
    // Answers the driver's input (10.0) specially.
    let special = GOOD.replace(
        "  %t = arith.subf %altitude, %speed : f32\n",
        "  %ten = arith.constant 1.000000e+01 : f32\n  %is = arith.cmpf oeq, %altitude, %ten : f32\n  %d = arith.subf %altitude, %speed : f32\n  %t = arith.select %is, %speed, %d : f32\n",
    );
    assert_eq!(
        reason(&special),
        Err(Rejection::SpecialCased("1.000000e+01 : f32".into()))
    );
    // Keeps the assert's message but asserts a constant.
    let weakened = GOOD.replace(
        "\"tensorlang.assert\"(%ok)",
        "%true = arith.constant true\n  \"tensorlang.assert\"(%true)",
    );
    assert_eq!(
        reason(&weakened),
        Err(Rejection::AssertRemoved("thrust input in range".into()))
    );
    assert_eq!(reason(GOOD), Ok(()));
}

/// A driver's spec on the running mean of a strided view of its data (2, 6, 10: means 2, 4, 6),
/// and the function computing it.
const MEAN: &str = r#"
memref.global "private" constant @data : memref<6xf32> = dense<[2.0, 4.0, 6.0, 8.0, 10.0, 12.0]>
func.func @mean(%in: memref<?xf32, strided<[?], offset: ?>>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c0 : memref<?xf32, strided<[?], offset: ?>>
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %in[%i] : memref<?xf32, strided<[?], offset: ?>>
    %a = arith.addf %acc, %v : f32
    %i1 = arith.addi %i, %c1 : index
    %k = arith.index_cast %i1 : index to i32
    %kf = arith.sitofp %k : i32 to f32
    %m = arith.divf %a, %kf : f32
    memref.store %m, %out[%i] : memref<?xf32>
    scf.yield %a : f32
  }
  return
}
func.func @main() {
  %g = memref.get_global @data : memref<6xf32>
  %view = memref.subview %g[0] [3] [2] : memref<6xf32> to memref<3xf32, strided<[2]>>
  %in = memref.cast %view : memref<3xf32, strided<[2]>> to memref<?xf32, strided<[?], offset: ?>>
  %buffer = memref.alloca() : memref<3xf32>
  %out = memref.cast %buffer : memref<3xf32> to memref<?xf32>
  func.call @mean(%in, %out) : (memref<?xf32, strided<[?], offset: ?>>, memref<?xf32>) -> ()
  %c2 = arith.constant 2 : index
  %last = memref.load %buffer[%c2] : memref<3xf32>
  %six = arith.constant 6.0 : f32
  %ok = arith.cmpf oeq, %last, %six : f32
  cf.assert %ok, "the mean of 2, 6, 10 is 6"
  return
}
"#;

/// The body of a candidate `@mean`: `body` is put in before its loop, which computes the mean.
fn mean_with(header: &str, body: &str) -> String {
    let original = MEAN
        .split("func.func @main")
        .next()
        .unwrap()
        .split_once("func.func @mean")
        .unwrap()
        .1;
    let with_header = original.replacen(") {\n", &format!("){header} {{\n"), 1);
    format!(
        "func.func @mean{}",
        with_header.replacen("  %zero =", &format!("{body}  %zero ="), 1)
    )
}

/// The rejection of `candidate` for `@mean`, location and all.
fn mean_rejection(candidate: &str, origin: Origin) -> Option<String> {
    let context = tensorlang::create_context().unwrap();
    let program = tensorlang::parse_module(&context, MEAN, "mean.mlir").unwrap();
    let admission = Admission::new(&program, "mean", "main");
    admission
        .admit(&context, candidate, origin)
        .err()
        .map(|rejection| rejection.to_string())
}

#[track_caller]
fn assert_rejected(candidate: &str, origin: Origin, reason: &str) {
    let rejection = mean_rejection(candidate, origin).unwrap_or_else(|| {
        panic!("admitted, where it should be rejected for {reason}:\n{candidate}")
    });
    assert!(
        rejection.contains(reason) && rejection.contains("(at candidate.mlir:"),
        "{rejection}\nis not a located rejection for {reason}"
    );
}

#[test]
fn the_mean_itself_is_admitted() {
    assert_eq!(mean_rejection(&mean_with("", ""), Origin::Written), None);
}

#[test]
fn writes_through_yielded_memrefs_are_turned_away() {
    let input = "memref<?xf32, strided<[?], offset: ?>>";
    let zero = "  %z = arith.constant 0.0 : f32\n";
    let through_if = format!(
        "{zero}  %t = arith.constant true\n  %w = scf.if %t -> {input} {{\n    scf.yield %in : {input}\n  }} else {{\n    scf.yield %in : {input}\n  }}\n  memref.store %z, %w[%c0] : {input}\n"
    );
    assert_rejected(
        &mean_with("", &through_if),
        Origin::Symbolic,
        "writes argument #0 of @mean, which the original never writes",
    );
    let through_switch = format!(
        "  %w = scf.index_switch %c0 -> {input}\n  default {{\n    scf.yield %in : {input}\n  }}\n  %t = memref.cast %w : {input} to {input}\n  memref.copy %out, %t : memref<?xf32> to {input}\n"
    );
    assert_rejected(
        &mean_with("", &through_switch),
        Origin::Symbolic,
        "writes argument #0",
    );
    let through_region = format!(
        "{zero}  %w = scf.execute_region -> {input} {{\n    scf.yield %in : {input}\n  }}\n  %r = memref.atomic_rmw addf %z, %w[%c0] : (f32, {input}) -> f32\n"
    );
    assert_rejected(
        &mean_with("", &through_region),
        Origin::Symbolic,
        "writes argument #0",
    );
}

#[test]
fn function_attributes_must_stay_the_originals() {
    assert_rejected(
        &mean_with(" attributes {passthrough = [\"noreturn\"]}", ""),
        Origin::Symbolic,
        "adds the function attribute `passthrough = [\"noreturn\"]`",
    );
    let noalias = mean_with("", "").replacen(
        "%out: memref<?xf32>",
        "%out: memref<?xf32> {llvm.noalias}",
        1,
    );
    assert_rejected(
        &noalias,
        Origin::Symbolic,
        "`arg_attrs = [{}, {llvm.noalias}]`",
    );
    let private = mean_with("", "").replacen("func.func @mean", "func.func private @mean", 1);
    assert_rejected(&private, Origin::Symbolic, "`sym_visibility = \"private\"`");
}

#[test]
fn promises_the_original_never_makes_are_turned_away() {
    let fast = mean_with("", "").replacen(
        "arith.addf %acc, %v : f32",
        "arith.addf %acc, %v fastmath<nnan> : f32",
        1,
    );
    assert_rejected(
        &fast,
        Origin::Symbolic,
        "carries `fastmath = #arith.fastmath<nnan>`, which no op of the original carries",
    );
    let nsw = mean_with("", "").replacen(
        "arith.addi %i, %c1 : index",
        "arith.addi %i, %c1 overflow<nsw> : index",
        1,
    );
    assert_rejected(
        &nsw,
        Origin::Symbolic,
        "`overflowFlags = #arith.overflow<nsw>`",
    );
    let discardable = mean_with("", "").replacen(
        "arith.divf %a, %kf : f32",
        "arith.divf %a, %kf {llvm.invariant} : f32",
        1,
    );
    assert_rejected(&discardable, Origin::Symbolic, "carries `llvm.invariant`");
    // A cache hint promises nothing.
    let nontemporal = mean_with("", "").replacen(
        "memref.store %m, %out[%i] :",
        "memref.store %m, %out[%i] {nontemporal = true} :",
        1,
    );
    assert_eq!(mean_rejection(&nontemporal, Origin::Written), None);
}

#[test]
fn tables_and_blobs_are_turned_away() {
    // The expected means, as a vector.
    let expected = mean_with(
        "",
        "  %table = arith.constant dense<[2.0, 4.0, 6.0]> : vector<3xf32>\n",
    );
    assert_rejected(
        &expected,
        Origin::Written,
        "holds the literal 2.000000e+00 : f32",
    );
    let values: Vec<String> = (0..17).map(|i| format!("{}.5", i + 20)).collect();
    let table = mean_with(
        "",
        &format!(
            "  %table = arith.constant dense<[{}]> : tensor<17xf32>\n  %e = tensor.extract %table[%c1] : tensor<17xf32>\n",
            values.join(", ")
        ),
    );
    assert_rejected(
        &table,
        Origin::Written,
        "holds constant tables of 17 elements the original does not hold, more than a candidate written whole may (16 in all)",
    );
    // A symbolic strategy does not write tables: the rule is for written candidates.
    assert_eq!(mean_rejection(&table, Origin::Symbolic), None);
    let blob = mean_with(
        "",
        "  %table = arith.constant dense_resource<answers> : tensor<3xf32>\n",
    );
    assert_rejected(
        &blob,
        Origin::Written,
        "brings a resource blob (`dense_resource`)",
    );
    let section = format!(
        "{}\n{{-#\n  dialect_resources: {{\n    builtin: {{\n      answers: \"0x04000000\"\n    }}\n  }}\n#-}}\n",
        mean_with("", "")
    );
    let rejection = mean_rejection(&section, Origin::Written).unwrap();
    assert!(
        rejection.contains("brings a resource blob (a `{-# ... #-}` section)")
            && rejection.contains("(at candidate.mlir:19:1)"),
        "{rejection}"
    );
}

#[test]
fn branching_on_inputs_against_new_values_is_turned_away() {
    let switch = mean_with(
        "",
        "  %w = scf.index_switch %n -> index\n  case 3 {\n    scf.yield %c1 : index\n  }\n  default {\n    scf.yield %c0 : index\n  }\n",
    );
    assert_rejected(
        &switch,
        Origin::Written,
        "switches on a value being 3 : index",
    );
    let range = mean_with(
        "",
        "  %c2 = arith.constant 2 : index\n  %big = arith.cmpi sgt, %n, %c2 : index\n",
    );
    assert_rejected(
        &range,
        Origin::Written,
        "compares a value with 2 : index, which the original never compares with",
    );
    let float_range = mean_with(
        "",
        "  %v0 = memref.load %in[%c0] : memref<?xf32, strided<[?], offset: ?>>\n  %limit = arith.constant 7.500000e+00 : f32\n  %is = arith.cmpf olt, %v0, %limit : f32\n",
    );
    assert_rejected(
        &float_range,
        Origin::Written,
        "compares a value with 7.500000e+00 : f32",
    );
    // A loop bound of the original may be compared with.
    assert_eq!(mean_rejection(&switch, Origin::Symbolic), None);
}

#[test]
fn what_admission_costs_is_bounded() {
    let padding = format!("// {}\n", "x".repeat(cost::MAX_TEXT));
    let long = format!("{padding}{}", mean_with("", ""));
    let rejection = mean_rejection(&long, Origin::Written).unwrap();
    assert!(
        rejection.starts_with(&format!("is {} bytes long", long.len()))
            && rejection.ends_with("more than a candidate may be (65536 bytes)"),
        "{rejection}"
    );
    let splat = mean_with(
        "",
        "  %huge = arith.constant dense<11> : tensor<134217728xi64>\n",
    );
    assert_rejected(
        &splat,
        Origin::Symbolic,
        "uses tensor<134217728xi64>, of 134217728 elements, more than a candidate may (1048576",
    );
    let empty = mean_with("", "  %e = tensor.empty() : tensor<4096x4096xf32>\n");
    assert_rejected(
        &empty,
        Origin::Symbolic,
        "uses tensor<4096x4096xf32>, of 16777216 elements",
    );
    let context = tensorlang::create_context().unwrap();
    let program = tensorlang::parse_module(&context, MEAN, "mean.mlir").unwrap();
    let mut admission = Admission::new(&program, "mean", "main");
    assert_eq!(admission.limits.ops, cost::MAX_OPS);
    admission.limits.ops = 8;
    assert_eq!(
        written(&admission, &context, &mean_with("", "")),
        Err(Rejection::TooManyOps(15, 8))
    );
}

#[test]
fn reading_a_fresh_allocation_is_turned_away() {
    let leak = mean_with(
        "",
        "  %fresh = memref.alloc() : memref<4xf32>\n  %heap = memref.load %fresh[%c0] : memref<4xf32>\n  memref.store %heap, %out[%c0] : memref<?xf32>\n",
    );
    assert_rejected(
        &leak,
        Origin::Symbolic,
        "reads a buffer it allocated with nothing written into it before ('memref.load')",
    );
    let copied = mean_with(
        "",
        "  %fresh = memref.alloca() : memref<4xf32>\n  %view = memref.subview %fresh[0] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1]>>\n  %o = memref.subview %out[0] [2] [1] : memref<?xf32> to memref<2xf32, strided<[1]>>\n  memref.copy %view, %o : memref<2xf32, strided<[1]>> to memref<2xf32, strided<[1]>>\n",
    );
    assert_rejected(&copied, Origin::Symbolic, "('memref.copy')");
    // Filled first, then read: fine.
    let filled = mean_with(
        "",
        "  %fresh = memref.alloca() : memref<4xf32>\n  %z = arith.constant 0.0 : f32\n  linalg.fill ins(%z : f32) outs(%fresh : memref<4xf32>)\n  %fv = memref.load %fresh[%c0] : memref<4xf32>\n",
    );
    assert_eq!(mean_rejection(&filled, Origin::Written), None);
}
