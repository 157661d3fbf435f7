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

/// The records of a call's arguments.
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
    let mut index = 0;
    types
        .iter()
        .map(|ty| {
            let parameter = Parameter::of(ty);
            // SAFETY: the caller's contract: these are the parameter's packed fields.
            let fields = unsafe { arguments.add(index) };
            index += parameter.width();
            let value = match parameter {
                // SAFETY: a scalar's one field points at its value.
                Parameter::Scalar => unsafe { scalar(ty, (*fields).cast::<u8>()) },
                Parameter::Buffer {
                    rank,
                    element_bytes,
                } => {
                    // SAFETY: the caller's contract.
                    unsafe { buffer(ty, fields, rank, element_bytes, checkpoint) }
                }
                Parameter::Unranked { .. } | Parameter::Opaque(_) => Value::Null,
            };
            ArgumentRecord {
                ty: ty.clone(),
                value,
            }
        })
        .collect()
}

/// A scalar of type `ty` at `at`.
///
/// # Safety
///
/// `at` must be valid for reads of a value of `ty`.
unsafe fn scalar(ty: &str, at: *const u8) -> Value {
    let Some(bytes) = element_size(ty) else {
        return Value::Null;
    };
    // SAFETY: the caller's contract.
    let raw = unsafe { std::slice::from_raw_parts(at, bytes) };
    element(ty, raw)
}

/// A buffer: its shape and, when it is not too large, its elements as the checkpoint saved them.
///
/// # Safety
///
/// `fields` must point at the `3 + 2 * rank` packed fields of a live memref descriptor.
unsafe fn buffer(
    ty: &str,
    fields: *const *mut c_void,
    rank: usize,
    element_bytes: usize,
    checkpoint: &Checkpoint,
) -> Value {
    let Some(element_type) = tensorlang::ir::shaped_type(ty).map(|s| s.element) else {
        return Value::Null;
    };
    // SAFETY: the caller's contract.
    let (sizes, strides) = unsafe {
        let field = |i: usize| *(*fields.add(i) as *const i64);
        (
            (0..rank).map(|d| field(3 + d)).collect::<Vec<_>>(),
            (0..rank).map(|d| field(3 + rank + d)).collect::<Vec<_>>(),
        )
    };
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
    // SAFETY: the caller's contract.
    let (start, bytes) = unsafe { extent(fields, rank, element_bytes) };
    let Some(saved) = checkpoint.saved(start, bytes) else {
        return json!({"shape": shape, "elements": null, "omitted": "not saved"});
    };
    let mut elements = Vec::with_capacity(count as usize);
    let mut index = vec![0i64; rank];
    for _ in 0..count {
        let at: i64 = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        let from = at as usize * element_bytes;
        let Some(raw) = saved.get(from..from + element_bytes) else {
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
