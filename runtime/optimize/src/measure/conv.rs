//! The convolution targets' side of [`super`]: their synthetic operands (small integers, so
//! every sum is exact in f32 in any order) and their calling convention, three 4-D memrefs.

use std::time::{Duration, Instant};

use tensorlang_variants::target::Conv2d;

use super::Operands;
use crate::target::MatmulTarget;

/// A function of three 4-D memrefs: per memref its allocated and aligned pointers, offset, four
/// sizes and four strides.
#[rustfmt::skip]
type ConvAbi = unsafe extern "C" fn(
    *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
    *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
    *mut f32, *mut f32, i64, i64, i64, i64, i64, i64, i64, i64, i64,
);

/// Input, filter and output of `conv`, row-major, filled with small integers.
pub(super) fn operands(conv: &Conv2d) -> Operands {
    let [input, filter, output] = conv.operand_shapes().map(|s| s.iter().product::<usize>());
    Operands {
        a: (0..input).map(|i| ((i * 7) % 5) as f32 - 2.0).collect(),
        b: (0..filter).map(|i| ((i * 5) % 7) as f32 - 3.0).collect(),
        c: (0..output).map(|i| (i % 3) as f32).collect(),
    }
}

/// Calls the function at `address` on `operands`, placed as `target` takes them; how long it
/// took.
///
/// # Safety
/// `address` is a live function of the convention of three 4-D memrefs; the operands have
/// `conv`'s shapes.
pub(super) unsafe fn call(
    target: &MatmulTarget,
    conv: &Conv2d,
    address: usize,
    operands: &mut Operands,
) -> Duration {
    let shapes = conv.operand_shapes();
    let pointers = [
        operands.a.as_mut_ptr(),
        operands.b.as_mut_ptr(),
        operands.c.as_mut_ptr(),
    ];
    let mut ordered = [(std::ptr::null_mut(), [0i64; 4], [0i64; 4]); 3];
    for (role, &argument) in target.arguments.iter().enumerate() {
        let sizes = shapes[role].map(|d| d as i64);
        let strides = [
            sizes[1] * sizes[2] * sizes[3],
            sizes[2] * sizes[3],
            sizes[3],
            1,
        ];
        ordered[argument] = (pointers[role], sizes, strides);
    }
    // SAFETY: the caller guarantees the address is a function of this convention.
    let function: ConvAbi = unsafe { std::mem::transmute::<usize, ConvAbi>(address) };
    let [(p0, s0, t0), (p1, s1, t1), (p2, s2, t2)] = ordered;
    let started = Instant::now();
    // SAFETY: each descriptor describes a live, row-major buffer of its shape.
    unsafe {
        function(
            p0, p0, 0, s0[0], s0[1], s0[2], s0[3], t0[0], t0[1], t0[2], t0[3], p1, p1, 0, s1[0],
            s1[1], s1[2], s1[3], t1[0], t1[1], t1[2], t1[3], p2, p2, 0, s2[0], s2[1], s2[2], s2[3],
            t2[0], t2[1], t2[2], t2[3],
        )
    };
    started.elapsed()
}
