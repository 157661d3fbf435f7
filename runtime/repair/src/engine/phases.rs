//! Where a search's time goes ([`RepairPhases`]): finding the suspects, admitting candidates,
//! building them, trying them, and proving the winner, with the number of candidates of each
//! source. `--heal-report` and `--neuro-repair` show it per repair.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::RepairSource;

/// Milliseconds per phase of one search, and its candidates by source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RepairPhases {
    /// Finding the suspects and what their candidates are admitted by.
    pub localize_ms: f64,
    /// Writing candidates: the symbolic strategies' edits, the model's answers.
    pub propose_ms: f64,
    /// Admission of every candidate.
    pub admit_ms: f64,
    /// Compiling the admitted candidates (zero where the verifier builds and runs in one step,
    /// as the offline sandbox does: its time is all trial).
    pub build_ms: f64,
    /// Running them: trials, recorded calls.
    pub trial_ms: f64,
    /// Proving the winner (Z3) and running its counterexample, with `--prove`.
    pub prove_ms: f64,
    /// Candidates proposed, by source (admitted or not).
    pub candidates: CandidateCounts,
}

/// Candidates of each source in one search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CandidateCounts {
    /// From the strategy cache.
    pub cache: usize,
    /// From the symbolic strategies.
    pub symbolic: usize,
    /// Written by the model.
    pub model: usize,
}

/// The phases a search's clock adds time to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// See [`RepairPhases::localize_ms`].
    Localize,
    /// See [`RepairPhases::propose_ms`].
    Propose,
    /// See [`RepairPhases::admit_ms`].
    Admit,
    /// See [`RepairPhases::build_ms`].
    Build,
    /// See [`RepairPhases::trial_ms`].
    Trial,
    /// See [`RepairPhases::prove_ms`].
    Prove,
}

impl RepairPhases {
    /// Adds `elapsed` to `phase`.
    pub(crate) fn add(&mut self, phase: Phase, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1e3;
        let slot = match phase {
            Phase::Localize => &mut self.localize_ms,
            Phase::Propose => &mut self.propose_ms,
            Phase::Admit => &mut self.admit_ms,
            Phase::Build => &mut self.build_ms,
            Phase::Trial => &mut self.trial_ms,
            Phase::Prove => &mut self.prove_ms,
        };
        *slot += ms;
    }

    /// Runs `work`, its time added to `phase`.
    pub(crate) fn time<T>(&mut self, phase: Phase, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let value = work();
        self.add(phase, started.elapsed());
        value
    }

    /// Counts one candidate from `source`.
    pub(crate) fn count(&mut self, source: RepairSource) {
        let counts = &mut self.candidates;
        match source {
            RepairSource::Cache => counts.cache += 1,
            RepairSource::Symbolic => counts.symbolic += 1,
            RepairSource::Model => counts.model += 1,
            // The optimizer's winners are not repair candidates.
            RepairSource::Optimize => {}
        }
    }

    /// Adds a verifier's run of `total`, of which it spent `build` compiling: the rest is trial.
    pub(crate) fn add_verifier_run(&mut self, total: Duration, build: Duration) {
        let build = build.min(total);
        self.add(Phase::Build, build);
        self.add(Phase::Trial, total - build);
    }
}

impl std::fmt::Display for RepairPhases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.candidates;
        write!(
            f,
            "localize {:.2} ms, propose {:.2} ms, admit {:.2} ms, build {:.2} ms, trial {:.2} ms, \
             prove {:.2} ms; candidates: {} cache, {} symbolic, {} model",
            self.localize_ms,
            self.propose_ms,
            self.admit_ms,
            self.build_ms,
            self.trial_ms,
            self.prove_ms,
            c.cache,
            c.symbolic,
            c.model
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_run_splits_into_build_and_trial() {
        let mut phases = RepairPhases::default();
        phases.add_verifier_run(Duration::from_millis(10), Duration::from_millis(4));
        assert_eq!(phases.build_ms, 4.0);
        assert_eq!(phases.trial_ms, 6.0);
        // A build the verifier reports longer than the run (clock skew) is capped by it.
        phases.add_verifier_run(Duration::from_millis(1), Duration::from_millis(3));
        assert_eq!(phases.build_ms, 5.0);
        assert_eq!(phases.trial_ms, 6.0);
    }

    #[test]
    fn candidates_are_counted_by_source() {
        let mut phases = RepairPhases::default();
        for source in [
            RepairSource::Cache,
            RepairSource::Symbolic,
            RepairSource::Symbolic,
            RepairSource::Model,
        ] {
            phases.count(source);
        }
        assert_eq!(
            phases.candidates,
            CandidateCounts {
                cache: 1,
                symbolic: 2,
                model: 1
            }
        );
        assert!(phases.to_string().contains("1 cache, 2 symbolic, 1 model"));
    }
}
