//! [`ShownOutput`]: what the program has printed so far, so that a run of the entry point
//! repeated after a repair prints nothing twice.
//!
//! When self-healing is on, the program's standard output (file descriptor 1, which C stdio and
//! the runner utilities write to) is a pipe. A thread forwards what arrives to the real standard
//! output and keeps a copy. After a repair of a failure in the entry point the entry runs again
//! from the start; the bytes already shown are then swallowed as they come again (the trial that
//! verified the repair checked that they come again unchanged) and only what follows is shown.
//!
//! What a run prints before its failed check may be wrong (a driver that prints `@target`'s result
//! before asserting on it), and shown output cannot be taken back. So when the real output is not
//! a terminal, output is held back ([`Forwarding::Held`]) until the program ends, or until
//! [`HELD_LIMIT`] bytes are waiting: a repaired entry point then drops what its failed run held
//! and prints exactly what the fixed program prints. On a terminal output is shown as it comes.
//!
//! Reads from the pipe happen only under the state's lock, so "the lock is held and the pipe is
//! empty" means every byte written so far has been forwarded: that is [`ShownOutput::sync`].

use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex, OnceLock};

/// How much held output may wait before it is shown anyway.
pub const HELD_LIMIT: usize = 64 << 20;

/// What the user asks for (`--heal-output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputMode {
    /// Live on a terminal, held otherwise.
    Auto,
    /// Always as it comes (a repaired entry point's trial must then reproduce what was shown).
    Live,
    /// Always held back.
    Held,
}

/// When output reaches the real standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forwarding {
    /// As soon as it is printed (the real output is a terminal).
    Live,
    /// When the program ends, or when more than [`HELD_LIMIT`] bytes wait.
    Held,
}

/// The output shown so far and what the forwarding thread is to swallow.
struct State {
    forwarding: Forwarding,
    shown: Vec<u8>,
    /// Printed, not yet shown ([`Forwarding::Held`]).
    held: Vec<u8>,
    /// Bytes to swallow as they come again (an earlier run showed them), and how far along.
    replay: Vec<u8>,
    replayed: usize,
    /// Set when a repeated run printed something else than what was shown.
    diverged: bool,
}

/// The program's standard output, forwarded and recorded (see the module docs).
pub struct ShownOutput {
    state: Arc<Mutex<State>>,
    pipe: OwnedFd,
    real: RawFd,
}

static INSTALLED: OnceLock<ShownOutput> = OnceLock::new();

impl ShownOutput {
    /// Puts a pipe in place of file descriptor 1 and starts forwarding; the installed recorder.
    /// Installing twice returns the first.
    ///
    /// # Errors
    /// The pipe or the duplicate of the real output cannot be made.
    pub fn install(mode: OutputMode) -> std::io::Result<&'static ShownOutput> {
        if let Some(installed) = INSTALLED.get() {
            return Ok(installed);
        }
        flush_stdio();
        let (read, write) = tensorlang_isolate::channel::pipe()?;
        // SAFETY: duplicating our own descriptors.
        let real = unsafe { libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3) };
        if real < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: duplicating our own pipe end over descriptor 1.
        if unsafe { libc::dup2(write.as_raw_fd(), 1) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        drop(write);
        // SAFETY: the read end is ours; non-blocking so the thread drains it under the lock.
        unsafe { libc::fcntl(read.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        // SAFETY: asking whether a descriptor we own is a terminal.
        let terminal = unsafe { libc::isatty(real) } == 1;
        let forwarding = match mode {
            OutputMode::Live => Forwarding::Live,
            OutputMode::Held => Forwarding::Held,
            OutputMode::Auto if terminal => Forwarding::Live,
            OutputMode::Auto => Forwarding::Held,
        };
        let output = ShownOutput {
            state: Arc::new(Mutex::new(State {
                forwarding,
                shown: Vec::new(),
                held: Vec::new(),
                replay: Vec::new(),
                replayed: 0,
                diverged: false,
            })),
            pipe: read,
            real,
        };
        let (state, fd) = (output.state.clone(), output.pipe.as_raw_fd());
        std::thread::Builder::new()
            .name("tensorlang-output".into())
            .spawn(move || forward(&state, fd, real))?;
        let installed = INSTALLED.get_or_init(|| output);
        // A program that calls `exit` itself must not lose what is held back.
        // SAFETY: registering a plain function that takes and returns nothing.
        unsafe { libc::atexit(show_at_exit) };
        Ok(installed)
    }

    /// The installed recorder, if any.
    pub fn installed() -> Option<&'static ShownOutput> {
        INSTALLED.get()
    }

    /// Waits until every byte written to the output so far has been forwarded.
    pub fn sync(&self) {
        loop {
            let mut state = self.state.lock().expect("lock");
            drain(&mut state, self.pipe.as_raw_fd(), self.real);
            if pending(self.pipe.as_raw_fd()) == 0 {
                return;
            }
        }
    }

    /// Drops the output held back (see the module docs): the run that printed it failed, and
    /// the entry runs again.
    pub fn drop_held(&self) {
        flush_stdio();
        self.sync();
        self.state.lock().expect("lock").held.clear();
    }

    /// Shows the output held back now: the failure it came with goes on unrepaired, so it is
    /// what the program printed.
    pub fn release_held(&self) {
        flush_stdio();
        self.sync();
        let mut state = self.state.lock().expect("lock");
        let held = std::mem::take(&mut state.held);
        show(&mut state, &held, self.real);
    }

    /// Everything shown so far (held output is not shown).
    pub fn shown(&self) -> Vec<u8> {
        super::trial::flush_output();
        self.state.lock().expect("lock").shown.clone()
    }

    /// From now on, swallow `bytes` as they are printed again (they were shown already).
    pub fn replay(&self, bytes: Vec<u8>) {
        super::trial::flush_output();
        let mut state = self.state.lock().expect("lock");
        state.replay = bytes;
        state.replayed = 0;
        state.diverged = false;
    }

    /// Whether a replayed run printed something else than what it replays.
    pub fn diverged(&self) -> bool {
        self.state.lock().expect("lock").diverged
    }

    /// Shows what is left and gives the real output back its descriptor.
    pub fn uninstall(&self) {
        self.release_held();
        self.state.lock().expect("lock").forwarding = Forwarding::Live;
        // SAFETY: putting the real output back on descriptor 1; the pipe's write end closes.
        unsafe { libc::dup2(self.real, 1) };
    }
}

