//! The JIT on small programs: compile and call, the object cache, a swap through a slot, and a
//! failed check reported as a trap with its kind.

use super::*;
use crate::program::Program;
use crate::swap::replace_function;

/// `@answer` is replaceable and returns `value`; `@main` returns what it returns.
fn program(value: i32) -> String {
    format!(
        "func.func @answer() -> i32 attributes {{tensorlang.replaceable}} {{\n  %c = arith.constant {value} : i32\n  return %c : i32\n}}\nfunc.func @main() -> i32 {{\n  %r = func.call @answer() : () -> i32\n  return %r : i32\n}}\n"
    )
}

fn jit(cache: ObjectCache) -> Jit {
    Jit::new(JitOptions {
        opt_level: Some(2),
        cache,
        libraries: Vec::new(),
        heal_handler: None,
        profile_calls: false,
        contained: None,
    })
    .expect("a JIT")
}

fn load(jit: &Jit, context: &melior::Context, source: &str) -> LoadReport {
    let mut program = Program::parse(context, source, "t.mlir", true).expect("parses");
    program.lower(context).expect("lowers");
    let report = jit
        .add_module(program.module().as_operation(), &program.replaceable)
        .expect("loads");
    jit.initialize().expect("initializes");
    report
}

fn main_result(jit: &Jit) -> EntryValue {
    jit.call_entry("main", EntryResult::I32, None)
        .expect("main exists")
        .expect("main returns")
}

#[test]
fn a_program_compiles_and_its_entry_returns() {
    let context = crate::create_context().unwrap();
    let jit = jit(ObjectCache::new(None));
    load(&jit, &context, &program(42));
    assert_eq!(main_result(&jit), EntryValue::I32(42));
    assert!(jit.replaceable().contains(&"answer".to_string()));
    assert!(jit.call_entry("missing", EntryResult::I32, None).is_err());
}

#[test]
fn the_same_module_loads_from_the_object_cache_the_second_time() {
    let context = crate::create_context().unwrap();
    let directory = std::env::temp_dir().join(format!("tl-jit-cache-{}", std::process::id()));
    let first = jit(ObjectCache::new(Some(directory.clone())));
    assert!(!load(&first, &context, &program(7)).from_cache);
    let second = jit(ObjectCache::new(Some(directory.clone())));
    assert!(load(&second, &context, &program(7)).from_cache);
    assert_eq!(main_result(&second), EntryValue::I32(7));
    let _ = std::fs::remove_dir_all(directory);
}

#[test]
fn a_new_version_swapped_into_the_slot_is_what_callers_call() {
    let context = crate::create_context().unwrap();
    let jit = jit(ObjectCache::new(None));
    load(&jit, &context, &program(1));
    assert_eq!(main_result(&jit), EntryValue::I32(1));
    replace_function(&jit, "answer", &program(2), "t.mlir").expect("swaps");
    assert_eq!(main_result(&jit), EntryValue::I32(2));
}

#[test]
fn a_failed_check_is_a_trap_that_names_its_kind() {
    let source = "func.func @main() -> i32 {\n  %a = arith.constant 7 : i32\n  %z = arith.constant 0 : i32\n  %b = arith.addi %z, %z : i32\n  %q = arith.divsi %a, %b : i32\n  return %q : i32\n}\n";
    let context = crate::create_context().unwrap();
    let jit = jit(ObjectCache::new(None));
    let mut program = Program::parse(&context, source, "div.mlir", true).unwrap();
    program.lower(&context).unwrap();
    jit.add_module(program.module().as_operation(), &program.replaceable)
        .unwrap();
    jit.initialize().unwrap();
    let trap = jit
        .call_entry("main", EntryResult::I32, None)
        .unwrap()
        .expect_err("divides by zero");
    let failure = crate::failure::from_trap(&trap, "main", &jit, &program.functions, 0);
    assert_eq!(failure.kind.name(), "div-by-zero", "{failure}");
    assert!(failure.location.starts_with("div.mlir:"), "{failure}");
}

#[test]
fn a_profiling_jit_counts_the_calls_through_a_slot() {
    let source = "func.func @answer() -> i32 attributes {tensorlang.replaceable} {\n  %c = arith.constant 3 : i32\n  return %c : i32\n}\nfunc.func @main() -> i32 {\n  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n  %n = arith.constant 5 : index\n  %z = arith.constant 0 : i32\n  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (i32) {\n    %r = func.call @answer() : () -> i32\n    %t = arith.addi %acc, %r : i32\n    scf.yield %t : i32\n  }\n  return %s : i32\n}\n";
    let context = crate::create_context().unwrap();
    let jit = Jit::new(JitOptions {
        opt_level: Some(2),
        cache: ObjectCache::new(None),
        profile_calls: true,
        ..JitOptions::default()
    })
    .unwrap();
    load(&jit, &context, source);
    assert_eq!(main_result(&jit), EntryValue::I32(15));
    let counts = jit.slot("answer").unwrap().counts();
    assert_eq!((counts.calls, counts.in_flight), (5, 0));
    if cfg!(target_arch = "x86_64") {
        assert!(counts.cycles > 0, "{counts:?}");
    }
}
