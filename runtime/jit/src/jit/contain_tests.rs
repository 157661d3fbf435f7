//! Contained versions (repair candidates) on a small program: what they may touch runs as
//! before, a write to an input the original only reads and a read past a buffer through a
//! reinterpreted view are failed checks, and memory they allocate reads as zero.

use super::*;
use crate::program::Program;

/// `@get(%in, %out, %i)` copies `in[i]` to `out[0]`; `@main` calls it with 1 and returns
/// `out[0]` (in[1] = 10).
const PROGRAM: &str = r#"
func.func @get(%in: memref<4xi32>, %out: memref<4xi32>, %i: index) attributes {tensorlang.replaceable} {
  %c0 = arith.constant 0 : index
  %v = memref.load %in[%i] : memref<4xi32>
  memref.store %v, %out[%c0] : memref<4xi32>
  return
}
func.func @main() -> i32 {
  %in = memref.alloca() : memref<4xi32>
  %out = memref.alloca() : memref<4xi32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %k = %c0 to %c4 step %c1 {
    %x = arith.index_cast %k : index to i32
    %ten = arith.constant 10 : i32
    %y = arith.muli %x, %ten : i32
    memref.store %y, %in[%k] : memref<4xi32>
  }
  func.call @get(%in, %out, %c1) : (memref<4xi32>, memref<4xi32>, index) -> ()
  %r = memref.load %out[%c0] : memref<4xi32>
  return %r : i32
}
"#;

fn containment() -> Containment {
    Containment {
        function: "get".into(),
        writable_arguments: vec![1],
        writable_globals: Vec::new(),
        callees: Vec::new(),
    }
}

/// Loads `PROGRAM`, swaps in `body` as the contained version of `@get` and runs `@main`.
fn run_with(body: &str) -> Result<EntryValue, String> {
    let context = crate::create_context().unwrap();
    let jit = Jit::new(JitOptions {
        opt_level: Some(2),
        ..JitOptions::default()
    })
    .unwrap();
    let mut program = Program::parse(&context, PROGRAM, "p.mlir", true).unwrap();
    program.lower(&context).unwrap();
    jit.add_module(program.module().as_operation(), &program.replaceable)
        .unwrap();
    jit.initialize().unwrap();
    let candidate = PROGRAM.replacen(
        PROGRAM
            .split("func.func @main")
            .next()
            .unwrap()
            .trim_start(),
        body,
        1,
    );
    let mut version = Program::parse(&context, &candidate, "candidate.mlir", true).unwrap();
    version.add_replaceable(&jit.replaceable());
    version.reduce_to(&context, "get");
    version
        .lower_contained(&context, &containment())
        .map_err(|e| e.to_string())?;
    let key = jit.version_key("get", &candidate);
    let object = jit
        .build_contained_version("get", key, version.module().as_operation(), &containment())
        .map_err(|e| e.to_string())?;
    jit.load_built("get", key, object).unwrap();
    jit.activate("get", key).unwrap();
    match jit.call_entry("main", EntryResult::I32, None).unwrap() {
        Ok(value) => Ok(value),
        Err(trap) => {
            let failure = crate::failure::from_trap(&trap, "main", &jit, &program.functions, 0);
            Err(failure.to_string())
        }
    }
}

const HEADER: &str = "func.func @get(%in: memref<4xi32>, %out: memref<4xi32>, %i: index) attributes {tensorlang.replaceable} {\n  %c0 = arith.constant 0 : index\n";

#[test]
fn a_version_that_stays_in_its_buffers_runs_as_before() {
    let body = format!(
        "{HEADER}  %v = memref.load %in[%i] : memref<4xi32>\n  %w = arith.addi %v, %v : i32\n  memref.store %w, %out[%c0] : memref<4xi32>\n  return\n}}\n"
    );
    assert_eq!(run_with(&body), Ok(EntryValue::I32(20)));
}

#[test]
fn a_write_to_an_input_the_original_only_reads_is_a_failed_check() {
    let body = format!(
        "{HEADER}  %v = memref.load %in[%i] : memref<4xi32>\n  memref.store %v, %in[%c0] : memref<4xi32>\n  memref.store %v, %out[%c0] : memref<4xi32>\n  return\n}}\n"
    );
    let failure = run_with(&body).unwrap_err();
    assert!(
        failure
            .contains("candidate.mlir:5:3: error: a write outside the memory this call may write"),
        "{failure}"
    );
}

#[test]
fn a_read_past_the_buffer_through_a_reinterpreted_view_is_a_failed_check() {
    let body = format!(
        "{HEADER}  %wide = memref.reinterpret_cast %in to offset: [0], sizes: [64], strides: [1] : memref<4xi32> to memref<64xi32>\n  %c40 = arith.constant 40 : index\n  %v = memref.load %wide[%c40] : memref<64xi32>\n  memref.store %v, %out[%c0] : memref<4xi32>\n  return\n}}\n"
    );
    let failure = run_with(&body).unwrap_err();
    assert!(failure.contains("error: "), "{failure}");
    assert!(failure.contains("candidate.mlir:"), "{failure}");
}

#[test]
fn memory_a_version_allocates_reads_as_zero() {
    let body = format!(
        "{HEADER}  %fresh = memref.alloc() : memref<4xi32>\n  %v = memref.load %fresh[%i] : memref<4xi32>\n  memref.store %v, %out[%c0] : memref<4xi32>\n  return\n}}\n"
    );
    assert_eq!(run_with(&body), Ok(EntryValue::I32(0)));
}
