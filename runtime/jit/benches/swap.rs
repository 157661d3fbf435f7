//! Compile-and-swap latency of a ~50-op function, and the same swap when the object cache
//! already has the code: both measured in one run, medians of many swaps.
//!
//! `cargo bench -p tensorlang-jit --bench swap`

use std::time::{Duration, Instant};
use tensorlang_jit::{Jit, JitOptions, ObjectCache, Program, replace_function};

const SWAPS: usize = 41;

/// A function of about 50 ops: a polynomial in `x` whose coefficients include `seed`, so each
/// seed is a different version (a different content hash).
fn version(seed: usize) -> String {
    let mut body = String::from("  %acc0 = arith.constant 0.0 : f32\n");
    for i in 0..16 {
        body += &format!(
            "  %k{i} = arith.constant {}.0 : f32\n  %m{i} = arith.mulf %acc{i}, %x : f32\n  \
             %acc{} = arith.addf %m{i}, %k{i} : f32\n",
            seed * 16 + i,
            i + 1
        );
    }
    format!(
        "func.func @poly(%x: f32) -> f32 attributes {{tensorlang.replaceable}} {{\n{body}  \
         return %acc16 : f32\n}}\n"
    )
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let context = tensorlang_jit::create_context().expect("context");
    let mut program = Program::parse(&context, &version(0), "poly.mlir", true).expect("parse");
    program.lower(&context).expect("lower");
    let jit = Jit::new(JitOptions {
        opt_level: Some(2),
        cache: ObjectCache::new(None),
        libraries: Vec::new(),
        heal_handler: None,
        profile_calls: false,
        contained: None,
    })
    .expect("jit");
    jit.add_module(program.module().as_operation(), &program.replaceable)
        .expect("load");

    // Compile: every swap is a new version (parse, lower, translate, compile, link, swap).
    let mut compiled = Vec::new();
    for seed in 1..=SWAPS {
        let source = version(seed);
        let start = Instant::now();
        let report = replace_function(&jit, "poly", &source, "poly.mlir").expect("swap");
        compiled.push(start.elapsed());
        assert!(!report.from_cache);
    }
    // Cached: alternate between versions the cache holds (hash, load object, link, swap).
    let mut cached = Vec::new();
    for i in 0..SWAPS {
        let source = version(1 + i % 2);
        let start = Instant::now();
        let report = replace_function(&jit, "poly", &source, "poly.mlir").expect("swap");
        cached.push(start.elapsed());
        assert!(report.from_cache);
    }
    let (compiled, cached) = (median(compiled), median(cached));
    println!("swap of a ~50-op function, median of {SWAPS}:");
    println!(
        "  compile and swap  {:8.3} ms",
        compiled.as_secs_f64() * 1e3
    );
    println!("  from the cache    {:8.3} ms", cached.as_secs_f64() * 1e3);
    println!(
        "  ratio             {:8.1}x",
        compiled.as_secs_f64() / cached.as_secs_f64()
    );
}
