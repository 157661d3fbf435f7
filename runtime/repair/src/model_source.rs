//! The model as a source of candidates: it chooses among the symbolic candidates (a
//! grammar-constrained number, which even the embedded 270M model can give), and writes whole
//! replacement functions (for capable models), with the verifier's findings fed back.
//!
//! Model errors are not repair errors: they are logged and the engine goes on with its other
//! sources.
//!
//! With a journal ([`ModelSource::journal_answers_to`]), every answer is appended (and flushed)
//! as a line the scripted runner reads (`{"answer": ..., "prompt": ...}`), so that the session can
//! be replayed exactly with `model-script=` that file.

use std::io::Write as _;
use std::path::Path;

use tensorlang_model::{ModelRunner, Prompt, Request, ScriptedAnswer};

/// What every prompt shows the model.
#[derive(Debug, Clone)]
pub struct PromptContext<'a> {
    /// The suspect function's name.
    pub function: &'a str,
    /// Its text, with locations.
    pub text: &'a str,
    /// The failure, as `file:line:col: error: ...` and its note.
    pub diagnostic: &'a str,
    /// The entry point's text: its asserts are the specification.
    pub caller: &'a str,
}

impl PromptContext<'_> {
    fn header(&self) -> String {
        format!(
            "You repair MLIR functions. A run-time check failed:\n{}\n\n\
             The function to repair, @{}:\n```mlir\n{}\n```\n\n\
             The program's entry point; its asserts are the specification and must hold:\n\
             ```mlir\n{}\n```\n\n",
            self.diagnostic.trim(),
            self.function,
            self.text.trim(),
            self.caller.trim()
        )
    }
}

/// A model runner used for repairs.
pub struct ModelSource {
    runner: Box<dyn ModelRunner>,
    /// Where answers are journaled.
    answers: Option<std::fs::File>,
    /// Whether a short diagnosis comes before the first write for a function.
    diagnose: bool,
    /// The diagnosis of each function asked about.
    diagnoses: std::collections::HashMap<String, String>,
}

impl ModelSource {
    /// Repairs with `runner`.
    pub fn new(runner: Box<dyn ModelRunner>) -> Self {
        Self {
            runner,
            answers: None,
            diagnose: false,
            diagnoses: std::collections::HashMap::new(),
        }
    }

    /// Diagnose, then write: before the first replacement of a function, a short query asks
    /// which op is wrong and why, and every write prompt for it builds on that answer. For
    /// capable models; off by default (the embedded model's diagnoses are mostly noise that the
    /// write prompt then carries).
    pub fn with_diagnosis(mut self, diagnose: bool) -> Self {
        self.diagnose = diagnose;
        self
    }

    /// Appends every answer from now on to `path` (JSON Lines, as the scripted runner reads
    /// them), each flushed to disk before it is used.
    ///
    /// # Errors
    /// The file cannot be opened for appending.
    pub fn journal_answers_to(&mut self, path: &Path) -> std::io::Result<()> {
        self.answers = Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        );
        Ok(())
    }

    /// What answers.
    pub fn describe(&self) -> String {
        self.runner.describe()
    }

    /// Asks which of `changes` fixes the failure: an index into `changes`.
    pub fn choose(&mut self, context: &PromptContext, changes: &[String]) -> Option<usize> {
        if changes.len() < 2 {
            return None;
        }
        let mut prompt = context.header();
        prompt.push_str("Possible changes:\n");
        for (number, change) in changes.iter().enumerate() {
            prompt.push_str(&format!("{}. {change}\n", number + 1));
        }
        prompt.push_str("\nThe number of the change that fixes the failure, as JSON:\n");
        let numbers: Vec<String> = (1..=changes.len())
            .rev()
            .map(|number| format!("\"{number}\""))
            .collect();
        let grammar = format!(
            "root ::= \"{{\\\"choice\\\": \" number \"}}\"\nnumber ::= {}\n",
            numbers.join(" | ")
        );
        let mut request = Request::new(Prompt::Completion(prompt)).with_grammar(grammar);
        request.max_tokens = 16;
        let answer = self.ask(&request)?;
        let value: serde_json::Value = serde_json::from_str(answer.trim()).ok()?;
        let choice = value["choice"].as_u64()? as usize;
        (1..=changes.len()).contains(&choice).then(|| choice - 1)
    }

    /// Asks for a whole replacement of the function; `feedback` says why earlier answers were
    /// rejected.
    pub fn write(&mut self, context: &PromptContext, feedback: &[String]) -> Option<String> {
        let mut prompt = context.header();
        if let Some(diagnosis) = self.diagnosis(context) {
            prompt.push_str(&format!("A first look at the bug: {diagnosis}\n"));
        }
        for finding in feedback {
            prompt.push_str(&format!("A previous answer was rejected: {finding}\n"));
        }
        prompt.push_str(&format!(
            "Write the corrected @{} with the same signature, keeping every assert. Answer with \
             the function only.\n```mlir\n",
            context.function
        ));
        let mut request = Request::new(Prompt::Completion(prompt));
        request.max_tokens = 512;
        request.stop = vec!["```".into()];
        self.ask(&request).map(|answer| extract_function(&answer))
    }

    /// The diagnosis of `context`'s function (asked once), when diagnosing is on.
    fn diagnosis(&mut self, context: &PromptContext) -> Option<String> {
        if !self.diagnose {
            return None;
        }
        if let Some(known) = self.diagnoses.get(context.function) {
            return Some(known.clone());
        }
        let mut prompt = context.header();
        prompt.push_str(&format!(
            "Before any fix: in one or two sentences, which op of @{} is wrong, and why?\nAnswer: ",
            context.function
        ));
        let mut request = Request::new(Prompt::Completion(prompt));
        request.max_tokens = 96;
        request.stop = vec!["\n\n".into(), "```".into()];
        let diagnosis = self.ask(&request)?.trim().to_owned();
        self.diagnoses
            .insert(context.function.to_owned(), diagnosis.clone());
        (!diagnosis.is_empty()).then_some(diagnosis)
    }

    fn ask(&mut self, request: &Request) -> Option<String> {
        match self.runner.generate(request) {
            Ok(completion) => {
                self.journal_answer(request, &completion.text);
                Some(completion.text)
            }
            Err(error) => {
                tracing::warn!("the model gave no answer: {error}");
                None
            }
        }
    }
}

