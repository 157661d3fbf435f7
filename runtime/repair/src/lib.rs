//! The repair engine ([`RepairEngine`]) and its parts: the [`StrategyCache`] of verified
//! repairs (from `tensorlang-store`, re-exported here with [`RepairSource`] as [`cache`] and
//! [`source`]), the symbolic [`strategies`] and the order they are tried in ([`ranking`]), the
//! suspects a failure points at ([`localize`]), the model ([`ModelSource`]), the static half of
//! the verifier ([`Admission`]) every candidate passes before it runs, what its compiled code may
//! touch ([`containment`]), the [`Sandbox`] it then
//! runs in (offline), the failing call a report recorded ([`recorded`]), work on untrusted code in a child process ([`isolated`]), and the
//! `--neuro-repair` pass ([`pass`]).

pub mod admission;
pub mod containment;
pub mod driver;
pub mod engine;
pub mod isolated;
pub mod journal;
pub mod localize;
pub mod model_source;
pub mod module_text;
pub mod pass;
pub mod prove;
pub mod prove_checks;
pub mod ranking;
pub mod recorded;
pub mod sandbox;
pub mod static_failures;
pub mod strategies;
pub mod verifier;

pub use admission::{Admission, Rejection};
pub use engine::{EngineOptions, Repair, RepairEngine, RepairError, RepairRequest, Sources};
pub use model_source::ModelSource;
pub use sandbox::{Outcome, Sandbox, SandboxError};
pub use strategies::{Candidate, FailureHint};
pub use tensorlang_store::{
    CacheError, CacheKey, CachedRepair, RepairSource, StrategyCache, TrainingExample, cache, source,
};
pub use verifier::{Trial, Verdict, Verifier};
