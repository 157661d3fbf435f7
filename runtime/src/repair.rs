//! The repair engine's parts built so far: the [`StrategyCache`] of verified repairs, and the
//! static half of the verifier ([`Admission`]), which every candidate passes before it runs, and
//! the [`Sandbox`] candidates then run in.

pub mod admission;
pub mod cache;
pub mod sandbox;

pub use admission::{Admission, Rejection};
pub use cache::{CacheError, CacheKey, CachedRepair, StrategyCache, TrainingExample};
pub use sandbox::{Outcome, Sandbox, SandboxError};
