//! Randomized attack on the run-time checks of `tensorlang-instrument`.
//!
//! Each generated program allocates a buffer (`memref.alloca`, `memref.alloc` or a constant
//! `memref.global`), fills it, builds a random chain of views of it (subviews, casts to dynamic
//! or static layouts, collapse/expand_shape, reinterpret_cast, reshape), and in an `scf.for`
//! whose bounds and step come in as function arguments computes indices with `arith` ops (some
//! with `overflow<nsw/nuw>` flags, some wrapping, some in `i32`), then stores and loads through
//! the view and prints every loaded value.
//!
//! A model computes, exactly (`i128`), whether every view op stays inside its source (as MLIR's
//! semantics and the documented checks require), whether the loop is well-formed (a positive step
//! that does not carry the index past the largest index, or no iteration), whether every access
//! stays inside its view, and the values the program prints. Then:
//!
//! - a program that stays inside exits 0 and prints exactly what the model says;
//! - a program that goes outside exits non-zero (never by a signal) with a `file:line:col:
//!   error:` inside the program, having printed only a prefix of the values read before;
//! - a fraction of the programs that go outside run again with `--self-heal` and must either fail
//!   in the same located way or, repaired, print only values that are in the buffer.
//!
//! Flags that a wrapping operation breaks make the program's result poison (undefined); the
//! instrumentation strips them and computes in two's complement. Such a program must either
//! fail with a located error or behave as its two's-complement model says (its accesses are then
//! checked like any other).
//!
//! Reproduce: `RANDOM_ACCESSES_SEED=<seed> RANDOM_ACCESSES_N=<n> cargo test -p tensorlang-run
//! --test random_accesses`; `RANDOM_ACCESSES_ONLY=<index>` runs one program and prints it;
//! `RANDOM_ACCESSES_KEEP=<dir>` keeps the program files there.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const DEFAULT_SEED: u64 = 0x7e57_a11c_0de5_eed5;
const DEFAULT_PROGRAMS: usize = 128;
/// Loop iterations the model simulates; programs that would run longer are not generated.
const MAX_TRIPS: i128 = 40;
/// The value of buffer element `k` is `FILL + k`; stored values are `STORED + iteration`.
const FILL: f32 = 7000.25;
const STORED: f32 = 3000.75;
const RUNNER_UTILS: &str = "/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so";

// ---------------------------------------------------------------------------------------------
// A small deterministic PRNG.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A value in `lo..=hi` (`lo <= hi`).
    fn range(&mut self, lo: i128, hi: i128) -> i128 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo + 1) as u128;
        lo + ((self.next() as u128 | ((self.next() as u128) << 64)) % span) as i128
    }

    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const I64_MIN: i128 = i64::MIN as i128;
const I64_MAX: i128 = i64::MAX as i128;

fn clamp64(v: i128) -> i64 {
    v.clamp(I64_MIN, I64_MAX) as i64
}

/// Two's-complement wrap of `v` to `bits` bits, read as signed.
fn wrap(v: i128, bits: u32) -> i128 {
    let m = 1i128 << bits;
    let mut r = v.rem_euclid(m);
    if r >= m / 2 {
        r -= m;
    }
    r
}

fn unsigned(v: i128, bits: u32) -> i128 {
    v.rem_euclid(1i128 << bits)
}

/// Values that attack the checks: zero, minus one, the ends of the index type, powers of two
/// whose products wrap.
fn hostile(rng: &mut Rng, near: i128) -> i64 {
    let choices: [i128; 16] = [
        -1,
        -2,
        0,
        near,
        near + 1,
        -near,
        I64_MAX,
        I64_MIN,
        1 << 62,
        (1 << 62) + 1,
        1 << 32,
        (1 << 32) + 1,
        -(1 << 62),
        I64_MAX - 1,
        (1 << 31) - 1,
        1 << 63, // wraps to i64::MIN through clamp: kept as I64_MAX
    ];
    clamp64(rng.pick(&choices))
}

// ---------------------------------------------------------------------------------------------
// Types and descriptors.

/// A memref type of `f32`: sizes (static or `?`), identity layout or fully dynamic strides.
#[derive(Clone, Debug)]
struct Ty {
    sizes: Vec<Option<i64>>,
    strided: bool,
}

impl Ty {
    fn dynamic(rank: usize) -> Ty {
        Ty {
            sizes: vec![None; rank],
            strided: true,
        }
    }

    fn fully_dynamic(&self) -> bool {
        self.strided && self.sizes.iter().all(Option::is_none)
    }
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "memref<")?;
        for s in &self.sizes {
            match s {
                Some(n) => write!(f, "{n}x")?,
                None => write!(f, "?x")?,
            }
        }
        write!(f, "f32")?;
        if self.strided {
            let q = vec!["?"; self.sizes.len()].join(", ");
            write!(f, ", strided<[{q}], offset: ?>")?;
        }
        write!(f, ">")
    }
}

/// What a descriptor reaches: element `offset + sum_d i_d * strides[d]` of the buffer.
#[derive(Clone, Debug)]
struct Desc {
    offset: i128,
    sizes: Vec<i128>,
    strides: Vec<i128>,
}

impl Desc {
    fn contiguous(offset: i128, sizes: &[i128]) -> Desc {
        let mut strides = vec![1i128; sizes.len()];
        for d in (0..sizes.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * sizes[d + 1];
        }
        Desc {
            offset,
            sizes: sizes.to_vec(),
            strides,
        }
    }

    fn count(&self) -> i128 {
        self.sizes
            .iter()
            .fold(1i128, |p, &s| (p * s).clamp(-(1 << 100), 1 << 100))
    }

    /// The elements it reaches, `None` when it is empty.
    fn interval(&self) -> Option<(i128, i128)> {
        if self.sizes.contains(&0) {
            return None;
        }
        let (mut lo, mut hi) = (self.offset, self.offset);
        for (s, t) in self.sizes.iter().zip(&self.strides) {
            let e = (s - 1) * t;
            lo += e.min(0);
            hi += e.max(0);
        }
        Some((lo, hi))
    }

