//! The arguments of a failed call as [`ArgumentRecord`]s, for the failure report: a scalar by
//! its value, a buffer by its shape and its elements (row-major) as they were when the call
//! began, read from the call's [`Checkpoint`]. Floats that are not finite are the strings
//! `"nan"`, `"inf"` and `"-inf"` (JSON has no such numbers); a value of a type read nowhere here
//! (a vector, `f16`, an unranked memref) is `null`.

use std::ffi::c_void;

use serde_json::{Value, json};
use tensorlang_checks::failure::ArgumentRecord;

use super::checkpoint::{Checkpoint, Parameter, extent};

/// The most elements of one buffer a record holds; a larger one has its shape only.
pub const MAX_ELEMENTS: usize = 1 << 20;

/// How one parameter is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A scalar of this many bytes (`None`: a type not recorded, such as a vector).
    Scalar(Option<usize>),
    /// A ranked memref: its descriptor's `3 + 2 * rank` words, and the memory it spans.
    Buffer {
        /// Its rank.
        rank: usize,
        /// Bytes per element.
        element_bytes: usize,
    },
    /// Something not recorded, with how many packed fields it takes.
    Skipped(usize),
}

impl Field {
    /// How each parameter of MLIR types `types` is saved.
    pub fn layout(types: &[String]) -> Vec<Field> {
        types
            .iter()
            .map(|ty| match Parameter::of(ty) {
                Parameter::Scalar => Field::Scalar(element_size(ty)),
                Parameter::Buffer {
                    rank,
                    element_bytes,
                } => Field::Buffer {
                    rank,
                    element_bytes,
                },
                other => Field::Skipped(other.width()),
            })
            .collect()
    }

    fn width(self) -> usize {
        match self {
            Field::Scalar(_) => 1,
            Field::Buffer { rank, .. } => 3 + 2 * rank,
            Field::Skipped(width) => width,
        }
    }
}

/// Where a buffer's bytes are read from when a call is saved.
#[derive(Clone, Copy)]
pub enum Contents<'a> {
    /// Memory as it is now (the call has not run yet).
    Live,
    /// The copy a checkpoint took when the call began.
    Saved(&'a Checkpoint),
    /// Not copied (the buffers are recorded as not saved).
    Unsaved,
}

/// A call's arguments as they were when it began: each scalar and descriptor word, and a copy of
/// each buffer (of at most [`MAX_ELEMENTS`] elements). Its storage is reused from call to call.
#[derive(Debug, Default)]
pub struct SavedCall {
    words: Vec<u64>,
    copies: Vec<u8>,
    /// Per buffer parameter, in order: where its copy is in `copies`, and how long.
    buffers: Vec<Option<(usize, usize)>>,
}

impl SavedCall {
    /// Saves the packed `arguments` of a call whose parameters are laid out as `layout`.
    ///
    /// # Safety
    ///
    /// `arguments` must be the packed arguments of a live call with that layout (each field
    /// valid for reads of its type, each descriptor describing memory valid for reads).
    pub unsafe fn save(
        &mut self,
        layout: &[Field],
        arguments: *const *mut c_void,
        contents: Contents,
    ) {
        self.words.clear();
        self.copies.clear();
        self.buffers.clear();
        let mut index = 0;
        for field in layout {
            // SAFETY: the caller's contract: these are the parameter's packed fields.
            let fields = unsafe { arguments.add(index) };
            index += field.width();
            match *field {
                Field::Scalar(bytes) => {
                    let mut word = [0u8; 8];
                    if let Some(bytes) = bytes {
                        // SAFETY: a scalar's one field points at its `bytes` bytes.
                        unsafe {
                            std::ptr::copy_nonoverlapping(
                                (*fields).cast::<u8>(),
                                word.as_mut_ptr(),
                                bytes,
                            )
                        };
                    }
                    self.words.push(u64::from_ne_bytes(word));
                }
                Field::Buffer {
                    rank,
                    element_bytes,
                } => {
                    for i in 0..3 + 2 * rank {
                        // SAFETY: each descriptor field is a pointer or an i64.
                        self.words.push(unsafe { *(*fields.add(i) as *const u64) });
                    }
                    // SAFETY: the caller's contract.
                    let (start, bytes) = unsafe { extent(fields, rank, element_bytes) };
                    let copy = if bytes > MAX_ELEMENTS * element_bytes {
                        None
                    } else {
                        match contents {
                            // An empty buffer's pointer may be null.
                            _ if bytes == 0 || start.is_null() => Some(&[][..]),
                            Contents::Live => {
                                // SAFETY: the descriptor says these bytes are its memory.
                                Some(unsafe { std::slice::from_raw_parts(start, bytes) })
                            }
                            Contents::Saved(checkpoint) => checkpoint.saved(start, bytes),
                            Contents::Unsaved => None,
                        }
                    };
                    self.buffers.push(copy.map(|copy| {
                        let at = self.copies.len();
                        self.copies.extend_from_slice(copy);
                        (at, copy.len())
                    }));
                }
                Field::Skipped(_) => {}
            }
        }
    }

