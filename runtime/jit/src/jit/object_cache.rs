//! Compiled code keyed by a content hash: in memory for this process, and on disk (when given a
//! directory) for the next one. Running unchanged code again loads its object instead of
//! compiling it.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The content hash an object is stored under (BLAKE3 of everything that shaped the code).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ObjectKey([u8; 32]);

impl ObjectKey {
    /// Hashes `parts` (length-prefixed, so part boundaries count).
    pub fn of(parts: &[&[u8]]) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(compiler_fingerprint().as_bytes());
        for part in parts {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Self(*hasher.finalize().as_bytes())
    }

    /// The first 16 hex digits: enough to tell versions apart in symbol names.
    pub fn short(&self) -> String {
        self.to_string()[..16].to_string()
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// What identifies the compiler itself: the executable's size and modification time, so that a
/// rebuilt runtime (whose code generation may differ) never loads an older build's objects.
fn compiler_fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        let executable = std::env::current_exe().and_then(std::fs::metadata);
        let identity = executable
            .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
            .unwrap_or_default();
        format!("{} {identity}", env!("CARGO_PKG_VERSION"))
    })
}

/// Object files by content hash.
#[derive(Default)]
pub struct ObjectCache {
    directory: Option<PathBuf>,
    memory: Mutex<HashMap<ObjectKey, Arc<[u8]>>>,
}

impl ObjectCache {
    /// A cache that also keeps objects under `directory` (created on first store), or only in
    /// memory when `None`.
    pub fn new(directory: Option<PathBuf>) -> Self {
        Self {
            directory,
            memory: Mutex::default(),
        }
    }

    fn path(&self, key: &ObjectKey) -> Option<PathBuf> {
        Some(self.directory.as_ref()?.join(format!("{key}.o")))
    }

    /// The object stored under `key`, from memory or disk.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<[u8]>> {
        if let Some(object) = self.memory.lock().expect("cache lock").get(key) {
            return Some(object.clone());
        }
        let object: Arc<[u8]> = std::fs::read(self.path(key)?).ok()?.into();
        self.memory
            .lock()
            .expect("cache lock")
            .insert(*key, object.clone());
        Some(object)
    }

    /// Stores `object` under `key`. A disk that cannot take it only costs a recompile later.
    pub fn put(&self, key: ObjectKey, object: Arc<[u8]>) {
        if let Some(path) = self.path(&key)
            && let Err(error) = write_atomically(&path, &object)
        {
            tracing::warn!("cannot store compiled code in {}: {error}", path.display());
        }
        self.memory.lock().expect("cache lock").insert(key, object);
    }
}

/// Writes through a temporary file and a rename, so readers never see half an object.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_every_part_and_its_boundaries() {
        assert_eq!(ObjectKey::of(&[b"ab", b"c"]), ObjectKey::of(&[b"ab", b"c"]));
        assert_ne!(ObjectKey::of(&[b"ab", b"c"]), ObjectKey::of(&[b"a", b"bc"]));
        assert_ne!(ObjectKey::of(&[b"ab"]), ObjectKey::of(&[b"ac"]));
    }

    #[test]
    fn objects_survive_in_the_directory_for_the_next_process() {
        let directory = std::env::temp_dir().join(format!("tl-cache-{}", std::process::id()));
        let key = ObjectKey::of(&[b"f"]);
        ObjectCache::new(Some(directory.clone())).put(key, Arc::from(&b"object"[..]));
        let fresh = ObjectCache::new(Some(directory.clone()));
        assert_eq!(fresh.get(&key).as_deref(), Some(&b"object"[..]));
        assert!(fresh.get(&ObjectKey::of(&[b"g"])).is_none());
        std::fs::remove_dir_all(directory).unwrap();
    }
}
