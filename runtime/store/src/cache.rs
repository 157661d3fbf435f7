//! [`StrategyCache`]: verified repairs remembered across runs and processes.
//!
//! One JSON file (`~/.neurojit/cache.json` by default) maps a [`CacheKey`] (a hash of the
//! normalised function and the failure signature) to the [`CachedRepair`] that fixed it. Writers
//! take an exclusive lock on `cache.json.lock`, re-read the file, add their entry and replace the
//! file by renaming a complete temporary copy over it: concurrent processes never lose each
//! other's entries, and readers (who take no lock) always see a whole file. A file that is not a
//! cache (corrupt, or another tool's) is moved aside with a warning, never overwritten.
//!
//! Entries are signed ([`EntrySigner`]) with the installation key, which lives outside the cache
//! folder ([`crate::installation_key`]): [`StrategyCache::is_authentic`] tells an entry this
//! installation wrote from one edited or copied in, which the engine verifies in full before it
//! runs, and signs again only then ([`StrategyCache::sign_again`]). Without a usable key (none can
//! be made, or the one there is open to group or others) nothing is trusted and nothing signed.
//! The `cache.json.key` that older versions kept beside the cache is not used.
//!
//! Every recorded repair is also appended to `repairs.jsonl` beside the cache, one chat-format
//! training example per line (`{"messages": [user prompt, assistant fix], "metadata": ...}`), fit
//! for fine-tuning a model on the repairs this machine has verified.
//!
//! Every file here (the cache, its lock, its temporary copies, the log) is opened as a regular
//! file only and read up to a limit ([`crate::cache_file`]; [`CACHE_FILE_LIMIT`] for the
//! cache): a symlink, a FIFO, a device or a file too large is an error, which callers report once
//! and then run without the cache.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tensorlang_checks::FailureKind;

use crate::cache_file;
use crate::installation_key::{InstallationKey, KEY_FILE_VARIABLE};
use crate::source::RepairSource;

pub use crate::cache_file::CACHE_FILE_LIMIT;

pub use signing::EntrySigner;

mod signing;

/// The `format` tag of a cache file.
const FORMAT: &str = "tensorlang-strategy-cache";
/// The version of the cache file's layout.
const VERSION: u32 = 1;

/// Why the cache could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file operation failed.
    #[error("strategy cache {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// What a cache entry is keyed by: a BLAKE3 hash of the normalised failing function (printed
/// without locations) and the failure's signature (kind and failing op, not the values).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CacheKey(String);

impl CacheKey {
    /// The key of `function` failing with `signature`.
    pub fn new(function: &str, signature: &str) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(function.as_bytes());
        hasher.update(&[0]);
        hasher.update(signature.as_bytes());
        Self(hasher.finalize().to_hex().to_string())
    }

    /// The key as hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A verified repair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedRepair {
    /// The repaired function's symbol name.
    pub function: String,
    /// The replacement function, MLIR text.
    pub replacement: String,
    /// Where the fix came from: `symbolic`, `model` for repairs, `optimize` for `--optimize`'s
    /// winners (spelled so in the file).
    pub source: RepairSource,
    /// The strategy that produced it: `clamp-index`, `guard-division`, `model:free-form`, ...
    pub strategy: String,
    /// How it was verified: which inputs it was run on, and against what.
    pub verification: String,
    /// The diagnostic of the failure it fixes.
    pub failure: String,
    /// When it was recorded (seconds since the Unix epoch).
    pub recorded_at: u64,
    /// What the original computes on the inputs the entry was checked on (a digest), for entries
    /// that can be checked again without running the original: `--optimize`'s winners. Empty for
    /// repairs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// The installation's MAC over the entry ([`EntrySigner`]); empty or wrong when the entry was
    /// not written here.
    #[serde(default)]
    pub mac: String,
}

/// A training example: what the model would be asked, and the verified answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingExample {
    /// The repair prompt (failing function, diagnostic, inputs).
    pub prompt: String,
    /// The verified replacement.
    pub answer: String,
    /// The failure's kind (logged as `assert`, `bounds`, ...), for the repair engine's learned
    /// ranking.
    pub failure_kind: FailureKind,
    /// The op the repair edited (`func.func` for a whole new body), for the learned ranking.
    pub op: String,
}

/// The file's layout.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    version: u32,
    entries: BTreeMap<CacheKey, CachedRepair>,
}

/// The persistent map from failures to their verified repairs.
#[derive(Debug)]
pub struct StrategyCache {
    path: PathBuf,
    entries: BTreeMap<CacheKey, CachedRepair>,
    moved_aside: Option<PathBuf>,
    /// `None` when the key file cannot be read or made: then no entry is trusted.
    signer: Option<EntrySigner>,
}