    /// Row-major contiguous (dimensions of size 1 have no say), or empty.
    fn is_contiguous(&self) -> bool {
        if self.sizes.contains(&0) {
            return true;
        }
        let mut expected = 1i128;
        for d in (0..self.sizes.len()).rev() {
            if self.sizes[d] != 1 {
                if self.strides[d] != expected {
                    return false;
                }
                expected *= self.sizes[d];
            }
        }
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Index expressions.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Width {
    Index,
    I64,
    I32,
}

impl Width {
    fn bits(self) -> u32 {
        match self {
            Width::I32 => 32,
            _ => 64,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Width::Index => "index",
            Width::I64 => "i64",
            Width::I32 => "i32",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum BinOp {
    Add,
    Sub,
    Mul,
}

#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    nsw: bool,
    nuw: bool,
}

impl Flags {
    fn random(rng: &mut Rng) -> Flags {
        match rng.below(6) {
            0 => Flags {
                nsw: true,
                nuw: false,
            },
            1 => Flags {
                nsw: false,
                nuw: true,
            },
            2 => Flags {
                nsw: true,
                nuw: true,
            },
            _ => Flags::default(),
        }
    }

    fn text(self) -> &'static str {
        match (self.nsw, self.nuw) {
            (true, true) => " overflow<nsw, nuw>",
            (true, false) => " overflow<nsw>",
            (false, true) => " overflow<nuw>",
            (false, false) => "",
        }
    }
}

#[derive(Clone, Debug)]
enum Expr {
    /// The loop index.
    I,
    /// A kernel argument with this value.
    P(i64),
    /// A constant.
    C(i64),
    Bin(BinOp, Flags, Box<Expr>, Box<Expr>),
    Shl(Flags, Box<Expr>, u32),
}

/// An index: an expression computed in `width`, cast back to `index` (zero-extended from
/// `i32` when `zext`).
#[derive(Clone, Debug)]
struct IndexExpr {
    width: Width,
    zext: bool,
    expr: Expr,
}

/// Evaluates in `bits` bits: (value, poison).
fn eval(e: &Expr, i: i128, bits: u32) -> (i128, bool) {
    match e {
        Expr::I => (wrap(i, bits), false),
        Expr::P(v) | Expr::C(v) => (wrap(*v as i128, bits), false),
        Expr::Bin(op, flags, a, b) => {
            let (x, px) = eval(a, i, bits);
            let (y, py) = eval(b, i, bits);
            let (ux, uy) = (unsigned(x, bits), unsigned(y, bits));
            let (exact, uexact) = match op {
                BinOp::Add => (x + y, ux + uy),
                BinOp::Sub => (x - y, ux - uy),
                BinOp::Mul => (x * y, ux * uy),
            };
            let r = wrap(exact, bits);
            let nsw = flags.nsw && r != exact;
            let nuw = flags.nuw && (uexact < 0 || uexact >= 1i128 << bits);
            (r, px || py || nsw || nuw)
        }
        Expr::Shl(flags, a, k) => {
            let (x, px) = eval(a, i, bits);
            let exact = x * (1i128 << k);
            let uexact = unsigned(x, bits) * (1i128 << k);
            let r = wrap(exact, bits);
            let nsw = flags.nsw && r != exact;
            let nuw = flags.nuw && uexact >= 1i128 << bits;
            (r, px || nsw || nuw)
        }
    }
}

fn eval_index(e: &IndexExpr, i: i128) -> (i128, bool) {
    let (v, p) = eval(&e.expr, i, e.width.bits());
    let v = if e.width == Width::I32 && e.zext {
        unsigned(v, 32)
    } else {
        v
    };
    (v, p)
}

// ---------------------------------------------------------------------------------------------
// The generator, which models the program as it writes it.

struct Gen {
    rng: Rng,
    params: Vec<i64>,
    body: Vec<String>,
    globals: Vec<String>,
    tmp: usize,
    /// The first way the program leaves MLIR's semantics (and the checks must stop it).
    violation: Option<String>,
    /// Undefined behaviour that cannot reach outside the buffer, which the compiler may erase
    /// (a cast to sizes or a layout the memref does not have, which canonicalization may fold
    /// away): the program fails located or runs as modeled on the real descriptors.
    soft: Option<String>,
    /// Only plausible choices (no hostile values), so that many programs stay inside.
    calm: bool,
    /// What was done, for the failure report.
    log: Vec<String>,
}

/// The current view: its SSA name, type and descriptor.
#[derive(Clone)]
struct View {
    name: String,
    ty: Ty,
    desc: Desc,
}

struct Program {
    text: String,
    /// Undefined behaviour that cannot reach outside the buffer (see `Gen::soft`).
    soft: Option<String>,
    /// `None`: stays inside; else why not.
    violation: Option<String>,
    /// Values printed before the end or the first violation.
    values: Vec<f32>,
    /// An index was poison (a flag broke) though its wrapped value was in bounds.
    poisoned: bool,
    /// Values in the buffer at some point (for repaired runs).
    allowed: Vec<f32>,
    lines: usize,
    log: Vec<String>,
    heal: bool,
}

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.tmp += 1;
        format!("%{prefix}{}", self.tmp)
    }

    fn param(&mut self, v: i64) -> String {
        self.params.push(v);
        format!("%a{}", self.params.len() - 1)
    }

    /// A static literal (sometimes, when it is a plain nonnegative value) or a kernel argument.
    fn operand(&mut self, v: i64, may_be_static: bool) -> (String, Option<i64>) {
        if may_be_static && (0..=4096).contains(&v) && self.rng.chance(1, 4) {
            (v.to_string(), Some(v))
        } else {
            (self.param(v), None)
        }
    }

    fn constant(&mut self, v: i64) -> String {
        let n = self.fresh("c");
        self.body
            .push(format!("    {n} = arith.constant {v} : index"));
        n
    }

    /// A hostile choice, never in a calm program.
    fn attack(&mut self, num: u64, den: u64) -> bool {
        !self.calm && self.rng.chance(num, den)
    }

    fn soften(&mut self, why: String) {
        self.log.push(format!("soft violation: {why}"));
        if self.soft.is_none() {
            self.soft = Some(why);
        }
    }

    fn violate(&mut self, why: String) {
        self.log.push(format!("violation: {why}"));
        if self.violation.is_none() {
            self.violation = Some(why);
        }
    }

    fn emit(&mut self, line: String) {
        self.body.push(format!("    {line}"));
    }

    fn cast(&mut self, v: &View, to: Ty) -> View {
        let n = self.fresh("v");
        self.emit(format!("{n} = memref.cast {} : {} to {to}", v.name, v.ty));
        View {
            name: n,
            ty: to,
            desc: v.desc.clone(),
        }
    }

    /// Casts to fully dynamic sizes and strides (no change to the descriptor).
    fn dynamic(&mut self, v: &View) -> View {
        if v.ty.fully_dynamic() {
            v.clone()
        } else {
            self.cast(v, Ty::dynamic(v.ty.sizes.len()))
        }
    }

    fn small_value(&mut self, size: i128) -> i64 {
        if self.attack(1, 6) {
            hostile(&mut self.rng, size)
        } else {
            clamp64(self.rng.range(-2, size.clamp(0, 64) + 2))
        }
    }

    // --- the buffer --------------------------------------------------------------------------

    /// Allocates and fills the buffer: its view, its element count (model) and whether stores
    /// are allowed.
    fn buffer(&mut self) -> (View, Vec<f32>, bool) {
        let two_d = self.rng.chance(1, 3);
        let dims: Vec<i128> = if two_d {
            vec![self.rng.range(1, 7), self.rng.range(1, 7)]
        } else {
            let lo = if self.rng.chance(1, 10) { 0 } else { 1 };
            vec![self.rng.range(lo, 48)]
        };
        let kind = self.rng.below(4);
        if kind == 0 {
            let dims: Vec<i128> = dims.iter().map(|&d| d.max(1)).collect();
            // A constant global.
            let count = dims.iter().product::<i128>() as usize;
            let values: Vec<String> = (0..count)
                .map(|k| format!("{:.2}", FILL + k as f32))
                .collect();
            let literal = if two_d {
                let cols = dims[1] as usize;
                let rows: Vec<String> = values
                    .chunks(cols)
                    .map(|r| format!("[{}]", r.join(", ")))
                    .collect();
                format!("[{}]", rows.join(", "))
            } else {
                format!("[{}]", values.join(", "))
            };
            let ty = Ty {
                sizes: dims.iter().map(|&d| Some(d as i64)).collect(),
                strided: false,
            };
            self.globals.push(format!(
                "memref.global \"private\" constant @g : {ty} = dense<{literal}>"
            ));
            let n = self.fresh("buf");
            self.emit(format!("{n} = memref.get_global @g : {ty}"));
            self.log.push(format!("global {ty}"));
            let mem = (0..count).map(|k| FILL + k as f32).collect();
            return (
                View {
                    name: n,
                    ty,
                    desc: Desc::contiguous(0, &dims),
                },
                mem,
                false,
            );
        }
        let op = if kind == 1 {
            "memref.alloca"
        } else {
            "memref.alloc"
        };
        let dynamic = self.rng.chance(1, 2);
        let mut sizes = dims.clone();
        let (ty, operands) = if dynamic {
            // Sometimes sizes that are negative or whose byte count wraps.
            if self.attack(1, 5) {
                let d = self.rng.below(sizes.len() as u64) as usize;
                sizes[d] =
                    self.rng
                        .pick(&[-1, -7, 1 << 62, (1 << 62) + 1, 1 << 61, I64_MAX, I64_MIN]);
            }
            let args: Vec<String> = sizes.iter().map(|&s| self.param(s as i64)).collect();
            (
                Ty {
                    sizes: vec![None; sizes.len()],
                    strided: false,
                },
                args.join(", "),
            )
        } else {
            (
                Ty {
                    sizes: dims.iter().map(|&d| Some(d as i64)).collect(),
                    strided: false,
                },
                String::new(),
            )
        };
        let n = self.fresh("buf");
        self.emit(format!("{n} = {op}({operands}) : {ty}"));
        self.log.push(format!("{op} {ty} sizes {sizes:?}"));
        let bytes = sizes
            .iter()
            .fold(4i128, |p, &s| (p * s).clamp(-(1 << 100), 1 << 100));
        if sizes.iter().any(|&s| s < 0) || bytes > 1 << 62 {
            self.violate(format!("{op} sizes {sizes:?}"));
            // Keep going with a small buffer model: nothing after this runs.
            sizes = vec![1; sizes.len()];
        }
        // Fill: element k (row-major) is FILL + k.
        let zero = self.constant(0);
        let one = self.constant(1);
        let mut bounds = Vec::new();
        for d in 0..sizes.len() {
            let c = self.constant(d as i64);
            let b = self.fresh("d");
            self.emit(format!("{b} = memref.dim {n}, {c} : {ty}"));
            bounds.push(b);
        }
        let fill = self.fresh("f");
        self.emit(format!("{fill} = arith.constant {FILL:.2} : f32"));
        if sizes.len() == 1 {
            let k = self.fresh("k");
            let (x, y, z) = (self.fresh("x"), self.fresh("x"), self.fresh("x"));
            self.emit(format!(
                "scf.for {k} = {zero} to {} step {one} {{",
                bounds[0]
            ));
            self.emit(format!("  {x} = arith.index_cast {k} : index to i64"));
            self.emit(format!("  {y} = arith.sitofp {x} : i64 to f32"));
            self.emit(format!("  {z} = arith.addf {y}, {fill} : f32"));
            self.emit(format!("  memref.store {z}, {n}[{k}] : {ty}"));
            self.emit("}".into());
        } else {
            let (r, c) = (self.fresh("k"), self.fresh("k"));
            let (w, x, y, z) = (
                self.fresh("x"),
                self.fresh("x"),
                self.fresh("x"),
                self.fresh("x"),
            );
            self.emit(format!(
                "scf.for {r} = {zero} to {} step {one} {{",
                bounds[0]
            ));
            self.emit(format!(
                "  scf.for {c} = {zero} to {} step {one} {{",
                bounds[1]
            ));
            self.emit(format!("    {w} = arith.muli {r}, {} : index", bounds[1]));
            self.emit(format!("    {x} = arith.addi {w}, {c} : index"));
            self.emit(format!("    {y} = arith.index_cast {x} : index to i64"));
            let f = self.fresh("x");
            self.emit(format!("    {f} = arith.sitofp {y} : i64 to f32"));
            self.emit(format!("    {z} = arith.addf {f}, {fill} : f32"));
            self.emit(format!("    memref.store {z}, {n}[{r}, {c}] : {ty}"));
            self.emit("  }".into());
            self.emit("}".into());
        }
        let count = sizes.iter().product::<i128>() as usize;
        let mem = (0..count).map(|k| FILL + k as f32).collect();
        (
            View {
                name: n,
                ty,
                desc: Desc::contiguous(0, &sizes),
            },
            mem,
            true,
        )
    }

    // --- views -------------------------------------------------------------------------------

    fn subview(&mut self, v: &View) -> View {
        let v = if v.ty.strided {
            v.clone()
        } else {
            let ty = Ty {
                sizes: v.ty.sizes.clone(),
                strided: true,
            };
            self.cast(v, ty)
        };
        let rank = v.desc.sizes.len();
        let (mut offs, mut sizes, mut strides) = (Vec::new(), Vec::new(), Vec::new());
        let mut result = Desc {
            offset: v.desc.offset,
            sizes: vec![],
            strides: vec![],
        };
        let mut ty_sizes = Vec::new();
        for d in 0..rank {
            let dim = v.desc.sizes[d];
            let mut s: i128 = self.rng.pick(&[1, 1, 1, 2, 3, -1, -2, 0]);
            let mut n: i128 = if dim <= 0 {
                0
            } else if self.rng.chance(1, 4) {
                dim
            } else {
                self.rng.range(0, dim.min(64))
            };
            if n > 1 && s != 0 {
                n = n.min((dim - 1) / s.abs() + 1);
            }
            let mut o: i128 = if n == 0 {
                self.rng.range(0, dim.clamp(0, 64))
            } else if s >= 0 {
                let top = dim - 1 - (n - 1) * s;
                if self.rng.chance(1, 3) {
                    0
                } else {
                    self.rng.range(0, top.max(0))
                }
            } else {
                self.rng.range((n - 1) * -s, (dim - 1).max((n - 1) * -s))
            };
            if self.attack(1, 8) {
                o = hostile(&mut self.rng, dim) as i128;
            }
            if self.attack(1, 10) {
                n = hostile(&mut self.rng, dim) as i128;
            }
            if self.attack(1, 10) {
                s = hostile(&mut self.rng, dim) as i128;
            }
            let (ot, _) = self.operand(o as i64, true);
            // Never a static 0: canonicalization folds it into a following collapse_shape and
            // makes invalid IR (`memref<0x?xf32>` into `memref<0xf32>`, MLIR 22).
            let (nt, ns) = self.operand(n as i64, n != 0);
            // A static stride 0 would make the result stride a static 0, not `?`.
            let (st, _) = self.operand(s as i64, s != 0);
            offs.push(ot);
            sizes.push(nt);
            strides.push(st);
            ty_sizes.push(ns);
            if n < 0 {
                self.violate(format!("subview size {n} along {d}"));
            } else if n > 0 {
                let last = o + (n - 1) * s;
                if !(0..dim).contains(&o) || !(0..dim).contains(&last) {
                    self.violate(format!(
                        "subview along {d}: offset {o}, size {n}, stride {s} of {dim}"
                    ));
                }
            }
            result.offset += o * v.desc.strides[d];
            result.sizes.push(n);
            result.strides.push(s * v.desc.strides[d]);
        }
        let ty = Ty {
            sizes: ty_sizes,
            strided: true,
        };
        let name = self.fresh("v");
        self.emit(format!(
            "{name} = memref.subview {}[{}] [{}] [{}] : {} to {ty}",
            v.name,
            offs.join(", "),
            sizes.join(", "),
            strides.join(", "),
            v.ty
        ));
        self.log.push(format!("subview -> {result:?}"));
        View {
            name,
            ty,
            desc: result,
        }
    }

    /// A cast to static sizes, sometimes the wrong ones.
    fn cast_static(&mut self, v: &View) -> View {
        let v = self.dynamic(v);
        let mut ty = Ty::dynamic(v.desc.sizes.len());
        for d in 0..ty.sizes.len() {
            if self.rng.chance(2, 3) {
                let actual = v.desc.sizes[d];
                let claim = if !self.attack(1, 3) {
                    actual
                } else {
                    actual + self.rng.pick(&[1, -1, 2])
                };
                if (0..=1 << 40).contains(&claim) {
                    ty.sizes[d] = Some(claim as i64);
                    if claim != actual {
                        self.soften(format!("cast of size {actual} to {claim} along {d}"));
                    }
                }
            }
        }
        self.log.push(format!("cast to {ty}"));
        self.cast(&v, ty)
    }

    fn collapse(&mut self, v: &View) -> View {
        let v = self.dynamic(v);
        let rank = v.desc.sizes.len();
        let groups: Vec<Vec<usize>> = match rank {
            2 => vec![vec![0, 1]],
            _ => match self.rng.below(3) {
                0 => vec![vec![0, 1], vec![2]],
                1 => vec![vec![0], vec![1, 2]],
                _ => vec![vec![0, 1, 2]],
            },
        };
        let empty = v.desc.sizes.contains(&0);
        let mut result = Desc {
            offset: v.desc.offset,
            sizes: vec![],
            strides: vec![],
        };
        for g in &groups {
            let part = Desc {
                offset: 0,
                sizes: g.iter().map(|&d| v.desc.sizes[d]).collect(),
                strides: g.iter().map(|&d| v.desc.strides[d]).collect(),
            };
            // Contiguous within the group: stride[i] == stride[j] * size[j] for the next
            // dimension j of size other than 1.
            let mut ok = true;
            let real: Vec<usize> = (0..g.len()).filter(|&k| part.sizes[k] != 1).collect();
            for w in real.windows(2) {
                if part.strides[w[0]] != part.strides[w[1]] * part.sizes[w[1]] {
                    ok = false;
                }
            }
            if !empty && !ok {
                self.violate(format!(
                    "collapse of a group that is not contiguous: {part:?}"
                ));
            }
            let wanted = real.last().map_or(1, |&k| part.strides[k]);
            // The lowering skips only dimensions it knows to be 1: one of size 1 at run time
            // with another stride may lend the group its stride (the check then fails).
            if part.count() > 1
                && (0..g.len()).any(|k| part.sizes[k] == 1 && part.strides[k] != wanted)
            {
                self.soften(format!(
                    "collapse of a group with a size-1 dimension: {part:?}"
                ));
            }
            result.sizes.push(part.count());
            result.strides.push(wanted);
        }
        let ty = Ty::dynamic(groups.len());
        let name = self.fresh("v");
        let text: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "[{}]",
                    g.iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        self.emit(format!(
            "{name} = memref.collapse_shape {} [{}] : {} into {ty}",
            v.name,
            text.join(", "),
            v.ty
        ));
        self.log.push(format!("collapse -> {result:?}"));
        View {
            name,
            ty,
            desc: result,
        }
    }

    fn expand(&mut self, v: &View) -> View {
        let v = self.dynamic(v);
        let rank = v.desc.sizes.len();
        let d = self.rng.below(rank as u64) as usize;
        let size = v.desc.sizes[d];
        let (a, b): (i128, i128) = if size > 0 && size < 1 << 20 && !self.attack(1, 4) {
            let divisors: Vec<i128> = (1..=size).filter(|k| size % k == 0).collect();
            let b = self.rng.pick(&divisors);
            (size / b, b)
        } else if size == 0 && self.rng.chance(2, 3) {
            if self.rng.chance(1, 2) {
                (0, self.rng.range(0, 5))
            } else {
                (hostile(&mut self.rng, 3) as i128, 0)
            }
        } else {
            match self.rng.below(4) {
                // A product that wraps around to the size.
                0 if size >= 0 && size % 4 == 0 => ((1i128 << 62) + size / 4, 4),
                1 => (-1, -size),
                2 => (size + 1, 1),
                _ => (
                    hostile(&mut self.rng, size) as i128,
                    hostile(&mut self.rng, 2) as i128,
                ),
            }
        };
        let mut shape = Vec::new();
        let mut groups = Vec::new();
        let mut result = Desc {
            offset: v.desc.offset,
            sizes: vec![],
            strides: vec![],
        };
        let mut next = 0;
        let mut ty = Ty::dynamic(rank + 1);
        // One of the two sizes is static: two dynamic sizes in one group crash upstream's
        // expand-strided-metadata (MLIR 22).
        let mut b = b;
        let fits = |v: i128| (0..=1 << 40).contains(&v);
        if !fits(a) && !fits(b) {
            b = 4;
        }
        let static_outer = fits(a) && (self.rng.chance(1, 3) || !fits(b));
        let static_inner = !static_outer;
        if a < 0 || b < 0 || a * b != size {
            self.violate(format!("expand of {size} into {a} x {b}"));
        }
        for k in 0..rank {
            if k == d {
                if static_outer {
                    shape.push(a.to_string());
                    ty.sizes[next] = Some(a as i64);
                } else {
                    shape.push(self.param(clamp64(a)));
                }
                if static_inner {
                    shape.push(b.to_string());
                    ty.sizes[next + 1] = Some(b as i64);
                } else {
                    shape.push(self.param(clamp64(b)));
                }
                groups.push(format!("[{}, {}]", next, next + 1));
                next += 2;
                result.sizes.extend([a, b]);
                result
                    .strides
                    .extend([v.desc.strides[k] * b, v.desc.strides[k]]);
            } else {
                let c = self.constant(k as i64);
                let m = self.fresh("d");
                self.emit(format!("{m} = memref.dim {}, {c} : {}", v.name, v.ty));
                shape.push(m);
                groups.push(format!("[{next}]"));
                next += 1;
                result.sizes.push(v.desc.sizes[k]);
                result.strides.push(v.desc.strides[k]);
            }
        }
        let name = self.fresh("v");
        self.emit(format!(
            "{name} = memref.expand_shape {} [{}] output_shape [{}] : {} into {ty}",
            v.name,
            groups.join(", "),
            shape.join(", "),
            v.ty
        ));
        self.log.push(format!("expand -> {result:?}"));
        View {
            name,
            ty,
            desc: result,
        }
    }

    fn reinterpret(&mut self, v: &View) -> View {
        let rank = if self.rng.chance(1, 2) { 1 } else { 2 };
        let source = v.desc.interval();
        let mut result = Desc {
            offset: 0,
            sizes: vec![],
            strides: vec![],
        };
        // Try a few layouts that fit in the source; else anything.
        let mut found = false;
        if let Some((lo, hi)) = source {
            for _ in 0..8 {
                let span = (hi - lo + 1).min(64);
                let (sizes, strides) = if rank == 1 {
                    let n = self.rng.range(0, span);
                    (vec![n], vec![self.rng.pick(&[1, 1, 2, -1, 0])])
                } else {
                    let a = self.rng.range(1, 6);
                    let b = self.rng.range(0, 6);
                    let strides = match self.rng.below(4) {
                        0 => vec![0, 1],
                        1 => vec![1, a],
                        2 => vec![b + self.rng.range(0, 2), 1],
                        _ => vec![b, 1],
                    };
                    (vec![a, b], strides)
                };
                let probe = Desc {
                    offset: 0,
                    sizes: sizes.clone(),
                    strides: strides.clone(),
                };
                let Some((plo, phi)) = probe.interval() else {
                    result = Desc {
                        offset: self.rng.range(lo, hi),
                        ..probe
                    };
                    found = true;
                    break;
                };
                if phi - plo <= hi - lo {
                    let offset = if self.rng.chance(1, 2) {
                        lo - plo
                    } else {
                        self.rng.range(lo - plo, hi - phi)
                    };
                    result = Desc { offset, ..probe };
                    found = true;
                    break;
                }
            }
        }
        if !found || self.attack(1, 5) {
            let near = source.map_or(4, |(_, hi)| hi);
            result = Desc {
                offset: self.small_value(near) as i128,
                sizes: (0..rank).map(|_| self.small_value(near) as i128).collect(),
                strides: (0..rank).map(|_| self.small_value(2) as i128).collect(),
            };
        }
        if result.sizes.iter().any(|&s| s < 0) {
            self.violate(format!("reinterpret_cast sizes {:?}", result.sizes));
        } else if let Some((rlo, rhi)) = result.interval() {
            match source {
                Some((lo, hi)) if lo <= rlo && rhi <= hi => {}
                _ => self.violate(format!(
                    "reinterpret_cast {result:?} reaches outside {source:?}"
                )),
            }
        }
        let o = self.param(clamp64(result.offset));
        let sizes: Vec<String> = result
            .sizes
            .iter()
            .map(|&s| self.param(clamp64(s)))
            .collect();
        let strides: Vec<String> = result
            .strides
            .iter()
            .map(|&s| self.param(clamp64(s)))
            .collect();
        let ty = Ty::dynamic(rank);
        let name = self.fresh("v");
        self.emit(format!(
            "{name} = memref.reinterpret_cast {} to offset: [{o}], sizes: [{}], strides: [{}] : {} to {ty}",
            v.name,
            sizes.join(", "),
            strides.join(", "),
            v.ty
        ));
        self.log.push(format!("reinterpret_cast -> {result:?}"));
        View {
            name,
            ty,
            desc: result,
        }
    }

    fn reshape(&mut self, v: &View) -> View {
        let v = if v.ty.strided {
            // To the identity layout: offset 0 and innermost stride 1 are checked (upstream).
            let d = &v.desc;
            if d.offset != 0 || d.strides.last() != Some(&1) {
                self.soften(format!("cast of {d:?} to the identity layout"));
            }
            let ty = Ty {
                sizes: vec![None; d.sizes.len()],
                strided: false,
            };
            self.log.push(format!("cast to {ty}"));
            self.cast(v, ty)
        } else {
            v.clone()
        };
        if !v.desc.is_contiguous() {
            self.violate(format!(
                "reshape of a source that is not contiguous: {:?}",
                v.desc
            ));
        }
        let count = v.desc.count();
        let rank = if self.rng.chance(1, 2) { 1 } else { 2 };
        let sizes: Vec<i128> = if !self.attack(1, 4) && (0..1 << 20).contains(&count) {
            if rank == 1 {
                vec![count]
            } else if count == 0 {
                vec![self.rng.range(0, 3), 0]
            } else {
                let divisors: Vec<i128> = (1..=count).filter(|k| count % k == 0).collect();
                let b = self.rng.pick(&divisors);
                vec![count / b, b]
            }
        } else {
            match self.rng.below(3) {
                0 => vec![count + 1; rank],
                1 if rank == 2 && count % 4 == 0 => vec![(1i128 << 62) + count / 4, 4],
                _ => (0..rank)
                    .map(|_| hostile(&mut self.rng, count) as i128)
                    .collect(),
            }
        };
        let product = sizes
            .iter()
            .fold(1i128, |p, &s| (p * s).clamp(-(1 << 100), 1 << 100));
        if sizes.iter().any(|&s| s < 0) || product != count {
            self.violate(format!("reshape of {count} elements to {sizes:?}"));
        }
        let shape = self.fresh("shape");
        self.emit(format!("{shape} = memref.alloca() : memref<{rank}xindex>"));
        for (k, &s) in sizes.iter().enumerate() {
            let c = self.constant(k as i64);
            let p = self.param(clamp64(s));
            self.emit(format!(
                "memref.store {p}, {shape}[{c}] : memref<{rank}xindex>"
            ));
        }
        let ty = Ty {
            sizes: vec![None; rank],
            strided: false,
        };
        let name = self.fresh("v");
        self.emit(format!(
            "{name} = memref.reshape {}({shape}) : ({}, memref<{rank}xindex>) -> {ty}",
            v.name, v.ty
        ));
        let result = Desc::contiguous(v.desc.offset, &sizes);
        self.log.push(format!("reshape -> {result:?}"));
        View {
            name,
            ty,
            desc: result,
        }
    }

    // --- the loop and its indices ----------------------------------------------------------

    fn bounds(&mut self) -> (i64, i64, i64) {
        if self.calm || self.rng.chance(1, 2) {
            let step: i128 = self.rng.pick(&[1, 1, 1, 2, 3, 7]);
            let trips = self.rng.range(0, 9);
            let small = self.rng.range(-5, 5);
            let base: i128 = self.rng.pick(&[
                0,
                0,
                0,
                small,
                1 << 62,
                -(1 << 62),
                I64_MAX - 40,
                I64_MIN + 3,
                (1 << 31) - 3,
                (1 << 32) - 2,
            ]);
            let ub = if trips == 0 {
                base - self.rng.range(0, 3)
            } else {
                base + (trips - 1) * step + 1 + self.rng.range(0, step - 1)
            };
            (clamp64(base), clamp64(ub), clamp64(step))
        } else {
            let lb = self.rng.range(-3, 3);
            match self.rng.below(4) {
                0 => (
                    clamp64(lb),
                    clamp64(lb + self.rng.range(1, 5)),
                    self.rng.pick(&[0, -1, -3, i64::MIN]),
                ),
                1 => (
                    clamp64(lb),
                    i64::MAX - self.rng.pick(&[0, 1, 5]),
                    self.rng.pick(&[i64::MAX, 1 << 62, 1 << 61, 3]),
                ),
                2 => (
                    clamp64(lb + 4),
                    clamp64(lb),
                    self.rng.pick(&[0, -1, i64::MIN, 1]),
                ),
                _ => (
                    i64::MIN,
                    self.rng.pick(&[i64::MIN + 2, 0, i64::MAX]),
                    self.rng.pick(&[1 << 62, i64::MAX, i64::MAX - 1]),
                ),
            }
        }
    }

    /// An index into a dimension of `size` for loop indices `lb, lb + step, ...` (`trips`).
    fn index(&mut self, size: i128, lb: i128, step: i128, trips: i128) -> IndexExpr {
        let width = match self.rng.below(10) {
            0..=4 => Width::Index,
            5..=7 => Width::I64,
            _ => Width::I32,
        };
        let zext = self.rng.chance(1, 2);
        let span = (trips - 1).max(0) * step;
        let size = size.max(1);
        let f = |g: &mut Gen| Flags::random(&mut g.rng);
        let pattern = if self.calm {
            self.rng.pick(&[0, 1, 2, 3, 4, 6])
        } else {
            self.rng.below(7)
        };
        let expr = match pattern {
            // i + p
            0 | 1 => {
                let base = self.rng.range(0, (size - 1 - span).max(0));
                let p = leaf(base - lb);
                Expr::Bin(BinOp::Add, f(self), Box::new(Expr::I), Box::new(p))
            }
            // p - i
            2 => {
                let base = self.rng.range(span, (size - 1).max(span));
                let p = leaf(base + lb);
                Expr::Bin(BinOp::Sub, f(self), Box::new(p), Box::new(Expr::I))
            }
            // (i - lb) * m + p
            3 => {
                let m = self.rng.pick(&[1, 2, -1, 3]);
                let reach = span / step.max(1) * m;
                let base = if reach >= 0 {
                    self.rng.range(0, (size - 1 - reach).max(0))
                } else {
                    self.rng.range(-reach, (size - 1).max(-reach))
                };
                let q = leaf(lb);
                let d = Expr::Bin(BinOp::Sub, f(self), Box::new(Expr::I), Box::new(q));
                let d = Expr::Bin(
                    BinOp::Mul,
                    f(self),
                    Box::new(d),
                    Box::new(Expr::C(m as i64)),
                );
                let p = leaf(base);
                Expr::Bin(BinOp::Add, f(self), Box::new(d), Box::new(p))
            }
            // invariant
            4 => leaf(self.rng.range(0, size - 1)),
            // products and shifts that wrap
            5 => {
                let m = self.rng.pick(&[
                    (1i128 << 32) + 1,
                    1 << 62,
                    I64_MAX,
                    1 << 31,
                    (1 << 33) + 1,
                    -1,
                ]);
                let q = leaf(lb);
                let d = Expr::Bin(BinOp::Sub, f(self), Box::new(Expr::I), Box::new(q));
                if self.rng.chance(1, 3) {
                    let k = self.rng.pick(&[1, 31, 32, 62, 63]) % width.bits();
                    Expr::Shl(f(self), Box::new(d), k)
                } else {
                    let p = leaf(m);
                    Expr::Bin(BinOp::Mul, f(self), Box::new(d), Box::new(p))
                }
            }
            // sums that wrap to something small
            _ => {
                let big = self
                    .rng
                    .pick(&[I64_MAX, I64_MIN, 1 << 62, (1 << 31) - 1, 1 << 32]);
                let a = leaf(big);
                let b = leaf(-big + self.rng.range(0, size - 1) - lb);
                let s = Expr::Bin(BinOp::Add, f(self), Box::new(a), Box::new(Expr::I));
                Expr::Bin(BinOp::Add, f(self), Box::new(s), Box::new(b))
            }
        };
        IndexExpr { width, zext, expr }
    }

    /// Emits the computation of `e` inside the loop body, returning its `index` value.
    fn emit_index(&mut self, e: &IndexExpr, i: &str) -> String {
        let w = e.width;
        let v = self.emit_expr(&e.expr, w, i);
        match w {
            Width::Index => v,
            Width::I64 => {
                let n = self.fresh("x");
                self.emit(format!("  {n} = arith.index_cast {v} : i64 to index"));
                n
            }
            Width::I32 => {
                let n = self.fresh("x");
                let op = if e.zext {
                    "arith.index_castui"
                } else {
                    "arith.index_cast"
                };
                self.emit(format!("  {n} = {op} {v} : i32 to index"));
                n
            }
        }
    }

    fn convert(&mut self, v: String, w: Width) -> String {
        if w == Width::Index {
            return v;
        }
        let n = self.fresh("x");
        self.emit(format!(
            "  {n} = arith.index_cast {v} : index to {}",
            w.name()
        ));
        n
    }

    fn emit_expr(&mut self, e: &Expr, w: Width, i: &str) -> String {
        match e {
            Expr::I => self.convert(i.to_string(), w),
            Expr::P(v) => {
                let p = self.param(*v);
                self.convert(p, w)
            }
            Expr::C(v) => {
                let n = self.fresh("x");
                let v = wrap(*v as i128, w.bits());
                self.emit(format!("  {n} = arith.constant {v} : {}", w.name()));
                n
            }
            Expr::Bin(op, flags, a, b) => {
                let x = self.emit_expr(a, w, i);
                let y = self.emit_expr(b, w, i);
                let name = match op {
                    BinOp::Add => "addi",
                    BinOp::Sub => "subi",
                    BinOp::Mul => "muli",
                };
                let n = self.fresh("x");
                self.emit(format!(
                    "  {n} = arith.{name} {x}, {y}{} : {}",
                    flags.text(),
                    w.name()
                ));
                n
            }
            Expr::Shl(flags, a, k) => {
                let x = self.emit_expr(a, w, i);
                let k = self.emit_expr(&Expr::C(i64::from(*k)), w, i);
                let n = self.fresh("x");
                self.emit(format!(
                    "  {n} = arith.shli {x}, {k}{} : {}",
                    flags.text(),
                    w.name()
                ));
                n
            }
        }
    }
}

/// Generates program `index` of the run with `seed`; `None` when the model would run too long.
fn try_generate(rng: Rng) -> Option<Program> {
    let mut g = Gen {
        rng,
        params: vec![],
        body: vec![],
        globals: vec![],
        tmp: 0,
        violation: None,
        soft: None,
        calm: false,
        log: vec![],
    };
    g.calm = g.rng.chance(1, 2);
    let heal = g.rng.chance(1, 8);
    let (buffer, mut mem, store_ok) = g.buffer();
    let mut view = buffer;
    let ops = g.rng.below(5);
    for _ in 0..ops {
        let rank = view.desc.sizes.len();
        view = match g.rng.below(7) {
            0 | 1 => g.subview(&view),
            2 => g.cast_static(&view),
            3 if rank >= 2 => g.collapse(&view),
            3 | 4 if rank <= 2 => g.expand(&view),
            5 => g.reinterpret(&view),
            6 if rank <= 2 => g.reshape(&view),
            _ => g.subview(&view),
        };
    }
    if g.rng.chance(1, 4) {
        view = g.cast_static(&view);
    } else if g.rng.chance(1, 4) {
        view = g.dynamic(&view);
    }
    let (lb, ub, step) = g.bounds();
    let (lb_, ub_, step_) = (lb as i128, ub as i128, step as i128);
    let mut trips = 0;
    if lb_ < ub_ {
        if step_ <= 0 {
            g.violate(format!("loop from {lb} to {ub} step {step}"));
        } else if ub_ - 1 + step_ > I64_MAX {
            g.violate(format!("loop from {lb} to {ub} step {step} wraps"));
        } else {
            trips = (ub_ - lb_ + step_ - 1) / step_;
        }
    }
    let rank = view.desc.sizes.len();
    let loads: Vec<IndexExpr> = (0..rank)
        .map(|d| g.index(view.desc.sizes[d], lb_, step_, trips.min(MAX_TRIPS)))
        .collect();
    let stores: Option<Vec<IndexExpr>> = (store_ok && g.rng.chance(1, 3)).then(|| {
        (0..rank)
            .map(|d| g.index(view.desc.sizes[d], lb_, step_, trips.min(MAX_TRIPS)))
            .collect()
    });

    // Simulate the loop (only if nothing failed before it).
    let mut values = Vec::new();
    let mut poisoned = false;
    let mut stored = Vec::new();
    if g.violation.is_none() {
        let mut i = lb_;
        let mut t = 0i128;
        while i < ub_ {
            if t >= MAX_TRIPS {
                return None;
            }
            let counter = STORED + t as f32;
            let len = mem.len();
            let access = |g: &mut Gen, idx: &[IndexExpr], poisoned: &mut bool| -> Option<usize> {
                let mut address = view.desc.offset;
                let mut inside = true;
                for (d, e) in idx.iter().enumerate() {
                    let (x, p) = eval_index(e, i);
                    let x = wrap(x, 64);
                    *poisoned |= p;
                    if !(0..view.desc.sizes[d]).contains(&x) {
                        inside = false;
                    }
                    address += x * view.desc.strides[d];
                }
                if !inside {
                    g.violate(format!(
                        "access at iteration {t} (i = {i}) outside {:?}",
                        view.desc
                    ));
                    return None;
                }
                assert!(
                    (0..len as i128).contains(&address),
                    "model bug: a sound view reaches element {address} of {len}"
                );
                Some(address as usize)
            };
            if let Some(s) = &stores {
                match access(&mut g, s, &mut poisoned) {
                    Some(a) => {
                        mem[a] = counter;
                        stored.push(counter);
                    }
                    None => break,
                }
            }
            match access(&mut g, &loads, &mut poisoned) {
                Some(a) => values.push(mem[a]),
                None => break,
            }
            i += step_;
            t += 1;
        }
    }

    // Write the kernel's loop.
    let (lbs, ubs, steps) = (g.param(lb), g.param(ub), g.param(step));
    let init = g.fresh("f");
    let one = g.fresh("f");
    g.emit(format!("{init} = arith.constant {STORED:.2} : f32"));
    g.emit(format!("{one} = arith.constant 1.0 : f32"));
    let (i, cnt, r) = (g.fresh("i"), g.fresh("cnt"), g.fresh("r"));
    g.emit(format!(
        "{r} = scf.for {i} = {lbs} to {ubs} step {steps} iter_args({cnt} = {init}) -> (f32) {{"
    ));
    if let Some(s) = &stores {
        let idx: Vec<String> = s.iter().map(|e| g.emit_index(e, &i)).collect();
        g.emit(format!(
            "  memref.store {cnt}, {}[{}] : {}",
            view.name,
            idx.join(", "),
            view.ty
        ));
    }
    let idx: Vec<String> = loads.iter().map(|e| g.emit_index(e, &i)).collect();
    let x = g.fresh("x");
    g.emit(format!(
        "  {x} = memref.load {}[{}] : {}",
        view.name,
        idx.join(", "),
        view.ty
    ));
    g.emit(format!("  vector.print {x} : f32"));
    let next = g.fresh("x");
    g.emit(format!("  {next} = arith.addf {cnt}, {one} : f32"));
    g.emit(format!("  scf.yield {next} : f32"));
    g.emit("}".into());

    let mut text = String::new();
    for gl in &g.globals {
        writeln!(text, "{gl}").unwrap();
    }
    let args: Vec<String> = (0..g.params.len())
        .map(|k| format!("%a{k}: index"))
        .collect();
    writeln!(text, "func.func @kernel({}) {{", args.join(", ")).unwrap();
    for l in &g.body {
        writeln!(text, "{l}").unwrap();
    }
    writeln!(text, "    return\n}}\n").unwrap();
    writeln!(text, "func.func @main() {{").unwrap();
    let mut names = Vec::new();
    for (k, v) in g.params.iter().enumerate() {
        writeln!(text, "    %p{k} = arith.constant {v} : index").unwrap();
        names.push(format!("%p{k}"));
    }
    let types = vec!["index"; g.params.len()].join(", ");
    writeln!(
        text,
        "    call @kernel({}) : ({types}) -> ()\n    return\n}}",
        names.join(", ")
    )
    .unwrap();

    // A repair may change an allocation that failed; otherwise only the buffer's own values.
    let filled = if g
        .log
        .iter()
        .any(|l| l.starts_with("violation: memref.alloc"))
    {
        4096
    } else {
        mem.len()
    };
    let mut allowed: Vec<f32> = (0..filled).map(|k| FILL + k as f32).collect();
    allowed.extend((0..MAX_TRIPS).map(|t| STORED + t as f32));
    let _ = stored;
    Some(Program {
        lines: text.lines().count(),
        text,
        soft: g.soft,
        violation: g.violation,
        values,
        poisoned,
        allowed,
        log: g.log,
        heal,
    })
}

fn leaf(v: i128) -> Expr {
    Expr::P(clamp64(v))
}

fn program_rng(seed: u64, index: usize) -> Rng {
    let mut r = Rng(seed ^ (index as u64).wrapping_mul(0xd134_2543_de82_ef95));
    r.next();
    r
}

fn generate(seed: u64, index: usize) -> Program {
    let mut rng = program_rng(seed, index);
    loop {
        let attempt = Rng(rng.next());
        if let Some(p) = try_generate(attempt) {
            return p;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running and judging.

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run(path: &Path, cache: &Path, heal: bool) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tensorlang-run"));
    cmd.arg(path)
        .args(["-e", "main", "-entry-point-result=void"])
        .arg(format!("-shared-libs={RUNNER_UTILS}"))
        .env("NEUROJIT_CACHE_DIR", cache)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if heal {
        cmd.args([
            "--self-heal",
            "--heal-cache=none",
            "--heal-sources=symbolic",
            "--heal-model-rounds=0",
        ]);
    }
    let mut child = cmd.spawn().expect("tensorlang-run starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).ok();
        s
    });
    let start = Instant::now();
    let limit = Duration::from_secs(if heal { 120 } else { 60 });
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            timed_out = true;
            child.kill().ok();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    Run {
        code: status.code(),
        stdout,
        stderr,
        timed_out,
    }
}

/// A `file:line:col: error:` naming a place in the program.
fn located(stderr: &str, path: &Path, lines: usize) -> bool {
    let prefix = format!("{}:", path.display());
    stderr.lines().any(|l| {
        let Some(rest) = l.strip_prefix(&prefix) else {
            return false;
        };
        let mut parts = rest.splitn(3, ':');
        let (Some(line), Some(col), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let (Ok(line), Ok(col)) = (line.parse::<usize>(), col.parse::<usize>()) else {
            return false;
        };
        (1..=lines).contains(&line) && col >= 1 && tail.starts_with(" error:")
    })
}

fn printed(stdout: &str) -> Result<Vec<f64>, String> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.trim()
                .parse::<f64>()
                .map_err(|_| format!("unexpected output line {l:?}"))
        })
        .collect()
}

