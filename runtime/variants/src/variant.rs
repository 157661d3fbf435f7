//! Variants of a matmul function: the same signature, its body rewritten by a transform-dialect
//! script (tile for the caches, tile for the registers, vectorize, keep the C tile in registers
//! across the K loop, bufferize, lower the contractions to FMAs), optionally split over threads
//! with `scf.forall` on the async runtime. Each variant's parameters come from a sweep; which
//! one is fastest on this machine is measured, never assumed.

use std::fmt::Write as _;

use crate::target::{Conv2d, MatmulTarget};

/// One point of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct VariantParameters {
    /// Threads the rows are split over (1: no `scf.forall`).
    pub threads: usize,
    /// Cache tile `(M, N, K)`.
    pub cache_tile: [usize; 3],
    /// Register tile `(M, N)`.
    pub register_tile: [usize; 2],
}

impl VariantParameters {
    /// `t2-c128x512x64-r4x16`.
    pub fn name(&self) -> String {
        let [cm, cn, ck] = self.cache_tile;
        let [rm, rn] = self.register_tile;
        format!("t{}-c{cm}x{cn}x{ck}-r{rm}x{rn}", self.threads)
    }
}

impl VariantParameters {
    /// The parameters named `name` (as [`VariantParameters::name`] writes them).
    pub fn parse(name: &str) -> Option<Self> {
        let rest = name.strip_prefix('t')?;
        let (threads, rest) = rest.split_once("-c")?;
        let (cache, register) = rest.split_once("-r")?;
        let numbers = |text: &str| -> Option<Vec<usize>> {
            text.split('x')
                .map(|n| n.parse().ok().filter(|&n| n > 0))
                .collect()
        };
        let cache: [usize; 3] = numbers(cache)?.try_into().ok()?;
        let register: [usize; 2] = numbers(register)?.try_into().ok()?;
        Some(Self {
            threads: threads.parse().ok().filter(|&t| t > 0)?,
            cache_tile: cache,
            register_tile: register,
        })
    }
}

/// The sweep for `target` on a machine with `cores` cores and `lanes` f32 lanes per vector
/// register: every combination whose tiles divide the shapes exactly (a partial tile would not
/// vectorize), most promising first. Register tiles are four rows by two vectors first (on
/// AVX2 4x16, on AVX-512 4x32: measured 2x faster there than 4x16), then variations.
pub fn sweep(target: &MatmulTarget, cores: usize, lanes: usize) -> Vec<VariantParameters> {
    let mut thread_counts = vec![cores.max(1)];
    if cores > 1 {
        thread_counts.push(1);
    }
    let mut variants = Vec::new();
    for threads in thread_counts {
        if !target.m.is_multiple_of(threads) {
            continue;
        }
        let rows = target.m / threads;
        let Some(cm) = largest_divisor(rows, &[128, 64, 32, 16, 8, 4]) else {
            continue;
        };
        let Some(cn) = largest_divisor(target.n, &[512, 256, 128, 64, 32, 16]) else {
            continue;
        };
        let Some(ck) = largest_divisor(target.k, &[64, 32, 16, 8]) else {
            continue;
        };
        let lanes = lanes.max(4);
        for register_tile in [[4, 2 * lanes], [8, lanes], [4, lanes], [2, 2 * lanes]] {
            if cm % register_tile[0] == 0 && cn % register_tile[1] == 0 {
                variants.push(VariantParameters {
                    threads,
                    cache_tile: [cm, cn, ck],
                    register_tile,
                });
            }
        }
    }
    variants
}

fn largest_divisor(value: usize, candidates: &[usize]) -> Option<usize> {
    candidates
        .iter()
        .copied()
        .find(|c| value.is_multiple_of(*c))
}

