//! Children that die with the run: no process the runtime forks (a trial, the build server, a
//! one-off build, the optimizer's runner and its checks, the repair sandbox's `tensorlang-run`)
//! may outlive the process that forked it, however that process ends.
//!
//! Three things see to it:
//! - **the parent-death signal**: right after the fork, the child asks the kernel for `SIGKILL`
//!   when its parent dies (`PR_SET_PDEATHSIG`), then checks that its parent is still the process
//!   that forked it (the parent may have died between the fork and the request, and the child
//!   would then wait for a signal that never comes). This covers `SIGKILL` of the parent, which
//!   nothing in the parent can catch. The signal follows the *thread* that forked: every fork
//!   here happens on a thread that waits for (or owns) its child;
//! - **a registry of live children** (and of the process groups some of them lead), which the
//!   parent kills on `SIGTERM`, `SIGINT` and `SIGHUP` before it ends as the signal would have
//!   ended it, and at `exit`;
//! - a forked child starts with an empty registry: the children it inherited the entries of
//!   belong to its parent.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};

/// Which side of [`fork`] this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forked {
    /// The child, which dies with its parent.
    Child,
    /// The parent; the child's pid, registered (call [`forget`] before reaping it).
    Parent(libc::pid_t),
}

/// Forks a child that dies with this process (see the module docs).
///
/// # Safety
/// As `fork(2)` in a threaded process: the child may only run code that touches what the
/// calling thread owns, and must end with `_exit`.
///
/// # Errors
/// The fork failed.
pub unsafe fn fork() -> std::io::Result<Forked> {
    install();
    // SAFETY: getpid cannot fail.
    let parent = unsafe { libc::getpid() };
    // SAFETY: the caller's contract.
    match unsafe { libc::fork() } {
        -1 => Err(std::io::Error::last_os_error()),
        0 => {
            die_with(parent);
            for entry in &REGISTRY {
                entry.store(0, Ordering::Relaxed);
            }
            Ok(Forked::Child)
        }
        pid => {
            register(pid);
            Ok(Forked::Parent(pid))
        }
    }
}

/// Has the process `command` starts die with this one (the parent-death signal, set between
/// its fork and its exec); register it with [`register`] once spawned.
pub fn dies_with_this_process(command: &mut Command) -> &mut Command {
    install();
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the hook only makes system calls (prctl, getppid, _exit), which are safe between
    // fork and exec.
    unsafe {
        command.pre_exec(move || {
            die_with(parent);
            Ok(())
        })
    }
}

/// In a fresh child of `parent`: `SIGKILL` when the parent dies, and an exit now if it died
/// already (the child was then handed to another process, so no signal would come).
fn die_with(parent: libc::pid_t) {
    // SAFETY: a request about this process only.
    unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    // SAFETY: getppid cannot fail.
    if unsafe { libc::getppid() } != parent {
        // SAFETY: ends the orphan at once, running nothing of the parent's.
        unsafe { libc::_exit(ORPHANED) }
    }
}

/// The exit status of a child whose parent died before it could ask to die with it.
const ORPHANED: i32 = 125;

/// How many children and groups the registry holds at once: a run has a few (a trial, the build
/// server, a one-off build, the optimizer's runner). One past that still dies with its parent.
const CAPACITY: usize = 64;

/// Live children (a pid) and process groups (minus the group's id): what `kill` takes.
static REGISTRY: [AtomicI32; CAPACITY] = [const { AtomicI32::new(0) }; CAPACITY];

/// Registers the child `pid`, to be killed if this process is told to end.
pub fn register(pid: libc::pid_t) {
    add(pid);
}

/// Registers the process group led by `leader` (which the caller made), to be killed whole if
/// this process is told to end.
pub fn register_group(leader: libc::pid_t) {
    add(-leader);
}

