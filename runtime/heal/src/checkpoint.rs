//! [`Checkpoint`]: the memory a call may write, saved before it runs, so that a failed call can
//! be run again from the state it started in.
//!
//! A call's arguments arrive packed (one pointer per LLVM-level argument, see
//! [`tensorlang_jit::jit::packed_symbol`]); a ranked memref is spread over `3 + 2 * rank` of them
//! (allocated and aligned pointers, offset, sizes, strides). The checkpoint copies every buffer
//! the arguments reach, and [`Checkpoint::add_region`] adds the mutable globals the function can
//! reach. Scalars are passed by value and need nothing.
//!
//! [`Checkpoint::restore`] writes back only the bytes that differ from the copy: memory the call
//! did not change is never written, so a buffer in read-only memory (a constant `memref.global`,
//! a view of one) is only ever read, and arguments that alias each other are restored once, from
//! copies taken at the same moment.
//!
//! Every call of a replaceable function takes one, so taking it costs a copy of what it saves
//! and nothing more: the copies share one byte buffer, and [`Checkpoint::retake`] reuses the
//! storage of an earlier checkpoint (the self-healing runtime keeps one per call depth), so that
//! a call allocates only when it saves more than any call at its depth before it.

use std::ffi::c_void;

use tensorlang::ir::{element_bytes, shaped_type};

/// How one source-level parameter is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// One LLVM value (an integer, float, index or vector).
    Scalar,
    /// A ranked memref (or a tensor, which becomes one at the function boundary).
    Buffer {
        /// Its rank.
        rank: usize,
        /// Bytes per element.
        element_bytes: usize,
    },
    /// An unranked memref: its rank and a pointer to a ranked descriptor, read at run time.
    Unranked {
        /// Bytes per element.
        element_bytes: usize,
    },
    /// Something the checkpoint cannot copy (an element type of unknown size), with how many
    /// LLVM values it takes.
    Opaque(usize),
}

impl Parameter {
    /// The parameter of MLIR type `ty` (as printed: `f32`, `memref<4x?xf32>`, `tensor<8xi32>`).
    pub fn of(ty: &str) -> Self {
        let Some(shaped) = shaped_type(ty) else {
            return Self::Scalar;
        };
        let element_bytes = element_bytes(shaped.element);
        match (shaped.dims, element_bytes) {
            (None, Some(element_bytes)) => Self::Unranked { element_bytes },
            (None, None) => Self::Opaque(2),
            (Some(dims), Some(element_bytes)) => Self::Buffer {
                rank: dims.len(),
                element_bytes,
            },
            (Some(dims), None) => Self::Opaque(3 + 2 * dims.len()),
        }
    }

    /// How many packed LLVM arguments it takes.
    pub fn width(self) -> usize {
        match self {
            Self::Scalar => 1,
            Self::Buffer { rank, .. } => 3 + 2 * rank,
            Self::Unranked { .. } => 2,
            Self::Opaque(width) => width,
        }
    }
}

/// Copies of the buffers a call's arguments reach.
#[derive(Debug, Default)]
pub struct Checkpoint {
    /// Each saved buffer: where it starts, where its copy starts in `copies`, and its length.
    buffers: Vec<(*mut u8, usize, usize)>,
    /// The copies, one after the other.
    copies: Vec<u8>,
    /// Whether some argument could not be saved (see [`Parameter::Opaque`]).
    pub incomplete: bool,
}

// SAFETY: the addresses are only written through by the thread that runs the program, which
// took the checkpoint; the struct merely carries them.
unsafe impl Send for Checkpoint {}

impl Checkpoint {
    /// Saves what `parameters` reach through the packed `arguments`.
    ///
    /// # Safety
    ///
    /// `arguments` must be the packed arguments of a live call whose parameters are
    /// `parameters`: each pointer valid for its LLVM type, each memref descriptor describing
    /// memory valid for reads.
    pub unsafe fn take(parameters: &[Parameter], arguments: *const *mut c_void) -> Self {
        let mut checkpoint = Self::default();
        // SAFETY: the caller's contract.
        unsafe { checkpoint.retake(parameters, arguments) };
        checkpoint
    }

    /// [`Checkpoint::take`] into this checkpoint's storage: what it held is dropped, and no
    /// allocation is made unless more is saved than it ever held.
    ///
    /// # Safety
    ///
    /// As for [`Checkpoint::take`].
    pub unsafe fn retake(&mut self, parameters: &[Parameter], arguments: *const *mut c_void) {
        self.buffers.clear();
        self.copies.clear();
        self.incomplete = false;
        let mut index = 0;
        for parameter in parameters {
            // SAFETY: the caller's contract: these are the parameter's packed fields.
            let region = unsafe { Self::region_of(*parameter, arguments.add(index)) };
            match region {
                // SAFETY: the descriptor says these bytes are its memory.
                Some((start, bytes)) => unsafe { self.add_region(start, bytes) },
                None => self.incomplete = true,
            }
            index += parameter.width();
        }
    }

