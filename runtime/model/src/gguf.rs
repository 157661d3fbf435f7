//! Checks a GGUF model file before llama.cpp sees it.
//!
//! llama.cpp reports a bad file with a null pointer and a log line; reading the header here first
//! turns a missing, truncated or foreign file into an error that says which and why. The whole
//! header is read (metadata and tensor table), so the size the tensor data needs is known exactly
//! and a partial download is caught before loading starts.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

const MAGIC: &[u8; 4] = b"GGUF";
const DEFAULT_ALIGNMENT: u64 = 32;
/// Guards against allocating for a corrupt length field; real keys and names are short.
const MAX_STRING: u64 = 1 << 26;

/// What is wrong with a model file.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// No file at the path.
    #[error("no such file")]
    Missing,
    /// The path is a directory or another non-file.
    #[error("not a regular file")]
    NotAFile,
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Unreadable(io::Error),
    /// The file does not start with the GGUF magic.
    #[error("not a GGUF model file (it starts with {found:?}, a GGUF file with \"GGUF\")")]
    NotGguf {
        /// The first bytes found.
        found: String,
    },
    /// A GGUF version this reader does not know.
    #[error("GGUF version {0} is not supported (versions 2 and 3 are)")]
    UnsupportedVersion(u32),
    /// The file ends before its header or its tensor data do.
    #[error(
        "truncated: it needs {needed} bytes and has {actual} (an incomplete download or copy?)"
    )]
    Truncated {
        /// Bytes the header and tensor table say the file has.
        needed: u64,
        /// Bytes the file has.
        actual: u64,
    },
    /// The header holds impossible values.
    #[error("corrupt GGUF header: {0}")]
    Corrupt(String),
}

/// What the header of a valid GGUF file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GgufInfo {
    /// Format version.
    pub version: u32,
    /// Number of tensors.
    pub tensor_count: u64,
    /// `general.architecture` (`gemma3`, `qwen2`, ...).
    pub architecture: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// Whether the file carries `tokenizer.chat_template` (base models do not).
    pub has_chat_template: bool,
    /// Bytes the header, tensor table and tensor data need.
    pub needed_size: u64,
    /// Bytes in the file.
    pub file_size: u64,
}

/// Reads and checks the header of the GGUF file at `path`.
///
/// # Errors
/// [`GgufError`] says what is wrong: missing, not a file, not GGUF, unsupported version,
/// truncated or corrupt.
pub fn inspect(path: &Path) -> Result<GgufInfo, GgufError> {
    let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => GgufError::Missing,
        _ => GgufError::Unreadable(error),
    })?;
    if !metadata.is_file() {
        return Err(GgufError::NotAFile);
    }
    let file_size = metadata.len();
    let file = File::open(path).map_err(GgufError::Unreadable)?;
    let mut reader = HeaderReader {
        input: BufReader::new(file),
        file_size,
    };
    reader.read_header()
}

struct HeaderReader {
    input: BufReader<File>,
    file_size: u64,
}

/// Metadata value types of the GGUF format.
mod value_type {
    pub const U8: u32 = 0;
    pub const I8: u32 = 1;
    pub const U16: u32 = 2;
    pub const I16: u32 = 3;
    pub const U32: u32 = 4;
    pub const I32: u32 = 5;
    pub const F32: u32 = 6;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
    pub const U64: u32 = 10;
    pub const I64: u32 = 11;
    pub const F64: u32 = 12;
}

