//! What containment at the address costs: the same kernels run as the user's own code and as a
//! contained version (every load and store checked against the call's byte ranges), side by
//! side in one run, alternating, medians.
//!
//! `cargo bench -p tensorlang-jit --bench contain`

use std::time::{Duration, Instant};
use tensorlang_checks::contain::Containment;
use tensorlang_jit::{EntryResult, Jit, JitOptions, ObjectCache, Program};

const ROUNDS: usize = 15;

/// A kernel function, called `calls` times by `@main` on buffers it fills once.
struct Kernel {
    name: &'static str,
    function: &'static str,
    /// The function itself, then `@main`.
    source: &'static str,
    writable: &'static [usize],
    /// Loads and stores one call of the kernel makes, for the per-access figure.
    accesses_per_call: f64,
    calls: usize,
}

const SCALE: &str = r#"
func.func @scale(%a: memref<?xf32>, %b: memref<?xf32>) attributes {tensorlang.replaceable} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %b[%i] : memref<?xf32>
  }
  return
}
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 65536 : index
  %calls = arith.constant 200 : index
  %a = memref.alloc(%n) : memref<?xf32>
  %b = memref.alloc(%n) : memref<?xf32>
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%a : memref<?xf32>)
  scf.for %k = %c0 to %calls step %c1 {
    func.call @scale(%a, %b) : (memref<?xf32>, memref<?xf32>) -> ()
  }
  return
}
"#;

const MATMUL: &str = r#"
func.func @matmul(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) attributes {tensorlang.replaceable} {
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %calls = arith.constant 50 : index
  %a = memref.alloc() : memref<64x64xf32>
  %b = memref.alloc() : memref<64x64xf32>
  %c = memref.alloc() : memref<64x64xf32>
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%a : memref<64x64xf32>)
  linalg.fill ins(%one : f32) outs(%b : memref<64x64xf32>)
  scf.for %k = %c0 to %calls step %c1 {
    func.call @matmul(%a, %b, %c) : (memref<64x64xf32>, memref<64x64xf32>, memref<64x64xf32>) -> ()
  }
  return
}
"#;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Times `@main` of `kernel` as compiled, then with the contained version swapped in, round by
/// round; the medians.
fn measure(kernel: &Kernel) -> (Duration, Duration) {
    let context = tensorlang_jit::create_context().expect("context");
    let jit = Jit::new(JitOptions {
        opt_level: Some(3),
        cache: ObjectCache::new(None),
        ..JitOptions::default()
    })
    .expect("jit");
    let mut program = Program::parse(&context, kernel.source, "k.mlir", true).expect("parse");
    program.lower(&context).expect("lower");
    jit.add_module(program.module().as_operation(), &program.replaceable)
        .expect("load");
    jit.initialize().expect("initialize");

    let containment = Containment {
        function: kernel.function.into(),
        writable_arguments: kernel.writable.to_vec(),
        ..Containment::default()
    };
    let mut version = Program::parse(&context, kernel.source, "k.mlir", true).expect("parse");
    version.add_replaceable(&jit.replaceable());
    version.reduce_to(&context, kernel.function);
    version
        .lower_contained(&context, &containment)
        .expect("lower contained");
    let key = jit.version_key(kernel.function, &containment.key());
    let object = jit
        .build_contained_version(
            kernel.function,
            key,
            version.module().as_operation(),
            &containment,
        )
        .expect("contain");
    // The user's own code, as a version too (so both are swapped in the same way).
    let mut own = Program::parse(&context, kernel.source, "k.mlir", true).expect("parse");
    own.add_replaceable(&jit.replaceable());
    own.reduce_to(&context, kernel.function);
    own.lower(&context).expect("lower");
    let plain_key = jit.version_key(kernel.function, "plain");
    let plain_object = jit
        .build_version(kernel.function, plain_key, own.module().as_operation())
        .expect("build");

    let run = || {
        let start = Instant::now();
        jit.call_entry("main", EntryResult::Void, None)
            .expect("main")
            .expect("no trap");
        start.elapsed()
    };
    let (mut plain, mut contained) = (Vec::new(), Vec::new());
    // Swapping retires the version swapped out: each round loads both again (not timed).
    for _ in 0..ROUNDS {
        jit.load_built(kernel.function, plain_key, plain_object.clone())
            .expect("load");
        jit.activate(kernel.function, plain_key).expect("plain");
        plain.push(run());
        jit.load_built(kernel.function, key, object.clone())
            .expect("load");
        jit.activate(kernel.function, key).expect("contained");
        contained.push(run());
    }
    (median(plain), median(contained))
}

fn main() {
    let kernels = [
        Kernel {
            name: "scale (65536 f32, load+store)",
            function: "scale",
            source: SCALE,
            writable: &[1],
            accesses_per_call: 2.0 * 65536.0,
            calls: 200,
        },
        Kernel {
            name: "matmul 64x64x64 f32",
            function: "matmul",
            source: MATMUL,
            writable: &[2],
            accesses_per_call: 4.0 * 64.0 * 64.0 * 64.0,
            calls: 50,
        },
    ];
    println!("kernel | plain ms | contained ms | ratio | ns per access added");
    println!("---|---|---|---|---");
    for kernel in &kernels {
        let (plain, contained) = measure(kernel);
        let added = (contained.as_secs_f64() - plain.as_secs_f64()) * 1e9
            / (kernel.accesses_per_call * kernel.calls as f64);
        println!(
            "{} | {:.3} | {:.3} | {:.2}x | {:.2}",
            kernel.name,
            plain.as_secs_f64() * 1e3,
            contained.as_secs_f64() * 1e3,
            contained.as_secs_f64() / plain.as_secs_f64(),
            added
        );
    }
}
