//! The arguments of one real call, for checking variants on what the program computes: the
//! optimizer points a hot target's slot at a recorder for a moment; the next call through it
//! copies `A`, `B` and `C` as the program passed them, calls the original, copies `C` as the
//! original left it, and puts the original back in the slot. The program's own call is the
//! reference, so checking a variant on it costs no extra run of the (slow) original.
//!
//! A recorder is a plain function of the matmul calling convention, one per index of a small
//! table; an index is never reused, so a call that loaded the recorder from the slot just before
//! it was taken out still finds its original.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tensorlang_jit::HotSwapSlot;

use crate::measure::MatmulAbi;
use crate::target::MatmulTarget;

/// What one call saw: the matrices row-major and contiguous, by role.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// `(m, n, k)`: the call's shapes.
    pub shape: [usize; 3],
    /// `A`, as passed.
    pub a: Vec<f32>,
    /// `B`, as passed.
    pub b: Vec<f32>,
    /// `C`, as passed.
    pub c_before: Vec<f32>,
    /// `C`, as the original left it.
    pub c_after: Vec<f32>,
}

/// One memref argument of a call: aligned pointer, offset, sizes and strides, in elements.
#[derive(Debug, Clone, Copy)]
struct Descriptor {
    aligned: *const f32,
    offset: i64,
    sizes: [i64; 2],
    strides: [i64; 2],
}

impl Descriptor {
    /// The elements, row-major.
    ///
    /// # Safety
    /// The descriptor describes live memory (it is what the program passed to the function).
    unsafe fn copy(&self) -> Vec<f32> {
        let [rows, columns] = self.sizes.map(|s| s.max(0));
        let mut out = Vec::with_capacity((rows * columns) as usize);
        for i in 0..rows {
            for j in 0..columns {
                let at = self.offset + i * self.strides[0] + j * self.strides[1];
                // SAFETY: an element of the described memref.
                out.push(unsafe { *self.aligned.offset(at as isize) });
            }
        }
        out
    }

    /// The bytes it spans, `[start, end)` (empty for an empty memref).
    fn span(&self) -> (usize, usize) {
        let [rows, columns] = self.sizes;
        if rows <= 0 || columns <= 0 {
            return (0, 0);
        }
        let last = self.offset
            + (rows - 1) * self.strides[0].abs()
            + (columns - 1) * self.strides[1].abs();
        let start = self.aligned as usize + 4 * self.offset.max(0) as usize;
        (start, self.aligned as usize + 4 * (last as usize + 1))
    }

    fn overlaps(&self, other: &Descriptor) -> bool {
        let (a, b) = (self.span(), other.span());
        a.0 < b.1 && b.0 < a.1
    }
}

/// How many targets can be recorded in one run.
const RECORDERS: usize = 8;

/// Per recorder index: the original it forwards to (never changed once set).
static ORIGINALS: [AtomicUsize; RECORDERS] = [const { AtomicUsize::new(0) }; RECORDERS];

/// Per recorder index: which argument is `A`, `B`, `C`, and the recording once made.
static PENDING: [Mutex<Option<Pending>>; RECORDERS] = [const { Mutex::new(None) }; RECORDERS];

static NEXT_INDEX: AtomicUsize = AtomicUsize::new(0);

struct Pending {
    arguments: [usize; 3],
    recording: Option<Recording>,
    /// The call is not recorded: its `C` overlapped `A` or `B` (the variant takes the
    /// original's loops then, so this call says nothing about it), or its matrices were larger
    /// than [`LARGEST_RECORDING`].
    skipped: bool,
}

/// The most elements a recording copies (`A`, `B` and `C` twice): 32 Mi, 128 MiB of copies in
/// the program's process. A larger call is not recorded; its variants are checked on the
/// synthetic inputs only.
pub const LARGEST_RECORDING: usize = 32 << 20;

/// A recorder in a slot, waiting for a call.
pub struct Recorder {
    index: usize,
    slot: Arc<HotSwapSlot>,
    original: usize,
}

impl Recorder {
    /// Points `slot` (now at `original`, a function of `target`'s signature) at a recorder;
    /// `None` when every recorder is used or the slot changed.
    pub fn install(slot: Arc<HotSwapSlot>, original: usize, target: &MatmulTarget) -> Option<Self> {
        // The recorders take the matmul calling convention only.
        if target.conv.is_some() {
            return None;
        }
        let index = NEXT_INDEX.fetch_add(1, Ordering::Relaxed);
        if index >= RECORDERS {
            return None;
        }
        ORIGINALS[index].store(original, Ordering::Release);
        *PENDING[index].lock().ok()? = Some(Pending {
            arguments: target.arguments,
            recording: None,
            skipped: false,
        });
        slot.replace_if(original, RECORDER_FUNCTIONS[index] as usize)
            .then_some(Self {
                index,
                slot,
                original,
            })
    }

