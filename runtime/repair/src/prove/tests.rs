use super::*;

fn verdict(source: &str, function: &str) -> Verdict {
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, source, "p.mlir").unwrap();
    prove(module.as_operation(), function, BUDGET)
}

const GUARDED: &str = "func.func @ratio(%a: i32, %b: i32) -> i32 {\n  %z = arith.constant 0 : i32\n  %one = arith.constant 1 : i32\n  %zero = arith.cmpi eq, %b, %z : i32\n  %d = arith.select %zero, %one, %b : i32\n  %m = arith.constant -1 : i32\n  %neg = arith.cmpi eq, %d, %m : i32\n  %safe = arith.select %neg, %one, %d : i32\n  %q = arith.divsi %a, %safe : i32\n  return %q : i32\n}\n";

#[test]
fn a_guarded_division_is_proved_for_every_input() {
    let found = verdict(GUARDED, "ratio");
    assert!(
        matches!(found, Verdict::Proved { checks: 2, .. }),
        "{found}"
    );
    assert!(found.to_string().starts_with("proved: 2 check(s), its own and those of the drivers that call it, hold for every input of its argument types"), "{found}");
}

#[test]
fn an_unguarded_division_is_refuted_with_the_input_that_breaks_it() {
    let source = "func.func @ratio(%a: i32, %b: i32) -> i32 {\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}\nfunc.func @main() {\n  %c7 = arith.constant 7 : i32\n  %c0 = arith.constant 0 : i32\n  %c2 = arith.constant 2 : i32\n  %r = func.call @ratio(%c7, %c2) : (i32, i32) -> i32\n  %s = func.call @ratio(%c7, %c0) : (i32, i32) -> i32\n  return\n}\n";
    let found = verdict(source, "ratio");
    let Verdict::Refuted {
        counterexample,
        check,
        in_program,
        ..
    } = &found
    else {
        panic!("{found}");
    };
    assert!(*in_program);
    assert_eq!(
        counterexample,
        &vec![
            ("arg0".to_string(), "7".to_string()),
            ("arg1".to_string(), "0".to_string())
        ]
    );
    assert!(
        check.starts_with("division by zero in 'arith.divsi' at p.mlir:2:"),
        "{check}"
    );
}

#[test]
fn the_range_is_what_the_program_passes() {
    // Only ever divided by 2: proved for that call, though not for every divisor.
    let source = "func.func @half(%a: i32, %b: i32) -> i32 {\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}\nfunc.func @main() {\n  %c7 = arith.constant 7 : i32\n  %c2 = arith.constant 2 : i32\n  %r = func.call @half(%c7, %c2) : (i32, i32) -> i32\n  return\n}\n";
    let found = verdict(source, "half");
    assert!(
        found
            .to_string()
            .contains("the program passes: (arg0 = 7, arg1 = 2)"),
        "{found}"
    );
    // The divisor check and the overflow check, in @half and again inlined in @main.
    assert!(
        matches!(found, Verdict::Proved { checks: 4, .. }),
        "{found}"
    );
}

#[test]
fn the_drivers_asserts_are_the_specification() {
    let program = |k: i32| {
        format!(
            "func.func @double(%x: i32) -> i32 {{\n  %k = arith.constant {k} : i32\n  %d = arith.muli %x, %k : i32\n  return %d : i32\n}}\nfunc.func @main() {{\n  %c5 = arith.constant 5 : i32\n  %d = func.call @double(%c5) : (i32) -> i32\n  %c10 = arith.constant 10 : i32\n  %ok = arith.cmpi eq, %d, %c10 : i32\n  cf.assert %ok, \"double(5) is 10\"\n  return\n}}\n"
        )
    };
    assert!(matches!(
        verdict(&program(2), "double"),
        Verdict::Proved { checks: 1, .. }
    ));
    let wrong = verdict(&program(3), "double");
    let Verdict::Refuted { check, .. } = &wrong else {
        panic!("{wrong}");
    };
    assert!(
        check.starts_with("assertion failed: double(5) is 10 at p.mlir:11:"),
        "{check}"
    );
}

#[test]
fn a_proof_in_a_child_gives_the_same_verdict() {
    let found = prove_in_child(GUARDED, "ratio", BUDGET);
    assert!(
        matches!(found, Verdict::Proved { checks: 2, .. }),
        "{found}"
    );
    let broken = prove_in_child("func.func @f(", "f", BUDGET);
    assert!(matches!(broken, Verdict::Failed(_)), "{broken}");
}

