//! Progress bars for what a user waits on: loading a model and generating an answer.
//!
//! They draw on stderr only when it is a terminal, so logs, tests and pipes stay clean.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar from 0 to 100% for loading the model file `name`.
pub fn loading(name: &str, enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(100);
    bar.set_style(
        ProgressStyle::with_template("loading {msg} [{bar:30}] {percent:>3}%")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(name.to_owned());
    bar
}

/// A counter of generated tokens with their rate.
pub fn generating(enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} generating: {pos} tokens ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}
