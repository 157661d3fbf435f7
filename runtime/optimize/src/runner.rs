//! Where variant code runs: a child process forked when the optimizer starts, before the
//! program's entry point (so before any variant has run in the program), that runs every check
//! and timing for the search, each in a child of its own ([`measure`]).
//!
//! Why not fork the checks from the program itself: a threaded variant, once swapped in, starts
//! the async runtime's thread pool in the program; a process forked after that has the pool's
//! bookkeeping but none of its threads, and a threaded variant run there waits forever for
//! workers that do not exist. The runner never runs variant code itself, so its children always
//! start from a process without that pool.
//!
//! The runner is a [`ChildServer`] in a process group of its own: stopping it (at the program's
//! exit) kills the check under way with it. It dies with the program however the program ends
//! (`SIGKILL` included), and so do the checks it forks, each with its parent
//! ([`tensorlang_isolate::lifetime`]); on `SIGTERM` or `SIGINT` the program kills the
//! runner's whole group first. A request carries the variant's module text and
//! object code (the runner loads it into its copy of the JIT) and, to check on a recorded call,
//! the recording.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tensorlang_jit::Jit;
use tensorlang_repair::isolated::ChildServer;

use crate::measure::{self, Measurement};
use crate::record::Recording;
use crate::target::MatmulTarget;

/// The longest one request may take (a naive reference of a large matmul takes seconds).
const LIMIT: Duration = Duration::from_secs(120);

/// A variant to run: its module text (which names its version) and its object code.
pub struct Variant<'v> {
    /// The variant's module (see [`crate::variant::module_text`]).
    pub text: &'v str,
    /// Its object code.
    pub object: &'v [u8],
}

#[derive(Serialize, Deserialize)]
enum Job {
    /// Nothing: starts the runner.
    Start,
    /// [`measure::measure`].
    Measure { original: usize },
    /// [`measure::check_recorded`].
    CheckRecorded,
    /// [`measure::check_against_reference`].
    CheckReference { reference: String },
}

/// A request's header; the object code and the recording's matrices follow it.
#[derive(Serialize, Deserialize)]
struct Header {
    job: Job,
    target: Option<MatmulTarget>,
    text: String,
    object: usize,
    /// Lengths of `A`, `B`, `C` before and after, when a recording follows.
    recording: Option<[usize; 4]>,
}

/// What a job answers.
#[derive(Serialize, Deserialize)]
enum Answer {
    Started,
    Measured(Result<Measurement, String>),
    Checked(Result<f64, String>),
}

type Handler<'j> = Box<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'j>;

/// The runner process, from the optimizer's side.
pub struct Runner<'j> {
    server: ChildServer<Handler<'j>>,
    cancel: &'j AtomicBool,
}

impl<'j> Runner<'j> {
    /// Forks the runner now, from the process as it is (call before the program runs); its work
    /// ends when `cancel` is set.
    ///
    /// # Errors
    /// The runner could not be started.
    pub fn start(jit: &'j Jit, cancel: &'j AtomicBool) -> Result<Self, String> {
        let handler: Handler<'j> = Box::new(move |request| serve(jit, request));
        let mut server = ChildServer::new(handler, LIMIT).in_own_process_group();
        server.start()?;
        let mut runner = Self { server, cancel };
        match runner.ask(Job::Start, None, None, None)? {
            Answer::Started => Ok(runner),
            _ => Err("the runner answered something else".into()),
        }
    }

    /// [`measure::measure`] of `variant` against the original at `original`, in the runner.
    ///
    /// # Errors
    /// As [`measure::measure`], or the runner was lost.
    pub fn measure(
        &mut self,
        target: &MatmulTarget,
        original: usize,
        variant: &Variant,
    ) -> Result<Measurement, String> {
        match self.ask(Job::Measure { original }, Some(target), Some(variant), None)? {
            Answer::Measured(measured) => measured,
            _ => Err("the runner answered something else".into()),
        }
    }

    /// [`measure::check_recorded`] of `variant`, in the runner.
    ///
    /// # Errors
    /// As [`measure::check_recorded`], or the runner was lost.
    pub fn check_recorded(
        &mut self,
        target: &MatmulTarget,
        variant: &Variant,
        recording: &Recording,
    ) -> Result<(), String> {
        match self.ask(
            Job::CheckRecorded,
            Some(target),
            Some(variant),
            Some(recording),
        )? {
            Answer::Checked(checked) => checked.map(|_| ()),
            _ => Err("the runner answered something else".into()),
        }
    }