#[test]
fn asserts_branches_and_what_is_not_covered() {
    let source = "func.func @clamp(%x: i64) -> i64 {\n  %c0 = arith.constant 0 : i64\n  %c9 = arith.constant 9 : i64\n  %neg = arith.cmpi slt, %x, %c0 : i64\n  %r = scf.if %neg -> (i64) {\n    scf.yield %c0 : i64\n  } else {\n    %m = arith.minsi %x, %c9 : i64\n    scf.yield %m : i64\n  }\n  %ok = arith.cmpi sle, %r, %c9 : i64\n  cf.assert %ok, \"at most 9\"\n  %pos = arith.cmpi sge, %r, %c0 : i64\n  cf.assert %pos, \"not negative\"\n  return %r : i64\n}\nfunc.func @f(%m: memref<?xf32>) -> f32 {\n  %c0 = arith.constant 0 : index\n  %y = memref.load %m[%c0] : memref<?xf32>\n  return %y : f32\n}\n";
    assert!(matches!(
        verdict(source, "clamp"),
        Verdict::Proved { checks: 2, .. }
    ));
    assert!(matches!(verdict(source, "f"), Verdict::NotTranslatable(_)));
}

#[test]
fn float_divisions_and_loops_with_constant_bounds() {
    // x / (|y| + 1) is finite for every finite x, y only: Z3 finds an infinite or NaN input.
    let source = "func.func @scale(%x: f32, %y: f32) -> f32 {\n  %one = arith.constant 1.000000e+00 : f32\n  %a = math.absf %y : f32\n  %d = arith.addf %a, %one : f32\n  %q = arith.divf %x, %d : f32\n  return %q : f32\n}\n";
    let found = verdict(source, "scale");
    assert!(
        found
            .to_string()
            .starts_with("refuted: non-finite result (NaN or Inf) of 'arith.divf'"),
        "{found}"
    );
    // Called only with 6.0 and 2.0: proved.
    let called = format!(
        "{source}func.func @main() {{\n  %a = arith.constant 6.000000e+00 : f32\n  %b = arith.constant 2.000000e+00 : f32\n  %r = func.call @scale(%a, %b) : (f32, f32) -> f32\n  %two = arith.constant 2.000000e+00 : f32\n  %ok = arith.cmpf oeq, %r, %two : f32\n  cf.assert %ok, \"6 / 3 is 2\"\n  return\n}}\n"
    );
    assert!(
        matches!(verdict(&called, "scale"), Verdict::Proved { .. }),
        "{}",
        verdict(&called, "scale")
    );
    // A sum of 1..4 by a loop, and a division by it.
    let looped = "func.func @mean(%x: i32) -> i32 {\n  %c1 = arith.constant 1 : index\n  %c5 = arith.constant 5 : index\n  %zero = arith.constant 0 : i32\n  %s = scf.for %i = %c1 to %c5 step %c1 iter_args(%acc = %zero) -> (i32) {\n    %v = arith.index_cast %i : index to i32\n    %t = arith.addi %acc, %v : i32\n    scf.yield %t : i32\n  }\n  %ten = arith.constant 10 : i32\n  %ok = arith.cmpi eq, %s, %ten : i32\n  cf.assert %ok, \"1 + 2 + 3 + 4 is 10\"\n  %q = arith.divsi %x, %s : i32\n  return %q : i32\n}\n";
    assert!(
        matches!(verdict(looped, "mean"), Verdict::Proved { checks: 3, .. }),
        "{}",
        verdict(looped, "mean")
    );
}

const TABLE: &str = "memref.global \"private\" constant @table : memref<4xi32> = dense<[1, 2, 4, 8]>\nfunc.func @pick(%t: memref<?xi32>, %i: index) -> i32 {\n  %v = memref.load %t[%i] : memref<?xi32>\n  %z = arith.constant 0 : i32\n  %nz = arith.cmpi ne, %v, %z : i32\n  cf.assert %nz, \"entries are not zero\"\n  %c16 = arith.constant 16 : i32\n  %q = arith.divsi %c16, %v : i32\n  return %q : i32\n}\n";

