//! Compiled code keyed by a content hash: in memory for this process, and on disk (when given a
//! directory) for the next one. Running unchanged code again loads its object instead of
//! compiling it.
//!
//! An object on disk is native code that runs as it is, past every check a repair goes through,
//! and anyone who can write the cache folder could put one there. So each object `<key>.o` has a
//! MAC beside it (`<key>.o.mac`: BLAKE3 in keyed mode, under a key derived from the
//! [`InstallationKey`], over the object's content hash and its bytes), and an object is handed to
//! the JIT only when its MAC checks: one that does not (edited, swapped for another, copied in
//! from another installation) is deleted with a warning and compiled again. Without a usable key
//! nothing is loaded from or stored on disk. Files are opened as regular files only, and an
//! object over [`cache_file::OBJECT_LIMIT`] is neither read nor stored (see
//! [`tensorlang::cache_file`]). A [read-only](ObjectCache::read_only) cache (`--heal-cache=none`)
//! loads what it can authenticate and writes nothing.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tensorlang::cache_file;
use tensorlang::installation_key::{self, InstallationKey};

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

/// Object files by content hash (see the module docs).
pub struct ObjectCache {
    directory: Option<PathBuf>,
    /// Where the installation key is; `None`: [`InstallationKey::default_path`].
    key_file: Option<PathBuf>,
    /// Whether objects are stored on disk (and forged ones deleted there).
    writes: bool,
    /// The key objects are authenticated with, read on first use of the disk; `None` when there
    /// is none to use.
    mac_key: OnceLock<Option<[u8; 32]>>,
    /// Whether the folder failed to take an object already (one warning is enough).
    store_failed: AtomicBool,
    memory: Mutex<HashMap<ObjectKey, Arc<[u8]>>>,
}

impl Default for ObjectCache {
    fn default() -> Self {
        Self::new(None)
    }
}

/// What the object MAC key is derived for: a key of its own, so that no MAC of a strategy cache
/// entry is ever one of an object.
const MAC_CONTEXT: &str = "tensorlang object cache 2025 object MAC v1";

impl ObjectCache {
    /// A cache that also keeps objects under `directory` (created on first store), or only in
    /// memory when `None`.
    pub fn new(directory: Option<PathBuf>) -> Self {
        Self {
            directory,
            key_file: None,
            writes: true,
            mac_key: OnceLock::new(),
            store_failed: AtomicBool::new(false),
            memory: Mutex::default(),
        }
    }

    /// The same cache, authenticating objects with the key at `path` instead of the default one.
    pub fn with_key_file(mut self, path: PathBuf) -> Self {
        self.key_file = Some(path);
        self
    }

    /// The same cache, storing nothing on disk: it loads the objects it can authenticate, keeps
    /// new ones in memory, and neither creates a key nor deletes a forged object (it is ignored).
    pub fn read_only(mut self) -> Self {
        self.writes = false;
        self
    }

    /// The directory objects are kept in, if any.
    pub fn directory(&self) -> Option<&Path> {
        self.directory.as_deref()
    }

    fn path(&self, key: &ObjectKey) -> Option<PathBuf> {
        Some(self.directory.as_ref()?.join(format!("{key}.o")))
    }

    /// The object stored under `key`, from memory or (authenticated) from disk.
    pub fn get(&self, key: &ObjectKey) -> Option<Arc<[u8]>> {
        if let Some(object) = self.memory.lock().expect("cache lock").get(key) {
            return Some(object.clone());
        }
        let object: Arc<[u8]> = self.load(key, &self.path(key)?)?.into();
        self.memory
            .lock()
            .expect("cache lock")
            .insert(*key, object.clone());
        Some(object)
    }

    /// Reads the object at `path` and checks its MAC; `None`, with a warning, for one that does
    /// not check (it is deleted, so the next store replaces it).
    fn load(&self, key: &ObjectKey, path: &Path) -> Option<Vec<u8>> {
        // Nothing to read for most misses: no key is made or read for them.
        if std::fs::symlink_metadata(path).is_err() {
            return None;
        }
        let mac_key = self.mac_key()?;
        let object = match cache_file::read(path, cache_file::OBJECT_LIMIT) {
            Ok(object) => object,
            Err(error) => {
                tracing::warn!("cannot load the cached object ({error}); compiling it again");
                self.discard(path);
                return None;
            }
        };
        let mac_path = mac_path(path);
        let stored = cache_file::read_to_string(&mac_path, cache_file::SMALL_FILE_LIMIT)
            .ok()
            .and_then(|text| blake3::Hash::from_hex(text.trim()).ok());
        // `blake3::Hash` compares in constant time.
        if stored != Some(mac(&mac_key, key, &object)) {
            tracing::warn!(
                "the cached object {} is not authentic (its MAC {} does not check: edited, replaced, or written by another installation); not loaded, compiling it again",
                path.display(),
                mac_path.display()
            );
            self.discard(path);
            return None;
        }
        Some(object)
    }

