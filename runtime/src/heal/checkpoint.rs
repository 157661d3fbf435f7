//! [`Checkpoint`]: the memory a call may write, saved before it runs, so that a failed call can
//! be run again from the state it started in.
//!
//! A call's arguments arrive packed (one pointer per LLVM-level argument, see
//! [`crate::jit::packed_symbol`]); a ranked memref is spread over `3 + 2 * rank` of them
//! (allocated and aligned pointers, offset, sizes, strides). The checkpoint copies every buffer
//! the arguments reach. Scalars are passed by value and need nothing.

use std::ffi::c_void;

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
    /// Something the checkpoint cannot copy (an unranked memref, an element type of unknown
    /// size), with how many LLVM values it takes.
    Opaque(usize),
}

impl Parameter {
    /// The parameter of MLIR type `ty` (as printed: `f32`, `memref<4x?xf32>`, `tensor<8xi32>`).
    pub fn of(ty: &str) -> Self {
        let Some(inner) = ty
            .strip_prefix("memref<")
            .or_else(|| ty.strip_prefix("tensor<"))
        else {
            return Self::Scalar;
        };
        let shape = outer_part(inner);
        let mut rest = shape;
        let mut rank = 0;
        while let Some(at) = rest.find('x') {
            let dim = &rest[..at];
            if dim != "?" && dim.parse::<u64>().is_err() {
                break;
            }
            rank += 1;
            rest = &rest[at + 1..];
        }
        if rest.starts_with('*') {
            return Self::Opaque(2);
        }
        match element_bytes(rest.trim()) {
            Some(element_bytes) => Self::Buffer {
                rank,
                element_bytes,
            },
            None => Self::Opaque(3 + 2 * rank),
        }
    }

    /// How many packed LLVM arguments it takes.
    pub fn width(self) -> usize {
        match self {
            Self::Scalar => 1,
            Self::Buffer { rank, .. } => 3 + 2 * rank,
            Self::Opaque(width) => width,
        }
    }
}

/// `4x?xf32` out of `4x?xf32, strided<[?], offset: ?>>`: up to the first top-level `,` or the
/// closing `>`.
fn outer_part(inner: &str) -> &str {
    let mut depth = 0usize;
    for (at, c) in inner.char_indices() {
        match c {
            '<' | '[' | '(' => depth += 1,
            '>' | ']' | ')' if depth == 0 => return &inner[..at],
            '>' | ']' | ')' => depth -= 1,
            ',' if depth == 0 => return &inner[..at],
            _ => {}
        }
    }
    inner
}

fn element_bytes(element: &str) -> Option<usize> {
    match element {
        "f16" | "bf16" => Some(2),
        "f32" => Some(4),
        "f64" | "index" => Some(8),
        "complex<f32>" => Some(8),
        "complex<f64>" => Some(16),
        _ => {
            let bits: usize = element.strip_prefix('i')?.parse().ok()?;
            Some(bits.div_ceil(8).next_power_of_two())
        }
    }
}

/// Copies of the buffers a call's arguments reach.
#[derive(Debug, Default)]
pub struct Checkpoint {
    buffers: Vec<(*mut u8, Vec<u8>)>,
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
        let mut index = 0;
        for parameter in parameters {
            match *parameter {
                Parameter::Scalar => {}
                Parameter::Opaque(_) => checkpoint.incomplete = true,
                Parameter::Buffer {
                    rank,
                    element_bytes,
                } => {
                    // SAFETY: the caller's contract: these are the descriptor's fields.
                    let (start, bytes) =
                        unsafe { extent(arguments.add(index), rank, element_bytes) };
                    if bytes > 0
                        && !checkpoint
                            .buffers
                            .iter()
                            .any(|(saved, copy)| *saved == start && copy.len() >= bytes)
                    {
                        // SAFETY: the descriptor says `bytes` bytes from `start` are its memory.
                        let copy = unsafe { std::slice::from_raw_parts(start, bytes) }.to_vec();
                        checkpoint.buffers.push((start, copy));
                    }
                }
            }
            index += parameter.width();
        }
        checkpoint
    }

    /// Writes the saved bytes back.
    ///
    /// # Safety
    ///
    /// The buffers the checkpoint was taken from must still be live and writable.
    pub unsafe fn restore(&self) {
        for (start, copy) in &self.buffers {
            // SAFETY: the caller's contract; the copy is exactly as long as what was read.
            unsafe { std::ptr::copy_nonoverlapping(copy.as_ptr(), *start, copy.len()) };
        }
    }

    /// How many bytes it holds.
    pub fn bytes(&self) -> usize {
        self.buffers.iter().map(|(_, copy)| copy.len()).sum()
    }
}

/// The first byte and the length of the memory a memref descriptor spans, from its packed
/// fields (`fields[1]` aligned pointer, `fields[2]` offset, then sizes and strides).
///
/// # Safety
///
/// `fields` must point at `3 + 2 * rank` valid pointers to the descriptor's fields.
unsafe fn extent(
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
        assert_eq!(Parameter::of("memref<*xf32>"), Parameter::Opaque(2));
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
        unsafe { checkpoint.restore() };
        assert_eq!(data, [-1.0, 1.0, 2.0, 3.0, 4.0, 5.0, -1.0, -1.0]);
        assert!(!checkpoint.incomplete);
    }
}
