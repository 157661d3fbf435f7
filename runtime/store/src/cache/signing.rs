//! [`EntrySigner`]: which cache entries this installation wrote.
//!
//! A cache file gets copied, restored from CI caches and shared between machines, and anyone who
//! can write it can put code in it. So each entry carries a MAC: BLAKE3 in keyed mode over the
//! entry's key and every field that says what runs (the function, the replacement, where and how
//! it was found), under the [`InstallationKey`], which lives outside every cache folder
//! (`~/.config/tensorlang/key`; see [`crate::installation_key`]) so that a copied or restored
//! cache folder cannot vouch for itself. An entry whose MAC does not check (edited, copied in from
//! another installation, signed with the key that older versions kept beside the cache, or
//! written before entries were signed) is not trusted: it is verified in full like any new
//! candidate, and only then signed again.

use std::io;
use std::path::Path;

use crate::installation_key::InstallationKey;

use super::{CacheKey, CachedRepair};

/// Signs and checks cache entries with the installation's secret.
#[derive(Clone)]
pub struct EntrySigner {
    secret: [u8; 32],
}

impl std::fmt::Debug for EntrySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntrySigner { secret: <hidden> }")
    }
}

impl EntrySigner {
    /// A signer with the installation's `key`.
    pub fn new(key: &InstallationKey) -> Self {
        Self {
            secret: *key.secret(),
        }
    }

    /// The key at `path`, created when missing ([`InstallationKey::open_or_create`]).
    ///
    /// # Errors
    /// The key cannot be read or created, or it is refused (readable by others, not a regular
    /// file, not a key).
    pub fn open(path: &Path) -> io::Result<Self> {
        InstallationKey::open_or_create(path).map(|key| Self::new(&key))
    }

    /// The MAC of `entry` under `key`, as hex.
    pub fn sign(&self, key: &CacheKey, entry: &CachedRepair) -> String {
        let mut hasher = blake3::Hasher::new_keyed(&self.secret);
        for field in [
            key.as_str(),
            &entry.function,
            &entry.replacement,
            entry.source.name(),
            &entry.strategy,
            &entry.verification,
            &entry.failure,
        ] {
            // Length-prefixed, so that no two different entries hash the same bytes.
            hasher.update(&(field.len() as u64).to_le_bytes());
            hasher.update(field.as_bytes());
        }
        hasher.update(&entry.recorded_at.to_le_bytes());
        // Only when present, so that entries written before the field existed keep their MACs.
        if !entry.reference.is_empty() {
            hasher.update(&(entry.reference.len() as u64).to_le_bytes());
            hasher.update(entry.reference.as_bytes());
        }
        hasher.finalize().to_hex().to_string()
    }

    /// Whether `entry` carries this installation's MAC for `key` (compared in constant time).
    pub fn is_authentic(&self, key: &CacheKey, entry: &CachedRepair) -> bool {
        let expected = self.sign(key, entry);
        let (a, b) = (expected.as_bytes(), entry.mac.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RepairSource;

    fn entry() -> CachedRepair {
        CachedRepair {
            function: "f".into(),
            replacement: "func.func @f() {\n  return\n}".into(),
            source: RepairSource::Symbolic,
            strategy: "change-constant".into(),
            verification: "trial".into(),
            failure: "f.mlir:1:1: error: x".into(),
            recorded_at: 7,
            reference: String::new(),
            mac: String::new(),
        }
    }

    #[test]
    fn an_entry_is_authentic_only_unchanged_and_under_its_own_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("tensorlang-signing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let path = dir.join("key");
        let signer = EntrySigner::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // The same file opens to the same secret.
        let again = EntrySigner::open(&path).unwrap();
        let key = CacheKey::new("f", "bounds");
        let mut signed = entry();
        signed.mac = signer.sign(&key, &signed);
        assert!(again.is_authentic(&key, &signed));
        let mut edited = signed.clone();
        edited.replacement.push_str("\n// edited");
        assert!(!signer.is_authentic(&key, &edited));
        assert!(!signer.is_authentic(&CacheKey::new("g", "bounds"), &signed));
        // The reference digest is signed too, once there is one.
        let mut referenced = entry();
        referenced.reference = "digest".into();
        referenced.mac = signer.sign(&key, &referenced);
        assert!(signer.is_authentic(&key, &referenced));
        referenced.reference = "another digest".into();
        assert!(!signer.is_authentic(&key, &referenced));
        let other = EntrySigner::open(&dir.join("other.key")).unwrap();
        assert!(!other.is_authentic(&key, &signed));
        std::fs::write(dir.join("short.key"), b"short").unwrap();
        std::fs::set_permissions(
            dir.join("short.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert!(EntrySigner::open(&dir.join("short.key")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