    /// The records of the saved arguments, whose MLIR types are `types` (laid out as `layout`).
    pub fn records(&self, types: &[String], layout: &[Field]) -> Vec<ArgumentRecord> {
        let mut words = self.words.iter().copied();
        let mut buffers = self.buffers.iter().copied();
        types
            .iter()
            .zip(layout)
            .map(|(ty, field)| {
                let value = match *field {
                    Field::Scalar(Some(bytes)) => match words.next() {
                        Some(word) => element(ty, &word.to_ne_bytes()[..bytes]),
                        None => Value::Null,
                    },
                    Field::Scalar(None) => {
                        words.next();
                        Value::Null
                    }
                    Field::Buffer {
                        rank,
                        element_bytes,
                    } => {
                        let descriptor: Vec<u64> = words.by_ref().take(3 + 2 * rank).collect();
                        let copy = buffers
                            .next()
                            .flatten()
                            .map(|(at, len)| &self.copies[at..at + len]);
                        buffer(ty, &descriptor, rank, element_bytes, copy)
                    }
                    Field::Skipped(_) => Value::Null,
                };
                ArgumentRecord {
                    ty: ty.clone(),
                    value,
                }
            })
            .collect()
    }
}

/// The records of a live call's arguments, its buffers as `checkpoint` saved them when it began.
///
/// # Safety
///
/// `arguments` must be the packed arguments of a live call whose parameters have the MLIR types
/// `types`, and `checkpoint` must have been taken from them when the call began.
pub unsafe fn records(
    types: &[String],
    arguments: *const *mut c_void,
    checkpoint: &Checkpoint,
) -> Vec<ArgumentRecord> {
    let layout = Field::layout(types);
    let mut saved = SavedCall::default();
    // SAFETY: the caller's contract.
    unsafe { saved.save(&layout, arguments, Contents::Saved(checkpoint)) };
    saved.records(types, &layout)
}

/// A buffer from its descriptor's words (allocated and aligned pointers, offset, sizes,
/// strides) and the copy of the memory it spans: its shape and, when it is not too large, its
/// elements.
fn buffer(
    ty: &str,
    descriptor: &[u64],
    rank: usize,
    element_bytes: usize,
    copy: Option<&[u8]>,
) -> Value {
    let Some(element_type) = tensorlang::ir::shaped_type(ty).map(|s| s.element) else {
        return Value::Null;
    };
    if descriptor.len() != 3 + 2 * rank {
        return Value::Null;
    }
    let sizes: Vec<i64> = descriptor[3..3 + rank].iter().map(|w| *w as i64).collect();
    let strides: Vec<i64> = descriptor[3 + rank..].iter().map(|w| *w as i64).collect();
    let count: i64 = sizes.iter().product();
    let shape = json!(sizes);
    let readable = element_size(element_type) == Some(element_bytes)
        && strides.iter().all(|s| *s >= 0)
        && sizes.iter().all(|s| *s >= 0);
    if !readable {
        return json!({"shape": shape, "elements": null, "omitted": "an element type or layout not recorded"});
    }
    if count as usize > MAX_ELEMENTS {
        return json!({"shape": shape, "elements": null, "omitted": format!("more than {MAX_ELEMENTS} elements")});
    }
    let Some(copy) = copy else {
        return json!({"shape": shape, "elements": null, "omitted": "not saved"});
    };
    let mut elements = Vec::with_capacity(count as usize);
    let mut index = vec![0i64; rank];
    for _ in 0..count {
        let at: i64 = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        let from = at as usize * element_bytes;
        let Some(raw) = copy.get(from..from + element_bytes) else {
            return json!({"shape": shape, "elements": null, "omitted": "not saved"});
        };
        elements.push(element(element_type, raw));
        // The next index, row-major.
        for d in (0..rank).rev() {
            index[d] += 1;
            if index[d] < sizes[d] {
                break;
            }
            index[d] = 0;
        }
    }
    json!({"shape": shape, "elements": elements})
}