    /// The saved buffers: each one's address and its copy.
    fn copies(&self) -> impl Iterator<Item = (*mut u8, &[u8])> {
        self.buffers
            .iter()
            .map(|&(start, from, bytes)| (start, &self.copies[from..from + bytes]))
    }

    /// The memory one parameter reaches (empty for a scalar); `None` when it cannot be known.
    ///
    /// # Safety
    ///
    /// `fields` must point at the parameter's packed fields, as for [`Checkpoint::take`].
    unsafe fn region_of(
        parameter: Parameter,
        fields: *const *mut c_void,
    ) -> Option<(*mut u8, usize)> {
        match parameter {
            Parameter::Scalar => Some((std::ptr::null_mut(), 0)),
            Parameter::Opaque(_) => None,
            Parameter::Buffer {
                rank,
                element_bytes,
            } => {
                // SAFETY: the caller's contract.
                Some(unsafe { extent(fields, rank, element_bytes) })
            }
            Parameter::Unranked { element_bytes } => {
                // SAFETY: an unranked memref is passed as (rank, pointer to the ranked
                // descriptor `{allocated, aligned, offset, sizes[rank], strides[rank]}`).
                unsafe {
                    let rank = *(*fields as *const i64);
                    let descriptor = *(*fields.add(1) as *const *mut i64);
                    if !(0..=64).contains(&rank) || descriptor.is_null() {
                        return None;
                    }
                    let rank = rank as usize;
                    // On the stack: a checkpoint allocates nothing but its copies.
                    let mut pointers = [std::ptr::null_mut::<c_void>(); 3 + 2 * 64];
                    for (i, pointer) in pointers.iter_mut().take(3 + 2 * rank).enumerate() {
                        *pointer = descriptor.add(i).cast::<c_void>();
                    }
                    Some(extent(pointers.as_ptr(), rank, element_bytes))
                }
            }
        }
    }

    /// Saves `bytes` bytes from `start` too (a global the call can write).
    ///
    /// # Safety
    ///
    /// `bytes` bytes from `start` must be valid for reads.
    pub unsafe fn add_region(&mut self, start: *mut u8, bytes: usize) {
        if bytes == 0 || start.is_null() {
            return;
        }
        let saved = |&(at, _, saved): &(*mut u8, usize, usize)| at == start && saved >= bytes;
        if self.buffers.iter().any(saved) {
            return;
        }
        self.buffers.push((start, self.copies.len(), bytes));
        // SAFETY: the caller's contract.
        let bytes = unsafe { std::slice::from_raw_parts(start, bytes) };
        self.copies.extend_from_slice(bytes);
    }

    /// Writes back the saved bytes that differ from memory now, and only those (see the module
    /// docs); how many were written.
    ///
    /// # Safety
    ///
    /// The buffers the checkpoint was taken from must still be live; a byte that differs from
    /// its copy was written since, so its page is writable.
    pub unsafe fn restore(&self) -> usize {
        let mut written = 0;
        for (start, copy) in self.copies() {
            // SAFETY: the caller's contract; the copy is exactly as long as what was read.
            let now = unsafe { std::slice::from_raw_parts(start, copy.len()) };
            for (from, to) in changed_runs(now, copy) {
                // SAFETY: these bytes changed, so they are writable (see above).
                unsafe {
                    std::ptr::copy_nonoverlapping(copy[from..].as_ptr(), start.add(from), to - from)
                };
                written += to - from;
            }
        }
        written
    }

    /// The saved copy of the `bytes` bytes from `start`, if a saved buffer covers them.
    pub fn saved(&self, start: *const u8, bytes: usize) -> Option<&[u8]> {
        self.copies().find_map(|(at, copy)| {
            let from = (start as usize).checked_sub(at as usize)?;
            copy.get(from..from.checked_add(bytes)?)
        })
    }

    /// How many bytes it holds.
    pub fn bytes(&self) -> usize {
        self.copies.len()
    }
}

/// The `[from, to)` byte ranges where `now` and `saved` differ, compared a block at a time.
fn changed_runs(now: &[u8], saved: &[u8]) -> Vec<(usize, usize)> {
    const BLOCK: usize = 256;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for base in (0..saved.len()).step_by(BLOCK) {
        let end = (base + BLOCK).min(saved.len());
        if now[base..end] == saved[base..end] {
            continue;
        }
        for at in base..end {
            if now[at] == saved[at] {
                continue;
            }
            match runs.last_mut() {
                Some((_, to)) if *to == at => *to = at + 1,
                _ => runs.push((at, at + 1)),
            }
        }
    }
    runs
}

