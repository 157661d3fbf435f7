//! The recorded failing call (see [`crate::recorded`]), run on every candidate for the function
//! it called, after the candidate's program run passed: a candidate must pass that very call.

use super::{RepairEngine, RepairError};
use crate::recorded::DRIVER;
use crate::verifier::{Verdict, Verifier};

/// The recorded failing call of a search: the function it calls and its driver.
#[derive(Debug, Clone)]
pub(super) struct RecordedCall {
    /// The function the call failed in.
    pub function: String,
    /// The driver and the globals it reads ([`crate::recorded::driver`]).
    pub driver: String,
}

impl<V: Verifier> RepairEngine<V> {
    /// Runs `recorded` on `program` (the whole program with a candidate for `function` in
    /// place): `Ok(None)` when it passes, or is not this function's; why it fails otherwise.
    ///
    /// # Errors
    /// [`RepairError::Verifier`] when the verifier cannot run.
    pub(super) fn run_recorded(
        &mut self,
        recorded: Option<&RecordedCall>,
        function: &str,
        program: &str,
    ) -> Result<Option<String>, RepairError> {
        let Some(recorded) = recorded.filter(|r| r.function == function) else {
            return Ok(None);
        };
        let Some(ran) = self
            .verifier
            .run_driver(&format!("{program}{}", recorded.driver), DRIVER)
        else {
            return Ok(None);
        };
        Ok(match ran? {
            Verdict::Passed(_) => None,
            Verdict::Rejected(why) => Some(format!(
                "passes the program's run, but the recorded failing call of @{function} {why}"
            )),
        })
    }
}