impl StrategyCache {
    /// `$NEUROJIT_CACHE_DIR/cache.json`, else `~/.neurojit/cache.json`.
    pub fn default_path() -> PathBuf {
        crate::neurojit_dir()
            .unwrap_or_else(|| PathBuf::from(".neurojit"))
            .join("cache.json")
    }

    /// Opens the cache at `path`, creating its directory, with the installation key at its
    /// default place ([`InstallationKey::default_path`]). A missing file is an empty cache; a
    /// file that is not a cache is moved aside (see [`Self::moved_aside`]) with a warning.
    ///
    /// # Errors
    /// [`CacheError::Io`] when the directory cannot be created, or the file cannot be read or is
    /// not a regular file of at most [`CACHE_FILE_LIMIT`] bytes.
    pub fn open(path: &Path) -> Result<Self, CacheError> {
        Self::open_with_key_file(path, InstallationKey::default_path().as_deref())
    }

    /// [`StrategyCache::open`], with the installation key at `key_file` (`None`: there is no key,
    /// and nothing is trusted or signed).
    ///
    /// # Errors
    /// As [`StrategyCache::open`].
    pub fn open_with_key_file(path: &Path, key_file: Option<&Path>) -> Result<Self, CacheError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            cache_file::create_dir(dir).map_err(|source| io_error(dir, source))?;
        }
        let signer = match key_file.map(|key_file| (key_file, EntrySigner::open(key_file))) {
            Some((_, Ok(signer))) => Some(signer),
            Some((key_file, Err(error))) => {
                tracing::warn!(
                    "the installation key {} cannot be used ({error}): every cached repair is verified in full before it runs, and none is signed",
                    key_file.display()
                );
                None
            }
            None => {
                tracing::warn!(
                    "no place for the installation key (set {KEY_FILE_VARIABLE} or HOME): every cached repair is verified in full before it runs, and none is signed"
                );
                None
            }
        };
        let mut cache = Self {
            path: path.to_owned(),
            entries: BTreeMap::new(),
            moved_aside: None,
            signer,
        };
        let legacy_key = cache.sibling("", ".key");
        if std::fs::symlink_metadata(&legacy_key).is_ok() {
            // Whoever could write the folder could have written it: what it signed is verified
            // again, in full, and signed with the installation key.
            tracing::info!(
                "{} is no longer used: entries are signed with the installation key (see {KEY_FILE_VARIABLE}); those it signed are verified again before they run",
                legacy_key.display()
            );
        }
        match cache.read()? {
            Some(file) => cache.entries = file.entries,
            None => {
                // Decide under the lock, so that two processes do not both move a file aside
                // (the second would move the first one's fresh cache).
                let _lock = cache.lock()?;
                cache.entries = cache.read_or_move_aside()?;
            }
        }
        Ok(cache)
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where an unreadable file was moved when this cache was opened.
    pub fn moved_aside(&self) -> Option<&Path> {
        self.moved_aside.as_deref()
    }

    /// The training examples file beside the cache.
    pub fn training_log_path(&self) -> PathBuf {
        self.path.with_file_name("repairs.jsonl")
    }

    /// `<cache file name><suffix>` in the cache's directory.
    fn sibling(&self, prefix: &str, suffix: &str) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map_or_else(|| "cache.json".into(), |name| name.to_string_lossy());
        self.path.with_file_name(format!("{prefix}{name}{suffix}"))
    }

    /// Entries known to this process.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entries are known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The repair recorded for `key`, reading the file again when this process has not seen it
    /// (another process may have recorded it since).
    ///
    /// # Errors
    /// [`CacheError::Io`] when the file cannot be read.
    pub fn lookup(&mut self, key: &CacheKey) -> Result<Option<&CachedRepair>, CacheError> {
        if !self.entries.contains_key(key)
            && let Some(file) = self.read()?
        {
            self.entries = file.entries;
        }
        Ok(self.entries.get(key))
    }

    /// Whether the entry for `key` was written by this installation, unchanged since.
    pub fn is_authentic(&self, key: &CacheKey, entry: &CachedRepair) -> bool {
        self.signer
            .as_ref()
            .is_some_and(|signer| signer.is_authentic(key, entry))
    }

    /// Signs the entry for `key` again (it was not authentic, and has just been verified in
    /// full); no training example is added.
    ///
    /// # Errors
    /// [`CacheError::Io`] as for [`StrategyCache::record`].
    pub fn sign_again(&mut self, key: &CacheKey) -> Result<(), CacheError> {
        let _lock = self.lock()?;
        let mut entries = self.read_or_move_aside()?;
        let (Some(signer), Some(entry)) = (&self.signer, entries.get_mut(key)) else {
            return Ok(());
        };
        entry.mac = signer.sign(key, entry);
        self.write(&entries)?;
        self.entries = entries;
        Ok(())
    }

    /// Records a verified repair (signed), and its training example in `repairs.jsonl`; a log
    /// that cannot take the example (it is a symlink, say) costs a warning, not the entry.
    ///
    /// # Errors
    /// [`CacheError::Io`] when the lock or the file cannot be written; the cache file is then
    /// unchanged.
    pub fn record(
        &mut self,
        key: CacheKey,
        repair: CachedRepair,
        example: &TrainingExample,
    ) -> Result<(), CacheError> {
        let repair = self.record_verified(key.clone(), repair)?;
        if let Err(error) = self.append_training_example(&key, &repair, example) {
            tracing::warn!(
                "the repair is cached, but its training example was not logged: {error}"
            );
        }
        Ok(())
    }

    /// Records a verified entry (signed) without a training example: what `--optimize` found
    /// faster is no repair a model should learn to write. Returns the entry as recorded.
    ///
    /// # Errors
    /// As [`StrategyCache::record`].
    pub fn record_verified(
        &mut self,
        key: CacheKey,
        entry: CachedRepair,
    ) -> Result<CachedRepair, CacheError> {
        let mut entry = entry;
        if let Some(signer) = &self.signer {
            entry.mac = signer.sign(&key, &entry);
        }
        let _lock = self.lock()?;
        let mut entries = self.read_or_move_aside()?;
        entries.insert(key, entry.clone());
        self.write(&entries)?;
        self.entries = entries;
        Ok(entry)
    }

    /// Reads the file: `None` when it exists but is not a cache, an empty cache when missing.
    fn read(&self) -> Result<Option<CacheFile>, CacheError> {
        let bytes = match cache_file::read(&self.path, CACHE_FILE_LIMIT) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Some(CacheFile::default()));
            }
            Err(error) => return Err(io_error(&self.path, error)),
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(None);
        };
        Ok(serde_json::from_str::<CacheFile>(&text)
            .ok()
            .filter(|file| file.format == FORMAT && file.version == VERSION))
    }

    /// Reads the file, moving it aside when it is not a cache. Call with the lock held.
    fn read_or_move_aside(&mut self) -> Result<BTreeMap<CacheKey, CachedRepair>, CacheError> {
        if let Some(file) = self.read()? {
            return Ok(file.entries);
        }
        let aside = self.sibling("", &format!(".unreadable-{}-{}", now(), std::process::id()));
        std::fs::rename(&self.path, &aside).map_err(|source| io_error(&self.path, source))?;
        tracing::warn!(
            "the strategy cache {} is corrupt or not a TensorLang cache; moved it to {} and started an empty one",
            self.path.display(),
            aside.display()
        );
        self.moved_aside = Some(aside);
        Ok(BTreeMap::new())
    }

    /// Replaces the file with `entries`: a complete temporary file renamed over it.
    fn write(&self, entries: &BTreeMap<CacheKey, CachedRepair>) -> Result<(), CacheError> {
        let file = CacheFile {
            format: FORMAT.into(),
            version: VERSION,
            entries: entries.clone(),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|error| {
            io_error(
                &self.path,
                io::Error::new(io::ErrorKind::InvalidData, error),
            )
        })?;
        cache_file::write_atomically(&self.path, text.as_bytes())
            .map_err(|source| io_error(&self.path, source))
    }

    fn append_training_example(
        &self,
        key: &CacheKey,
        repair: &CachedRepair,
        example: &TrainingExample,
    ) -> Result<(), CacheError> {
        let line = serde_json::json!({
            "messages": [
                {"role": "user", "content": example.prompt},
                {"role": "assistant", "content": example.answer},
            ],
            "metadata": {
                "key": key,
                "function": repair.function,
                "source": repair.source,
                "strategy": repair.strategy,
                "verification": repair.verification,
                "failure_kind": example.failure_kind,
                "op": example.op,
            },
        });
        let path = self.training_log_path();
        let mut bytes = line.to_string().into_bytes();
        bytes.push(b'\n');
        cache_file::open_append(&path)
            .and_then(|mut log| log.write_all(&bytes))
            .map_err(|source| io_error(&path, source))
    }

    /// An exclusive lock on `<cache>.lock`, released when the returned file is dropped.
    fn lock(&self) -> Result<File, CacheError> {
        let path = self.sibling("", ".lock");
        let file = cache_file::open(
            &path,
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o600),
        )
        .map_err(|source| io_error(&path, source))?;
        file.lock().map_err(|source| io_error(&path, source))?;
        Ok(file)
    }
}

fn io_error(path: &Path, source: io::Error) -> CacheError {
    CacheError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Seconds since the Unix epoch, for [`CachedRepair::recorded_at`].
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests;
