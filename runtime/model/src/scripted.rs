//! [`ScriptedRunner`]: answers read from a file, and [`SessionRecorder`], which writes such a file.
//!
//! A script is JSON Lines, one answer per line, given out in order:
//!
//! ```text
//! # comments and blank lines are skipped
//! {"answer": "{\"strategy\": \"clamp-index\"}"}
//! {"expect": "division by zero", "answer": "{\"strategy\": \"guard-division\"}"}
//! ```
//!
//! `expect`, when present, must occur in the prompt: a test then fails at the query that went
//! astray instead of later. A recorded session (from [`SessionRecorder`]) is a valid script: its
//! `prompt` field is kept for reading and otherwise ignored.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::runner::{Completion, FinishReason, ModelRunner, Request, Usage};

/// One line of a script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptedAnswer {
    /// The answer given.
    pub answer: String,
    /// Text the prompt must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// The prompt that was asked, in recorded sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

impl ScriptedAnswer {
    /// An answer given whatever the prompt.
    pub fn new(answer: impl Into<String>) -> Self {
        Self {
            answer: answer.into(),
            expect: None,
            prompt: None,
        }
    }
}

/// Gives the answers of a script, in order: deterministic tests, and replays of a session.
#[derive(Debug)]
pub struct ScriptedRunner {
    answers: Vec<ScriptedAnswer>,
    next: usize,
    source: PathBuf,
}

impl ScriptedRunner {
    /// Reads the script at `path`.
    ///
    /// # Errors
    /// [`ModelError::Io`] when it cannot be read, [`ModelError::Script`] naming the first line
    /// that is not a valid answer.
    pub fn from_file(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut answers = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let answer = serde_json::from_str(line).map_err(|error| ModelError::Script {
                path: path.to_owned(),
                message: format!("line {}: {error}", number + 1),
            })?;
            answers.push(answer);
        }
        Ok(Self {
            answers,
            next: 0,
            source: path.to_owned(),
        })
    }

    /// A runner giving `answers`, for tests that build them in code.
    pub fn from_answers(answers: Vec<ScriptedAnswer>) -> Self {
        Self {
            answers,
            next: 0,
            source: PathBuf::from("<in memory>"),
        }
    }

    /// Answers not given yet.
    pub fn remaining(&self) -> usize {
        self.answers.len() - self.next
    }

    fn error(&self, message: String) -> ModelError {
        ModelError::Script {
            path: self.source.clone(),
            message,
        }
    }
}

impl ModelRunner for ScriptedRunner {
    fn describe(&self) -> String {
        format!("script {}", self.source.display())
    }

    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError> {
        let number = self.next + 1;
        let Some(scripted) = self.answers.get(self.next) else {
            return Err(self.error(format!(
                "asked query {number}, but the script has {} answers",
                self.answers.len()
            )));
        };
        let prompt = request.prompt.text();
        if let Some(expected) = &scripted.expect
            && !prompt.contains(expected.as_str())
        {
            return Err(self.error(format!(
                "answer {number} expects a prompt containing {expected:?}; the prompt was {:?}",
                excerpt(&prompt)
            )));
        }
        let text = scripted.answer.clone();
        self.next += 1;
        Ok(Completion {
            usage: Usage {
                // Scripts have no tokenizer: whitespace-separated words stand in for tokens.
                prompt_tokens: prompt.split_whitespace().count(),
                generated_tokens: text.split_whitespace().count(),
                ..Usage::default()
            },
            text,
            finish_reason: FinishReason::End,
        })
    }
}

fn excerpt(text: &str) -> String {
    const LIMIT: usize = 200;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// Passes queries to another runner and appends each exchange to a script file, so that the
/// session can be replayed with [`ScriptedRunner`].
pub struct SessionRecorder<R> {
    inner: R,
    file: File,
    path: PathBuf,
}

impl<R: ModelRunner> SessionRecorder<R> {
    /// Records `inner`'s answers at the end of `path` (created if missing).
    ///
    /// # Errors
    /// [`ModelError::Io`] when the file cannot be opened.
    pub fn new(inner: R, path: &Path) -> Result<Self, ModelError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| ModelError::Io {
                path: path.to_owned(),
                source,
            })?;
        Ok(Self {
            inner,
            file,
            path: path.to_owned(),
        })
    }
}

