//! [`InstallationKey`]: the secret with which this installation vouches for what it wrote to its
//! caches (strategy cache entries, compiled objects), kept outside every cache folder.
//!
//! A cache folder gets copied, restored from CI caches and shared between machines; a key kept
//! in it would travel with it and vouch for whatever was put there. So the key lives in the
//! user's configuration instead: `$TENSORLANG_KEY_FILE`, else `$XDG_CONFIG_HOME/tensorlang/key`,
//! else `~/.config/tensorlang/key`. It is 32 random bytes, created `0600` in a folder created
//! `0700`. Like ssh with a private key, a key file that group or others may read or write, that
//! another user owns, that is not a regular file, or whose folder others may write (without the
//! sticky bit) is refused: whoever can read it can vouch for anything.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::cache_file;

/// The environment variable that names the key file (tests, and installations that keep it
/// elsewhere).
pub const KEY_FILE_VARIABLE: &str = "TENSORLANG_KEY_FILE";

/// The length of the secret, in bytes.
pub const KEY_BYTES: usize = 32;

/// The installation's secret (see the module docs).
#[derive(Clone)]
pub struct InstallationKey {
    secret: [u8; KEY_BYTES],
}

impl std::fmt::Debug for InstallationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstallationKey { secret: <hidden> }")
    }
}

impl InstallationKey {
    /// `$TENSORLANG_KEY_FILE`, else `$XDG_CONFIG_HOME/tensorlang/key` (an absolute one), else
    /// `$HOME/.config/tensorlang/key`; `None` without any of them.
    pub fn default_path() -> Option<PathBuf> {
        let set = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        if let Some(path) = set(KEY_FILE_VARIABLE) {
            return Some(PathBuf::from(path));
        }
        let config = set("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
            .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".config")))?;
        Some(config.join("tensorlang").join("key"))
    }

    /// The key at `path`, created (with its folder) when missing.
    ///
    /// # Errors
    /// It cannot be created or read, or it is refused (see the module docs).
    pub fn open_or_create(path: &Path) -> io::Result<Self> {
        if let Some(key) = Self::open(path)? {
            return Ok(key);
        }
        let folder = folder_of(path);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)?;
        check_folder(folder)?;
        let mut secret = [0u8; KEY_BYTES];
        fill_random(&mut secret)?;
        let (mut file, temporary) = cache_file::create_temporary(path)?;
        // Written whole under another name and linked in: another process never reads half a
        // key, and of two processes creating it at once the second reads the first one's.
        let linked = file
            .write_all(&secret)
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::hard_link(&temporary, path));
        let _ = std::fs::remove_file(&temporary);
        match linked {
            Ok(()) => Ok(Self { secret }),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Self::open(path)?
                .ok_or_else(|| io::Error::other(format!("{} vanished", path.display()))),
            Err(error) => Err(error),
        }
    }

    /// The key at `path`; `None` when there is none (nothing is created).
    ///
    /// # Errors
    /// It cannot be read, or it is refused (see the module docs).
    pub fn open(path: &Path) -> io::Result<Option<Self>> {
        let mut file = match cache_file::open(path, OpenOptions::new().read(true)) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let metadata = file.metadata()?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        if metadata.uid() != user {
            return Err(refused(
                path,
                &format!("it belongs to user {}, not to {user}", metadata.uid()),
            ));
        }
        if metadata.mode() & 0o077 != 0 {
            return Err(refused(
                path,
                &format!(
                    "its permissions {:04o} let group or others at it (chmod 600 it, or remove it to make a new one)",
                    metadata.mode() & 0o7777
                ),
            ));
        }
        check_folder(folder_of(path))?;
        let bytes = cache_file::read_open(&mut file, path, cache_file::SMALL_FILE_LIMIT)?;
        let secret: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a {KEY_BYTES}-byte key", path.display()),
            )
        })?;
        Ok(Some(Self { secret }))
    }

    /// The secret, for keyed hashing.
    pub fn secret(&self) -> &[u8; KEY_BYTES] {
        &self.secret
    }
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Refuses a folder others could swap the key in: writable by group or others without the sticky
/// bit, or owned by another user than this one or root.
fn check_folder(folder: &Path) -> io::Result<()> {
    let metadata = std::fs::metadata(folder)?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let user = unsafe { libc::geteuid() };
    let open_to_others = metadata.mode() & 0o022 != 0 && metadata.mode() & 0o1000 == 0;
    if open_to_others || (metadata.uid() != user && metadata.uid() != 0) {
        return Err(refused(
            folder,
            &format!(
                "others may replace what it holds (mode {:04o}, owner {})",
                metadata.mode() & 0o7777,
                metadata.uid()
            ),
        ));
    }
    Ok(())
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("refusing the key {}: {why}", path.display()),
    )
}

/// Fills `buffer` from the kernel's random source.
fn fill_random(buffer: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buffer.len() {
        // SAFETY: writing into the unfilled part of our own buffer.
        let got = unsafe {
            libc::getrandom(
                buffer[filled..].as_mut_ptr().cast(),
                buffer.len() - filled,
                0,
            )
        };
        if got < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        filled += got as usize;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tensorlang-key-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn a_key_is_created_private_and_read_back_the_same() {
        let dir = temp_dir("create");
        let path = dir.join("config/tensorlang/key");
        let key = InstallationKey::open_or_create(&path).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let again = InstallationKey::open_or_create(&path).unwrap();
        assert_eq!(key.secret(), again.secret());
        assert_eq!(
            InstallationKey::open(&path).unwrap().unwrap().secret(),
            key.secret()
        );
        assert!(
            InstallationKey::open(&dir.join("missing"))
                .unwrap()
                .is_none()
        );
        let other = InstallationKey::open_or_create(&dir.join("other")).unwrap();
        assert_ne!(other.secret(), key.secret());
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_open_to_others_or_of_the_wrong_kind_are_refused() {
        let dir = temp_dir("refused");
        let path = dir.join("key");
        InstallationKey::open_or_create(&path).unwrap();
        for mode in [0o640, 0o604, 0o620, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = InstallationKey::open_or_create(&path).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::PermissionDenied, "{mode:o}");
            assert!(error.to_string().contains("group or others"), "{error}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(InstallationKey::open(&path).unwrap().is_some());
        // A folder anyone may write: the key could be swapped.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(InstallationKey::open(&path).is_err());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        // A symlink to a good key is not followed.
        std::os::unix::fs::symlink(&path, dir.join("link")).unwrap();
        assert!(InstallationKey::open_or_create(&dir.join("link")).is_err());
        std::fs::write(dir.join("short"), b"short").unwrap();
        std::fs::set_permissions(dir.join("short"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        assert!(InstallationKey::open_or_create(&dir.join("short")).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_fifo_key_is_refused_without_waiting() {
        let dir = temp_dir("fifo");
        let path = dir.join("key");
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(InstallationKey::open_or_create(&path).is_err()));
        let refused = receive
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("no hang on a FIFO");
        assert!(refused);
        let _ = std::fs::remove_dir_all(dir);
    }
}
