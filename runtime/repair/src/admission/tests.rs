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
  %w = memref.load %big[%c0] : memref<1073741824xf32>
  %v = memref.load %m[%c0] : memref<?xf32>
  %r = arith.addf %v, %w : f32
  return %r : f32
}
"#;
    assert_eq!(
        admit(huge),
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
