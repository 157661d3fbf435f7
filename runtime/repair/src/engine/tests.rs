use super::*;
use crate::module_text::{find_function, print};
use crate::verifier::{Trial, Verdict};

/// Sums the first four elements; the loop bound is one too many.
const OFF_BY_ONE: &str = r#"
func.func @sum4(%buf: memref<4xi32>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0 : i32
  %s = scf.for %i = %c0 to %c5 step %c1 iter_args(%acc = %zero) -> (i32) {
    %v = memref.load %buf[%i] : memref<4xi32>
    %n = arith.addi %acc, %v : i32
    scf.yield %n : i32
  }
  return %s : i32
}
func.func @main() {
  %buf = memref.alloca() : memref<4xi32>
  %one = arith.constant 1 : i32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %buf[%i] : memref<4xi32>
  }
  %s = func.call @sum4(%buf) : (memref<4xi32>) -> i32
  %four = arith.constant 4 : i32
  %ok = arith.cmpi eq, %s, %four : i32
  cf.assert %ok, "sum4 of four ones is 4"
  return
}
"#;

fn failure(function: &str, kind: &str, location: &str, message: &str) -> Failure {
    Failure {
        function: function.into(),
        entry: "main".into(),
        kind: kind.parse().expect("a failure kind"),
        location: location.into(),
        message: message.into(),
        arguments: Vec::new(),
    }
}

fn request<'a>(source: &'a str, file: &'a str, failure: &'a Failure) -> RepairRequest<'a> {
    RepairRequest {
        source,
        file,
        entry: "main",
        failure,
        callers: true,
    }
}

fn engine(cache: Option<StrategyCache>) -> Option<RepairEngine> {
    let dir = std::env::temp_dir().join(format!("tensorlang-engine-{}", std::process::id()));
    let sandbox = Sandbox::new("main", &[], Duration::from_secs(5), &dir);
    if !sandbox.runner().is_file() {
        eprintln!(
            "SKIPPED: {} not built (cargo build first)",
            sandbox.runner().display()
        );
        return None;
    }
    Some(RepairEngine::new(
        sandbox,
        cache,
        None,
        EngineOptions::default(),
    ))
}

#[test]
fn functions_print_with_their_locations_inline() {
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, OFF_BY_ONE, "sum.mlir").unwrap();
    let text = print(&find_function(&module, "sum4").unwrap(), true);
    assert!(
        text.contains(r#"%c5 = arith.constant 5 : index loc("sum.mlir":5:9)"#),
        "{text}"
    );
    assert!(!print(&find_function(&module, "sum4").unwrap(), false).contains("loc("));
}