    /// Removes a refused object and its MAC (a read-only cache leaves them).
    fn discard(&self, path: &Path) {
        if self.writes {
            let _ = std::fs::remove_file(path);
            let _ = std::fs::remove_file(mac_path(path));
        }
    }

    /// Stores `object` under `key`. A disk that cannot take it only costs a recompile later.
    pub fn put(&self, key: ObjectKey, object: Arc<[u8]>) {
        if self.writes
            && let Some(path) = self.path(&key)
        {
            if object.len() as u64 > cache_file::OBJECT_LIMIT {
                tracing::debug!(
                    "object {key} ({} bytes) is over the object cache's limit: kept in memory only",
                    object.len()
                );
            } else if let Some(mac_key) = self.mac_key()
                && let Err(error) = store(&path, &mac(&mac_key, &key, &object), &object)
                && !self.store_failed.swap(true, Ordering::Relaxed)
            {
                tracing::warn!(
                    "cannot store compiled code in {}: {error}; it is kept in memory only",
                    path.display()
                );
            }
        }
        self.memory.lock().expect("cache lock").insert(key, object);
    }

    /// The key objects are authenticated with (see [`MAC_CONTEXT`]), read (or, for a cache that
    /// writes, created) once; `None`, after one warning, when it cannot be used.
    fn mac_key(&self) -> Option<[u8; 32]> {
        *self.mac_key.get_or_init(|| {
            let directory = self.directory.as_deref().unwrap_or(Path::new("."));
            let Some(path) = self.key_file.clone().or_else(InstallationKey::default_path) else {
                tracing::warn!(
                    "no place for the installation key (set {} or HOME): compiled code is neither loaded from nor stored in {}",
                    installation_key::KEY_FILE_VARIABLE,
                    directory.display()
                );
                return None;
            };
            let opened = if self.writes {
                InstallationKey::open_or_create(&path).map(Some)
            } else {
                InstallationKey::open(&path)
            };
            match opened {
                Ok(key) => key.map(|key| blake3::derive_key(MAC_CONTEXT, key.secret())),
                Err(error) => {
                    tracing::warn!(
                        "{error}: compiled code is neither loaded from nor stored in {}",
                        directory.display()
                    );
                    None
                }
            }
        })
    }
}

/// The MAC of `object` stored under `key`.
fn mac(mac_key: &[u8; 32], key: &ObjectKey, object: &[u8]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new_keyed(mac_key);
    hasher.update(&key.0);
    hasher.update(&(object.len() as u64).to_le_bytes());
    hasher.update(object);
    hasher.finalize()
}

/// `<object>.mac`.
fn mac_path(object: &Path) -> PathBuf {
    let mut name = object.as_os_str().to_owned();
    name.push(".mac");
    PathBuf::from(name)
}

