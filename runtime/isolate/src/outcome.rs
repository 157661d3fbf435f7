//! How a child's work ended: one value the caller turns into its own words (a build's "crashed
//! MLIR or LLVM (signal 11)", a trial's "did not finish within 1000 ms").

/// How a child's work (one piece of work, one request to a server, a trial) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The child answered with these bytes.
    Finished(Vec<u8>),
    /// The child answered with this error.
    Failed(String),
    /// The time limit passed before an answer; the child was killed.
    TimedOut,
    /// The child died of this signal before it answered.
    Signal(i32),
    /// The child exited with this status before it answered.
    Exited(i32),
    /// The child ran out of its address space (what it printed on standard error says so).
    OutOfMemory,
    /// The exchange with a server child broke, for this reason (in the parent's words: "the
    /// child stopped reading"); the child was killed.
    Lost(String),
    /// The caller cancelled the work; the child was killed.
    Cancelled,
}
