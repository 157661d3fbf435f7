//! The order of the symbolic candidates, learned from the repair log (`repairs.jsonl` beside the
//! strategy cache): which strategy fixed which kind of failure at which kind of op.
//!
//! The built-in order ([`super::strategies::propose`]) knows where the failure is; the log knows
//! what usually fixes it. A learned ranking keeps the built-in order and moves each candidate
//! forward by `WEIGHT * ln(1 + n)` places, `n` being how often its strategy, at its kind of op,
//! fixed this kind of failure before. The logarithm and the small weight keep the built-in
//! order's knowledge of the failure's place: moving candidates by raw counts (tried first)
//! more than doubled the candidates tried on the corpus.
//!
//! `bench/repair.py --ranking` measures it against the built-in order on the corpus, each
//! program ranked by what the other programs' repairs taught (leave one out). With one program
//! per bug class there is little to transfer, and the built-in order stays the default: see
//! docs/self-heal.md for the figures.

use std::collections::HashMap;
use std::path::Path;

use super::strategies::Candidate;
use tensorlang_checks::FailureKind;

/// How the symbolic candidates are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ranking {
    /// The built-in order.
    #[default]
    Fixed,
    /// The built-in order, reordered by the repair log ([`LearnedRanking`]).
    Learned,
}

impl Ranking {
    /// Parses `fixed` or `learned`.
    ///
    /// # Errors
    /// The word, when it is neither.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "fixed" | "" => Ok(Self::Fixed),
            "learned" => Ok(Self::Learned),
            other => Err(format!("unknown ranking '{other}' (fixed, learned)")),
        }
    }
}

/// Places a candidate moves forward per `ln(1 + n)` repairs of its kind (see the module header):
/// 2.5 was the best of 1, 2.5 and 4 on the corpus.
const WEIGHT: f64 = 2.5;

/// Counts of verified symbolic repairs, by failure kind, strategy and op.
#[derive(Debug, Default, Clone)]
pub struct LearnedRanking {
    /// (failure kind, strategy, op) to repairs.
    exact: HashMap<(String, String, String), u32>,
}

impl LearnedRanking {
    /// Learns from the log at `path`; a missing or unreadable log teaches nothing (nor does one
    /// that is not a regular file, or is larger than [`tensorlang::cache_file::LOG_LIMIT`]).
    pub fn from_log(path: &Path) -> Self {
        tensorlang::cache_file::read_to_string(path, tensorlang::cache_file::LOG_LIMIT)
            .map(|text| Self::from_lines(&text))
            .unwrap_or_default()
    }

    /// Learns from the lines of a log. Lines that are not JSON, come from another source than
    /// the symbolic strategies, or predate the `failure_kind` and `op` metadata are skipped.
    pub fn from_lines(text: &str) -> Self {
        let mut ranking = Self::default();
        for line in text.lines() {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let metadata = &record["metadata"];
            let field = |name: &str| metadata[name].as_str().map(str::to_owned);
            let (Some(source), Some(strategy), Some(kind), Some(op)) = (
                field("source"),
                field("strategy"),
                field("failure_kind"),
                field("op"),
            ) else {
                continue;
            };
            if source != "symbolic" {
                continue;
            }
            *ranking.exact.entry((kind, strategy, op)).or_default() += 1;
        }
        ranking
    }

    /// Whether the log taught nothing.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// `candidates` for a failure of `kind`, reordered as the module header says.
    pub fn order(&self, kind: FailureKind, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let kind = kind.name();
        let mut keyed: Vec<(f64, Candidate)> = candidates
            .into_iter()
            .enumerate()
            .map(|(position, candidate)| {
                let exact = self
                    .exact
                    .get(&(
                        kind.to_owned(),
                        candidate.strategy.to_owned(),
                        candidate.op.clone(),
                    ))
                    .copied()
                    .unwrap_or(0);
                let key = position as f64 - WEIGHT * f64::from(exact).ln_1p();
                (key, candidate)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        keyed.into_iter().map(|(_, candidate)| candidate).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(strategy: &'static str, op: &str) -> Candidate {
        Candidate {
            strategy,
            change: format!("{strategy} at {op}"),
            function: format!("{strategy} {op}"),
            op: op.into(),
        }
    }

    fn line(source: &str, strategy: &str, kind: &str, op: &str) -> String {
        serde_json::json!({"messages": [], "metadata": {
            "source": source, "strategy": strategy, "failure_kind": kind, "op": op,
        }})
        .to_string()
    }

    #[test]
    fn what_fixed_this_kind_of_failure_at_this_op_goes_first() {
        let log = [
            line("symbolic", "swap-operands", "assert", "arith.subi"),
            line("symbolic", "swap-operands", "assert", "arith.subi"),
            line("symbolic", "change-constant", "assert", "arith.constant"),
            line("symbolic", "clamp-index", "bounds", "memref.load"),
            // A model's rewrite is no symbolic strategy's success.
            line("model", "change-operator", "assert", "arith.addi"),
            "not json".into(),
        ]
        .join("\n");
        let ranking = LearnedRanking::from_lines(&log);
        let ordered = ranking.order(
            FailureKind::ASSERT,
            vec![
                candidate("change-operator", "arith.addi"),
                candidate("change-constant", "arith.constant"),
                candidate("swap-operands", "arith.cmpi"),
                candidate("swap-operands", "arith.subi"),
            ],
        );
        let order: Vec<String> = ordered.iter().map(|c| c.change.clone()).collect();
        // Keys: position - 2.5 ln(1 + n): -0.73, 0, 0.25, 2.
        assert_eq!(
            order,
            [
                "change-constant at arith.constant",
                "change-operator at arith.addi",
                "swap-operands at arith.subi",
                "swap-operands at arith.cmpi",
            ]
        );
    }

    #[test]
    fn an_empty_log_keeps_the_built_in_order() {
        let ranking = LearnedRanking::from_lines("");
        assert!(ranking.is_empty());
        let ordered = ranking.order(
            FailureKind::Timeout,
            vec![candidate("b", "x.y"), candidate("a", "x.y")],
        );
        assert_eq!(ordered[0].strategy, "b");
        assert_eq!(Ranking::parse("learned"), Ok(Ranking::Learned));
        assert!(Ranking::parse("random").is_err());
    }
}