impl<R: ModelRunner> ModelRunner for SessionRecorder<R> {
    fn describe(&self) -> String {
        format!(
            "{} (recorded to {})",
            self.inner.describe(),
            self.path.display()
        )
    }

    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError> {
        let completion = self.inner.generate(request)?;
        let line = ScriptedAnswer {
            answer: completion.text.clone(),
            expect: None,
            prompt: Some(request.prompt.text()),
        };
        let mut bytes = serde_json::to_vec(&line).map_err(|error| ModelError::Script {
            path: self.path.clone(),
            message: error.to_string(),
        })?;
        bytes.push(b'\n');
        // One write per line: concurrent recorders appending to the same file do not interleave.
        self.file
            .write_all(&bytes)
            .map_err(|source| ModelError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(completion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prompt;

    fn ask(runner: &mut impl ModelRunner, prompt: &str) -> Result<String, ModelError> {
        runner
            .generate(&Request::new(Prompt::Completion(prompt.into())))
            .map(|completion| completion.text)
    }

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tensorlang-script-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn answers_come_in_order_then_run_out() {
        let path = temp_file(
            "order.jsonl",
            "# two answers\n{\"answer\": \"first\"}\n\n{\"answer\": \"second words\"}\n",
        );
        let mut runner = ScriptedRunner::from_file(&path).unwrap();
        assert_eq!(ask(&mut runner, "a").unwrap(), "first");
        let completion = runner
            .generate(&Request::new(Prompt::Completion("b c".into())))
            .unwrap();
        assert_eq!(completion.text, "second words");
        assert_eq!(completion.usage.generated_tokens, 2);
        assert_eq!(completion.usage.prompt_tokens, 2);
        let error = ask(&mut runner, "d").unwrap_err().to_string();
        assert!(
            error.ends_with("asked query 3, but the script has 2 answers"),
            "{error}"
        );
    }

    #[test]
    fn an_unexpected_prompt_is_an_error_and_keeps_the_answer() {
        let mut runner = ScriptedRunner::from_answers(vec![ScriptedAnswer {
            expect: Some("divsi".into()),
            ..ScriptedAnswer::new("guard")
        }]);
        let error = ask(&mut runner, "an index out of bounds").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expects a prompt containing \"divsi\""),
            "{error}"
        );
        assert_eq!(runner.remaining(), 1);
        assert_eq!(ask(&mut runner, "x = arith.divsi %a, %b").unwrap(), "guard");
    }

    #[test]
    fn a_bad_line_is_named() {
        let path = temp_file("bad.jsonl", "{\"answer\": \"ok\"}\nnot json\n");
        let error = ScriptedRunner::from_file(&path).unwrap_err().to_string();
        assert!(error.contains("bad.jsonl: line 2:"), "{error}");
    }

    #[test]
    fn a_recorded_session_replays_as_a_script() {
        let path = temp_file("session.jsonl", "");
        let inner = ScriptedRunner::from_answers(vec![
            ScriptedAnswer::new("one\nline \"quoted\""),
            ScriptedAnswer::new("two"),
        ]);
        let mut recorder = SessionRecorder::new(inner, &path).unwrap();
        ask(&mut recorder, "first prompt").unwrap();
        ask(&mut recorder, "second prompt").unwrap();
        drop(recorder);
        let mut replay = ScriptedRunner::from_file(&path).unwrap();
        assert_eq!(
            ask(&mut replay, "anything").unwrap(),
            "one\nline \"quoted\""
        );
        assert_eq!(ask(&mut replay, "anything").unwrap(), "two");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"prompt\":\"first prompt\"")
        );
    }
}