/// The variant as a module: the function and the transform script. The fast path works on
/// tensors wrapped around the memrefs with `restrict` (they do not overlap); a call whose `C`
/// overlaps `A` or `B` takes the original `linalg.matmul` on the memrefs instead, so the variant
/// computes what the original does for every call, not only for the inputs it was checked on.
/// A target with dynamic shapes (specialized from a call) takes the fast path only on calls of
/// the shapes it was specialized for, and the original `linalg.matmul` on any other.
pub fn module_text(target: &MatmulTarget, parameters: &VariantParameters) -> String {
    let [ai, bi, ci] = target.arguments;
    let params: Vec<String> = target
        .parameters
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("%arg{i}: {ty}"))
        .collect();
    let [pa, pb, pc] = target.arguments.map(|i| target.parameters[i].as_str());
    let op = if target.conv.is_some() {
        "linalg.conv_2d_nhwc_hwcf"
    } else {
        "linalg.matmul"
    };
    let original = format!("{op} ins(%arg{ai}, %arg{bi} : {pa}, {pb}) outs(%arg{ci} : {pc})");
    let fill = target.fill.as_ref().map_or_else(String::new, |value| {
        format!("  %fill = arith.constant {value} : f32\n  linalg.fill ins(%fill : f32) outs(%arg{ci} : {pc})\n")
    });
    let body = if let Some(conv) = &target.conv {
        conv_body(target, conv, &original)
    } else if target.dynamic {
        shape_guarded(target, &original)
    } else {
        fast_path(target, [ai, bi, ci].map(|i| format!("%arg{i}")), &original)
    };
    let mut text = format!(
        "func.func @{name}({params}) {{\n{fill}{body}  return\n}}\n",
        name = target.function,
        params = params.join(", "),
    );
    text.push_str(&script(parameters));
    text
}

/// The static types of `A`, `B` and `C`.
fn static_types(target: &MatmulTarget) -> [String; 3] {
    let (m, n, k) = (target.m, target.n, target.k);
    [
        format!("memref<{m}x{k}xf32>"),
        format!("memref<{k}x{n}xf32>"),
        format!("memref<{m}x{n}xf32>"),
    ]
}

/// For a dynamic target: the fast path on the static views when every dimension is the one it
/// was specialized for, `original` otherwise.
fn shape_guarded(target: &MatmulTarget, original: &str) -> String {
    let [ai, bi, ci] = target.arguments;
    let [pa, pb, pc] = target.arguments.map(|i| target.parameters[i].as_str());
    let [ta, tb, tc] = static_types(target);
    let (m, n, k) = (target.m, target.n, target.k);
    let mut text = String::from(
        "  %d0 = arith.constant 0 : index\n  %d1 = arith.constant 1 : index\n  %fits0 = arith.constant true\n",
    );
    let checks = [
        (ai, pa, 0, m),
        (ai, pa, 1, k),
        (bi, pb, 0, k),
        (bi, pb, 1, n),
        (ci, pc, 0, m),
        (ci, pc, 1, n),
    ];
    for (i, (argument, ty, dim, size)) in checks.into_iter().enumerate() {
        let _ = write!(
            text,
            "  %dim{i} = memref.dim %arg{argument}, %d{dim} : {ty}\n\
             \x20 %want{i} = arith.constant {size} : index\n\
             \x20 %same{i} = arith.cmpi eq, %dim{i}, %want{i} : index\n\
             \x20 %fits{next} = arith.andi %fits{i}, %same{i} : i1\n",
            next = i + 1,
        );
    }
    let inner = fast_path(target, ["%sa", "%sb", "%sc"].map(String::from), original)
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect::<String>();
    let _ = write!(
        text,
        "  scf.if %fits6 {{\n\
         \x20   %sa = memref.cast %arg{ai} : {pa} to {ta}\n\
         \x20   %sb = memref.cast %arg{bi} : {pb} to {tb}\n\
         \x20   %sc = memref.cast %arg{ci} : {pc} to {tc}\n\
         {inner}\
         \x20 }} else {{\n\
         \x20   {original}\n\
         \x20 }}\n"
    );
    text
}

/// The fast path on the static memrefs `a`, `b`, `c` (see [`module_text`]), `original` where
/// they overlap.
fn fast_path(target: &MatmulTarget, [a, b, c]: [String; 3], original: &str) -> String {
    let (m, n, k) = (target.m, target.n, target.k);
    let types = static_types(target);
    let checked = overlap_check([&a, &b, &c], &types, [m * k * 4, k * n * 4, m * n * 4]);
    let product = tensor_matmul(target, [&a, &b, &c]);
    format!("{checked}  scf.if %overlap {{\n    {original}\n  }} else {{\n{product}  }}\n")
}

