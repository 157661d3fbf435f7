use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tensorlang-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn repair(function: &str, strategy: &str) -> CachedRepair {
    CachedRepair {
        function: function.into(),
        replacement: format!("func.func @{function}() {{ return }}"),
        source: "symbolic".into(),
        strategy: strategy.into(),
        verification: "the failing input passes; 16 recorded inputs agree".into(),
        failure: "lander.mlir:12:9: error: index 10 out of bounds".into(),
        recorded_at: now(),
        reference: String::new(),
        mac: String::new(),
    }
}

fn example(function: &str) -> TrainingExample {
    TrainingExample {
        prompt: format!("repair @{function}"),
        answer: format!("func.func @{function}() {{ return }}"),
        failure_kind: "assert".into(),
        op: "arith.addi".into(),
    }
}

#[test]
fn a_recorded_repair_is_found_by_another_process_and_logged() {
    let path = temp_dir("record").join("cache.json");
    let key = CacheKey::new("func.func @f() { ... }", "bounds memref.load");
    let mut writer = StrategyCache::open(&path).unwrap();
    let mut reader = StrategyCache::open(&path).unwrap();
    assert!(reader.lookup(&key).unwrap().is_none());
    writer
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    // The reader opened the cache before the write: a miss reads the file again.
    assert_eq!(
        reader.lookup(&key).unwrap().unwrap().strategy,
        "clamp-index"
    );
    assert_eq!(StrategyCache::open(&path).unwrap().len(), 1);
    let log = std::fs::read_to_string(writer.training_log_path()).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.trim()).unwrap();
    assert_eq!(line["messages"][0]["content"], "repair @f");
    assert_eq!(line["messages"][1]["role"], "assistant");
    assert_eq!(line["metadata"]["strategy"], "clamp-index");
}

#[test]
fn keys_separate_functions_and_failures() {
    let function = "func.func @f(%arg0: index) -> f32";
    assert_eq!(
        CacheKey::new(function, "bounds"),
        CacheKey::new(function, "bounds")
    );
    assert_ne!(
        CacheKey::new(function, "bounds"),
        CacheKey::new(function, "division")
    );
    assert_ne!(CacheKey::new("a", "bc"), CacheKey::new("ab", "c"));
    assert_eq!(CacheKey::new(function, "bounds").as_str().len(), 64);
}

#[test]
fn corrupt_and_foreign_files_are_moved_aside_not_lost() {
    let dir = temp_dir("corrupt");
    for (name, contents) in [
        (
            "corrupt.json",
            "{\"format\": \"tensorlang-strategy-cache\", \"entr",
        ),
        (
            "foreign.json",
            "{\"format\": \"someone-else\", \"version\": 1, \"entries\": {}}",
        ),
        ("binary.json", "\u{0}\u{1}\u{2}"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        let mut cache = StrategyCache::open(&path).unwrap();
        assert!(cache.is_empty());
        let aside = cache.moved_aside().unwrap().to_owned();
        assert_eq!(std::fs::read_to_string(&aside).unwrap(), contents);
        assert!(!path.exists());
        cache
            .record(
                CacheKey::new(name, "s"),
                repair("g", "guard-division"),
                &example("g"),
            )
            .unwrap();
        let reopened = StrategyCache::open(&path).unwrap();
        assert_eq!(reopened.len(), 1);
        assert!(reopened.moved_aside().is_none());
    }
}

/// The environment variable that makes [`writer_process`] write: `<cache path>|<writer index>`.
const WRITER: &str = "TENSORLANG_CACHE_TEST_WRITER";
const WRITERS: usize = 4;
const ENTRIES_PER_WRITER: usize = 25;

#[test]
fn concurrent_processes_lose_no_entries() {
    let path = temp_dir("concurrent").join("cache.json");
    let children: Vec<_> = (0..WRITERS)
        .map(|index| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["cache::tests::writer_process", "--exact", "--ignored"])
                .env(WRITER, format!("{}|{index}", path.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let mut cache = StrategyCache::open(&path).unwrap();
    assert_eq!(cache.len(), WRITERS * ENTRIES_PER_WRITER);
    for writer in 0..WRITERS {
        for entry in 0..ENTRIES_PER_WRITER {
            let key = CacheKey::new(&format!("f{writer}_{entry}"), "bounds");
            assert!(
                cache.lookup(&key).unwrap().is_some(),
                "writer {writer} entry {entry} lost"
            );
        }
    }
    let log = std::fs::read_to_string(cache.training_log_path()).unwrap();
    assert_eq!(log.lines().count(), WRITERS * ENTRIES_PER_WRITER);
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

/// One of the writers of [`concurrent_processes_lose_no_entries`], run as a child process.
#[test]
#[ignore = "a child process of concurrent_processes_lose_no_entries"]
fn writer_process() {
    let spec = std::env::var(WRITER).expect("run by concurrent_processes_lose_no_entries");
    let (path, index) = spec.rsplit_once('|').unwrap();
    let mut cache = StrategyCache::open(Path::new(path)).unwrap();
    for entry in 0..ENTRIES_PER_WRITER {
        let function = format!("f{index}_{entry}");
        cache
            .record(
                CacheKey::new(&function, "bounds"),
                repair(&function, "clamp-index"),
                &example(&function),
            )
            .unwrap();
    }
}

#[test]
fn recorded_entries_are_signed_and_edits_or_copies_are_not_trusted() {
    let dir = temp_dir("signed");
    let path = dir.join("cache.json");
    let mut cache = StrategyCache::open(&path).unwrap();
    let key = CacheKey::new("f", "bounds");
    cache
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    let entry = cache.lookup(&key).unwrap().unwrap().clone();
    assert!(cache.is_authentic(&key, &entry));
    // Edited in the file: no longer authentic, until verified and signed again.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("return }", "return } // edited")).unwrap();
    let mut reopened = StrategyCache::open(&path).unwrap();
    let edited = reopened.lookup(&key).unwrap().unwrap().clone();
    assert!(!reopened.is_authentic(&key, &edited));
    reopened.sign_again(&key).unwrap();
    let signed = reopened.lookup(&key).unwrap().unwrap().clone();
    assert!(reopened.is_authentic(&key, &signed));
    // Copied to another installation (another key): not authentic there.
    let elsewhere = temp_dir("signed-elsewhere");
    std::fs::copy(&path, elsewhere.join("cache.json")).unwrap();
    let mut copied = StrategyCache::open(&elsewhere.join("cache.json")).unwrap();
    let foreign = copied.lookup(&key).unwrap().unwrap().clone();
    assert!(!copied.is_authentic(&key, &foreign));
}
