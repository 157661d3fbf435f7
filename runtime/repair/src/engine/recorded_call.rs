//! The recorded failing call (see [`crate::recorded`]), run on every candidate for the function
//! it called, after the candidate's program run passed: a candidate must pass that very call.

use melior::Context;
use melior::ir::Module;

use super::{RepairEngine, RepairError, RepairRequest};
use crate::module_text::program;
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

impl RecordedCall {
    /// The call `request`'s failure recorded, when it has one and its driver parses and
    /// verifies beside `module` (a report of another version of the program, whose function
    /// takes other arguments now, has none: it would turn every candidate away).
    pub(super) fn of(context: &Context, module: &Module, request: &RepairRequest) -> Option<Self> {
        let driver = crate::recorded::driver(module, request.failure)?;
        let whole = format!("{}{driver}", program(module));
        if let Err(error) = tensorlang::parse_module(context, &whole, request.file) {
            tracing::warn!("the recorded failing call is not used: {error}");
            return None;
        }
        Some(Self {
            function: request.failure.function.clone(),
            driver,
        })
    }
}

impl<V: Verifier> RepairEngine<V> {
    /// `verdict`, the program run of `program` (the whole program with a candidate for
    /// `function` in place), with `recorded` run too when it is a call of `function` and the
    /// program run passed: rejected when that call fails.
    ///
    /// # Errors
    /// [`RepairError::Verifier`] when the verifier cannot run.
    pub(super) fn with_recorded_call(
        &mut self,
        verdict: Verdict,
        recorded: Option<&RecordedCall>,
        function: &str,
        program: &str,
    ) -> Result<Verdict, RepairError> {
        let (Verdict::Passed(how), Some(recorded)) =
            (&verdict, recorded.filter(|r| r.function == function))
        else {
            return Ok(verdict);
        };
        let Some(ran) = self
            .verifier
            .run_driver(&format!("{program}{}", recorded.driver), DRIVER)
        else {
            return Ok(verdict);
        };
        Ok(match ran? {
            Verdict::Passed(_) => {
                Verdict::Passed(format!("{how}, and so did the recorded failing call"))
            }
            Verdict::Rejected(why) => Verdict::Rejected(format!(
                "passes the program's run, but the recorded failing call of @{function} {why}"
            )),
        })
    }
}