/// `%overlap`: whether the memref `values[2]` (the output) shares bytes with `values[0]` or
/// `values[1]` (their extents in bytes are `bytes`).
fn overlap_check(values: [&str; 3], types: &[String; 3], bytes: [usize; 3]) -> String {
    let mut text = String::new();
    for (i, (value, ty)) in values.iter().zip(types).enumerate() {
        let _ = write!(
            text,
            "  %p{i} = memref.extract_aligned_pointer_as_index {value} : {ty} -> index\n\
             \x20 %s{i} = arith.constant {size} : index\n\
             \x20 %e{i} = arith.addi %p{i}, %s{i} : index\n",
            size = bytes[i],
        );
    }
    text.push_str(
        "  %ca1 = arith.cmpi ult, %p2, %e0 : index\n\
         \x20 %ca2 = arith.cmpi ult, %p0, %e2 : index\n\
         \x20 %ca = arith.andi %ca1, %ca2 : i1\n\
         \x20 %cb1 = arith.cmpi ult, %p2, %e1 : index\n\
         \x20 %cb2 = arith.cmpi ult, %p1, %e2 : index\n\
         \x20 %cb = arith.andi %cb1, %cb2 : i1\n\
         \x20 %overlap = arith.ori %ca, %cb : i1\n",
    );
    text
}

/// `c += a * b` on the static memrefs `a` (`m x k`), `b` (`k x n`), `c` (`m x n`), through
/// tensors (`restrict`: they do not overlap) and the `linalg.matmul` the script transforms.
fn tensor_matmul(target: &MatmulTarget, [a, b, c]: [&str; 3]) -> String {
    let (m, n, k) = (target.m, target.n, target.k);
    let [ta, tb, tc] = static_types(target);
    format!(
        "    %a = bufferization.to_tensor {a} restrict : {ta} to tensor<{m}x{k}xf32>\n\
         \x20   %b = bufferization.to_tensor {b} restrict : {tb} to tensor<{k}x{n}xf32>\n\
         \x20   %c = bufferization.to_tensor {c} restrict writable : {tc} to tensor<{m}x{n}xf32>\n\
         \x20   %r = linalg.matmul {{tensorlang.fast}} ins(%a, %b : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) outs(%c : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>\n\
         \x20   bufferization.materialize_in_destination %r in restrict writable {c} : (tensor<{m}x{n}xf32>, {tc}) -> ()\n",
    )
}

/// A convolution as a matmul (see [`crate::target::Conv2d`]): the input's windows copied into
/// the rows of a buffer (im2col), times the filter seen as a matrix, into the output seen as
/// one; `original` where the output overlaps the input or the filter. The buffer is freed by
/// the lowering's `buffer-deallocation-pipeline` (which rejects a `memref.dealloc` of its own).
fn conv_body(target: &MatmulTarget, conv: &Conv2d, original: &str) -> String {
    let [ii, fi, oi] = target.arguments;
    let [pi, pf, po] = target.arguments.map(|i| target.parameters[i].as_str());
    let (m, n, k) = (target.m, target.n, target.k);
    let bytes = conv
        .operand_shapes()
        .map(|shape| shape.iter().product::<usize>() * 4);
    let values = [ii, fi, oi].map(|i| format!("%arg{i}"));
    let types = [pi, pf, po].map(String::from);
    let checked = overlap_check([&values[0], &values[1], &values[2]], &types, bytes);
    let (oh, ow) = (conv.out_height(), conv.out_width());
    let (kh, kw, ch) = (conv.kernel_height, conv.kernel_width, conv.channels);
    let batch = conv.batch;
    let windows = format!("memref<{batch}x{oh}x{ow}x{kh}x{kw}x{ch}xf32>");
    let product = tensor_matmul(target, ["%col", "%filter", "%out"]);
    let parallel = ["\"parallel\""; 6].join(", ");
    format!(
        "{checked}  scf.if %overlap {{\n    {original}\n  }} else {{\n\
         \x20   %col = memref.alloc() {{alignment = 64 : i64}} : memref<{m}x{k}xf32>\n\
         \x20   %windows = memref.expand_shape %col [[0, 1, 2], [3, 4, 5]] output_shape [{batch}, {oh}, {ow}, {kh}, {kw}, {ch}] : memref<{m}x{k}xf32> into {windows}\n\
         \x20   linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3, d2 + d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>], iterator_types = [{parallel}]}} ins(%arg{ii} : {pi}) outs(%windows : {windows}) {{\n\
         \x20   ^bb0(%x: f32, %y: f32):\n\
         \x20     linalg.yield %x : f32\n\
         \x20   }}\n\
         \x20   %filter = memref.collapse_shape %arg{fi} [[0, 1, 2], [3]] : {pf} into memref<{k}x{n}xf32>\n\
         \x20   %out = memref.collapse_shape %arg{oi} [[0, 1, 2], [3]] : {po} into memref<{m}x{n}xf32>\n\
         {product}\
         \x20 }}\n"
    )
}

