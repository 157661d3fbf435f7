//! Verifying proposals: each is admitted ([`super::super::Admission`]), spliced into the
//! program, and run in the engine's [`Verifier`], the next admitted one handed to the verifier
//! while the current one runs ([`Verifier::prepare`]); every verdict is journaled.

use std::time::Instant;

use melior::Context;
use melior::ir::Module;

use super::super::admission::Origin;
use super::super::journal::{JournalRecord, candidate_key};
use super::super::module_text::splice;
use super::super::verifier::{Trial, Verdict, Verifier};
use super::phases::Phase;
use super::{Proposal, Repair, RepairEngine, RepairError, Search, Target};

/// A proposal that passed admission, with the whole program it makes.
struct Admitted {
    proposal: Proposal,
    program: String,
    /// The key its verdict is journaled under.
    journal_key: String,
}

impl<V: Verifier> RepairEngine<V> {
    /// Admits, then runs in the sandbox; the repair when the program passes.
    pub(super) fn verify(
        &mut self,
        context: &Context,
        module: &Module,
        target: &Target,
        proposal: Proposal,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        match self.admitted(context, module, target, proposal, search) {
            Some(admitted) => self.run_admitted(module, target, admitted, None, search),
            None => Ok(None),
        }
    }

    /// Verifies `proposals` in order, the next admitted one handed to the verifier as coming
    /// next ([`Verifier::prepare`]) while the current one runs.
    pub(super) fn verify_in_order(
        &mut self,
        context: &Context,
        module: &Module,
        target: &Target,
        proposals: Vec<Proposal>,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        let mut queue = proposals.into_iter();
        let mut next_admitted = |engine: &mut Self, search: &mut Search| {
            queue.find_map(|proposal| engine.admitted(context, module, target, proposal, search))
        };
        let mut next = next_admitted(self, search);
        while let Some(current) = next.take() {
            next = next_admitted(self, search);
            if let Some(repair) =
                self.run_admitted(module, target, current, next.as_ref(), search)?
            {
                return Ok(Some(repair));
            }
        }
        Ok(None)
    }

    /// `proposal` admitted ([`RepairEngine::admit`]) and spliced into the program, or `None`
    /// when it was turned away, journaled as rejected, or the search has tried enough.
    fn admitted(
        &mut self,
        context: &Context,
        module: &Module,
        target: &Target,
        proposal: Proposal,
        search: &mut Search,
    ) -> Option<Admitted> {
        if search.tried >= self.options.max_candidates {
            return None;
        }
        search.phases.count(proposal.source);
        let admitting = Instant::now();
        let journal_key = self.admit(context, target, &proposal, search);
        search.phases.add(Phase::Admit, admitting.elapsed());
        let journal_key = journal_key?;
        let program = splice(module, target.name, &proposal.function);
        Some(Admitted {
            proposal,
            program,
            journal_key,
        })
    }

    /// Runs an admitted candidate (with `next` prepared, see [`Verifier::prepare`]); the repair
    /// when the program passes.
    fn run_admitted(
        &mut self,
        module: &Module,
        target: &Target,
        admitted: Admitted,
        next: Option<&Admitted>,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        if search.tried >= self.options.max_candidates {
            return Ok(None);
        }
        search.tried += 1;
        let Admitted {
            proposal,
            program,
            journal_key,
        } = admitted;
        let trial = trial_of(target, module, &proposal, &program);
        let running = Instant::now();
        if let Some(next) = next {
            let upcoming = trial_of(target, module, &next.proposal, &next.program);
            self.verifier.prepare(&upcoming);
        }
        let verdict = self.verifier.run(&trial)?;
        let verdict =
            self.with_recorded_call(verdict, search.recorded.as_ref(), target.name, &program)?;
        let build = self.verifier.take_build_time();
        search.phases.add_verifier_run(running.elapsed(), build);
        self.journal_verdict(journal_key, target.name, &proposal.change, &verdict);
        let resumed = match search.resumed {
            0 => String::new(),
            n => format!(", and {n} the journaled run had rejected were not run again"),
        };
        match verdict {
            Verdict::Passed(how) => {
                let proving = Instant::now();
                let proof = self.prove_candidate(module, target.name, &program);
                search.phases.add(Phase::Prove, proving.elapsed());
                let proof = match proof? {
                    Ok(proof) => proof,
                    Err(refuted) => {
                        // Its run passed, yet Z3 found an input that breaks a check: one the
                        // program passes, or one the original handled and the candidate does
                        // not. Turned away, and the input goes into what the model is told.
                        search.findings.push(format!(
                            "{} ({}) ran, but is {refuted}",
                            proposal.change, proposal.source
                        ));
                        return Ok(None);
                    }
                };
                Ok(Some(Repair {
                    function: target.name.to_owned(),
                    source: proposal.source,
                    strategy: proposal.strategy,
                    change: proposal.change,
                    verification: format!("{how} ({} candidates tried{resumed})", search.tried),
                    replacement: proposal.function,
                    op: proposal.op,
                    program,
                    tried: search.tried,
                    elapsed: search.started.elapsed(),
                    proof,
                    phases: search.phases,
                }))
            }
            Verdict::Rejected(why) => {
                search
                    .findings
                    .push(format!("{} ({}) {why}", proposal.change, proposal.source));
                Ok(None)
            }
        }
    }

    /// Admits `proposal` ([`super::Admission`]) and looks it up in the journal: the key its
    /// verdict is journaled under when it is to run, `None` when it was turned away (why is in
    /// the findings) or an earlier run's journal rejected it already.
    fn admit(
        &mut self,
        context: &Context,
        target: &Target,
        proposal: &Proposal,
        search: &mut Search,
    ) -> Option<String> {
        // A function the model wrote (now, or when it was cached) is not a small edit.
        let origin = if proposal.strategy.starts_with("model-rewrite") {
            Origin::Written
        } else {
            Origin::Symbolic
        };
        if let Err(rejection) = target
            .facts
            .admission
            .admit(context, &proposal.function, origin)
        {
            search.tried += 1;
            search.findings.push(format!(
                "{} ({}) {rejection}",
                proposal.change, proposal.source
            ));
            return None;
        }
        let journal_key = candidate_key(target.key.as_str(), &proposal.function);
        if let Some(earlier) = self
            .journal
            .as_ref()
            .and_then(|journal| journal.rejection(&journal_key))
        {
            search.findings.push(format!(
                "{} ({}) {} (journaled)",
                proposal.change, proposal.source, earlier.why
            ));
            search.resumed += 1;
            return None;
        }
        Some(journal_key)
    }

    fn journal_verdict(&mut self, key: String, function: &str, change: &str, verdict: &Verdict) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        let (passed, why) = match verdict {
            Verdict::Passed(how) => (true, how.clone()),
            Verdict::Rejected(why) => (false, why.clone()),
        };
        let record = JournalRecord {
            key,
            function: function.to_owned(),
            change: change.to_owned(),
            passed,
            why,
        };
        if let Err(error) = journal.record(record) {
            tracing::warn!("cannot journal to {}: {error}", journal.path().display());
        }
    }
}

/// The trial of `proposal` for `target`, `program` being the whole program with it in place.
fn trial_of<'a>(
    target: &'a Target,
    module: &'a Module<'a>,
    proposal: &'a Proposal,
    program: &'a str,
) -> Trial<'a> {
    Trial {
        function: target.name,
        replacement: &proposal.function,
        program,
        original: module,
        source: proposal.source,
        authentic: proposal.authentic,
    }
}
