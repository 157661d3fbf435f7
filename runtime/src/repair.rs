//! The repair engine's parts built so far: the [`StrategyCache`] of verified repairs, and the
//! static half of the verifier ([`Admission`]), which every candidate passes before it runs, and
//! the [`Sandbox`] candidates then run in, and the symbolic [`strategies`] that propose them.

pub mod admission;
pub mod cache;
pub mod engine;
pub mod isolated;
pub mod localize;
pub mod model_source;
pub mod module_text;
pub mod pass;
pub mod sandbox;
pub mod static_failures;
pub mod strategies;
pub mod verifier;

pub use admission::{Admission, Rejection};
pub use cache::{CacheError, CacheKey, CachedRepair, StrategyCache, TrainingExample};
pub use engine::{EngineOptions, Repair, RepairEngine, RepairError, RepairRequest, Sources};
pub use model_source::ModelSource;
pub use sandbox::{Outcome, Sandbox, SandboxError};
pub use strategies::{Candidate, FailureHint};
pub use verifier::{Trial, Verdict, Verifier};