#[test]
fn loads_from_a_constant_table_the_calls_pass_are_its_elements() {
    let driver = |index: &str| {
        format!(
            "{TABLE}func.func @main() {{\n  %g = memref.get_global @table : memref<4xi32>\n  %v = memref.cast %g : memref<4xi32> to memref<?xi32>\n  {index}\n  %r = func.call @pick(%v, %i) : (memref<?xi32>, index) -> i32\n  %c2 = arith.constant 2 : i32\n  %ok = arith.cmpi eq, %r, %c2 : i32\n  cf.assert %ok, \"16 / 8 is 2\"\n  return\n}}\n"
        )
    };
    // Index 3: the bounds check, the assert, the divisor's two checks, the same four
    // inlined in @main, and @main's assert.
    let found = verdict(&driver("%i = arith.constant 3 : index"), "pick");
    assert!(
        matches!(found, Verdict::Proved { checks: 9, .. }),
        "{found}"
    );
    assert!(
        found
            .to_string()
            .contains("the program passes: (arg0 = @table, arg1 = 3)"),
        "{found}"
    );
    // An index computed at run time (by an op the translation leaves out): any index, and 4
    // is out of bounds. The counterexample runs on the same table.
    let found = verdict(
        &driver(
            "%c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %n = memref.dim %v, %c0 : memref<?xi32>\n  %i = index.sub %n, %c1",
        ),
        "pick",
    );
    let Verdict::Refuted {
        check,
        in_program,
        driver: Some(driver),
        ..
    } = &found
    else {
        panic!("{found}");
    };
    assert!(!in_program);
    assert!(
        check.starts_with("index out of bounds in 'memref.load' at p.mlir:3:"),
        "{check}"
    );
    assert!(
        driver.contains("  %g0 = memref.get_global @table : memref<4xi32>\n  %a0 = memref.cast %g0 : memref<4xi32> to memref<?xi32>\n"),
        "{driver}"
    );
}

#[test]
fn memory_that_is_not_fixed_is_not_translated() {
    let source = format!(
        "{TABLE}func.func @main(%t: memref<?xi32>) {{\n  %c0 = arith.constant 0 : index\n  %r = func.call @pick(%t, %c0) : (memref<?xi32>, index) -> i32\n  return\n}}\n"
    );
    let found = verdict(&source, "pick");
    assert_eq!(
        found,
        Verdict::NotTranslatable(
            "a memref argument (#0) whose contents the program's calls do not fix".into()
        )
    );
}

#[test]
fn math_ops_with_a_theory() {
    // floor(x) <= x for every x (unordered: NaN passes, as the assert's predicate says).
    let floor = "func.func @f(%x: f32) -> f32 {\n  %f = math.floor %x : f32\n  %ok = arith.cmpf ule, %f, %x : f32\n  cf.assert %ok, \"floor is below\"\n  return %f : f32\n}\n";
    assert!(matches!(
        verdict(floor, "f"),
        Verdict::Proved { checks: 1, .. }
    ));
    // round(x) <= x is not: 0.5 rounds away from zero.
    let round = floor.replace("math.floor", "math.round");
    assert!(matches!(verdict(&round, "f"), Verdict::Refuted { .. }));
    // fma(x, 0, 1) is 1 but for an infinite or NaN x.
    let fma = "func.func @f(%x: f32) -> f32 {\n  %z = arith.constant 0.0 : f32\n  %one = arith.constant 1.0 : f32\n  %r = math.fma %x, %z, %one : f32\n  %ok = arith.cmpf oeq, %r, %one : f32\n  cf.assert %ok, \"one\"\n  return %r : f32\n}\n";
    let found = verdict(fma, "f");
    let Verdict::Refuted { counterexample, .. } = &found else {
        panic!("{found}");
    };
    assert!(
        ["inf", "-inf", "NaN"].contains(&counterexample[0].1.as_str()),
        "{found}"
    );
    // |x| >= 0 but for the most negative i8, whose negation wraps.
    let absi = "func.func @f(%x: i8) -> i8 {\n  %a = math.absi %x : i8\n  %z = arith.constant 0 : i8\n  %ok = arith.cmpi sge, %a, %z : i8\n  cf.assert %ok, \"not negative\"\n  return %a : i8\n}\n";
    let found = verdict(absi, "f");
    let Verdict::Refuted { counterexample, .. } = &found else {
        panic!("{found}");
    };
    assert_eq!(
        counterexample,
        &vec![("arg0".to_string(), "-128".to_string())]
    );
}

const SUM4: &str = "func.func @sum4(%buf: memref<4xi32>) -> i32 {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %n = arith.constant BOUND : index\n  %zero = arith.constant 0 : i32\n  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (i32) {\n    %v = memref.load %buf[%i] : memref<4xi32>\n    %t = arith.addi %acc, %v : i32\n    scf.yield %t : i32\n  }\n  return %s : i32\n}\nfunc.func @main() {\n  %buf = memref.alloca() : memref<4xi32>\n  %one = arith.constant 1 : i32\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c4 = arith.constant 4 : index\n  scf.for %i = %c0 to %c4 step %c1 {\n    memref.store %one, %buf[%i] : memref<4xi32>\n  }\n  %s = func.call @sum4(%buf) : (memref<4xi32>) -> i32\n  %four = arith.constant 4 : i32\n  %ok = arith.cmpi eq, %s, %four : i32\n  cf.assert %ok, \"four ones sum to 4\"\n  return\n}\n";