/// The first byte and the length of the memory a memref descriptor spans, from its packed
/// fields (`fields[1]` aligned pointer, `fields[2]` offset, then sizes and strides).
///
/// # Safety
///
/// `fields` must point at `3 + 2 * rank` valid pointers to the descriptor's fields.
pub(crate) unsafe fn extent(
    fields: *const *mut c_void,
    rank: usize,
    element_bytes: usize,
) -> (*mut u8, usize) {
    // SAFETY: the caller's contract.
    unsafe {
        let field = |i: usize| *fields.add(i);
        let aligned = *(field(1) as *const *mut u8);
        let offset = *(field(2) as *const i64);
        let mut elements: i64 = 1;
        for dim in 0..rank {
            let size = *(field(3 + dim) as *const i64);
            let stride = *(field(3 + rank + dim) as *const i64);
            if size <= 0 {
                return (aligned, 0);
            }
            elements += (size - 1) * stride.abs();
        }
        let start = aligned.wrapping_offset((offset * element_bytes as i64) as isize);
        (start, elements as usize * element_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_from_their_types() {
        assert_eq!(Parameter::of("f32"), Parameter::Scalar);
        assert_eq!(
            Parameter::of("memref<4x?xf32>"),
            Parameter::Buffer {
                rank: 2,
                element_bytes: 4
            }
        );
        assert_eq!(
            Parameter::of("memref<8xi1, strided<[?], offset: ?>>"),
            Parameter::Buffer {
                rank: 1,
                element_bytes: 1
            }
        );
        assert_eq!(
            Parameter::of("tensor<f64>"),
            Parameter::Buffer {
                rank: 0,
                element_bytes: 8
            }
        );
        assert_eq!(
            Parameter::of("memref<*xf32>"),
            Parameter::Unranked { element_bytes: 4 }
        );
        assert_eq!(
            Parameter::of("memref<4xvector<8xf32>>"),
            Parameter::Opaque(5)
        );
        assert_eq!(Parameter::of("memref<3xi24>").width(), 5);
    }

    #[test]
    fn a_checkpoint_restores_a_strided_buffer_and_nothing_else() {
        let mut data: Vec<f32> = (0..8).map(|i| i as f32).collect();
        let base = data.as_mut_ptr();
        // A view of elements 1, 3, 5: offset 1, size 3, stride 2; then a scalar.
        let (offset, size, stride, mut scalar) = (1i64, 3i64, 2i64, 7.0f32);
        let mut fields: Vec<*mut c_void> = vec![
            (&raw const base).cast_mut().cast(),
            (&raw const base).cast_mut().cast(),
            (&raw const offset).cast_mut().cast(),
            (&raw const size).cast_mut().cast(),
            (&raw const stride).cast_mut().cast(),
            (&raw mut scalar).cast(),
        ];
        let parameters = [
            Parameter::of("memref<3xf32, strided<[2], offset: 1>>"),
            Parameter::Scalar,
        ];
        // SAFETY: the fields describe `data`, which lives to the end of the test.
        let checkpoint = unsafe { Checkpoint::take(&parameters, fields.as_mut_ptr()) };
        assert_eq!(checkpoint.bytes(), 5 * 4);
        data.iter_mut().for_each(|x| *x = -1.0);
        // SAFETY: as above.
        let written = unsafe { checkpoint.restore() };
        assert_eq!(data, [-1.0, 1.0, 2.0, 3.0, 4.0, 5.0, -1.0, -1.0]);
        // Only the bytes that differ are written: at most the 20 saved.
        assert!((1..=5 * 4).contains(&written));
        assert!(!checkpoint.incomplete);
        // Nothing changed since: nothing is written.
        // SAFETY: as above.
        assert_eq!(unsafe { checkpoint.restore() }, 0);
    }

    #[test]
    fn restoring_an_unchanged_read_only_buffer_writes_nothing() {
        // A page mapped read-only, like a constant global: restoring must only read it.
        // SAFETY: a fresh anonymous mapping, unmapped at the end.
        let page = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(page, libc::MAP_FAILED);
        let mut checkpoint = Checkpoint::default();
        // SAFETY: the page is readable.
        unsafe { checkpoint.add_region(page.cast(), 4096) };
        // SAFETY: unchanged, so nothing is written (a write would fault).
        assert_eq!(unsafe { checkpoint.restore() }, 0);
        // SAFETY: our own mapping.
        unsafe { libc::munmap(page, 4096) };
    }

    #[test]
    fn an_unranked_memref_is_saved_through_its_descriptor() {
        let mut data: Vec<i32> = vec![1, 2, 3, 4];
        let descriptor: [i64; 5] = [data.as_mut_ptr() as i64, data.as_mut_ptr() as i64, 0, 4, 1];
        let (rank, pointer) = (1i64, descriptor.as_ptr());
        let fields: Vec<*mut c_void> = vec![
            (&raw const rank).cast_mut().cast(),
            (&raw const pointer).cast_mut().cast(),
        ];
        let parameters = [Parameter::of("memref<*xi32>")];
        // SAFETY: the fields describe `data`.
        let checkpoint = unsafe { Checkpoint::take(&parameters, fields.as_ptr()) };
        assert_eq!(checkpoint.bytes(), 16);
        data[2] = 9;
        // SAFETY: as above.
        assert_eq!(unsafe { checkpoint.restore() }, 1);
        assert_eq!(data, [1, 2, 3, 4]);
    }
}
