use std::time::{Duration, Instant};

use super::fake_server::{FakeServer, Reply};
use super::*;
use crate::SamplingSettings;

fn options(attempts: u32, timeout: Duration) -> OpenAiOptions {
    OpenAiOptions {
        model: Some("test-model".into()),
        api_key: Some("secret".into()),
        timeout,
        retry: RetryPolicy {
            attempts,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
        },
        grammar_field: GrammarField::LlamaCpp,
    }
}

fn ask(runner: &mut OpenAiRunner) -> Result<Completion, ModelError> {
    runner.generate(&Request::new(Prompt::Completion("fix it".into())))
}

#[test]
fn transient_errors_are_retried_with_backoff() {
    let server = FakeServer::start(vec![
        Reply::error(503),
        Reply::error(502),
        Reply::completion("clamp-index"),
    ]);
    let mut runner = OpenAiRunner::new(&server.url, options(4, Duration::from_secs(5)));
    let started = Instant::now();
    let completion = ask(&mut runner).unwrap();
    assert_eq!(completion.text, "clamp-index");
    assert_eq!(completion.usage.generated_tokens, 3);
    // Backoff of 20 ms, then 40 ms.
    assert!(started.elapsed() >= Duration::from_millis(60));
    let seen = server.finish();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|request| request.request_line == "POST /v1/chat/completions HTTP/1.1")
    );
    assert!(
        seen[0]
            .headers
            .contains(&"authorization: bearer secret".to_string())
    );
}

