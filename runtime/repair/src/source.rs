//! Where a repair came from: the strategy cache, the symbolic strategies or the model. Remarks,
//! reports and the repair log spell it `cache`, `symbolic`, `model`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A source of repair candidates, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepairSource {
    /// A verified repair recorded earlier ([`crate::StrategyCache`]).
    Cache,
    /// The symbolic strategies ([`crate::strategies`]): small edits valid by construction.
    Symbolic,
    /// The model ([`crate::ModelSource`]): its choice among the symbolic candidates, or a
    /// function it wrote.
    Model,
}

impl RepairSource {
    /// Every source, cheapest first.
    pub const ALL: [RepairSource; 3] = [Self::Cache, Self::Symbolic, Self::Model];

    /// The name users see.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Symbolic => "symbolic",
            Self::Model => "model",
        }
    }
}

impl fmt::Display for RepairSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RepairSource {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|source| source.name() == name)
            .ok_or_else(|| format!("unknown repair source '{name}' (cache, symbolic, model)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_back_from_their_names() {
        for source in RepairSource::ALL {
            assert_eq!(source.name().parse(), Ok(source));
        }
        assert!("oracle".parse::<RepairSource>().is_err());
    }
}
