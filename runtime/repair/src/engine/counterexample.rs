//! What Z3 says of a candidate whose program run passed ([`RepairEngine::prove_candidate`]), and
//! the differential run of a counterexample: a refutation on an input the program passes turns
//! the candidate away; on an input the program itself may never pass, the input is run through
//! the compiled candidate and through the original function, each called from a driver of its
//! own ([`crate::prove::counterexample`]). A candidate that fails a check there while the original
//! passes it broke an input the original handled: it is turned away, and the input goes into
//! what the model is told. One that fails where the original fails too, or passes once compiled
//! (float rounding), is kept, and the remark says which.

use melior::ir::Module;

use super::RepairEngine;
use crate::engine::RepairError;
use crate::module_text::program;
use crate::prove::Verdict as Proof;
use crate::prove::counterexample::{DRIVER, with_driver};
use crate::prove::{BUDGET, prove_in_child};
use crate::verifier::{Verdict, Verifier};

/// What the differential run says of a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Differential {
    /// It fails on the counterexample, and the original does not.
    Regression,
    /// Anything else: the candidate stays (the proof says what the run showed).
    Kept,
}

impl<V: Verifier> RepairEngine<V> {
    /// Proves `function` in `program` (the whole program with a candidate for it in place, whose
    /// run passed) when the engine proves: `Ok(proof)` (none when it does not), or `Err` with
    /// the refutation that turns the candidate away.
    ///
    /// # Errors
    /// [`RepairError::Verifier`] when the verifier cannot run the counterexample.
    pub(super) fn prove_candidate(
        &mut self,
        module: &Module,
        function: &str,
        program: &str,
    ) -> Result<Result<Option<Proof>, Proof>, RepairError> {
        if !self.options.prove {
            return Ok(Ok(None));
        }
        let mut proof = prove_in_child(program, function, BUDGET);
        if matches!(
            proof,
            Proof::Refuted {
                in_program: true,
                ..
            }
        ) || self.run_counterexample(module, program, &mut proof)? == Differential::Regression
        {
            return Ok(Err(proof));
        }
        Ok(Ok(Some(proof)))
    }

    /// Runs the counterexample of `proof` (a refutation with a driver) on `candidate` (the
    /// whole program with the candidate in place) and on `module` (the original), and notes
    /// what it showed in the proof.
    ///
    /// # Errors
    /// [`RepairError::Verifier`] when the verifier cannot run.
    pub(super) fn run_counterexample(
        &mut self,
        module: &Module,
        candidate: &str,
        proof: &mut Proof,
    ) -> Result<Differential, RepairError> {
        let Proof::Refuted {
            driver: Some(driver),
            run,
            ..
        } = proof
        else {
            return Ok(Differential::Kept);
        };
        let Some(ran) = self
            .verifier
            .run_driver(&with_driver(candidate, driver), DRIVER)
        else {
            return Ok(Differential::Kept);
        };
        let why = match ran? {
            Verdict::Passed(_) => {
                *run = Some("run on that input, the compiled function passes every check".into());
                return Ok(Differential::Kept);
            }
            Verdict::Rejected(why) => why,
        };
        let original = self
            .verifier
            .run_driver(&with_driver(&program(module), driver), DRIVER)
            .transpose()?;
        Ok(match original {
            Some(Verdict::Passed(_)) => {
                *run = Some(format!(
                    "run on that input, it {why}, where the original passes"
                ));
                Differential::Regression
            }
            _ => {
                *run = Some(format!("run on that input, it {why}, as the original does"));
                Differential::Kept
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineOptions;
    use crate::verifier::{Trial, VerifierError};

    /// Answers the driver runs in order (the candidate's first, then the original's).
    struct DriverRuns(Vec<Verdict>, Vec<String>);

    impl Verifier for DriverRuns {
        fn run(&mut self, _: &Trial) -> Result<Verdict, VerifierError> {
            Ok(Verdict::Passed("ran".into()))
        }

        fn run_driver(
            &mut self,
            program: &str,
            entry: &str,
        ) -> Option<Result<Verdict, VerifierError>> {
            assert_eq!(entry, DRIVER);
            self.1.push(program.to_owned());
            Some(Ok(self.0.remove(0)))
        }
    }

    fn refuted() -> Proof {
        Proof::Refuted {
            counterexample: vec![("arg0".into(), "0".into())],
            check: "division by zero".into(),
            in_program: false,
            driver: Some(format!("func.func @{DRIVER}() {{\n  return\n}}\n")),
            run: None,
        }
    }

    fn differential(runs: Vec<Verdict>) -> (Differential, Proof, Vec<String>) {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(
            &context,
            "func.func @f(%n: i32) -> i32 {\n  return %n : i32\n}\n",
            "f.mlir",
        )
        .unwrap();
        let mut engine = RepairEngine::new(
            DriverRuns(runs, Vec::new()),
            None,
            None,
            EngineOptions::default(),
        );
        let mut proof = refuted();
        let found = engine
            .run_counterexample(&module, "func.func @f(%n: i32) -> i32 {}\n", &mut proof)
            .unwrap();
        let programs = std::mem::take(&mut engine.verifier().1);
        (found, proof, programs)
    }

    fn run_of(proof: &Proof) -> &str {
        match proof {
            Proof::Refuted { run: Some(run), .. } => run,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_candidate_failing_where_the_original_passes_is_a_regression() {
        let (found, proof, programs) = differential(vec![
            Verdict::Rejected("still fails: f.mlir:2:3: [div-by-zero] division by zero".into()),
            Verdict::Passed("ran".into()),
        ]);
        assert_eq!(found, Differential::Regression);
        assert_eq!(
            run_of(&proof),
            "run on that input, it still fails: f.mlir:2:3: [div-by-zero] division by zero, where the original passes"
        );
        // The candidate's program, then the original's, each with the driver appended.
        assert!(programs[0].starts_with("func.func @f(%n: i32) -> i32 {}\n"));
        assert!(
            programs[1].contains("return %arg0 : i32"),
            "{}",
            programs[1]
        );
        assert!(
            programs
                .iter()
                .all(|p| p.ends_with(&format!("func.func @{DRIVER}() {{\n  return\n}}\n")))
        );
        assert!(
            proof.to_string().ends_with(", where the original passes"),
            "{proof}"
        );
    }

    #[test]
    fn a_candidate_failing_as_the_original_does_is_kept() {
        let (found, proof, _) = differential(vec![
            Verdict::Rejected("still fails: overflow".into()),
            Verdict::Rejected("still fails: overflow".into()),
        ]);
        assert_eq!(found, Differential::Kept);
        assert_eq!(
            run_of(&proof),
            "run on that input, it still fails: overflow, as the original does"
        );
    }

    #[test]
    fn a_counterexample_the_compiled_candidate_passes_is_reported() {
        let (found, proof, programs) = differential(vec![Verdict::Passed("ran".into())]);
        assert_eq!(found, Differential::Kept);
        assert_eq!(programs.len(), 1, "the original need not run");
        assert_eq!(
            run_of(&proof),
            "run on that input, the compiled function passes every check"
        );
    }
}
