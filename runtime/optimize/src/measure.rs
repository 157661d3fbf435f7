//! Checks and times variants against the original, in a forked child: the original and every
//! variant run on the same synthetic inputs (small integers, so that every sum is exact in f32
//! whatever the order of the additions); a variant passes when its `C` equals the original's and
//! it left `A` and `B` as they were. Given a recorded call of the program ([`Recording`]), the
//! variant also runs on its inputs, and its `C` must be within the rounding [`tolerance`] of what
//! the original computed there. A variant that crashes or hangs costs the child, never the
//! program. Times are the best of a few calls.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::record::Recording;

mod conv;
use crate::target::MatmulTarget;

/// The calling convention of a function of three 2-D memrefs: per memref its allocated and
/// aligned pointers, offset, two sizes and two strides.
#[rustfmt::skip]
pub(crate) type MatmulAbi = unsafe extern "C" fn(
    *mut f32, *mut f32, i64, i64, i64, i64, i64,
    *mut f32, *mut f32, i64, i64, i64, i64, i64,
    *mut f32, *mut f32, i64, i64, i64, i64, i64,
);

/// What the child found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    /// Seconds per call of the original.
    pub original: f64,
    /// A digest of the original's `C` on the synthetic inputs ([`digest`]).
    pub reference: String,
    /// Per variant, in the order given: seconds per call, or why it was turned away.
    pub variants: Vec<Result<f64, String>>,
}

/// Runs the original (at `original`) and each variant (at `variants`) in a child; at most
/// `limit` for all of it.
///
/// # Safety
/// Every address must be a live function of `target`'s signature.
///
/// # Errors
/// The child crashed, hung or could not start.
pub unsafe fn measure(
    target: &MatmulTarget,
    original: usize,
    variants: &[usize],
    cancel: &AtomicBool,
) -> Result<Measurement, String> {
    let bytes = tensorlang_repair::isolated::in_quiet_child_unless(
        || {
            // SAFETY: the caller's contract.
            let measurement = unsafe { run(target, original, variants) };
            serde_json::to_vec(&measurement)
                .map(Into::into)
                .map_err(|e| e.to_string())
        },
        cancel,
    )?;
    serde_json::from_slice(&bytes).map_err(|e| format!("a garbled measurement: {e}"))
}