/// At `exit`: shows what is held back, unless this is a trial child (whose output is its own).
extern "C" fn show_at_exit() {
    if !super::trial::in_trial()
        && let Some(output) = INSTALLED.get()
    {
        output.uninstall();
    }
}

/// Bytes waiting in the pipe.
fn pending(fd: RawFd) -> libc::c_int {
    let mut waiting: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int.
    if unsafe { libc::ioctl(fd, libc::FIONREAD, &mut waiting) } != 0 {
        return 0;
    }
    waiting
}

/// The forwarding thread: waits for output, then drains it under the lock.
fn forward(state: &Mutex<State>, fd: RawFd, real: RawFd) {
    loop {
        // SAFETY: the pipe's read end, which the installed recorder (a static) never closes.
        let pipe = unsafe { BorrowedFd::borrow_raw(fd) };
        if tensorlang_isolate::channel::wait_readable(pipe, None).is_err() {
            continue;
        }
        let mut state = state.lock().expect("lock");
        if !drain(&mut state, fd, real) {
            return;
        }
    }
}

/// Reads what the pipe holds, swallows what is being replayed, shows and records the rest.
/// `false` once every writer has closed the pipe.
fn drain(state: &mut State, fd: RawFd, real: RawFd) -> bool {
    let mut buffer = [0u8; 8192];
    loop {
        // SAFETY: reading into our own buffer.
        let read = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
        if read == 0 {
            return false;
        }
        if read < 0 {
            return true;
        }
        let mut bytes = &buffer[..read as usize];
        while state.replayed < state.replay.len() && !bytes.is_empty() {
            if bytes[0] != state.replay[state.replayed] {
                state.diverged = true;
                state.replay.clear();
                state.replayed = 0;
                break;
            }
            state.replayed += 1;
            bytes = &bytes[1..];
        }
        match state.forwarding {
            Forwarding::Live => show(state, bytes, real),
            Forwarding::Held => {
                state.held.extend_from_slice(bytes);
                if state.held.len() > HELD_LIMIT {
                    let held = std::mem::take(&mut state.held);
                    show(state, &held, real);
                }
            }
        }
    }
}

/// Writes `bytes` to the real output and records them as shown.
fn show(state: &mut State, bytes: &[u8], real: RawFd) {
    state.shown.extend_from_slice(bytes);
    let mut rest = bytes;
    while !rest.is_empty() {
        // SAFETY: writing our own bytes to the real output.
        let written = unsafe { libc::write(real, rest.as_ptr().cast(), rest.len()) };
        if written <= 0 {
            // The reader went away (a closed pipe): the output is dropped, as it would be.
            break;
        }
        rest = &rest[written as usize..];
    }
}
/// Flushes Rust's and C's buffered standard output into descriptor 1 (the pipe, once a
/// [`ShownOutput`] is installed).
pub fn flush_stdio() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // SAFETY: fflush(NULL) flushes every open C output stream.
    unsafe { libc::fflush(std::ptr::null_mut()) };
}