    /// The function the recorder forwards to.
    pub fn original(&self) -> usize {
        self.original
    }

    /// Waits for the recorded call until `give_up` says so, then puts the original back in
    /// the slot; the recording, if a call came that could be recorded.
    pub fn finish(self, mut give_up: impl FnMut() -> bool) -> Option<Recording> {
        while !self.recorded() && !give_up() {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.restore();
        let pending = PENDING[self.index].lock().ok()?.take()?;
        if pending.skipped {
            return None;
        }
        pending.recording
    }

    /// Puts the original back in the slot, if the recorder is still there.
    fn restore(&self) {
        self.slot
            .replace_if(RECORDER_FUNCTIONS[self.index] as usize, self.original);
    }

    fn recorded(&self) -> bool {
        PENDING[self.index].lock().is_ok_and(|p| {
            p.as_ref()
                .is_some_and(|p| p.recording.is_some() || p.skipped)
        })
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.restore();
    }
}

/// The body of recorder `index`: records the call if none was yet, and calls the original.
///
/// # Safety
/// `descriptors` are what the program passed (live memrefs); the original at `index` has the
/// matmul calling convention.
unsafe fn record_call(index: usize, descriptors: [Descriptor; 3], call: impl FnOnce(MatmulAbi)) {
    let original = ORIGINALS[index].load(Ordering::Acquire);
    // SAFETY: set from the slot's original before the recorder was installed.
    let original = unsafe { std::mem::transmute::<usize, MatmulAbi>(original) };
    let wanted = PENDING[index].lock().ok().and_then(|p| {
        p.as_ref()
            .filter(|p| p.recording.is_none())
            .map(|p| p.arguments)
    });
    let Some([a, b, c]) = wanted else {
        return call(original);
    };
    let (a, b, c) = (descriptors[a], descriptors[b], descriptors[c]);
    let elements = |d: &Descriptor| {
        d.sizes
            .iter()
            .map(|&s| s.max(0) as usize)
            .product::<usize>()
    };
    let total = elements(&a) + elements(&b) + 2 * elements(&c);
    if c.overlaps(&a) || c.overlaps(&b) || total > LARGEST_RECORDING {
        if let Ok(mut pending) = PENDING[index].lock()
            && let Some(pending) = pending.as_mut()
        {
            pending.skipped = true;
        }
        return call(original);
    }
    // SAFETY: the caller's contract.
    let (a_copy, b_copy, c_before) = unsafe { (a.copy(), b.copy(), c.copy()) };
    call(original);
    // SAFETY: as above.
    let c_after = unsafe { c.copy() };
    if let Ok(mut pending) = PENDING[index].lock()
        && let Some(pending) = pending.as_mut()
        && pending.recording.is_none()
    {
        let size = |d: i64| usize::try_from(d).unwrap_or(0);
        pending.recording = Some(Recording {
            shape: [size(a.sizes[0]), size(b.sizes[1]), size(a.sizes[1])],
            a: a_copy,
            b: b_copy,
            c_before,
            c_after,
        });
    }
}

macro_rules! recorder {
    ($name:ident, $index:expr) => {
        #[allow(clippy::too_many_arguments)]
        unsafe extern "C" fn $name(
            x0: *mut f32,
            y0: *mut f32,
            o0: i64,
            r0: i64,
            c0: i64,
            s0: i64,
            t0: i64,
            x1: *mut f32,
            y1: *mut f32,
            o1: i64,
            r1: i64,
            c1: i64,
            s1: i64,
            t1: i64,
            x2: *mut f32,
            y2: *mut f32,
            o2: i64,
            r2: i64,
            c2: i64,
            s2: i64,
            t2: i64,
        ) {
            let descriptor = |aligned: *mut f32, offset, rows, columns, stride, step| Descriptor {
                aligned,
                offset,
                sizes: [rows, columns],
                strides: [stride, step],
            };
            let descriptors = [
                descriptor(y0, o0, r0, c0, s0, t0),
                descriptor(y1, o1, r1, c1, s1, t1),
                descriptor(y2, o2, r2, c2, s2, t2),
            ];
            // SAFETY: the program calls this as it calls the original, with live memrefs.
            unsafe {
                record_call($index, descriptors, |original| {
                    original(
                        x0, y0, o0, r0, c0, s0, t0, x1, y1, o1, r1, c1, s1, t1, x2, y2, o2, r2, c2,
                        s2, t2,
                    )
                })
            }
        }
    };
}

recorder!(recorder0, 0);
recorder!(recorder1, 1);
recorder!(recorder2, 2);
recorder!(recorder3, 3);
recorder!(recorder4, 4);
recorder!(recorder5, 5);
recorder!(recorder6, 6);
recorder!(recorder7, 7);

static RECORDER_FUNCTIONS: [MatmulAbi; RECORDERS] = [
    recorder0, recorder1, recorder2, recorder3, recorder4, recorder5, recorder6, recorder7,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_tell_overlapping_views_apart() {
        let buffer = [0f32; 64];
        let view = |offset, rows, columns| Descriptor {
            aligned: buffer.as_ptr(),
            offset,
            sizes: [rows, columns],
            strides: [8, 1],
        };
        // Rows 0-1 and rows 2-3 of an 8x8 matrix.
        assert!(!view(0, 2, 8).overlaps(&view(16, 2, 8)));
        assert!(view(0, 3, 8).overlaps(&view(16, 2, 8)));
        let copied = {
            let mut data = [0f32; 64];
            data.iter_mut().enumerate().for_each(|(i, x)| *x = i as f32);
            // SAFETY: a 2x2 view at (1, 2) of a live 8x8 buffer.
            unsafe {
                Descriptor {
                    aligned: data.as_ptr(),
                    offset: 10,
                    sizes: [2, 2],
                    strides: [8, 1],
                }
                .copy()
            }
        };
        assert_eq!(copied, vec![10.0, 11.0, 18.0, 19.0]);
    }

    /// `C = A + B` for 2x2 matrices, from the descriptors' aligned pointers.
    #[allow(clippy::too_many_arguments)]
    unsafe extern "C" fn add(
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
        for i in 0..4 {
            // SAFETY: called with three 2x2 buffers.
            unsafe { *c.add(i) = *a.add(i) + *b.add(i) };
        }
    }

    #[test]
    fn the_next_call_through_the_slot_is_recorded_and_the_original_put_back() {
        let target = MatmulTarget::new("add", 2, 2, 2);
        let original = add as *const () as usize;
        let slot = Arc::new(HotSwapSlot::new("add"));
        slot.swap(original);
        let recorder = Recorder::install(slot.clone(), original, &target).expect("installs");
        assert_ne!(slot.load(), original);
        let (mut a, mut b, mut c) = ([1f32, 2., 3., 4.], [10f32, 20., 30., 40.], [0f32; 4]);
        let mut through_slot = || {
            // SAFETY: the slot holds a function of the matmul convention.
            let function = unsafe { std::mem::transmute::<usize, MatmulAbi>(slot.load()) };
            let (pa, pb, pc) = (a.as_mut_ptr(), b.as_mut_ptr(), c.as_mut_ptr());
            // SAFETY: three live 2x2 row-major buffers.
            unsafe {
                function(
                    pa, pa, 0, 2, 2, 2, 1, pb, pb, 0, 2, 2, 2, 1, pc, pc, 0, 2, 2, 2, 1,
                )
            };
        };
        through_slot();
        let recording = recorder.finish(|| true).expect("recorded");
        assert_eq!(slot.load(), original);
        assert_eq!(recording.a, vec![1., 2., 3., 4.]);
        assert_eq!(recording.shape, [2, 2, 2]);
        assert_eq!(recording.c_before, vec![0.; 4]);
        assert_eq!(recording.c_after, vec![11., 22., 33., 44.]);
        assert_eq!(c, [11., 22., 33., 44.]);
    }

    #[test]
    fn a_call_too_large_to_copy_is_not_recorded_but_runs() {
        let target = MatmulTarget::new("add", 8192, 8192, 8192);
        let original = add as *const () as usize;
        let slot = Arc::new(HotSwapSlot::new("add"));
        slot.swap(original);
        let recorder = Recorder::install(slot.clone(), original, &target).expect("installs");
        let (mut a, mut b, mut c) = ([1f32, 2., 3., 4.], [10f32, 20., 30., 40.], [0f32; 4]);
        // SAFETY: the slot holds a function of the matmul convention; `add` reads and writes
        // four elements of each buffer whatever the sizes say, and the recorder, which would
        // copy what the sizes say, must not.
        unsafe {
            let function = std::mem::transmute::<usize, MatmulAbi>(slot.load());
            let (pa, pb, pc) = (a.as_mut_ptr(), b.as_mut_ptr(), c.as_mut_ptr());
            let n = 8192;
            function(
                pa, pa, 0, n, n, n, 1, pb, pb, 0, n, n, n, 1, pc, pc, 0, n, n, n, 1,
            );
        }
        assert_eq!(recorder.finish(|| true), None);
        assert_eq!(c, [11., 22., 33., 44.]);
        assert_eq!(slot.load(), original);
    }
}