/// Writes the MAC, then the object, each through a temporary file and a rename: a reader never
/// sees half a file, nor an object whose MAC is still to come.
fn store(path: &Path, mac: &blake3::Hash, object: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        cache_file::create_dir(parent)?;
    }
    cache_file::write_atomically(&mac_path(path), mac.to_hex().as_bytes())?;
    cache_file::write_atomically(path, object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A private folder for one test: the key at `key`, objects under `objects/`.
    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tl-objects-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    fn cache(dir: &Path) -> ObjectCache {
        ObjectCache::new(Some(dir.join("objects"))).with_key_file(dir.join("key"))
    }

    fn object(dir: &Path, key: &ObjectKey) -> PathBuf {
        dir.join("objects").join(format!("{key}.o"))
    }

    #[test]
    fn keys_depend_on_every_part_and_its_boundaries() {
        assert_eq!(ObjectKey::of(&[b"ab", b"c"]), ObjectKey::of(&[b"ab", b"c"]));
        assert_ne!(ObjectKey::of(&[b"ab", b"c"]), ObjectKey::of(&[b"a", b"bc"]));
        assert_ne!(ObjectKey::of(&[b"ab"]), ObjectKey::of(&[b"ac"]));
    }

    #[test]
    fn objects_survive_in_the_directory_for_the_next_process() {
        let dir = folder("survive");
        let key = ObjectKey::of(&[b"f"]);
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        assert!(mac_path(&object(&dir, &key)).is_file());
        let fresh = cache(&dir);
        assert_eq!(fresh.get(&key).as_deref(), Some(&b"object"[..]));
        assert!(fresh.get(&ObjectKey::of(&[b"g"])).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_edited_object_is_refused_deleted_and_stored_again() {
        let dir = folder("edited");
        let key = ObjectKey::of(&[b"f"]);
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        std::fs::write(object(&dir, &key), b"native code of someone's choice").unwrap();
        let fresh = cache(&dir);
        assert!(fresh.get(&key).is_none());
        assert!(!object(&dir, &key).exists(), "the forged object is deleted");
        assert!(!mac_path(&object(&dir, &key)).exists());
        // Compiled again and stored: the next process loads it.
        fresh.put(key, Arc::from(&b"object"[..]));
        assert_eq!(cache(&dir).get(&key).as_deref(), Some(&b"object"[..]));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn another_objects_bytes_and_mac_under_this_name_are_refused() {
        let dir = folder("swapped");
        let (wanted, other) = (ObjectKey::of(&[b"f"]), ObjectKey::of(&[b"g"]));
        let writer = cache(&dir);
        writer.put(wanted, Arc::from(&b"wanted"[..]));
        writer.put(other, Arc::from(&b"other"[..]));
        std::fs::copy(object(&dir, &other), object(&dir, &wanted)).unwrap();
        std::fs::copy(
            mac_path(&object(&dir, &other)),
            mac_path(&object(&dir, &wanted)),
        )
        .unwrap();
        // The MAC binds the object to its content hash: a valid pair under another name fails.
        assert!(cache(&dir).get(&wanted).is_none());
        assert_eq!(cache(&dir).get(&other).as_deref(), Some(&b"other"[..]));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn objects_copied_from_another_installation_are_refused() {
        let (here, there) = (folder("here"), folder("there"));
        let key = ObjectKey::of(&[b"f"]);
        cache(&there).put(key, Arc::from(&b"object"[..]));
        std::fs::create_dir_all(here.join("objects")).unwrap();
        for path in [object(&there, &key), mac_path(&object(&there, &key))] {
            std::fs::copy(&path, here.join("objects").join(path.file_name().unwrap())).unwrap();
        }
        assert!(cache(&here).get(&key).is_none());
        std::fs::remove_dir_all(here).unwrap();
        std::fs::remove_dir_all(there).unwrap();
    }

    #[test]
    fn symlinks_fifos_and_huge_files_are_not_loaded_and_do_not_hang() {
        let dir = folder("kinds");
        let key = ObjectKey::of(&[b"f"]);
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        let path = object(&dir, &key);
        // A symlink to an authentic copy: still refused (nothing is followed).
        std::fs::rename(&path, dir.join("elsewhere.o")).unwrap();
        std::os::unix::fs::symlink(dir.join("elsewhere.o"), &path).unwrap();
        assert!(cache(&dir).get(&key).is_none());
        assert!(
            dir.join("elsewhere.o").exists(),
            "the link's target is left alone"
        );
        // A sparse file past the limit: refused before a byte is read.
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(cache_file::OBJECT_LIMIT + 1)
            .unwrap();
        assert!(cache(&dir).get(&key).is_none());
        // A FIFO: refused at once.
        let _ = std::fs::remove_file(&path);
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let (send, receive) = std::sync::mpsc::channel();
        let reader = dir.clone();
        std::thread::spawn(move || send.send(cache(&reader).get(&key).is_none()));
        assert!(
            receive
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("no hang on a FIFO")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_read_only_cache_loads_authentic_objects_and_writes_nothing() {
        let dir = folder("read-only");
        let key = ObjectKey::of(&[b"f"]);
        let read_only = cache(&dir).read_only();
        read_only.put(key, Arc::from(&b"object"[..]));
        assert_eq!(read_only.get(&key).as_deref(), Some(&b"object"[..]));
        assert!(!dir.join("objects").exists(), "nothing is stored");
        assert!(!dir.join("key").exists(), "no key is made");
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        assert_eq!(
            cache(&dir).read_only().get(&key).as_deref(),
            Some(&b"object"[..])
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn with_a_key_open_to_others_nothing_is_loaded_or_stored() {
        let dir = folder("open-key");
        let key = ObjectKey::of(&[b"f"]);
        cache(&dir).put(key, Arc::from(&b"object"[..]));
        std::fs::set_permissions(dir.join("key"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = cache(&dir);
        assert!(refused.get(&key).is_none());
        refused.put(ObjectKey::of(&[b"g"]), Arc::from(&b"g"[..]));
        assert!(!object(&dir, &ObjectKey::of(&[b"g"])).exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_folder_that_is_not_a_directory_costs_a_recompile_not_a_failure() {
        let dir = folder("not-a-dir");
        std::fs::write(dir.join("objects"), b"a file").unwrap();
        let key = ObjectKey::of(&[b"f"]);
        let cache = cache(&dir);
        cache.put(key, Arc::from(&b"object"[..]));
        assert_eq!(
            cache.get(&key).as_deref(),
            Some(&b"object"[..]),
            "from memory"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