/// The transform script (see the module docs).
fn script(parameters: &VariantParameters) -> String {
    let [cm, cn, ck] = parameters.cache_tile;
    let [rm, rn] = parameters.register_tile;
    let any = "!transform.any_op";
    let (first, split) = if parameters.threads > 1 {
        (
            "%forall_tiled",
            format!(
                "    %forall_tiled, %forall = transform.structured.tile_using_forall %mm num_threads [{}, 0, 0] : ({any}) -> ({any}, {any})\n",
                parameters.threads
            ),
        )
    } else {
        ("%mm", String::new())
    };
    format!(
        "module attributes {{transform.with_named_sequence}} {{\n\
         \x20 transform.named_sequence @__transform_main(%root: {any} {{transform.consumed}}) {{\n\
         \x20   %mm = transform.structured.match ops{{[\"linalg.matmul\"]}} attributes {{tensorlang.fast}} in %root : ({any}) -> {any}\n\
         {split}\
         \x20   %t1, %l1:3 = transform.structured.tile_using_for {first} tile_sizes [{cm}, {cn}, {ck}] : ({any}) -> ({any}, {any}, {any}, {any})\n\
         \x20   %t2, %l2:2 = transform.structured.tile_using_for %t1 tile_sizes [{rm}, {rn}, 0] : ({any}) -> ({any}, {any}, {any})\n\
         \x20   %t3, %l3 = transform.structured.tile_using_for %t2 tile_sizes [0, 0, 1] : ({any}) -> ({any}, {any})\n\
         \x20   transform.structured.vectorize %t3 : {any}\n\
         \x20   %f = transform.structured.match ops{{[\"func.func\"]}} in %root : ({any}) -> {any}\n\
         \x20   transform.apply_patterns to %f {{\n\
         \x20     transform.apply_patterns.vector.reduction_to_contract\n\
         \x20     transform.apply_patterns.vector.transfer_permutation_patterns\n\
         \x20     transform.apply_patterns.canonicalization\n\
         \x20   }} : {any}\n\
         \x20   %loops = transform.structured.match ops{{[\"scf.for\"]}} in %f : ({any}) -> {any}\n\
         \x20   transform.apply_licm to %loops : {any}\n\
         \x20   transform.loop.hoist_loop_invariant_subsets %loops : {any}\n\
         \x20   %b = transform.bufferization.one_shot_bufferize %root {{function_boundary_type_conversion = 1 : i32}} : ({any}) -> {any}\n\
         \x20   %f2 = transform.structured.match ops{{[\"func.func\"]}} in %b : ({any}) -> {any}\n\
         \x20   transform.apply_patterns to %f2 {{\n\
         \x20     transform.apply_patterns.vector.lower_contraction lowering_strategy = \"outerproduct\"\n\
         \x20     transform.apply_patterns.vector.lower_outerproduct\n\
         \x20     transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1\n\
         \x20     transform.apply_patterns.canonicalization\n\
         \x20   }} : {any}\n\
         \x20   transform.yield\n\
         \x20 }}\n\
         }}\n"
    )
}