impl HeaderReader {
    fn read_header(&mut self) -> Result<GgufInfo, GgufError> {
        let mut magic = [0u8; 4];
        self.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(GgufError::NotGguf {
                found: String::from_utf8_lossy(&magic).into_owned(),
            });
        }
        let version = self.u32()?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion(version));
        }
        let tensor_count = self.u64()?;
        let kv_count = self.u64()?;
        let mut info = GgufInfo {
            version,
            tensor_count,
            architecture: None,
            name: None,
            has_chat_template: false,
            needed_size: 0,
            file_size: self.file_size,
        };
        let mut alignment = DEFAULT_ALIGNMENT;
        for _ in 0..kv_count {
            let key = self.string()?;
            let kind = self.u32()?;
            match (key.as_str(), kind) {
                ("general.architecture", value_type::STRING) => {
                    info.architecture = Some(self.string()?)
                }
                ("general.name", value_type::STRING) => info.name = Some(self.string()?),
                ("general.alignment", value_type::U32) => alignment = u64::from(self.u32()?),
                ("tokenizer.chat_template", _) => {
                    info.has_chat_template = true;
                    self.skip_value(kind)?;
                }
                _ => self.skip_value(kind)?,
            }
        }
        if alignment == 0 || !alignment.is_power_of_two() {
            return Err(GgufError::Corrupt(format!(
                "general.alignment is {alignment}"
            )));
        }
        let mut data_end = 0u64;
        for _ in 0..tensor_count {
            let name = self.string()?;
            let tensor_end = self.tensor_end(&name)?;
            data_end = data_end.max(tensor_end);
        }
        let header_end = self.position()?;
        let data_start = header_end.div_ceil(alignment) * alignment;
        info.needed_size = data_start
            .checked_add(data_end)
            .ok_or_else(|| GgufError::Corrupt("tensor data size overflows".into()))?;
        if info.needed_size > self.file_size {
            return Err(GgufError::Truncated {
                needed: info.needed_size,
                actual: self.file_size,
            });
        }
        Ok(info)
    }

    /// Reads one tensor's entry and returns where its data ends, relative to the data section.
    fn tensor_end(&mut self, name: &str) -> Result<u64, GgufError> {
        let dimensions = self.u32()?;
        if dimensions > 8 {
            return Err(GgufError::Corrupt(format!(
                "tensor {name} has {dimensions} dimensions"
            )));
        }
        let mut elements = 1u64;
        for _ in 0..dimensions {
            elements = elements
                .checked_mul(self.u64()?)
                .ok_or_else(|| GgufError::Corrupt(format!("tensor {name} is too large")))?;
        }
        let kind = self.u32()?;
        let offset = self.u64()?;
        // Types this reader does not know still bound the file from below by their offset.
        let bytes = tensor_bytes(kind, elements).unwrap_or(0);
        offset
            .checked_add(bytes)
            .ok_or_else(|| GgufError::Corrupt(format!("tensor {name} ends past 2^64")))
    }

    fn skip_value(&mut self, kind: u32) -> Result<(), GgufError> {
        match kind {
            value_type::STRING => {
                let length = self.u64()?;
                self.skip(length)
            }
            value_type::ARRAY => {
                let element = self.u32()?;
                let count = self.u64()?;
                match scalar_size(element) {
                    Some(size) => self.skip(count.saturating_mul(size)),
                    None if element == value_type::STRING => {
                        for _ in 0..count {
                            let length = self.u64()?;
                            self.skip(length)?;
                        }
                        Ok(())
                    }
                    None => Err(GgufError::Corrupt(format!("array of value type {element}"))),
                }
            }
            _ => match scalar_size(kind) {
                Some(size) => self.skip(size),
                None => Err(GgufError::Corrupt(format!("unknown value type {kind}"))),
            },
        }
    }

    fn string(&mut self) -> Result<String, GgufError> {
        let length = self.u64()?;
        if length > MAX_STRING {
            return Err(GgufError::Corrupt(format!("a string of {length} bytes")));
        }
        let mut bytes = vec![0u8; length as usize];
        self.read_exact(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        let mut bytes = [0u8; 4];
        self.read_exact(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        let mut bytes = [0u8; 8];
        self.read_exact(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn skip(&mut self, bytes: u64) -> Result<(), GgufError> {
        let target = self
            .position()?
            .checked_add(bytes)
            .ok_or_else(|| GgufError::Corrupt("a length overflows".into()))?;
        if target > self.file_size {
            return Err(self.truncated(target));
        }
        let offset = i64::try_from(bytes)
            .map_err(|_| GgufError::Corrupt(format!("a value of {bytes} bytes")))?;
        self.input
            .seek_relative(offset)
            .map_err(GgufError::Unreadable)
    }

    fn read_exact(&mut self, buffer: &mut [u8]) -> Result<(), GgufError> {
        match self.input.read_exact(buffer) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                let needed = self.position()? + buffer.len() as u64;
                Err(self.truncated(needed))
            }
            Err(error) => Err(GgufError::Unreadable(error)),
        }
    }

    fn position(&mut self) -> Result<u64, GgufError> {
        self.input.stream_position().map_err(GgufError::Unreadable)
    }

    fn truncated(&self, needed: u64) -> GgufError {
        GgufError::Truncated {
            needed: needed.max(self.file_size + 1),
            actual: self.file_size,
        }
    }
}

fn scalar_size(kind: u32) -> Option<u64> {
    match kind {
        value_type::U8 | value_type::I8 | value_type::BOOL => Some(1),
        value_type::U16 | value_type::I16 => Some(2),
        value_type::U32 | value_type::I32 | value_type::F32 => Some(4),
        value_type::U64 | value_type::I64 | value_type::F64 => Some(8),
        _ => None,
    }
}

/// Bytes of a tensor of `elements` values of ggml type `kind` (block size, bytes per block), for
/// the types in use in GGUF files; `None` for others.
fn tensor_bytes(kind: u32, elements: u64) -> Option<u64> {
    let (block, block_bytes) = match kind {
        0 => (1, 4),      // F32
        1 => (1, 2),      // F16
        2 => (32, 18),    // Q4_0
        3 => (32, 20),    // Q4_1
        6 => (32, 22),    // Q5_0
        7 => (32, 24),    // Q5_1
        8 => (32, 34),    // Q8_0
        9 => (32, 36),    // Q8_1
        10 => (256, 84),  // Q2_K
        11 => (256, 110), // Q3_K
        12 => (256, 144), // Q4_K
        13 => (256, 176), // Q5_K
        14 => (256, 210), // Q6_K
        15 => (256, 292), // Q8_K
        16 => (256, 66),  // IQ2_XXS
        17 => (256, 74),  // IQ2_XS
        18 => (256, 98),  // IQ3_XXS
        19 => (256, 50),  // IQ1_S
        20 => (32, 18),   // IQ4_NL
        21 => (256, 110), // IQ3_S
        22 => (256, 82),  // IQ2_S
        23 => (256, 136), // IQ4_XS
        24 => (1, 1),     // I8
        25 => (1, 2),     // I16
        26 => (1, 4),     // I32
        27 | 28 => (1, 8),
        29 => (256, 56), // IQ1_M
        30 => (1, 2),    // BF16
        34 => (256, 54), // TQ1_0
        35 => (256, 66), // TQ2_0
        39 => (32, 17),  // MXFP4
        _ => return None,
    };
    elements.div_ceil(block).checked_mul(block_bytes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A GGUF v3 file with one string key and one F32 tensor of 8 values.
    fn tiny_gguf(data_bytes: usize) -> Vec<u8> {
        let mut file = Vec::new();
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&3u32.to_le_bytes());
        file.extend_from_slice(&1u64.to_le_bytes());
        file.extend_from_slice(&1u64.to_le_bytes());
        let string = |file: &mut Vec<u8>, text: &str| {
            file.extend_from_slice(&(text.len() as u64).to_le_bytes());
            file.extend_from_slice(text.as_bytes());
        };
        string(&mut file, "general.architecture");
        file.extend_from_slice(&value_type::STRING.to_le_bytes());
        string(&mut file, "tiny");
        string(&mut file, "weights");
        file.extend_from_slice(&1u32.to_le_bytes());
        file.extend_from_slice(&8u64.to_le_bytes());
        file.extend_from_slice(&0u32.to_le_bytes());
        file.extend_from_slice(&0u64.to_le_bytes());
        while file.len() % 32 != 0 {
            file.push(0);
        }
        file.extend(std::iter::repeat_n(0u8, data_bytes));
        file
    }

    fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("tensorlang-gguf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        path
    }

    #[test]
    fn reads_a_complete_file() {
        let path = write_temp("complete.gguf", &tiny_gguf(32));
        let info = inspect(&path).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("tiny"));
        assert_eq!(info.tensor_count, 1);
        assert!(!info.has_chat_template);
        assert_eq!(info.needed_size, info.file_size);
    }

    #[test]
    fn missing_tensor_data_is_truncation() {
        let path = write_temp("short.gguf", &tiny_gguf(20));
        let error = inspect(&path).unwrap_err();
        assert!(
            matches!(error, GgufError::Truncated { needed, actual } if needed == actual + 12),
            "{error}"
        );
    }

    #[test]
    fn a_cut_header_is_truncation() {
        let bytes = tiny_gguf(32);
        let path = write_temp("cut.gguf", &bytes[..40]);
        assert!(matches!(
            inspect(&path).unwrap_err(),
            GgufError::Truncated { actual: 40, .. }
        ));
    }

    #[test]
    fn foreign_files_are_named_as_such() {
        let path = write_temp("model.gguf", b"<html>not found</html>");
        let error = inspect(&path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "not a GGUF model file (it starts with \"<htm\", a GGUF file with \"GGUF\")"
        );
        let dir = path.parent().unwrap();
        assert!(matches!(inspect(dir).unwrap_err(), GgufError::NotAFile));
        assert!(matches!(
            inspect(&dir.join("absent.gguf")).unwrap_err(),
            GgufError::Missing
        ));
    }

    #[test]
    fn tensor_sizes_round_up_to_whole_blocks() {
        assert_eq!(tensor_bytes(12, 512), Some(288));
        assert_eq!(tensor_bytes(12, 257), Some(288));
        assert_eq!(tensor_bytes(0, 3), Some(12));
        assert_eq!(tensor_bytes(99, 3), None);
    }
}
