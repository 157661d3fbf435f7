//! Why a candidate was turned away, and where it came from.

/// Why a candidate was turned away before running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// It does not parse or verify.
    #[error("does not parse or verify: {0}")]
    Invalid(String),
    /// It does not define the function it should replace.
    #[error("defines no function @{0}")]
    Missing(String),
    /// It defines other functions too.
    #[error("defines @{0} besides the function it replaces")]
    Extra(String),
    /// It would replace the entry function.
    #[error("would replace the entry function @{0}, which holds the program's checks")]
    Entry(String),
    /// The signature changed.
    #[error("changes the signature from {expected} to {found}")]
    Signature {
        /// The original's type.
        expected: String,
        /// The candidate's type.
        found: String,
    },
    /// It uses an op a repair may not use.
    #[error("uses '{0}', which repairs may not use")]
    ForbiddenOp(String),
    /// It calls something that is not one of the program's functions.
    #[error("calls @{0}, which is not one of the program's functions")]
    ForbiddenCall(String),
    /// It drops or bypasses an assert.
    #[error("removes the assert \"{0}\": asserts are the specification")]
    AssertRemoved(String),
    /// It allocates memory of a size known only at run time, which the original never does.
    #[error("allocates a buffer of dynamic size with '{0}', which the original never does")]
    DynamicAllocation(String),
    /// It allocates more than a candidate may.
    #[error("allocates {1} bytes with '{0}', more than a repair may (1 GiB)")]
    LargeAllocation(String, u64),
    /// It calls a function the original does not call.
    #[error("calls @{0}, which the original never calls (a repair may not add effects)")]
    NewCallee(String),
    /// It prints where the original does not.
    #[error("prints with '{0}', which the original never does (a repair may not add output)")]
    NewOutput(String),
    /// It writes memory the original only reads.
    #[error("writes {0}, which the original never writes")]
    NewWrite(String),
    /// It ignores an input the original reads.
    #[error(
        "never reads {0}, which the original reads: a function that ignores its inputs is hard-coding its answers"
    )]
    IgnoredInput(String),
    /// It tests an input for equality with a literal the original never tests against.
    #[error(
        "tests a value for equality with {0}, which the original never does: a function that special-cases the inputs it is checked on is hard-coding its answers"
    )]
    SpecialCased(String),
    /// A rejection at a place in the candidate (`file:line:col`; the model's text is
    /// `candidate.mlir`, counted from its first line).
    #[error("{1} (at {0})")]
    At(String, Box<Rejection>),
    /// It returns, as literals, the values the program's checks expect.
    #[error(
        "holds the literal {0}, a value the entry point's checks compare against, which the original does not: a hard-coded answer"
    )]
    HardCoded(String),
}

/// Where a candidate comes from, as far as admission cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A symbolic strategy: a small edit, valid by construction.
    Symbolic,
    /// Written whole (by a model, or a cache entry a model wrote): hostile until proven otherwise.
    Written,
}

impl Rejection {
    /// The rejection without its location.
    pub fn reason(&self) -> &Rejection {
        match self {
            Rejection::At(_, rejection) => rejection.reason(),
            rejection => rejection,
        }
    }
}
