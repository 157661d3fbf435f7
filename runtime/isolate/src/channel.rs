//! One framed channel to a child: messages are their length (u64, little-endian) and their
//! bytes, over a pipe whose ends are closed on exec. A read waits until a deadline at most and
//! looks at a cancel flag every few milliseconds, so that a child that hangs or a caller that
//! gives up never blocks the parent.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A pipe, both ends close-on-exec: (read end, write end).
///
/// # Errors
/// The pipe cannot be made.
pub fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both are fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Waits until `fd` can be read (or its writers are gone), for `timeout` at most (`None`:
/// forever): whether it can.
///
/// # Errors
/// The wait failed (an interrupted wait is an error too, for the caller to retry).
pub fn wait_readable(fd: BorrowedFd, timeout: Option<Duration>) -> std::io::Result<bool> {
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
    // SAFETY: one valid pollfd on a descriptor the caller holds.
    match unsafe { libc::poll(&mut poll, 1, ms) } {
        0 => Ok(false),
        n if n > 0 => Ok(true),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// How often a wait for a child looks at its cancel flag.
pub const CANCEL_CHECK: Duration = Duration::from_millis(10);

/// Why a read got no message.
#[derive(Debug)]
pub enum Missed {
    /// The writer closed its end (the child ended) before a whole message came.
    Closed,
    /// The deadline passed first.
    TimedOut,
    /// The cancel flag was set.
    Cancelled,
    /// The read failed.
    Io(std::io::Error),
}

/// The sending end of a channel.
pub struct Sender {
    file: File,
}

impl Sender {
    /// The sending end over the write end of a pipe.
    pub fn new(fd: OwnedFd) -> Self {
        Self {
            file: File::from(fd),
        }
    }

    /// Sends one message.
    ///
    /// # Errors
    /// The other end is closed, or the write failed.
    pub fn send(&mut self, message: &[u8]) -> std::io::Result<()> {
        let mut frame = (message.len() as u64).to_le_bytes().to_vec();
        frame.extend_from_slice(message);
        self.file.write_all(&frame)
    }
}

/// The receiving end of a channel.
pub struct Receiver {
    file: File,
}

impl AsFd for Receiver {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl Receiver {
    /// The receiving end over the read end of a pipe.
    pub fn new(fd: OwnedFd) -> Self {
        Self {
            file: File::from(fd),
        }
    }

    /// The next message, waiting for it until `deadline` and while `cancel` is unset.
    ///
    /// # Errors
    /// Why no message came ([`Missed`]).
    pub fn receive(&self, deadline: Instant, cancel: &AtomicBool) -> Result<Vec<u8>, Missed> {
        let mut length = [0u8; 8];
        self.fill(&mut length, deadline, cancel)?;
        let mut message = vec![0u8; u64::from_le_bytes(length) as usize];
        self.fill(&mut message, deadline, cancel)?;
        Ok(message)
    }

    /// The next message, waiting as long as it takes: for a child reading its parent's
    /// requests (it dies with its parent, so the wait ends with the parent at the latest).
    ///
    /// # Errors
    /// The channel closed or broke.
    pub fn receive_blocking(&self) -> std::io::Result<Vec<u8>> {
        let mut file = &self.file;
        let mut length = [0u8; 8];
        file.read_exact(&mut length)?;
        let mut message = vec![0u8; u64::from_le_bytes(length) as usize];
        file.read_exact(&mut message)?;
        Ok(message)
    }

    /// Fills `buffer` by `deadline`.
    fn fill(
        &self,
        buffer: &mut [u8],
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<(), Missed> {
        let mut filled = 0;
        while filled < buffer.len() {
            if cancel.load(Ordering::Relaxed) {
                return Err(Missed::Cancelled);
            }
            let soon = deadline.min(Instant::now() + CANCEL_CHECK);
            match read_until(self.file.as_fd(), &mut buffer[filled..], soon) {
                Ok(0) => return Err(Missed::Closed),
                Ok(n) => filled += n,
                Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {
                    if Instant::now() >= deadline {
                        return Err(Missed::TimedOut);
                    }
                }
                Err(error) => return Err(Missed::Io(error)),
            }
        }
        Ok(())
    }
}

/// Reads what `fd` has into `buffer`, waiting for it until `deadline` at most: the bytes read,
/// 0 at the end of the input, [`std::io::ErrorKind::TimedOut`] past the deadline.
fn read_until(fd: BorrowedFd, buffer: &mut [u8], deadline: Instant) -> std::io::Result<usize> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as u64;
        match wait_readable(fd, Some(Duration::from_millis(ms))) {
            Ok(false) => return Err(std::io::ErrorKind::TimedOut.into()),
            Ok(true) => {}
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
        // SAFETY: reading into our own buffer from a descriptor we own.
        let read = unsafe { libc::read(fd.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
        match usize::try_from(read) {
            Ok(n) => return Ok(n),
            Err(_) => {
                let error = std::io::Error::last_os_error();
                if error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
}

/// A channel: (receiving end, sending end).
///
/// # Errors
/// The pipe cannot be made.
pub fn channel() -> std::io::Result<(Receiver, Sender)> {
    let (read, write) = pipe()?;
    Ok((Receiver::new(read), Sender::new(write)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_whole_and_a_silent_writer_times_out() {
        let (receiver, mut sender) = channel().unwrap();
        sender.send(b"one").unwrap();
        sender.send(b"").unwrap();
        let never = AtomicBool::new(false);
        let soon = || Instant::now() + Duration::from_millis(100);
        assert_eq!(receiver.receive(soon(), &never).unwrap(), b"one");
        assert_eq!(receiver.receive(soon(), &never).unwrap(), b"");
        assert!(matches!(
            receiver.receive(soon(), &never),
            Err(Missed::TimedOut)
        ));
        assert!(matches!(
            receiver.receive(soon(), &AtomicBool::new(true)),
            Err(Missed::Cancelled)
        ));
        // That a closed writer ends a read is the children's tests' to show: here a child another
        // test forks at the same time may hold this pipe's write end too.
        drop(sender);
    }
}
