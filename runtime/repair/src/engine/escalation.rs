//! The model as the engine's escalation: replacement functions it writes once the cheap sources
//! found nothing, and (with [`super::EngineOptions::model_first`]) its choice of which symbolic
//! candidate goes first.

use crate::RepairSource;
use melior::Context;
use melior::ir::Module;

use super::super::model_source::PromptContext;
use super::super::module_text::{find_function, print};
use super::super::verifier::Verifier;
use super::{Proposal, Repair, RepairEngine, RepairError, RepairRequest, Search, Target};

impl<V: Verifier> RepairEngine<V> {
    /// Asks the model to write replacement functions for one suspect.
    pub(super) fn ask_model(
        &mut self,
        context: &Context,
        module: &Module,
        request: &RepairRequest,
        target: &Target,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        let caller = caller_text(module, request);
        let diagnostic = request.failure.to_string();
        let prompt = prompt(target, &diagnostic, &caller);
        if self.options.sources.model {
            for _ in 0..self.options.model_rounds {
                let findings = &search.findings;
                let asking = std::time::Instant::now();
                let answer = self
                    .model()
                    .and_then(|model| model.write(&prompt, findings));
                search.phases.add(super::Phase::Propose, asking.elapsed());
                let Some(function) = answer else {
                    break;
                };
                let proposal = Proposal {
                    authentic: false,
                    source: RepairSource::Model,
                    strategy: "model-rewrite".into(),
                    change: format!("the function @{} as the model wrote it", target.name),
                    function,
                    op: "func.func".into(),
                };
                if let Some(repair) = self.verify(context, module, target, proposal, search)? {
                    return Ok(Some(repair));
                }
            }
        }
        Ok(None)
    }

    /// Moves the candidate the model picks among the first few to the front.
    pub(super) fn let_model_choose(
        &mut self,
        module: &Module,
        request: &RepairRequest,
        target: &Target,
        proposals: &mut Vec<Proposal>,
    ) {
        const CHOICES: usize = 12;
        let caller = caller_text(module, request);
        let diagnostic = request.failure.to_string();
        let prompt = &prompt(target, &diagnostic, &caller);
        let Some(model) = self.model() else {
            return;
        };
        let changes: Vec<String> = proposals
            .iter()
            .take(CHOICES)
            .map(|proposal| proposal.change.clone())
            .collect();
        if let Some(choice) = model.choose(prompt, &changes) {
            let mut chosen = proposals.remove(choice);
            chosen.source = RepairSource::Model;
            chosen.strategy = format!("model-choice:{}", chosen.strategy);
            proposals.insert(0, chosen);
        }
    }
}

/// The entry function's text, which the model sees as the caller.
fn caller_text(module: &Module, request: &RepairRequest) -> String {
    find_function(module, request.entry)
        .map(|op| print(&op, true))
        .unwrap_or_default()
}

fn prompt<'p>(target: &'p Target, diagnostic: &'p str, caller: &'p str) -> PromptContext<'p> {
    PromptContext {
        function: target.name,
        text: &target.facts.text,
        diagnostic,
        caller,
    }
}