impl ModelSource {
    fn journal_answer(&mut self, request: &Request, answer: &str) {
        let Some(file) = self.answers.as_mut() else {
            return;
        };
        let prompt = match &request.prompt {
            Prompt::Completion(text) => Some(text.clone()),
            Prompt::Chat(messages) => serde_json::to_string(messages).ok(),
        };
        let record = ScriptedAnswer {
            answer: answer.to_owned(),
            expect: None,
            prompt,
        };
        let written = serde_json::to_string(&record)
            .map_err(std::io::Error::other)
            .and_then(|line| file.write_all(format!("{line}\n").as_bytes()))
            .and_then(|()| file.sync_data());
        if let Err(error) = written {
            tracing::warn!("cannot journal the model's answer: {error}");
        }
    }
}

/// The function in an answer: fences and prose around it dropped.
fn extract_function(answer: &str) -> String {
    let text = answer.trim();
    let text = text
        .strip_prefix("```mlir")
        .or_else(|| text.strip_prefix("```"))
        .unwrap_or(text);
    let text = text.split("```").next().unwrap_or(text);
    match text.find("func.func") {
        Some(start) => text[start..].trim().to_owned(),
        None => text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlang_model::{ScriptedAnswer, ScriptedRunner};

    fn context() -> PromptContext<'static> {
        PromptContext {
            function: "f",
            text: "func.func @f() {\n  return\n}",
            diagnostic: "f.mlir:2:3: error: division by zero",
            caller: "func.func @main() {\n  return\n}",
        }
    }

    #[test]
    fn a_choice_is_a_number_in_range() {
        let runner = ScriptedRunner::from_answers(vec![
            ScriptedAnswer {
                expect: Some("2. clamp".into()),
                ..ScriptedAnswer::new("{\"choice\": 2}")
            },
            ScriptedAnswer::new("{\"choice\": 9}"),
        ]);
        let mut source = ModelSource::new(Box::new(runner));
        let changes = ["swap".to_string(), "clamp".to_string()];
        assert_eq!(source.choose(&context(), &changes), Some(1));
        assert_eq!(source.choose(&context(), &changes), None);
        // Out of answers: no choice, no error.
        assert_eq!(source.choose(&context(), &changes), None);
    }

    #[test]
    fn written_functions_are_taken_out_of_their_fences() {
        assert_eq!(
            extract_function("Here it is:\nfunc.func @f() {\n  return\n}\n```\nDone."),
            "func.func @f() {\n  return\n}"
        );
        assert_eq!(
            extract_function("```mlir\nfunc.func @f()\n```"),
            "func.func @f()"
        );
        let runner = ScriptedRunner::from_answers(vec![ScriptedAnswer {
            expect: Some("A previous answer was rejected: changes the signature".into()),
            ..ScriptedAnswer::new("func.func @f() {\n  return\n}")
        }]);
        let mut source = ModelSource::new(Box::new(runner));
        let feedback = ["changes the signature from () -> () to (i32) -> ()".to_string()];
        assert_eq!(
            source.write(&context(), &feedback).as_deref(),
            Some("func.func @f() {\n  return\n}")
        );
    }
}
