//! How much memory a child may take, and how to tell that it ran out.
//!
//! A child's address space is capped (`RLIMIT_AS`) at the parent's size at the fork plus a
//! headroom the caller chooses ([`crate::Options::memory`]): a 60-byte model answer holding
//! `dense<11> : tensor<134217728xi64>` took 21 s and 3.3 GB to lower and compile without a cap.
//! Under the cap an allocation fails instead; MLIR and LLVM then abort (LLVM with `LLVM ERROR:
//! out of memory`, C++ with `std::bad_alloc`, Rust with `memory allocation of N bytes failed`),
//! and what the child printed on standard error, kept in a memory file, tells the parent that
//! this is why: the outcome is [`crate::Outcome::OutOfMemory`], not a crash.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Caps this process's address space at its size now plus `headroom` bytes (the soft limit
/// only, so that a child of this process may set its own).
pub fn cap_address_space(headroom: u64) {
    let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else {
        return;
    };
    let Some(pages) = statm
        .split_whitespace()
        .next()
        .and_then(|p| p.parse::<u64>().ok())
    else {
        return;
    };
    // SAFETY: sysconf reads a constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64;
    let limit = libc::rlimit {
        rlim_cur: pages.saturating_mul(page).saturating_add(headroom),
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setting a limit of our own process from a valid struct.
    unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
}

/// Whether what a child printed says that an allocation failed.
pub fn ran_out_of_memory(printed: &[u8]) -> bool {
    const SIGNS: [&str; 5] = [
        "out of memory",
        "memory allocation of",
        "bad_alloc",
        "Allocation failed",
        "Cannot allocate memory",
    ];
    let text = String::from_utf8_lossy(printed);
    SIGNS.iter().any(|sign| text.contains(sign))
}

/// A child's standard error, kept in a memory file the parent reads after the work.
pub struct CapturedErrors {
    file: Option<OwnedFd>,
}

impl CapturedErrors {
    /// A fresh memory file (none if it cannot be made: the child then prints where the parent
    /// does, as before).
    pub fn new() -> Self {
        // SAFETY: a fresh memory file of our own, closed on exec.
        let fd =
            unsafe { libc::memfd_create(c"tensorlang-child-stderr".as_ptr(), libc::MFD_CLOEXEC) };
        // SAFETY: a fresh descriptor we own, if any.
        let file = (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) });
        Self { file }
    }

    /// In the child: standard error goes to the memory file.
    pub fn redirect(&self) {
        if let Some(file) = &self.file {
            // SAFETY: duplicates our own descriptor over descriptor 2.
            unsafe { libc::dup2(file.as_raw_fd(), 2) };
        }
    }

    /// What was printed since the last take, and empties the file (the child's descriptor
    /// shares its offset, so it writes from the start again).
    pub fn take(&self) -> Vec<u8> {
        let Some(file) = &self.file else {
            return Vec::new();
        };
        let fd = file.as_raw_fd();
        let mut printed = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        let mut offset = 0;
        loop {
            // SAFETY: reading our own memory file into our own buffer.
            let read = unsafe { libc::pread(fd, chunk.as_mut_ptr().cast(), chunk.len(), offset) };
            let Ok(read) = usize::try_from(read) else {
                break;
            };
            if read == 0 {
                break;
            }
            printed.extend_from_slice(&chunk[..read]);
            offset += read as libc::off_t;
        }
        // SAFETY: empties our own memory file and rewinds the offset it shares with the child.
        unsafe {
            libc::ftruncate(fd, 0);
            libc::lseek(fd, 0, libc::SEEK_SET);
        }
        printed
    }
}

impl Default for CapturedErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// Shows on this process's standard error what a child printed there.
pub fn forward(printed: &[u8]) {
    use std::io::Write;
    if !printed.is_empty() {
        let _ = std::io::stderr().write_all(printed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signs_of_a_failed_allocation_are_recognized() {
        assert!(ran_out_of_memory(
            b"LLVM ERROR: out of memory\nAllocation failed\n"
        ));
        assert!(ran_out_of_memory(
            b"memory allocation of 1073741824 bytes failed\n"
        ));
        assert!(ran_out_of_memory(
            b"terminate called after throwing an instance of 'std::bad_alloc'\n"
        ));
        assert!(!ran_out_of_memory(b"Stack dump:\n0. Program arguments\n"));
    }

    #[test]
    fn captured_errors_come_back_once() {
        let captured = CapturedErrors::new();
        let fd = captured.file.as_ref().unwrap().as_raw_fd();
        // SAFETY: writing our own bytes to our own memory file.
        unsafe { libc::write(fd, b"first".as_ptr().cast(), 5) };
        assert_eq!(captured.take(), b"first");
        // SAFETY: as above.
        unsafe { libc::write(fd, b"2nd".as_ptr().cast(), 3) };
        assert_eq!(captured.take(), b"2nd");
        assert!(captured.take().is_empty());
    }
}