/// Bytes of a scalar of `ty`, for the types recorded.
fn element_size(ty: &str) -> Option<usize> {
    match ty {
        "i1" | "i8" => Some(1),
        "i16" => Some(2),
        "i32" | "f32" => Some(4),
        "i64" | "index" | "f64" => Some(8),
        _ => None,
    }
}

/// One element of `ty` from its bytes (native byte order).
fn element(ty: &str, raw: &[u8]) -> Value {
    let float = |value: f64| match serde_json::Number::from_f64(value) {
        Some(number) => Value::Number(number),
        None if value.is_nan() => json!("nan"),
        None if value > 0.0 => json!("inf"),
        None => json!("-inf"),
    };
    match (ty, raw.len()) {
        ("i1", 1) => json!(raw[0] & 1),
        ("i8", 1) => json!(raw[0] as i8),
        ("i16", 2) => json!(i16::from_ne_bytes([raw[0], raw[1]])),
        ("i32", 4) => json!(i32::from_ne_bytes(raw.try_into().unwrap_or_default())),
        ("i64" | "index", 8) => json!(i64::from_ne_bytes(raw.try_into().unwrap_or_default())),
        ("f32", 4) => float(f64::from(f32::from_ne_bytes(
            raw.try_into().unwrap_or_default(),
        ))),
        ("f64", 8) => float(f64::from_ne_bytes(raw.try_into().unwrap_or_default())),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packed arguments of `(i32, memref<2x2xf32, strided<[1, 2]>>)`: the transpose of a 2x2
    /// row-major buffer, to read column by column.
    #[test]
    fn scalars_and_buffers_are_recorded_as_the_call_began() {
        let mut k: i32 = -7;
        let mut data: [f32; 4] = [1.0, 2.0, f32::NAN, f32::INFINITY];
        let mut allocated = data.as_mut_ptr();
        let mut aligned = data.as_mut_ptr();
        let (mut offset, mut size0, mut size1, mut stride0, mut stride1) =
            (0i64, 2i64, 2i64, 1i64, 2i64);
        let mut packed: Vec<*mut c_void> = vec![
            (&raw mut k).cast(),
            (&raw mut allocated).cast(),
            (&raw mut aligned).cast(),
            (&raw mut offset).cast(),
            (&raw mut size0).cast(),
            (&raw mut size1).cast(),
            (&raw mut stride0).cast(),
            (&raw mut stride1).cast(),
        ];
        let types = vec![
            "i32".to_owned(),
            "memref<2x2xf32, strided<[1, 2]>>".to_owned(),
        ];
        let parameters: Vec<Parameter> = types.iter().map(|t| Parameter::of(t)).collect();
        // SAFETY: the packed fields point at live locals of the right types.
        let checkpoint = unsafe { Checkpoint::take(&parameters, packed.as_mut_ptr()) };
        // The call writes its buffer before it fails: the record holds what it began with.
        // SAFETY: `aligned` points at `data`, which is live.
        unsafe { aligned.write(99.0) };
        // SAFETY: as above.
        let records = unsafe { records(&types, packed.as_ptr(), &checkpoint) };
        assert_eq!(records[0].value, json!(-7));
        assert_eq!(
            records[1].value,
            json!({"shape": [2, 2], "elements": [1.0, "nan", 2.0, "inf"]})
        );
    }
}