/// The passes after the transform script (and after its module is erased): bufferization
/// clean-up, the threads on the async runtime, then the LLVM dialect.
pub fn lowering(parameters: &VariantParameters) -> String {
    let threads = if parameters.threads > 1 {
        format!(
            "scf-forall-to-parallel,async-parallel-for{{num-workers={} min-task-size=1}},async-to-async-runtime,async-runtime-ref-counting,async-runtime-ref-counting-opt,convert-async-to-llvm,",
            parameters.threads
        )
    } else {
        String::new()
    };
    format!(
        "builtin.module(convert-linalg-to-loops,buffer-deallocation-pipeline,convert-bufferization-to-memref,cse,canonicalize,convert-vector-to-scf,{threads}convert-scf-to-cf,expand-strided-metadata,lower-affine,convert-vector-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(m: usize, n: usize, k: usize) -> MatmulTarget {
        MatmulTarget::new("mm", m, n, k)
    }

    #[test]
    fn a_name_parses_back_to_its_parameters() {
        for v in sweep(&target(512, 512, 512), 2, 16) {
            assert_eq!(VariantParameters::parse(&v.name()), Some(v));
        }
        assert_eq!(VariantParameters::parse("t2-c128x512-r4x32"), None);
        assert_eq!(VariantParameters::parse("t0-c128x512x64-r4x32"), None);
    }

    #[test]
    fn the_sweep_only_holds_tiles_that_divide_the_shapes() {
        let variants = sweep(&target(512, 512, 512), 2, 8);
        assert_eq!(variants[0].name(), "t2-c128x512x64-r4x16");
        assert!(variants.iter().any(|v| v.threads == 1));
        assert_eq!(
            sweep(&target(512, 512, 512), 2, 16)[0].name(),
            "t2-c128x512x64-r4x32"
        );
        for v in sweep(&target(96, 48, 24), 2, 8) {
            let [cm, cn, ck] = v.cache_tile;
            assert!(
                96 / v.threads % cm == 0 && 48 % cn == 0 && 24 % ck == 0,
                "{v:?}"
            );
        }
        assert!(sweep(&target(7, 5, 3), 2, 8).is_empty());
    }

    #[test]
    fn the_variant_transforms_and_lowers_to_the_llvm_dialect() {
        let t = target(64, 64, 64);
        let parameters = sweep(&t, 2, 8)[0];
        let context = tensorlang::create_context().unwrap();
        let module = crate::compile::lower_variant(
            &context,
            &module_text(&t, &parameters),
            "mm",
            &parameters,
        )
        .expect("lowers");
        let text = module.as_operation().to_string();
        assert!(text.contains("llvm.func @mm("), "{text}");
        assert!(
            text.contains("llvm.intr.fmuladd") || text.contains("llvm.intr.fma"),
            "{text}"
        );
        assert!(!text.contains("transform."), "{text}");
    }

    /// A function of three 2-D memrefs: per memref its allocated and aligned pointers, offset,
    /// two sizes and two strides.
    #[rustfmt::skip]
    type MatmulAbi = unsafe extern "C" fn(
        *mut f32, *mut f32, i64, i64, i64, i64, i64,
        *mut f32, *mut f32, i64, i64, i64, i64, i64,
        *mut f32, *mut f32, i64, i64, i64, i64, i64,
    );

    #[test]
    fn a_dynamic_variant_runs_its_fast_code_only_on_the_shapes_it_was_made_for() {
        let dynamic = MatmulTarget {
            m: 0,
            n: 0,
            k: 0,
            fill: Some("0.000000e+00".into()),
            dynamic: true,
            parameters: vec!["memref<?x?xf32>".into(); 3],
            ..MatmulTarget::new("mm", 1, 1, 1)
        };
        let target = dynamic.specialized([8, 16, 8]).unwrap();
        let parameters = VariantParameters {
            threads: 1,
            cache_tile: [8, 16, 8],
            register_tile: [4, 8],
        };
        let context = tensorlang_jit::create_context().unwrap();
        let text = module_text(&target, &parameters);
        let module = crate::compile::lower_variant(&context, &text, "mm", &parameters)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let jit = tensorlang_jit::Jit::new(tensorlang_jit::JitOptions::default()).unwrap();
        jit.add_module(module.as_operation(), &[]).unwrap();
        // SAFETY: `mm` has the matmul calling convention.
        let mm = unsafe { std::mem::transmute::<usize, MatmulAbi>(jit.address("mm").unwrap()) };
        // The shape it was made for, then others (the original loops).
        for (m, n, k) in [(8, 16, 8), (5, 3, 7), (8, 16, 9)] {
            let mut a: Vec<f32> = (0..m * k).map(|i| (i % 5) as f32 - 2.0).collect();
            let mut b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 - 3.0).collect();
            let mut c = vec![99.0f32; m * n];
            let (pa, pb, pc) = (a.as_mut_ptr(), b.as_mut_ptr(), c.as_mut_ptr());
            let (m, n, k) = (m as i64, n as i64, k as i64);
            // SAFETY: three live row-major buffers of the shapes passed.
            unsafe {
                mm(
                    pa, pa, 0, m, k, k, 1, pb, pb, 0, k, n, n, 1, pc, pc, 0, m, n, n, 1,
                )
            };
            let (m, n, k) = (m as usize, n as usize, k as usize);
            for i in 0..m {
                for j in 0..n {
                    let expected: f32 = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
                    assert_eq!(c[i * n + j], expected, "{m}x{n}x{k} at ({i}, {j})");
                }
            }
        }
    }

    /// A function of three 4-D memrefs: per memref its pointers, offset, four sizes and four
    /// strides.
    #[rustfmt::skip]
    type ConvAbi = unsafe extern "C" fn(
        *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
        *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
        *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
    );

    #[test]
    fn a_convolution_variant_computes_the_convolution() {
        let context = tensorlang_jit::create_context().unwrap();
        let source = "func.func @conv(%i: memref<1x10x12x4xf32>, %f: memref<3x3x4x8xf32>, %o: memref<1x8x10x8xf32>) {\n  linalg.conv_2d_nhwc_hwcf ins(%i, %f : memref<1x10x12x4xf32>, memref<3x3x4x8xf32>) outs(%o : memref<1x8x10x8xf32>)\n  return\n}\n";
        let module = tensorlang::parse_module(&context, source, "c.mlir").unwrap();
        let target = crate::target::find(&module, "main").remove(0);
        let parameters = VariantParameters {
            threads: 1,
            cache_tile: [16, 8, 4],
            register_tile: [4, 8],
        };
        let text = module_text(&target, &parameters);
        let lowered = crate::compile::lower_variant(&context, &text, "conv", &parameters)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let jit = tensorlang_jit::Jit::new(tensorlang_jit::JitOptions::default()).unwrap();
        jit.add_module(lowered.as_operation(), &[]).unwrap();
        // SAFETY: `conv` has the calling convention of three 4-D memrefs.
        let conv = unsafe { std::mem::transmute::<usize, ConvAbi>(jit.address("conv").unwrap()) };
        let mut input: Vec<f32> = (0..10 * 12 * 4).map(|i| (i % 5) as f32 - 2.0).collect();
        let mut filter: Vec<f32> = (0..3 * 3 * 4 * 8).map(|i| (i % 7) as f32 - 3.0).collect();
        let mut out = vec![1.0f32; 8 * 10 * 8];
        let (pi, pf, po) = (input.as_mut_ptr(), filter.as_mut_ptr(), out.as_mut_ptr());
        // SAFETY: three live row-major buffers of the shapes the function takes.
        unsafe {
            conv(
                pi, pi, 0, 1, 10, 12, 4, 480, 48, 4, 1, pf, pf, 0, 3, 3, 4, 8, 96, 32, 8, 1, po,
                po, 0, 1, 8, 10, 8, 640, 80, 8, 1,
            )
        };
        for oh in 0..8 {
            for ow in 0..10 {
                for f in 0..8 {
                    let mut expected = 1.0f32;
                    for kh in 0..3 {
                        for kw in 0..3 {
                            for c in 0..4 {
                                expected += input[((oh + kh) * 12 + ow + kw) * 4 + c]
                                    * filter[((kh * 3 + kw) * 4 + c) * 8 + f];
                            }
                        }
                    }
                    assert_eq!(
                        out[(oh * 10 + ow) * 8 + f],
                        expected,
                        "at ({oh}, {ow}, {f})"
                    );
                }
            }
        }
    }
}