#[test]
fn a_timeout_is_retried_and_then_answered() {
    let server = FakeServer::start(vec![
        Reply::Stall(Duration::from_millis(1500)),
        Reply::completion("guard-division"),
    ]);
    let mut runner = OpenAiRunner::new(&server.url, options(3, Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(ask(&mut runner).unwrap().text, "guard-division");
    assert!(started.elapsed() < Duration::from_millis(1400));
    assert_eq!(server.finish().len(), 2);
}

#[test]
fn every_attempt_timing_out_is_a_timeout_error() {
    let server = FakeServer::start(vec![
        Reply::Stall(Duration::from_millis(800)),
        Reply::Stall(Duration::from_millis(800)),
    ]);
    let mut runner = OpenAiRunner::new(&server.url, options(2, Duration::from_millis(200)));
    let started = Instant::now();
    let error = ask(&mut runner).unwrap_err();
    assert!(
        matches!(error, ModelError::Timeout { attempts: 2, .. }),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error
            .to_string()
            .contains("no answer within 200ms (2 attempts)"),
        "{error}"
    );
}

#[test]
fn client_errors_are_not_retried() {
    let server = FakeServer::start(vec![Reply::error(400), Reply::completion("unused")]);
    let mut runner = OpenAiRunner::new(&server.url, options(4, Duration::from_secs(5)));
    let error = ask(&mut runner).unwrap_err();
    assert!(
        matches!(error, ModelError::Http { status: 400, .. }),
        "{error}"
    );
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn retry_after_and_hangups_are_handled() {
    let server = FakeServer::start(vec![
        Reply::Status(429, vec![("retry-after", "0".into())], "slow down".into()),
        Reply::Hangup,
        Reply::completion("ok"),
    ]);
    let mut runner = OpenAiRunner::new(&server.url, options(3, Duration::from_secs(5)));
    assert_eq!(ask(&mut runner).unwrap().text, "ok");
    assert_eq!(server.finish().len(), 3);
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut runner = OpenAiRunner::new(
        &format!("http://127.0.0.1:{port}/v1"),
        options(2, Duration::from_secs(5)),
    );
    let error = ask(&mut runner).unwrap_err();
    assert!(matches!(error, ModelError::Transport { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("http://127.0.0.1:{port}/v1/chat/completions: "))
    );
}

#[test]
fn grammars_and_schemas_go_where_the_server_reads_them() {
    let server = FakeServer::start(vec![
        Reply::completion("a"),
        Reply::completion("b"),
        Reply::completion("{}"),
    ]);
    let mut runner = OpenAiRunner::new(&server.url, options(1, Duration::from_secs(5)));
    let grammar = Request::new(Prompt::Completion("p".into())).with_grammar("root ::= \"a\"");
    runner.generate(&grammar).unwrap();
    runner.options.grammar_field = GrammarField::Vllm;
    runner.generate(&grammar).unwrap();
    let mut schema = Request::new(Prompt::Chat(vec![
        ChatMessage::new("system", "json only"),
        ChatMessage::new("user", "p"),
    ]));
    schema.format = AnswerFormat::JsonSchema(serde_json::json!({"type": "object"}));
    schema.sampling = SamplingSettings {
        temperature: 0.5,
        seed: 7,
        ..SamplingSettings::default()
    };
    runner.generate(&schema).unwrap();
    let bodies: Vec<Value> = server
        .finish()
        .iter()
        .map(|seen| serde_json::from_str(&seen.body).unwrap())
        .collect();
    assert_eq!(bodies[0]["grammar"], "root ::= \"a\"");
    assert_eq!(bodies[0]["messages"][0]["role"], "user");
    assert_eq!(bodies[0]["model"], "test-model");
    assert_eq!(bodies[1]["guided_grammar"], "root ::= \"a\"");
    assert!(bodies[1].get("grammar").is_none());
    assert_eq!(
        bodies[2]["response_format"]["json_schema"]["schema"]["type"],
        "object"
    );
    assert_eq!(bodies[2]["messages"][0]["content"], "json only");
    assert_eq!(bodies[2]["seed"], 7);
}

#[test]
fn the_model_name_comes_from_the_server_when_not_given() {
    let models = serde_json::json!({"data": [{"id": "qwen2.5-coder-7b"}]}).to_string();
    let server = FakeServer::start(vec![
        Reply::Status(200, Vec::new(), models),
        Reply::completion("x"),
    ]);
    let mut runner = OpenAiRunner::new(
        &server.url,
        OpenAiOptions {
            model: None,
            ..options(1, Duration::from_secs(5))
        },
    );
    ask(&mut runner).unwrap();
    let seen = server.finish();
    assert_eq!(seen[0].request_line, "GET /v1/models HTTP/1.1");
    let body: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(body["model"], "qwen2.5-coder-7b");
    assert!(runner.describe().ends_with("(qwen2.5-coder-7b)"));
}

#[test]
fn a_non_completion_answer_is_a_protocol_error() {
    let server = FakeServer::start(vec![Reply::Status(
        200,
        Vec::new(),
        "{\"choices\": []}".into(),
    )]);
    let mut runner = OpenAiRunner::new(&server.url, options(1, Duration::from_secs(5)));
    let error = ask(&mut runner).unwrap_err();
    assert!(matches!(error, ModelError::Protocol { .. }), "{error}");
}

#[test]
fn urls_are_completed_to_the_chat_endpoint() {
    assert_eq!(
        chat_completions_url("http://h:8080"),
        "http://h:8080/v1/chat/completions"
    );
    assert_eq!(
        chat_completions_url("http://h:8080/v1/"),
        "http://h:8080/v1/chat/completions"
    );
    assert_eq!(
        chat_completions_url("https://h/api/v1/chat/completions"),
        "https://h/api/v1/chat/completions"
    );
}

#[test]
fn llama_server_timings_are_read() {
    let answer = serde_json::json!({
        "choices": [{"message": {"content": "x"}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10},
        "timings": {"cache_n": 90, "prompt_ms": 20.0, "predicted_ms": 200.0},
    });
    let completion = completion("u", &answer, Duration::from_secs(1)).unwrap();
    assert_eq!(completion.finish_reason, FinishReason::Length);
    assert_eq!(completion.usage.reused_prompt_tokens, 90);
    assert_eq!(completion.usage.prompt_time, Duration::from_millis(20));
    assert_eq!(completion.usage.generation_time, Duration::from_millis(200));
}
