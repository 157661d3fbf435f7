//! Where the program's time goes: the JIT counts and times every call through a candidate's slot
//! ([`tensorlang_jit::CallCounts`]), and the optimizer samples, every [`SAMPLE_PERIOD`], which
//! candidates have a call under way. A candidate under way in at least [`HOT_SHARE`] of the
//! samples (after [`MIN_SAMPLES`]) holds that share of the run time and becomes a target. Sampling
//! what is under way, rather than adding up finished calls, sees a long call while it runs: a
//! naive 1024x1024 matmul takes seconds per call, and the search should not wait for it to end.

use std::time::{Duration, Instant};

use tensorlang_jit::CallCounts;

/// How often the optimizer looks at the calls under way.
pub const SAMPLE_PERIOD: Duration = Duration::from_millis(2);

/// How many samples it takes before anything is called hot (20 ms of the program's run).
pub const MIN_SAMPLES: u64 = 10;

/// The share of the samples a candidate must be under way in to be worth optimizing.
pub const HOT_SHARE: f64 = 0.2;

/// Counts, per candidate, the samples in which one of its calls was under way.
#[derive(Debug, Default)]
pub struct Sampler {
    hits: Vec<u64>,
    samples: u64,
}

impl Sampler {
    /// A sampler for `candidates` functions.
    pub fn new(candidates: usize) -> Self {
        Self {
            hits: vec![0; candidates],
            samples: 0,
        }
    }

    /// Records one sample: `in_flight[i]` is whether candidate `i` had a call under way.
    pub fn record(&mut self, in_flight: impl IntoIterator<Item = bool>) {
        self.samples += 1;
        for (hits, busy) in self.hits.iter_mut().zip(in_flight) {
            *hits += u64::from(busy);
        }
    }

    /// The share of the samples candidate `i` was under way in.
    pub fn share(&self, i: usize) -> f64 {
        if self.samples == 0 {
            return 0.0;
        }
        self.hits.get(i).copied().unwrap_or(0) as f64 / self.samples as f64
    }

    /// Whether candidate `i` is hot: enough samples, and a large enough share of them.
    pub fn is_hot(&self, i: usize) -> bool {
        self.samples >= MIN_SAMPLES && self.share(i) >= HOT_SHARE
    }
}

/// The CPU's cycle counter as the JIT's call sites read it (`llvm.readcyclecounter`), and its
/// rate, measured against the wall clock since the clock was made.
pub struct CycleClock {
    started: Instant,
    first: u64,
}

impl Default for CycleClock {
    fn default() -> Self {
        Self::new()
    }
}

impl CycleClock {
    /// Starts measuring the counter's rate.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            first: cycles(),
        }
    }

    /// Seconds per tick, once at least a millisecond has passed (`None` before, or where the
    /// counter is not read).
    pub fn seconds_per_cycle(&self) -> Option<f64> {
        let elapsed = self.started.elapsed();
        let ticks = cycles().wrapping_sub(self.first);
        (elapsed >= Duration::from_millis(1) && ticks > 0)
            .then(|| elapsed.as_secs_f64() / ticks as f64)
    }

    /// Seconds per call over the calls between `before` and `after` (`None` without calls or a
    /// rate).
    pub fn seconds_per_call(&self, before: CallCounts, after: CallCounts) -> Option<f64> {
        let calls = after.calls.checked_sub(before.calls)?;
        let ticks = after.cycles.checked_sub(before.cycles)?;
        (calls > 0 && ticks > 0)
            .then(|| Some(ticks as f64 * self.seconds_per_cycle()? / calls as f64))
            .flatten()
    }
}

/// The cycle counter (the time-stamp counter on x86; 0 elsewhere, where the JIT only counts).
fn cycles() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: rdtsc has no preconditions on x86-64.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_under_way_in_a_large_share_of_the_samples_is_hot() {
        let mut sampler = Sampler::new(2);
        for i in 0..MIN_SAMPLES - 1 {
            sampler.record([true, i == 0]);
        }
        assert!(!sampler.is_hot(0), "too few samples yet");
        sampler.record([true, false]);
        assert!(sampler.is_hot(0));
        assert!(!sampler.is_hot(1));
        assert!((sampler.share(1) - 0.1).abs() < 1e-9);
        assert!(!sampler.is_hot(7));
    }

    #[test]
    fn the_cycle_counter_gives_time_per_call() {
        let clock = CycleClock::new();
        std::thread::sleep(Duration::from_millis(5));
        let before = CallCounts::default();
        let after = CallCounts {
            calls: 2,
            cycles: 2_000_000,
            in_flight: 0,
        };
        if cfg!(target_arch = "x86_64") {
            let seconds = clock.seconds_per_call(before, after).unwrap();
            // A million ticks is between 0.1 and 10 ms on any clock from 0.1 to 10 GHz.
            assert!(seconds > 1e-4 && seconds < 1e-2, "{seconds}");
        }
        assert_eq!(clock.seconds_per_call(after, after), None);
    }
}
