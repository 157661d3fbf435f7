//! When retired code may be freed: after every guarded call that could still be inside it has
//! returned.
//!
//! A swap retires the old version at the current generation and starts a new one. A call that
//! enters after the swap loads the new target from the slot, so only calls that entered at or
//! before the retiring generation can be in the old code; once none is left, it is removed.

use super::orc::ResourceTracker;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
struct State {
    generation: u64,
    active: BTreeMap<u64, usize>,
    retired: Vec<(u64, ResourceTracker)>,
}

/// Generations of guarded calls and the code they may still be running.
#[derive(Default)]
pub(crate) struct Quiescence {
    state: Mutex<State>,
}

impl Quiescence {
    /// Records a call entering JIT code; pass the result to [`Quiescence::exit`].
    pub(crate) fn enter(&self) -> u64 {
        let mut state = self.state.lock().expect("quiescence lock");
        let generation = state.generation;
        *state.active.entry(generation).or_default() += 1;
        generation
    }

    /// Records a call leaving JIT code (returned or trapped); frees what no call can reach.
    pub(crate) fn exit(&self, generation: u64) {
        let mut state = self.state.lock().expect("quiescence lock");
        if let Some(count) = state.active.get_mut(&generation) {
            *count -= 1;
            if *count == 0 {
                state.active.remove(&generation);
            }
        }
        Self::reclaim(&mut state);
    }

    /// Hands over code that the slots no longer point to.
    pub(crate) fn retire(&self, code: ResourceTracker) {
        let mut state = self.state.lock().expect("quiescence lock");
        let generation = state.generation;
        state.retired.push((generation, code));
        state.generation += 1;
        Self::reclaim(&mut state);
    }

    /// How many retired versions still wait for callers to leave.
    pub(crate) fn pending(&self) -> usize {
        self.state.lock().expect("quiescence lock").retired.len()
    }

    fn reclaim(state: &mut State) {
        let oldest_active = state.active.keys().next().copied().unwrap_or(u64::MAX);
        let (free, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut state.retired)
            .into_iter()
            .partition(|(generation, _)| *generation < oldest_active);
        state.retired = keep;
        for (_, code) in free {
            if let Err(error) = code.remove() {
                tracing::warn!("{error}");
            }
        }
    }
}