fn same(a: f64, b: f32) -> bool {
    (a - b as f64).abs() <= 1e-6 * (b as f64).abs().max(1.0) + 1e-3
}

fn is_prefix(got: &[f64], want: &[f32]) -> bool {
    got.len() <= want.len() && got.iter().zip(want).all(|(&a, &b)| same(a, b))
}

#[derive(Default)]
struct Tally {
    inside: usize,
    outside: usize,
    poisoned_inside: usize,
    poisoned_failed: usize,
    soft_inside: usize,
    healed_runs: usize,
    healed_repaired: usize,
    reasons: std::collections::BTreeMap<String, usize>,
}

fn judge(p: &Program, path: &Path, r: &Run, tally: &mut Tally) -> Result<(), String> {
    if r.timed_out {
        return Err("timed out".into());
    }
    let Some(code) = r.code else {
        return Err("killed by a signal (an uncaught fault)".into());
    };
    let got = printed(&r.stdout)?;
    let is_located = located(&r.stderr, path, p.lines);
    match &p.violation {
        None => {
            if code == 0 {
                if got.len() != p.values.len() || !is_prefix(&got, &p.values) {
                    return Err(format!("printed {got:?}, the model says {:?}", p.values));
                }
                tally.inside += 1;
                if p.soft.is_some() {
                    tally.soft_inside += 1;
                }
                if p.poisoned {
                    tally.poisoned_inside += 1;
                }
                Ok(())
            } else if (p.poisoned || p.soft.is_some()) && is_located && is_prefix(&got, &p.values) {
                tally.poisoned_failed += 1;
                Ok(())
            } else {
                Err(format!(
                    "stays inside but exited with {code}; printed {got:?}, the model says {:?}",
                    p.values
                ))
            }
        }
        Some(why) => {
            if code == 0 {
                return Err(format!(
                    "goes outside ({why}) but exited 0, printing {got:?}"
                ));
            }
            if !is_located {
                return Err(format!("goes outside ({why}): no located error"));
            }
            if !is_prefix(&got, &p.values) {
                return Err(format!(
                    "goes outside ({why}): printed {got:?}, which is not a prefix of the values read inside, {:?}",
                    p.values
                ));
            }
            tally.outside += 1;
            let key = why.split([' ', ':']).take(2).collect::<Vec<_>>().join(" ");
            *tally.reasons.entry(key).or_default() += 1;
            Ok(())
        }
    }
}

