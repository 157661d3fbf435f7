//! `tensorlang-model`: asks the configured model runner one question and prints the answer and
//! its speed. For trying a model, a grammar or an endpoint before the repair engine uses them.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use tensorlang_model::{
    AnswerFormat, ChatMessage, ModelArgs, ModelRunner, Prompt, Request, SamplingSettings,
    SessionRecorder,
};

/// Ask a model runner (llama.cpp, an OpenAI-compatible endpoint or a script) and print its answer.
#[derive(Debug, Parser)]
#[command(name = "tensorlang-model", version)]
struct Cli {
    /// The prompt; read from stdin when absent or `-`
    prompt: Option<String>,
    /// Read the prompt from a file
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    prompt_file: Option<PathBuf>,
    /// Send the prompt as a chat message after this system message (the model's chat template
    /// applies; models without one get a plain transcript)
    #[arg(long, value_name = "TEXT")]
    system: Option<String>,
    /// Constrain the answer with a GBNF grammar (start rule `root`)
    #[arg(long, value_name = "FILE.gbnf", conflicts_with = "json_schema")]
    grammar: Option<PathBuf>,
    /// Constrain the answer to JSON matching this schema
    #[arg(long, value_name = "FILE.json")]
    json_schema: Option<PathBuf>,
    /// The most tokens to generate
    #[arg(short = 'n', long, default_value_t = 256)]
    max_tokens: u32,
    /// Sampling temperature; 0 is greedy
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    /// Sample among the k most likely tokens (0: all)
    #[arg(long, default_value_t = 40)]
    top_k: u32,
    /// Sample among the most likely tokens up to this probability mass
    #[arg(long, default_value_t = 0.95)]
    top_p: f32,
    /// Seed for sampling: the same seed, prompt, model and threads give the same answer
    #[arg(long, default_value_t = 42)]
    seed: u32,
    /// Stop before this string (repeatable)
    #[arg(long, value_name = "TEXT")]
    stop: Vec<String>,
    /// Ask the same question this many times (the repeats reuse the prompt's cached state)
    #[arg(long, default_value_t = 1, value_name = "N")]
    repeat: u32,
    /// Append every exchange to this script, to replay with `--model-script`
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Print each completion as JSON (text, finish reason, token counts, timings)
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    model: ModelArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TENSORLANG_LOG")
                // llama.cpp warns about model quirks it works around; users need only its errors.
                .unwrap_or_else(|_| "warn,llama-cpp-2=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tensorlang-model: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let request = request(&cli)?;
    let runner = cli.model.open(true)?;
    let mut runner: Box<dyn ModelRunner> = match &cli.record {
        Some(path) => Box::new(SessionRecorder::new(runner, path)?),
        None => runner,
    };
    eprintln!("model: {}", runner.describe());
    for _ in 0..cli.repeat.max(1) {
        let completion = runner.generate(&request)?;
        if cli.json {
            println!("{}", serde_json::to_string(&completion)?);
        } else {
            println!("{}", completion.text);
        }
        eprintln!(
            "{} (stopped: {:?})",
            completion.usage.summary(),
            completion.finish_reason
        );
    }
    Ok(())
}

fn request(cli: &Cli) -> Result<Request> {
    let text = match (&cli.prompt_file, cli.prompt.as_deref()) {
        (Some(path), _) => std::fs::read_to_string(path)
            .with_context(|| format!("reading the prompt from {}", path.display()))?,
        (None, Some(text)) if text != "-" => text.to_owned(),
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the prompt from stdin")?;
            text
        }
    };
    let prompt = match &cli.system {
        Some(system) => Prompt::Chat(vec![
            ChatMessage::new("system", system.clone()),
            ChatMessage::new("user", text),
        ]),
        None => Prompt::Completion(text),
    };
    let format = if let Some(path) = &cli.grammar {
        AnswerFormat::Grammar(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the grammar {}", path.display()))?,
        )
    } else if let Some(path) = &cli.json_schema {
        let schema = std::fs::read_to_string(path)
            .with_context(|| format!("reading the JSON schema {}", path.display()))?;
        AnswerFormat::JsonSchema(
            serde_json::from_str(&schema)
                .with_context(|| format!("{} is not JSON", path.display()))?,
        )
    } else {
        AnswerFormat::Free
    };
    Ok(Request {
        prompt,
        format,
        sampling: SamplingSettings {
            temperature: cli.temperature,
            top_k: cli.top_k,
            top_p: cli.top_p,
            seed: cli.seed,
        },
        max_tokens: cli.max_tokens,
        stop: cli.stop.clone(),
        ignore_end: false,
    })
}
