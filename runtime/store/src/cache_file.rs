//! Files that TensorLang's caches keep on disk (the strategy cache, its lock and training log,
//! repair journals, compiled objects and their MACs, the installation key), opened so that
//! whatever lies in a cache folder can neither hang a run, nor redirect a write, nor flood memory.
//!
//! Anyone who can write a cache folder can put anything there: a FIFO (an open for reading would
//! wait for a writer forever), a symlink (an append would land in its target), a device, a file
//! of many gigabytes. So every open here is `O_NOFOLLOW` (a symlink as the last component is
//! refused, not followed) and `O_NONBLOCK` (opening a FIFO or a device does not wait), and then
//! `fstat` must say "regular file"; reads stop at a limit per kind of file; appends are
//! `O_APPEND`; new files are made `0600` with `O_EXCL` (a temporary file's name cannot be a
//! planted symlink). A refused file is an [`io::Error`] like any other: callers turn it into one
//! warning and a run without that cache. `O_NONBLOCK` stays set on the returned file, which
//! changes nothing for a regular file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The most a strategy cache file (`cache.json`) may hold: 64 MiB.
pub const CACHE_FILE_LIMIT: u64 = 64 << 20;
/// The most a compiled object in the object cache may hold: 256 MiB (larger ones stay in memory).
pub const OBJECT_LIMIT: u64 = 256 << 20;
/// The most a log read back whole (`repairs.jsonl`, a repair journal) may hold: 64 MiB.
pub const LOG_LIMIT: u64 = 64 << 20;
/// The most a small file (a MAC, the installation key) may hold: 4 KiB.
pub const SMALL_FILE_LIMIT: u64 = 4 << 10;

/// Opens `path` with `options` as a regular file only (see the module docs).
///
/// # Errors
/// The open failed, the last component is a symlink, or the file is not a regular file.
pub fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    let file = options
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|error| explain_open_error(path, error))?;
    let metadata = file.metadata()?;
    if !metadata.file_type().is_file() {
        return Err(not_regular(path, &metadata));
    }
    Ok(file)
}

/// Opens `path` for reading, as a regular file only.
///
/// # Errors
/// As [`open`].
pub fn open_read(path: &Path) -> io::Result<File> {
    open(path, OpenOptions::new().read(true))
}

/// The whole of the regular file at `path`, if it holds at most `limit` bytes.
///
/// # Errors
/// As [`open`]; [`io::ErrorKind::FileTooLarge`] when it holds more than `limit` bytes.
pub fn read(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_open(&mut open_read(path)?, path, limit)
}

/// [`read`], as text.
///
/// # Errors
/// As [`read`]; [`io::ErrorKind::InvalidData`] when the file is not UTF-8.
pub fn read_to_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not UTF-8 text", path.display()),
        )
    })
}

/// The rest of the open `file` (named `path` in errors), if at most `limit` bytes.
///
/// # Errors
/// The read failed; [`io::ErrorKind::FileTooLarge`] past `limit` bytes (the size is checked
/// before reading, and the read stops one byte past the limit whatever the size said).
pub fn read_open(file: &mut File, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(path, limit));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

/// Opens `path` for appending (created `0600` when missing), as a regular file only.
///
/// # Errors
/// As [`open`].
pub fn open_append(path: &Path) -> io::Result<File> {
    open(
        path,
        OpenOptions::new().append(true).create(true).mode(0o600),
    )
}

/// Creates the directory `path` and its missing parents (`0700`: caches hold the programs that
/// ran), and checks that it is a directory.
///
/// # Errors
/// It cannot be created, or something else than a directory is there.
pub fn create_dir(path: &Path) -> io::Result<()> {
    let not_a_directory = |metadata: &std::fs::Metadata| {
        io::Error::new(
            io::ErrorKind::NotADirectory,
            format!(
                "{} is a {}, not a directory",
                path.display(),
                kind(metadata)
            ),
        )
    };
    // Said plainly, rather than as the "file exists" that creating it would fail with.
    if let Ok(metadata) = std::fs::metadata(path)
        && !metadata.is_dir()
    {
        return Err(not_a_directory(&metadata));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)?;
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_dir() {
        return Err(not_a_directory(&metadata));
    }
    Ok(())
}