fn judge_healed(p: &Program, path: &Path, r: &Run, tally: &mut Tally) -> Result<(), String> {
    if r.timed_out {
        return Err("self-heal: timed out".into());
    }
    let Some(code) = r.code else {
        return Err("self-heal: killed by a signal (an uncaught fault)".into());
    };
    let got = printed(&r.stdout).map_err(|e| format!("self-heal: {e}"))?;
    if let Some(bad) = got
        .iter()
        .find(|&&v| !p.allowed.iter().any(|&a| same(v, a)))
    {
        return Err(format!(
            "self-heal: printed {bad}, not a value of the buffer (all printed: {got:?})"
        ));
    }
    tally.healed_runs += 1;
    if code == 0 {
        tally.healed_repaired += 1;
        Ok(())
    } else if located(&r.stderr, path, p.lines) {
        Ok(())
    } else {
        Err(format!(
            "self-heal: exited with {code} without a located error"
        ))
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "tensorlang-random-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn random_accesses_stay_inside_or_fail_located() {
    let seed: u64 = std::env::var("RANDOM_ACCESSES_SEED")
        .ok()
        .and_then(|s| {
            s.strip_prefix("0x")
                .map_or_else(|| s.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
        })
        .unwrap_or(DEFAULT_SEED);
    let count: usize = env_or("RANDOM_ACCESSES_N", DEFAULT_PROGRAMS);
    let only: Option<usize> = std::env::var("RANDOM_ACCESSES_ONLY")
        .ok()
        .and_then(|s| s.parse().ok());
    let keep = std::env::var_os("RANDOM_ACCESSES_KEEP").map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| temp_dir("programs"));
    std::fs::create_dir_all(&dir).unwrap();
    let cache = temp_dir("cache");
    eprintln!(
        "random_accesses: seed {seed:#x}, {count} programs, files in {}",
        dir.display()
    );

    let indices: Vec<usize> = match only {
        Some(k) => vec![k],
        None => (0..count).collect(),
    };
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<(usize, String, String)>::new());
    let tally = Mutex::new(Tally::default());
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&index) = indices.get(k) else {
                        break;
                    };
                    let p = generate(seed, index);
                    let path = dir.join(format!("p{index}.mlir"));
                    std::fs::write(&path, &p.text).unwrap();
                    if only.is_some() {
                        eprintln!("{}\n{:#?}\nviolation: {:?}\nvalues: {:?}", p.text, p.log, p.violation, p.values);
                    }
                    let mut local = Tally::default();
                    let r = run(&path, &cache, false);
                    let mut result = judge(&p, &path, &r, &mut local);
                    let mut shown = r;
                    if result.is_ok() && p.violation.is_some() && p.heal {
                        let h = run(&path, &cache, true);
                        result = judge_healed(&p, &path, &h, &mut local);
                        shown = h;
                    }
                    {
                        let mut t = tally.lock().unwrap();
                        t.inside += local.inside;
                        t.outside += local.outside;
                        t.poisoned_inside += local.poisoned_inside;
                        t.poisoned_failed += local.poisoned_failed;
                        t.soft_inside += local.soft_inside;
                        t.healed_runs += local.healed_runs;
                        t.healed_repaired += local.healed_repaired;
                        for (k, v) in local.reasons {
                            *t.reasons.entry(k).or_default() += v;
                        }
                    }
                    if let Err(why) = result {
                        let detail = format!(
                            "{}\n--- model: violation {:?}, values {:?}, poisoned {}\n--- steps: {:#?}\n--- exit {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
                            p.text,
                            p.violation,
                            p.values,
                            p.poisoned,
                            p.log,
                            shown.code,
                            shown.stdout,
                            shown.stderr
                        );
                        failures.lock().unwrap().push((index, why, detail));
                    } else if keep.is_none() {
                        std::fs::remove_file(&path).ok();
                    }
                }
            });
        }
    });
    let t = tally.into_inner().unwrap();
    eprintln!(
        "random_accesses: {} programs in {:.1}s: {} inside ({} with a broken overflow flag, {} with an erasable bad cast), {} outside, {} poisoned or with a bad cast that failed located; self-heal: {} runs, {} repaired; outside by: {:?}",
        indices.len(),
        start.elapsed().as_secs_f64(),
        t.inside,
        t.poisoned_inside,
        t.soft_inside,
        t.outside,
        t.poisoned_failed,
        t.healed_runs,
        t.healed_repaired,
        t.reasons
    );
    std::fs::remove_dir_all(&cache).ok();
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by_key(|f| f.0);
    if !failures.is_empty() {
        let mut report = String::new();
        for (index, why, detail) in failures.iter().take(4) {
            writeln!(
                report,
                "=== program {index} (seed {seed:#x}; rerun with RANDOM_ACCESSES_SEED={seed:#x} RANDOM_ACCESSES_ONLY={index}): {why}\n{detail}\n"
            )
            .unwrap();
        }
        let list: Vec<String> = failures
            .iter()
            .map(|(i, why, _)| format!("  {i}: {why}"))
            .collect();
        panic!(
            "{report}{} of {} programs failed (seed {seed:#x}):\n{}",
            failures.len(),
            indices.len(),
            list.join("\n")
        );
    }
    if keep.is_none() && only.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
}
