//! Where a repair came from: the strategy cache, the symbolic strategies or the model; and, for
//! the strategy cache's other entries, `--optimize`. Remarks, reports, the repair log and the
//! cache file spell it `cache`, `symbolic`, `model`, `optimize`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A source of repair candidates, cheapest first, or of a faster variant ([`Self::Optimize`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepairSource {
    /// A verified repair recorded earlier ([`crate::StrategyCache`]).
    Cache,
    /// The repair engine's symbolic strategies: small edits valid by construction.
    Symbolic,
    /// The model: its choice among the symbolic candidates, or a function it wrote.
    Model,
    /// A variant `--optimize` found faster than the original and checked against it: no repair,
    /// and no source the repair search asks (not in [`Self::ALL`]).
    Optimize,
}

impl RepairSource {
    /// Every source the repair search asks, cheapest first.
    pub const ALL: [RepairSource; 3] = [Self::Cache, Self::Symbolic, Self::Model];

    /// The name users see.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cache => "cache",
            Self::Symbolic => "symbolic",
            Self::Model => "model",
            Self::Optimize => "optimize",
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

    /// One of the sources the repair search asks ([`Self::ALL`]), by name.
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
        assert!(
            "optimize".parse::<RepairSource>().is_err(),
            "the search does not ask it"
        );
    }

    #[test]
    fn the_file_spells_every_source_by_its_name() {
        for source in RepairSource::ALL
            .into_iter()
            .chain([RepairSource::Optimize])
        {
            let json = serde_json::to_string(&source).unwrap();
            assert_eq!(json, format!("\"{}\"", source.name()));
            assert_eq!(serde_json::from_str::<RepairSource>(&json).unwrap(), source);
        }
    }
}