    /// [`measure::check_against_reference`] of `variant`, in the runner.
    ///
    /// # Errors
    /// As [`measure::check_against_reference`], or the runner was lost.
    pub fn check_against_reference(
        &mut self,
        target: &MatmulTarget,
        variant: &Variant,
        reference: &str,
    ) -> Result<f64, String> {
        let job = Job::CheckReference {
            reference: reference.to_owned(),
        };
        match self.ask(job, Some(target), Some(variant), None)? {
            Answer::Checked(checked) => checked,
            _ => Err("the runner answered something else".into()),
        }
    }

    fn ask(
        &mut self,
        job: Job,
        target: Option<&MatmulTarget>,
        variant: Option<&Variant>,
        recording: Option<&Recording>,
    ) -> Result<Answer, String> {
        let parts = recording.map(|r| [&r.a, &r.b, &r.c_before, &r.c_after]);
        let header = Header {
            job,
            target: target.cloned(),
            text: variant.map(|v| v.text.to_owned()).unwrap_or_default(),
            object: variant.map_or(0, |v| v.object.len()),
            recording: parts.map(|p| p.map(Vec::len)),
        };
        let header = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        let mut request = (header.len() as u64).to_le_bytes().to_vec();
        request.extend_from_slice(&header);
        request.extend_from_slice(variant.map_or(&[][..], |v| v.object));
        for part in parts.iter().flatten() {
            request.extend(part.iter().flat_map(|x| x.to_le_bytes()));
        }
        let answer = self.server.call_unless(&request, self.cancel)?;
        serde_json::from_slice(&answer)
            .map_err(|e| format!("a garbled answer from the runner: {e}"))
    }
}

/// The runner's side: one request.
fn serve(jit: &Jit, request: &[u8]) -> Result<Vec<u8>, String> {
    let (header, rest) = split_header(request)?;
    let answer = match header.job {
        Job::Start => Answer::Started,
        job => {
            let target = header.target.as_ref().ok_or("a job without a target")?;
            let (object, rest) = take(rest, header.object)?;
            let address = load(jit, target, &header.text, object)?;
            // The runner's own stop flag never changes: the optimizer stops the whole runner.
            let never = AtomicBool::new(false);
            // `address` is a version of the target just loaded into this copy of the program's
            // JIT, and `original` the target's original function, live here too (the runner is
            // a fork of the program after its JIT loaded it).
            match job {
                Job::Measure { original } => {
                    // SAFETY: see above.
                    let measured =
                        unsafe { measure::measure(target, original, &[address], &never) };
                    Answer::Measured(measured)
                }
                Job::CheckRecorded => {
                    let lengths = header.recording.ok_or("a check without a recording")?;
                    let shape = [target.m, target.n, target.k];
                    let recording = read_recording(rest, lengths, shape)?;
                    // SAFETY: see above.
                    let checked =
                        unsafe { measure::check_recorded(target, address, &recording, &never) };
                    Answer::Checked(checked.map(|()| 0.0))
                }
                Job::CheckReference { reference } => {
                    // SAFETY: see above.
                    let checked = unsafe {
                        measure::check_against_reference(target, address, &reference, &never)
                    };
                    Answer::Checked(checked)
                }
                Job::Start => unreachable!("answered above"),
            }
        }
    };
    serde_json::to_vec(&answer).map_err(|e| e.to_string())
}

fn split_header(request: &[u8]) -> Result<(Header, &[u8]), String> {
    let (length, rest) = take(request, 8)?;
    let length = u64::from_le_bytes(length.try_into().expect("8 bytes")) as usize;
    let (header, rest) = take(rest, length)?;
    let header = serde_json::from_slice(header).map_err(|e| format!("a garbled request: {e}"))?;
    Ok((header, rest))
}

fn take(bytes: &[u8], count: usize) -> Result<(&[u8], &[u8]), String> {
    (count <= bytes.len())
        .then(|| bytes.split_at(count))
        .ok_or_else(|| "a request cut short".to_owned())
}

fn read_recording(
    mut bytes: &[u8],
    lengths: [usize; 4],
    shape: [usize; 3],
) -> Result<Recording, String> {
    let mut parts = Vec::new();
    for length in lengths {
        let (part, rest) = take(bytes, length * 4)?;
        parts.push(
            part.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect::<Vec<f32>>(),
        );
        bytes = rest;
    }
    let [a, b, c_before, c_after] = <[Vec<f32>; 4]>::try_from(parts).expect("four parts");
    Ok(Recording {
        shape,
        a,
        b,
        c_before,
        c_after,
    })
}

/// Loads the variant into the runner's copy of the JIT (once per version): its address.
fn load(jit: &Jit, target: &MatmulTarget, text: &str, object: &[u8]) -> Result<usize, String> {
    let key = jit.version_key(&target.function, text);
    jit.load_built(&target.function, key, object.into())
        .map(|version| version.address)
        .map_err(|e| e.to_string())
}