/// Creates a new file (`0600`, `O_EXCL`) beside `path`, under a name no other writer in this or
/// another process uses, for [`write_atomically`]: returns it and its name.
///
/// # Errors
/// The file cannot be created.
pub fn create_temporary(path: &Path) -> io::Result<(File, PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |name| name.to_string_lossy());
    let temporary = path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    // A stale file of a crashed process with our pid: removed (a symlink is removed, not its
    // target), and `create_new` never follows whatever is there by then.
    let _ = std::fs::remove_file(&temporary);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&temporary)?;
    Ok((file, temporary))
}

/// Replaces `path` with `bytes`: a complete temporary file (see [`create_temporary`]), synced,
/// renamed over it, so a reader sees the old file or the new one, never half of one. The rename
/// replaces whatever `path` was (a symlink included) without touching what it pointed to.
///
/// # Errors
/// The temporary file cannot be written or renamed; it is removed then.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (mut file, temporary) = create_temporary(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// What kind of file `metadata` describes, in words.
fn kind(metadata: &std::fs::Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "device"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

fn not_regular(path: &Path, metadata: &std::fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a {}, not a regular file (mode {:04o})",
            path.display(),
            kind(metadata),
            metadata.mode() & 0o7777
        ),
    )
}

fn too_large(path: &Path, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("{} holds more than {limit} bytes", path.display()),
    )
}

/// Says what `O_NOFOLLOW` and `O_NONBLOCK` refusals mean: `ELOOP` is a symlink, `ENXIO` a FIFO
/// without a reader opened for writing.
fn explain_open_error(path: &Path, error: io::Error) -> io::Error {
    let what = match error.raw_os_error() {
        Some(libc::ELOOP) => "a symbolic link, not a regular file",
        Some(libc::ENXIO) => "a FIFO or device, not a regular file",
        _ => return error,
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is {what}", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tensorlang-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mkfifo(path: &Path) {
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    }

    /// Runs `f` on another thread and fails if it has not returned within ten seconds (a FIFO
    /// that blocks an open would otherwise hang the test run).
    fn within_a_timeout<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(f()));
        receive
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("returned within ten seconds, not blocked")
    }

    #[test]
    fn regular_files_are_read_and_everything_else_refused() {
        let dir = temp_dir("kinds");
        let file = dir.join("file");
        std::fs::write(&file, b"bytes").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"bytes");
        assert_eq!(
            read(&file, 4).unwrap_err().kind(),
            io::ErrorKind::FileTooLarge
        );
        std::os::unix::fs::symlink(&file, dir.join("link")).unwrap();
        let error = read(&dir.join("link"), 5).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert!(read(&dir, 5).is_err());
        let fifo = dir.join("fifo");
        mkfifo(&fifo);
        let error = within_a_timeout(move || read(&fifo, 5)).unwrap_err();
        assert!(error.to_string().contains("FIFO"), "{error}");
        let fifo = dir.join("fifo");
        let error = within_a_timeout(move || open_append(&fifo)).unwrap_err();
        assert!(error.to_string().contains("FIFO"), "{error}");
        assert!(read(Path::new("/dev/zero"), 5).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn appends_do_not_follow_symlinks_and_create_private_files() {
        let dir = temp_dir("append");
        let target = dir.join("target");
        std::fs::write(&target, b"").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("log")).unwrap();
        assert!(open_append(&dir.join("log")).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"");
        let mut log = open_append(&dir.join("new")).unwrap();
        log.write_all(b"line\n").unwrap();
        let mode = std::fs::metadata(dir.join("new"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn atomic_writes_replace_a_symlink_not_its_target() {
        let dir = temp_dir("atomic");
        let target = dir.join("target");
        std::fs::write(&target, b"precious").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("cache.json")).unwrap();
        write_atomically(&dir.join("cache.json"), b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert_eq!(read(&dir.join("cache.json"), 3).unwrap(), b"new");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left");
        let not_a_dir = dir.join("target");
        assert!(create_dir(&not_a_dir).is_err());
        let made = dir.join("made/deeper");
        create_dir(&made).unwrap();
        let mode = std::fs::metadata(&made).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let _ = std::fs::remove_dir_all(dir);
    }
}