#[test]
fn memory_the_calls_do_not_fix_is_any_contents() {
    // Four loads in bounds for any contents, and @main's buffer of four ones sums to 4: the
    // driver's four stores, the four loads inlined in it and its assert translate too.
    let found = verdict(&SUM4.replace("BOUND", "4"), "sum4");
    assert!(
        matches!(found, Verdict::Proved { checks: 13, .. }),
        "{found}"
    );
    assert!(
        found.to_string().contains("of its argument types"),
        "{found}"
    );
    // One load too many: refuted, the counterexample a buffer's contents, and the driver
    // that runs it holds them in a global.
    let found = verdict(&SUM4.replace("BOUND", "5"), "sum4");
    let Verdict::Refuted {
        counterexample,
        check,
        driver: Some(driver),
        ..
    } = &found
    else {
        panic!("{found}");
    };
    assert!(
        check.starts_with("index out of bounds in 'memref.load'"),
        "{check}"
    );
    assert_eq!(counterexample[0].0, "arg0");
    assert!(counterexample[0].1.starts_with('['), "{found}");
    assert!(
        driver.starts_with(
            "memref.global \"private\" @__tensorlang_counterexample_arg0 : memref<4xi32> = dense<["
        ),
        "{driver}"
    );
    let context = tensorlang::create_context().unwrap();
    let program = counterexample::with_driver(&SUM4.replace("BOUND", "5"), driver);
    assert!(tensorlang::parse_module(&context, &program, "p.mlir").is_ok());
}

#[test]
fn stores_replace_elements_and_may_not_go_through_aliases() {
    let fill = "func.func @fill(%out: memref<3xi32>, %x: i32) -> i32 {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %c3 = arith.constant 3 : index\n  scf.for %i = %c0 to %c3 step %c1 {\n    memref.store %x, %out[%i] : memref<3xi32>\n  }\n  %c2 = arith.constant 2 : index\n  %v = memref.load %out[%c2] : memref<3xi32>\n  %ok = arith.cmpi eq, %v, %x : i32\n  cf.assert %ok, \"filled\"\n  return %v : i32\n}\n";
    // Three stores in bounds, a load in bounds, and the assert.
    let found = verdict(fill, "fill");
    assert!(
        matches!(found, Verdict::Proved { checks: 5, .. }),
        "{found}"
    );
    let two = "func.func @copy(%a: memref<2xi32>, %b: memref<2xi32>) {\n  %c0 = arith.constant 0 : index\n  %v = memref.load %a[%c0] : memref<2xi32>\n  memref.store %v, %b[%c0] : memref<2xi32>\n  return\n}\n";
    assert_eq!(
        verdict(two, "copy"),
        Verdict::NotTranslatable(
            "a 'memref.store' to one of several memory arguments, which may alias".into()
        )
    );
}

#[test]
fn a_solver_out_of_budget_says_so() {
    // Whether a 122-bit number has two factors below 2^62: factoring, which a thousand steps
    // are not enough for.
    let n: i128 = 2305843009213693951 * 576460752303423487;
    let source = format!(
        "func.func @hard(%a: i128, %b: i128) -> i128 {{\n  %one = arith.constant 1 : i128\n  %top = arith.constant 4611686018427387904 : i128\n  %n = arith.constant {n} : i128\n  %a1 = arith.cmpi sgt, %a, %one : i128\n  %b1 = arith.cmpi sgt, %b, %one : i128\n  %a2 = arith.cmpi slt, %a, %top : i128\n  %b2 = arith.cmpi slt, %b, %top : i128\n  %p = arith.muli %a, %b : i128\n  %is = arith.cmpi eq, %p, %n : i128\n  %x = arith.andi %a1, %b1 : i1\n  %y = arith.andi %a2, %b2 : i1\n  %z = arith.andi %x, %y : i1\n  %f = arith.andi %z, %is : i1\n  %true = arith.constant true\n  %no = arith.xori %f, %true : i1\n  cf.assert %no, \"not a product of two factors\"\n  return %p : i128\n}}\n"
    );
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, &source, "p.mlir").unwrap();
    let found = prove(module.as_operation(), "hard", 1000);
    assert_eq!(found, Verdict::Unknown { budget: 1000 }, "{found}");
    assert_eq!(
        found.to_string(),
        "not proved: Z3 gave no answer within its budget of 1000 steps"
    );
}
