//! What the engine asks, and how hard it tries.

use crate::RepairSource;
use crate::ranking::Ranking;

/// Which sources the engine asks, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sources {
    /// The strategy cache.
    pub cache: bool,
    /// The symbolic strategies.
    pub symbolic: bool,
    /// The model (when one is given).
    pub model: bool,
}

impl Sources {
    /// Every source.
    pub const ALL: Self = Self {
        cache: true,
        symbolic: true,
        model: true,
    };

    /// Parses `cache,symbolic,model` (any subset).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut sources = Self {
            cache: false,
            symbolic: false,
            model: false,
        };
        for name in text
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            match name.parse::<RepairSource>()? {
                RepairSource::Cache => sources.cache = true,
                RepairSource::Symbolic => sources.symbolic = true,
                RepairSource::Model => sources.model = true,
                // Not parsed: only the sources the search asks are (`RepairSource::ALL`).
                RepairSource::Optimize => return Err(format!("'{name}' is no repair source")),
            }
        }
        Ok(sources)
    }
}

/// How hard the engine tries.
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    /// The sources asked.
    pub sources: Sources,
    /// Candidates tried per repair, over all sources.
    pub max_candidates: usize,
    /// Replacement functions the model is asked to write, each told why the last was rejected.
    pub model_rounds: usize,
    /// Ask the model to choose which symbolic candidate goes first. Off by default: the model is
    /// the escalation, asked only when the cache and the symbolic strategies found nothing.
    pub model_first: bool,
    /// The order of the symbolic candidates: built in, or learned from the repair log beside
    /// the cache ([`super::super::ranking`]).
    pub ranking: Ranking,
    /// Prove a candidate whose run passed with Z3 ([`crate::prove`], in a forked child), and turn
    /// it away when it is refuted on the program's own inputs. On offline (`--neuro-repair`);
    /// off while healing a running program, which waits for the repair: a child forked from a
    /// process of many threads could find a lock another thread held at the fork, and hang until
    /// its time limit.
    pub prove: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            sources: Sources::ALL,
            max_candidates: 200,
            model_rounds: 3,
            model_first: false,
            ranking: Ranking::Fixed,
            prove: true,
        }
    }
}
