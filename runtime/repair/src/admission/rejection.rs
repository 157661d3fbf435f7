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
    /// Its text is longer than a candidate may be.
    #[error("is {0} bytes long, more than a candidate may be ({1} bytes)")]
    TooLong(usize, usize),
    /// It holds more ops than a candidate may.
    #[error("holds {0} ops, more than a candidate may ({1})")]
    TooManyOps(usize, usize),
    /// It uses a shape larger than a candidate may.
    #[error(
        "uses {0}, of {1} elements, more than a candidate may ({2}: 4 times the largest shape of the program, and at least 1 Mi); it would cost more to build than a repair is worth"
    )]
    TooManyElements(String, u64, u64),
    /// Its function attributes differ from the original's.
    #[error("{}", attribute_change(.0, .1.as_deref(), .2.as_deref()))]
    FunctionAttribute(String, Option<String>, Option<String>),
    /// An op of it promises the compiler something the original's ops never do.
    #[error(
        "carries `{0}`, which no op of the original carries: a promise to the compiler that no check verifies"
    )]
    Promise(String),
    /// It brings a resource blob.
    #[error(
        "brings a resource blob ({0}): a constant table whose contents no rule reads, which a candidate written whole may not hold"
    )]
    Resource(String),
    /// Its constant tables are larger than a written function's may be.
    #[error(
        "holds constant tables of {0} elements the original does not hold, more than a candidate written whole may ({1} in all): a table is how answers are hard-coded"
    )]
    Table(usize, usize),
    /// It tests a value's range against a literal the original never compares with.
    #[error(
        "compares a value with {0}, which the original never compares with: a function that special-cases the inputs it is checked on is hard-coding its answers"
    )]
    RangeTested(String),
    /// It switches on a value with a case the original never tests.
    #[error(
        "switches on a value being {0}, which the original never tests: a function that special-cases the inputs it is checked on is hard-coding its answers"
    )]
    SwitchCase(String),
    /// It reads a buffer it allocated before writing it.
    #[error(
        "reads a buffer it allocated with nothing written into it before ('{0}'): what it reads is whatever the heap held"
    )]
    UnwrittenRead(String),
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

/// "adds the function attribute `passthrough = [\"noreturn\"]`", and the like.
fn attribute_change(name: &str, original: Option<&str>, candidate: Option<&str>) -> String {
    let change = match (original, candidate) {
        (None, Some(value)) => format!("adds the function attribute `{name} = {value}`"),
        (Some(value), None) => format!("drops the function attribute `{name} = {value}`"),
        (Some(was), Some(is)) => {
            format!("changes the function attribute `{name}` from `{was}` to `{is}`")
        }
        (None, None) => format!("changes the function attribute `{name}`"),
    };
    format!(
        "{change}: a repair keeps the original's function attributes as they are (they promise the compiler things no check verifies)"
    )
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
