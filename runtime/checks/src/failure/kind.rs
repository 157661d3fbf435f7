//! What failed, as a closed set: a run-time check of some kind, a fault, or the time limit.
//! Reports, cache keys and training logs spell it as the name users see (`bounds`,
//! `div-by-zero`, `segfault`, ...).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CheckKind;

/// What failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FailureKind {
    /// A run-time check failed.
    Check(CheckKind),
    /// `SIGSEGV`: an invalid memory access.
    Segfault,
    /// `SIGBUS`: misaligned or unmapped memory.
    BusError,
    /// `SIGFPE`: an integer division by zero or overflow the checks did not catch.
    FloatingPoint,
    /// `SIGILL`: a trap or unreachable code.
    IllegalInstruction,
    /// Another fatal signal.
    Signal,
    /// The call ran past its time limit.
    Timeout,
}

impl FailureKind {
    /// A failed `tensorlang.assert` or `cf.assert`.
    pub const ASSERT: Self = Self::Check(CheckKind::Assert);

    /// Every kind that is not a check.
    const FAULTS: [FailureKind; 6] = [
        Self::Segfault,
        Self::BusError,
        Self::FloatingPoint,
        Self::IllegalInstruction,
        Self::Signal,
        Self::Timeout,
    ];

    /// The name users see.
    pub fn name(self) -> &'static str {
        match self {
            Self::Check(kind) => kind.name(),
            Self::Segfault => "segfault",
            Self::BusError => "bus-error",
            Self::FloatingPoint => "floating-point",
            Self::IllegalInstruction => "illegal-instruction",
            Self::Signal => "signal",
            Self::Timeout => "timeout",
        }
    }

    /// Whether the process faulted (a signal), rather than a check failing or time running out.
    pub fn is_fault(self) -> bool {
        !matches!(self, Self::Check(_) | Self::Timeout)
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FailureKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        CheckKind::ALL
            .into_iter()
            .map(Self::Check)
            .chain(Self::FAULTS)
            .find(|kind| kind.name() == name)
            .ok_or_else(|| format!("unknown failure kind '{name}'"))
    }
}

impl TryFrom<String> for FailureKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        name.parse()
    }
}

impl From<FailureKind> for String {
    fn from(kind: FailureKind) -> Self {
        kind.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in CheckKind::ALL
            .into_iter()
            .map(FailureKind::Check)
            .chain(FailureKind::FAULTS)
        {
            assert_eq!(kind.name().parse::<FailureKind>(), Ok(kind));
        }
        assert_eq!(
            "div-by-zero".parse(),
            Ok(FailureKind::Check(CheckKind::DivByZero))
        );
        assert!("melted".parse::<FailureKind>().is_err());
        assert!(FailureKind::Segfault.is_fault() && !FailureKind::ASSERT.is_fault());
    }
}
