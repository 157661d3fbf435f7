//! Executables the runtime starts (`tensorlang-run`, for repair's sandbox and the variants
//! pass), under the rules of a forked child: each dies with the process that started it
//! ([`lifetime`]: the parent-death signal between fork and exec, and the registry while it
//! runs), and one that runs past its deadline is killed.
//!
//! This is a `std::process::Command` helper rather than a fork of its own: the exec, the pipes
//! for the output and their reading are the standard library's, and only what it cannot do
//! (die with the parent, be killed on the parent's `SIGTERM`) is added here.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::lifetime;

/// A started command, registered to be killed with this process until it is reaped.
pub struct Supervised {
    child: std::process::Child,
}

impl Supervised {
    /// Starts `command`, which dies with this process.
    ///
    /// # Errors
    /// It could not be started.
    pub fn spawn(command: &mut Command) -> std::io::Result<Self> {
        lifetime::dies_with_this_process(command);
        let child = command.spawn()?;
        lifetime::register(child.id() as libc::pid_t);
        Ok(Self { child })
    }

    /// Waits for it to end, until `deadline` at most (looking every 2 ms), then collects what
    /// it printed (on the pipes the command was given); `None` when it was killed at the
    /// deadline.
    ///
    /// # Errors
    /// Waiting or reading its output failed.
    pub fn wait_until(mut self, deadline: Instant) -> std::io::Result<Option<Output>> {
        let pid = self.child.id() as libc::pid_t;
        let ended = loop {
            match has_ended(pid, false) {
                Ok(true) => break Ok(true),
                Ok(false) if Instant::now() >= deadline => break Ok(false),
                Ok(false) => std::thread::sleep(Duration::from_millis(2)),
                Err(error) => break Err(error),
            }
        };
        // Not reaped yet, so its pid is still ours: forgotten before the reap, it is never
        // killed as a stranger's.
        lifetime::forget(pid);
        if !ended? {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return Ok(None);
        }
        self.child.wait_with_output().map(Some)
    }
}

/// Whether the child `pid` has ended, without reaping it; with `block`, waits until it has.
fn has_ended(pid: libc::pid_t, block: bool) -> std::io::Result<bool> {
    // SAFETY: an all-zero siginfo_t is a valid value (and `si_pid` 0 means "no child ended").
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WNOWAIT | if block { 0 } else { libc::WNOHANG };
    loop {
        // SAFETY: waits for our own child into a valid siginfo_t, leaving it waitable.
        if unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) } == 0 {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    // SAFETY: `waitid` filled `info` for a child that ended, or left it zeroed.
    Ok(unsafe { info.si_pid() } != 0)
}

/// [`Command::output`] under the lifetime rules: standard input empty, standard output and
/// error captured, and the command dies with this process.
///
/// # Errors
/// It could not be started or waited for.
pub fn output(command: &mut Command) -> std::io::Result<Output> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut supervised = Supervised::spawn(command)?;
    let pid = supervised.child.id() as libc::pid_t;
    // Both pipes are read while it runs (a command that prints more than a pipe holds would
    // otherwise wait for a reader forever).
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = read(supervised.child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = read(supervised.child.stderr.take().map(|p| Box::new(p) as _));
    let ended = has_ended(pid, true);
    lifetime::forget(pid);
    let status = supervised.child.wait();
    let (stdout, stderr) = (stdout.join(), stderr.join());
    ended?;
    Ok(Output {
        status: status?,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_deadline_is_killed() {
        let mut sleep = Command::new("sleep");
        sleep.arg("30");
        let started = Instant::now();
        let waited = Supervised::spawn(&mut sleep)
            .unwrap()
            .wait_until(Instant::now() + Duration::from_millis(100))
            .unwrap();
        assert!(waited.is_none());
        assert!(started.elapsed() < Duration::from_secs(5));
        let echoed = output(Command::new("echo").arg("hi")).unwrap();
        assert_eq!(echoed.stdout, b"hi\n");
    }
}