fn add(target: libc::pid_t) {
    if target == 0 {
        return;
    }
    for entry in &REGISTRY {
        if entry
            .compare_exchange(0, target, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
    }
}

/// Forgets the child `pid` and the group it leads, if registered: call it before reaping the
/// child (a pid is free for reuse only once reaped, so no other process is killed for it).
pub fn forget(pid: libc::pid_t) {
    for entry in &REGISTRY {
        let target = entry.load(Ordering::Acquire);
        if target != 0 && target.abs() == pid {
            let _ = entry.compare_exchange(target, 0, Ordering::AcqRel, Ordering::Relaxed);
        }
    }
}

/// Kills every registered child and group (async-signal-safe: loads and `kill` only).
fn kill_all() {
    for entry in &REGISTRY {
        let target = entry.swap(0, Ordering::AcqRel);
        if target != 0 {
            // SAFETY: a child (or a group) of this process, not yet reaped.
            unsafe { libc::kill(target, libc::SIGKILL) };
        }
    }
}

/// The signals that end a run from outside and that the runtime turns into a kill of its
/// children first.
const ENDING_SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];

/// Installs the signal handlers and the exit hook, once, in the first process that forks.
fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        for signal in ENDING_SIGNALS {
            // SAFETY: reading and setting this process's dispositions from valid structs. A
            // signal the process ignores (a job started with `nohup`) or handles already keeps
            // its disposition: only the default action, ending the process, is taken over.
            unsafe {
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut previous) != 0
                    || previous.sa_sigaction != libc::SIG_DFL
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_ending_signal as *const () as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
        // SAFETY: registers a function that only kills children.
        unsafe { libc::atexit(kill_all_at_exit) };
    });
}

/// Kills the children, then ends the process as `signal` would have without the handler.
extern "C" fn on_ending_signal(signal: libc::c_int) {
    kill_all();
    // SAFETY: async-signal-safe calls: back to the default action, and the signal again, which
    // is delivered (and ends the process) once this handler returns.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

extern "C" fn kill_all_at_exit() {
    kill_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn alive(pid: libc::pid_t) -> bool {
        // SAFETY: signal 0 only asks whether the process exists (a zombie still does).
        let exists = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit(')')
                .next()
                .is_some_and(|s| s.trim_start().starts_with('Z'))
        });
        exists && !zombie
    }

    fn gone_within(pid: libc::pid_t, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while alive(pid) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    #[test]
    fn a_grandchild_dies_when_its_parent_is_killed() {
        // SAFETY: both children only sleep and `_exit`.
        let Forked::Parent(child) = unsafe { fork() }.unwrap() else {
            // SAFETY: as above.
            if let Ok(Forked::Child) = unsafe { fork() } {
                std::thread::sleep(Duration::from_secs(30));
                // SAFETY: ends the grandchild.
                unsafe { libc::_exit(0) }
            }
            std::thread::sleep(Duration::from_secs(30));
            // SAFETY: ends the child.
            unsafe { libc::_exit(0) }
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let grandchild = loop {
            if let Some(pid) = child_of(child) {
                break pid;
            }
            assert!(Instant::now() < deadline, "the grandchild never started");
            std::thread::sleep(Duration::from_millis(5));
        };
        forget(child);
        // SAFETY: our own child, killed as a parent is killed from outside; then reaped.
        unsafe {
            libc::kill(child, libc::SIGKILL);
            libc::waitpid(child, std::ptr::null_mut(), 0);
        }
        assert!(gone_within(grandchild, Duration::from_secs(2)));
    }

    /// A process whose parent is `parent`, from `/proc`.
    fn child_of(parent: libc::pid_t) -> Option<libc::pid_t> {
        std::fs::read_dir("/proc").ok()?.find_map(|entry| {
            let pid: libc::pid_t = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after_name = stat.rsplit(')').next()?;
            let ppid = after_name
                .split_whitespace()
                .nth(1)?
                .parse::<libc::pid_t>()
                .ok()?;
            (ppid == parent).then_some(pid)
        })
    }

    #[test]
    fn a_child_is_registered_until_forgotten() {
        // SAFETY: the child only sleeps and `_exit`s.
        let Forked::Parent(pid) = unsafe { fork() }.unwrap() else {
            std::thread::sleep(Duration::from_secs(30));
            // SAFETY: ends the child.
            unsafe { libc::_exit(0) }
        };
        let registered = || REGISTRY.iter().any(|e| e.load(Ordering::Relaxed) == pid);
        assert!(registered());
        forget(pid);
        assert!(!registered());
        // SAFETY: our own child, killed and reaped.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
    }
}