#[test]
fn an_out_of_bounds_loop_is_repaired_and_then_cached() {
    let dir = std::env::temp_dir().join(format!("tensorlang-engine-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cache = StrategyCache::open(&dir.join("cache.json")).unwrap();
    let Some(mut engine) = engine(Some(cache)) else {
        return;
    };
    let context = tensorlang::create_context().unwrap();
    let failed = failure(
        "sum4",
        "bounds",
        "sum.mlir:8:10",
        "index 4 out of bounds [0, 4) in 'memref.load'",
    );
    let request = request(OFF_BY_ONE, "sum.mlir", &failed);
    let repair = engine.repair(&context, &request).unwrap();
    assert_eq!(repair.function, "sum4");
    assert_eq!(repair.source, RepairSource::Symbolic);
    // Clamping the index keeps the bounds check quiet but sums element 3 twice: the driver's
    // assert rejects it, and the loop bound is what gets fixed.
    assert_eq!(repair.strategy, "change-constant", "{repair:?}");
    assert_eq!(repair.change, "use 4 instead of 5 at sum.mlir:5:9");
    assert!(repair.tried > 1);
    engine.record_pending();
    // The second time, the cache answers with the first candidate.
    let again = engine.repair(&context, &request).unwrap();
    assert_eq!((again.source, again.tried), (RepairSource::Cache, 1));
    assert_eq!(again.replacement, repair.replacement);
}

#[test]
fn a_failing_driver_assert_is_traced_to_the_function_it_checks() {
    let Some(mut engine) = engine(None) else {
        return;
    };
    let context = tensorlang::create_context().unwrap();
    let source = OFF_BY_ONE.replace("%c5 = arith.constant 5", "%c5 = arith.constant 3");
    let failed = failure("main", "assert", "sum.mlir:27:3", "sum4 of four ones is 4");
    let request = request(&source, "sum.mlir", &failed);
    let repair = engine.repair(&context, &request).unwrap();
    assert_eq!(repair.function, "sum4");
    assert_eq!(repair.change, "use 4 instead of 3 at sum.mlir:5:9");
}

#[test]
fn the_entry_point_is_never_changed() {
    let Some(mut engine) = engine(None) else {
        return;
    };
    let context = tensorlang::create_context().unwrap();
    let source = "func.func @main() {\n  %false = arith.constant false\n  cf.assert %false, \"always fails\"\n  return\n}\n";
    let failed = failure("main", "assert", "m.mlir:3:3", "always fails");
    let request = request(source, "m.mlir", &failed);
    let error = engine.repair(&context, &request).unwrap_err();
    assert!(
        matches!(&error, RepairError::NothingToRepair(function) if function == "main"),
        "{error}"
    );
}

#[test]
fn the_model_choice_is_tried_first() {
    let Some(engine) = engine(None) else { return };
    let context = tensorlang::create_context().unwrap();
    let module = tensorlang::parse_module(&context, OFF_BY_ONE, "sum.mlir").unwrap();
    let text = print(&find_function(&module, "sum4").unwrap(), true);
    let failed = failure(
        "sum4",
        "bounds",
        "sum.mlir:8:10",
        "index 4 out of bounds [0, 4) in 'memref.load'",
    );
    let hint = FailureHint {
        kind: tensorlang_checks::FailureKind::Check(tensorlang_checks::CheckKind::Bounds),
        location: Some("sum.mlir:8:10"),
    };
    let position = strategies::propose(&text, hint)
        .iter()
        .position(|candidate| candidate.change == "use 4 instead of 5 at sum.mlir:5:9")
        .unwrap();
    assert!(
        (1..12).contains(&position),
        "the fix must be among the choices, not first: {position}"
    );
    let answer = tensorlang_model::ScriptedAnswer {
        expect: Some(format!(
            "{}. use 4 instead of 5 at sum.mlir:5:9",
            position + 1
        )),
        ..tensorlang_model::ScriptedAnswer::new(format!("{{\"choice\": {}}}", position + 1))
    };
    let model = ModelSource::new(Box::new(tensorlang_model::ScriptedRunner::from_answers(
        vec![answer],
    )));
    let mut engine = RepairEngine {
        model: Some(model),
        ..engine
    };
    // Only when asked: by default the model is the escalation, after the symbolic strategies.
    engine.options_mut().model_first = true;
    let request = request(OFF_BY_ONE, "sum.mlir", &failed);
    let repair = engine.repair(&context, &request).unwrap();
    assert_eq!((repair.source, repair.tried), (RepairSource::Model, 1));
    assert_eq!(repair.strategy, "model-choice:change-constant");
}

/// A verifier whose every run passes: what a run that did not reach a failing input looks like.
struct EveryRunPasses;

impl Verifier for EveryRunPasses {
    fn run(&mut self, _: &Trial) -> Result<Verdict, VerifierError> {
        Ok(Verdict::Passed("a run that passed".into()))
    }
}

#[test]
fn a_candidate_z3_refutes_on_the_programs_inputs_is_turned_away() {
    // The divisor should be 2; @main's assert is the specification.
    let source = "func.func @half(%a: i32) -> i32 {\n  %k = arith.constant 3 : i32\n  %q = arith.divsi %a, %k : i32\n  return %q : i32\n}\nfunc.func @main() {\n  %c8 = arith.constant 8 : i32\n  %h = func.call @half(%c8) : (i32) -> i32\n  %c4 = arith.constant 4 : i32\n  %ok = arith.cmpi eq, %h, %c4 : i32\n  cf.assert %ok, \"half of 8 is 4\"\n  return\n}\n";
    let context = tensorlang::create_context().unwrap();
    let failed = failure(
        "main",
        "assert",
        "half.mlir:11:3",
        "assertion failed: half of 8 is 4",
    );
    let mut engine = RepairEngine::new(EveryRunPasses, None, None, EngineOptions::default());
    let repair = engine
        .repair(&context, &request(source, "half.mlir", &failed))
        .expect("a candidate Z3 cannot refute");
    // Every candidate "ran"; those that break the driver's assert were turned away, with the
    // input, and the one that does not was kept, proved.
    assert!(
        repair.replacement.contains("arith.constant 2 : i32"),
        "{}",
        repair.replacement
    );
    let proof = repair.proof.expect("proved").to_string();
    assert!(proof.starts_with("proved:"), "{proof}");
    assert!(repair.tried > 1, "{}", repair.tried);
}

/// A verifier that passes the candidate holding `fix`, and notes every call: `prepare` of what
/// comes next, `run` of what runs now, by the candidate's text.
struct Recording {
    fix: &'static str,
    calls: Vec<String>,
}

impl Verifier for Recording {
    fn run(&mut self, trial: &Trial) -> Result<Verdict, VerifierError> {
        self.calls
            .push(format!("run {}", trial.replacement.contains(self.fix)));
        Ok(if trial.replacement.contains(self.fix) {
            Verdict::Passed("the fix".into())
        } else {
            Verdict::Rejected("not the fix".into())
        })
    }

    fn prepare(&mut self, next: &Trial) {
        self.calls
            .push(format!("prepare {}", next.replacement.contains(self.fix)));
    }
}

#[test]
fn the_next_candidate_is_prepared_while_the_current_one_runs() {
    let context = tensorlang::create_context().unwrap();
    let failed = failure(
        "sum4",
        "bounds",
        "sum.mlir:8:10",
        "index 4 out of bounds [0, 4) in 'memref.load'",
    );
    let verifier = Recording {
        fix: "arith.constant 4 : index",
        calls: Vec::new(),
    };
    let mut engine = RepairEngine::new(verifier, None, None, EngineOptions::default());
    let repair = engine
        .repair(&context, &request(OFF_BY_ONE, "sum.mlir", &failed))
        .unwrap();
    let calls = &engine.verifier().calls;
    // Each run comes after the prepare of the candidate that follows it; the fix is prepared
    // before it runs, and nothing is run after it.
    let runs = calls.iter().filter(|call| call.starts_with("run")).count();
    assert_eq!(runs, repair.tried, "{calls:?}");
    assert_eq!(
        calls.last().map(String::as_str),
        Some("run true"),
        "{calls:?}"
    );
    if repair.tried > 1 {
        let fix_prepared = calls
            .iter()
            .position(|call| call == "prepare true")
            .unwrap();
        assert_eq!(calls[fix_prepared + 1], "run false", "{calls:?}");
    }
    // A prepared candidate that never ran is not counted as tried.
    assert!(repair.phases.candidates.symbolic >= repair.tried);
}