/// `target`'s operands (`A`, `B`, `C`; a convolution's input, filter and output), row-major,
/// filled with small integers.
struct Operands {
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl Operands {
    fn new(target: &MatmulTarget) -> Self {
        if let Some(conv) = &target.conv {
            return conv::operands(conv);
        }
        let fill = |rows: usize, columns: usize, f: &dyn Fn(usize, usize) -> f32| {
            (0..rows * columns)
                .map(|i| f(i / columns, i % columns))
                .collect::<Vec<f32>>()
        };
        Self {
            a: fill(target.m, target.k, &|i, j| {
                ((i * 7 + j * 3) % 5) as f32 - 2.0
            }),
            b: fill(target.k, target.n, &|i, j| {
                ((i * 5 + j * 11) % 7) as f32 - 3.0
            }),
            c: fill(target.m, target.n, &|i, j| ((i + j) % 3) as f32),
        }
    }
}

/// Calls the function at `address` on fresh operands (placed as `target` takes them); the
/// operands after the call, and how long it took.
///
/// # Safety
/// As [`measure`].
unsafe fn timed_call(target: &MatmulTarget, address: usize) -> (Operands, Duration) {
    let mut operands = Operands::new(target);
    // SAFETY: the caller's contract.
    let took = unsafe { call(target, address, &mut operands) };
    (operands, took)
}

/// Calls the function at `address` on `operands` (placed as `target` takes them); how long it
/// took.
///
/// # Safety
/// As [`measure`]; the operands have `target`'s shapes.
unsafe fn call(target: &MatmulTarget, address: usize, operands: &mut Operands) -> Duration {
    if let Some(conv) = &target.conv {
        // SAFETY: the caller's contract; a convolution target takes three 4-D memrefs.
        return unsafe { conv::call(target, conv, address, operands) };
    }
    let shapes = [
        (target.m, target.k),
        (target.k, target.n),
        (target.m, target.n),
    ];
    let pointers = [
        operands.a.as_mut_ptr(),
        operands.b.as_mut_ptr(),
        operands.c.as_mut_ptr(),
    ];
    let mut ordered = [(std::ptr::null_mut(), 0i64, 0i64); 3];
    for (role, &argument) in target.arguments.iter().enumerate() {
        let (rows, columns) = shapes[role];
        ordered[argument] = (pointers[role], rows as i64, columns as i64);
    }
    // SAFETY: the caller guarantees the address is a function of this convention.
    let function: MatmulAbi = unsafe { std::mem::transmute::<usize, MatmulAbi>(address) };
    let [(p0, r0, c0), (p1, r1, c1), (p2, r2, c2)] = ordered;
    let started = Instant::now();
    // SAFETY: each descriptor describes a live, row-major buffer of its shape.
    unsafe {
        function(
            p0, p0, 0, r0, c0, c0, 1, p1, p1, 0, r1, c1, c1, 1, p2, p2, 0, r2, c2, c2, 1,
        )
    };
    started.elapsed()
}

/// How often a variant is timed; the best counts.
const TIMINGS: usize = 3;

/// A reference faster than this is timed as often as the variants.
const FAST: Duration = Duration::from_millis(100);

/// # Safety
/// As [`measure`].
unsafe fn run(target: &MatmulTarget, original: usize, variants: &[usize]) -> Measurement {
    let inputs = Operands::new(target);
    // SAFETY: the caller's contract.
    let (reference, mut original_best) = unsafe { timed_call(target, original) };
    // A fast original (a small matrix) is timed like the variants, best of a few, so that the
    // two compare under the same conditions; a slow one once (it is the naive code).
    if original_best < FAST {
        for _ in 1..TIMINGS {
            // SAFETY: the caller's contract.
            original_best = original_best.min(unsafe { timed_call(target, original) }.1);
        }
    }
    let results = variants
        .iter()
        .map(|&address| {
            let mut best = Duration::MAX;
            for _ in 0..TIMINGS {
                // SAFETY: the caller's contract.
                let (operands, took) = unsafe { timed_call(target, address) };
                best = best.min(took);
                if operands.a != inputs.a || operands.b != inputs.b {
                    return Err("it changed its inputs".to_string());
                }
                if let Some(at) = operands
                    .c
                    .iter()
                    .zip(&reference.c)
                    .position(|(x, y)| x != y)
                {
                    return Err(format!(
                        "C[{}][{}] is {} where the original computes {}",
                        at / target.n,
                        at % target.n,
                        operands.c[at],
                        reference.c[at]
                    ));
                }
            }
            Ok(best.as_secs_f64())
        })
        .collect();
    Measurement {
        original: original_best.as_secs_f64(),
        reference: digest(&reference.c),
        variants: results,
    }
}

/// A digest of a result: BLAKE3 of its bytes.
pub fn digest(c: &[f32]) -> String {
    let mut hasher = blake3::Hasher::new();
    for x in c {
        hasher.update(&x.to_le_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

/// Runs the variant at `address` in a child on the synthetic inputs; it passes when its `C` has
/// the `reference` digest (the original's, from an earlier run) and `A` and `B` are unchanged.
/// Seconds per call (best of a few), or why it was turned away.
///
/// # Safety
/// `address` is a live function of `target`'s signature.
///
/// # Errors
/// Another result, changed inputs, a crash or hang.
pub unsafe fn check_against_reference(
    target: &MatmulTarget,
    address: usize,
    reference: &str,
    cancel: &AtomicBool,
) -> Result<f64, String> {
    let bytes = tensorlang_repair::isolated::in_quiet_child_unless(
        || {
            let inputs = Operands::new(target);
            let mut verdict = Ok(f64::MAX);
            for _ in 0..TIMINGS {
                // SAFETY: the caller's contract.
                let (operands, took) = unsafe { timed_call(target, address) };
                verdict = verdict.and_then(|best: f64| {
                    if operands.a != inputs.a || operands.b != inputs.b {
                        Err("it changed its inputs".to_owned())
                    } else if digest(&operands.c) != reference {
                        Err("its result is not the one the original computed when it was remembered".to_owned())
                    } else {
                        Ok(best.min(took.as_secs_f64()))
                    }
                });
            }
            serde_json::to_vec(&verdict)
                .map(Into::into)
                .map_err(|e| e.to_string())
        },
        cancel,
    )?;
    serde_json::from_slice(&bytes).map_err(|e| format!("a garbled verdict: {e}"))?
}

/// Runs the variant at `address` in a child on the inputs of a recorded call of the program,
/// and compares its `C` with what the original computed there, within [`tolerance`].
///
/// # Safety
/// `address` is a live function of `target`'s signature.
///
/// # Errors
/// Why the variant was turned away: another result, changed inputs, a crash or hang.
pub unsafe fn check_recorded(
    target: &MatmulTarget,
    address: usize,
    recording: &Recording,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let verdict = tensorlang_repair::isolated::in_quiet_child_unless(
        || {
            // SAFETY: the caller's contract.
            let verdict = unsafe { check_on_recording(target, address, recording) };
            // One byte for a pass, the reason for a failure (never empty).
            Ok(match verdict {
                Ok(()) => PASSED.to_vec().into(),
                Err(why) => format!("{}{why}", char::from(FAILED)).into_bytes().into(),
            })
        },
        cancel,
    )?;
    match verdict.split_first() {
        Some((&PASSED_BYTE, [])) => Ok(()),
        Some((&FAILED, why)) => Err(String::from_utf8_lossy(why).into_owned()),
        _ => Err("a garbled verdict from the check".into()),
    }
}

const PASSED_BYTE: u8 = b'+';
const PASSED: &[u8] = &[PASSED_BYTE];
const FAILED: u8 = b'-';

/// [`check_recorded`], in this process.
///
/// # Safety
/// As [`check_recorded`].
unsafe fn check_on_recording(
    target: &MatmulTarget,
    address: usize,
    recording: &Recording,
) -> Result<(), String> {
    let mut operands = Operands {
        a: recording.a.clone(),
        b: recording.b.clone(),
        c: recording.c_before.clone(),
    };
    // SAFETY: the caller's contract; the recording has the target's shapes.
    unsafe { call(target, address, &mut operands) };
    if operands.a != recording.a || operands.b != recording.b {
        return Err("it changed its inputs on the recorded call".into());
    }
    let bounds = tolerance(target, recording);
    for (at, ((&x, &y), bound)) in operands
        .c
        .iter()
        .zip(&recording.c_after)
        .zip(bounds)
        .enumerate()
    {
        let same = x == y || (x.is_nan() && y.is_nan()) || (f64::from(x - y).abs() <= bound);
        if !same {
            return Err(format!(
                "on the recorded call, C[{}][{}] is {x} where the original computed {y} (tolerance {bound:.3e})",
                at / target.n,
                at % target.n,
            ));
        }
    }
    Ok(())
}

/// How far a variant's `C[i][j]` may be from the original's: both add the same `k + 1` terms
/// (the old `C[i][j]`, or the fill value, and the `k` products) in some order, so each is within
/// `γ(k+1) · Σ|term|` of the exact sum, `γ(n) = n·u / (1 − n·u)` with `u = 2⁻²⁴` (f32, with or
/// without fused multiply-adds), and the two within twice that of each other. `Σ|a_il|·|b_lj|`
/// is bounded from the row and column maxima and sums, so the bound costs `O(mk + kn)`.
fn tolerance(target: &MatmulTarget, recording: &Recording) -> Vec<f64> {
    let (m, n, k) = (target.m, target.n, target.k);
    let unit = f64::from(f32::EPSILON) / 2.0;
    let terms = (k + 1) as f64 * unit;
    let gamma = terms / (1.0 - terms).max(f64::MIN_POSITIVE);
    let fill = target
        .fill
        .as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        .abs();
    let a = |i: usize, l: usize| f64::from(recording.a[i * k + l]).abs();
    let b = |l: usize, j: usize| f64::from(recording.b[l * n + j]).abs();
    let row_max: Vec<f64> = (0..m)
        .map(|i| (0..k).map(|l| a(i, l)).fold(0.0, f64::max))
        .collect();
    let row_sum: Vec<f64> = (0..m).map(|i| (0..k).map(|l| a(i, l)).sum()).collect();
    let column_max: Vec<f64> = (0..n)
        .map(|j| (0..k).map(|l| b(l, j)).fold(0.0, f64::max))
        .collect();
    let column_sum: Vec<f64> = (0..n).map(|j| (0..k).map(|l| b(l, j)).sum()).collect();
    (0..m * n)
        .map(|at| {
            let (i, j) = (at / n, at % n);
            let products = (row_max[i] * column_sum[j]).min(row_sum[i] * column_max[j]);
            let start = f64::from(recording.c_before[at]).abs().max(fill);
            2.0 * gamma * (start + products)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: usize = 4;

    /// `C += A * B` for 4x4 matrices, from the descriptors' aligned pointers; `flaw` then spoils
    /// `C` (1) or `A` (2).
    unsafe fn matmul(a: *mut f32, b: *mut f32, c: *mut f32, flaw: u8) {
        // SAFETY: the measurement passes 4x4 row-major buffers.
        let (a, b, c) = unsafe {
            (
                std::slice::from_raw_parts_mut(a, N * N),
                std::slice::from_raw_parts(b, N * N),
                std::slice::from_raw_parts_mut(c, N * N),
            )
        };
        for i in 0..N {
            for j in 0..N {
                let products = (0..N).map(|k| a[i * N + k] * b[k * N + j]);
                c[i * N + j] += if flaw == 4 {
                    // Another order of the additions.
                    products.rev().fold(0.0, |s, p| s + p)
                } else {
                    products.sum::<f32>()
                };
            }
        }
        match flaw {
            1 => c[N + 2] += 1.0,
            2 => a[0] = 0.0,
            // Exact on integers only.
            3 => c.iter_mut().for_each(|x| *x = x.round()),
            _ => {}
        }
    }

    macro_rules! abi {
        ($name:ident, $flaw:expr) => {
            #[allow(clippy::too_many_arguments)]
            unsafe extern "C" fn $name(
                _: *mut f32,
                a: *mut f32,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
                _: *mut f32,
                b: *mut f32,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
                _: *mut f32,
                c: *mut f32,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
                _: i64,
            ) {
                // SAFETY: called by `measure` with 4x4 buffers.
                unsafe { matmul(a, b, c, $flaw) }
            }
        };
    }
    abi!(exact, 0);
    abi!(wrong_result, 1);
    abi!(clobbers_input, 2);
    abi!(rounds, 3);
    abi!(reordered, 4);

    fn target() -> MatmulTarget {
        MatmulTarget::new("mm", N, N, N)
    }

    /// The recording of a call of `exact` on these operands.
    fn recorded(target: &MatmulTarget, a: Vec<f32>, b: Vec<f32>, c_before: Vec<f32>) -> Recording {
        let mut operands = Operands {
            a: a.clone(),
            b: b.clone(),
            c: c_before.clone(),
        };
        // SAFETY: a function of the matmul convention on 4x4 operands.
        unsafe { call(target, exact as *const () as usize, &mut operands) };
        Recording {
            shape: [N, N, N],
            a,
            b,
            c_before,
            c_after: operands.c,
        }
    }

    #[test]
    fn a_variant_must_compute_the_originals_result_and_leave_its_inputs() {
        let target = target();
        let addresses = [
            exact as *const () as usize,
            wrong_result as *const () as usize,
            clobbers_input as *const () as usize,
        ];
        // SAFETY: all three have the signature of a function of three 2-D memrefs.
        let measurement =
            unsafe { measure(&target, addresses[0], &addresses, &AtomicBool::new(false)) }.unwrap();
        assert!(measurement.variants[0].is_ok(), "{measurement:?}");
        // The digest of the original's result checks a variant without the original.
        let check = |function: usize, reference: &str| {
            // SAFETY: a function of the matmul convention.
            unsafe {
                check_against_reference(&target, function, reference, &AtomicBool::new(false))
            }
        };
        assert!(check(addresses[0], &measurement.reference).is_ok());
        assert!(check(addresses[1], &measurement.reference).is_err());
        assert!(check(addresses[0], "another digest").is_err());
        let wrong = measurement.variants[1].clone().unwrap_err();
        assert!(wrong.starts_with("C[1][2] is"), "{wrong}");
        let clobbered = measurement.variants[2].clone().unwrap_err();
        assert_eq!(clobbered, "it changed its inputs");
    }

    #[test]
    fn on_a_recorded_call_a_variant_must_agree_within_the_rounding_tolerance() {
        let target = target();
        let values = |seed: f32| {
            (0..N * N)
                .map(|i| (i as f32 * 0.37 + seed).sin())
                .collect::<Vec<f32>>()
        };
        let recording = recorded(&target, values(0.1), values(0.7), values(1.3));
        let check = |function: usize| {
            // SAFETY: a function of the matmul convention, checked on 4x4 operands.
            unsafe { check_recorded(&target, function, &recording, &AtomicBool::new(false)) }
        };
        assert_eq!(check(exact as *const () as usize), Ok(()));
        assert_eq!(check(reordered as *const () as usize), Ok(()));
        let rounded = check(rounds as *const () as usize).unwrap_err();
        assert!(rounded.starts_with("on the recorded call, C["), "{rounded}");
        // Integer inputs: exact in any order, and rounding changes nothing.
        let integers = |r: &[f32]| r.iter().map(|x| x.round()).collect::<Vec<f32>>();
        let recording = recorded(
            &target,
            integers(&recording.a),
            integers(&recording.b),
            integers(&recording.c_before),
        );
        // SAFETY: as above.
        let verdict = unsafe {
            check_recorded(
                &target,
                rounds as *const () as usize,
                &recording,
                &AtomicBool::new(false),
            )
        };
        assert_eq!(verdict, Ok(()));
    }
}
