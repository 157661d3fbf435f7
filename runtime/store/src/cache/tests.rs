use super::*;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tensorlang-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// This test process's installation key: `TENSORLANG_KEY_FILE` (set for the child processes of
/// [`concurrent_processes_lose_no_entries`]), else a private folder of its own, outside every
/// cache folder the tests make.
fn key_file() -> PathBuf {
    std::env::var_os(KEY_FILE_VARIABLE).map_or_else(
        || {
            std::env::temp_dir()
                .join(format!("tensorlang-cache-key-{}", std::process::id()))
                .join("key")
        },
        PathBuf::from,
    )
}

/// The cache at `path`, under this test process's key.
fn open(path: &Path) -> StrategyCache {
    open_under(path, &key_file()).unwrap()
}

fn open_under(path: &Path, key: &Path) -> Result<StrategyCache, CacheError> {
    StrategyCache::open_with_key_file(path, Some(key))
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

/// Runs `f` on another thread; a test fails, rather than hangs, when it blocks for ten seconds.
fn within_a_timeout<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    receive
        .recv_timeout(Duration::from_secs(10))
        .expect("returned within ten seconds, not blocked")
}

fn repair(function: &str, strategy: &str) -> CachedRepair {
    CachedRepair {
        function: function.into(),
        replacement: format!("func.func @{function}() {{ return }}"),
        source: RepairSource::Symbolic,
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
        failure_kind: FailureKind::ASSERT,
        op: "arith.addi".into(),
    }
}

#[test]
fn a_recorded_repair_is_found_by_another_process_and_logged() {
    let path = temp_dir("record").join("cache.json");
    let key = CacheKey::new("func.func @f() { ... }", "bounds memref.load");
    let mut writer = open(&path);
    let mut reader = open(&path);
    assert!(reader.lookup(&key).unwrap().is_none());
    writer
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    // The reader opened the cache before the write: a miss reads the file again.
    assert_eq!(
        reader.lookup(&key).unwrap().unwrap().strategy,
        "clamp-index"
    );
    assert_eq!(open(&path).len(), 1);
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
        let mut cache = open(&path);
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
        let reopened = open(&path);
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
                .env(KEY_FILE_VARIABLE, key_file())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let mut cache = open(&path);
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
    let mut cache = open(&path);
    let key = CacheKey::new("f", "bounds");
    cache
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    let entry = cache.lookup(&key).unwrap().unwrap().clone();
    assert!(cache.is_authentic(&key, &entry));
    // Edited in the file: no longer authentic, until verified and signed again.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("return }", "return } // edited")).unwrap();
    let mut reopened = open(&path);
    let edited = reopened.lookup(&key).unwrap().unwrap().clone();
    assert!(!reopened.is_authentic(&key, &edited));
    reopened.sign_again(&key).unwrap();
    let signed = reopened.lookup(&key).unwrap().unwrap().clone();
    assert!(reopened.is_authentic(&key, &signed));
    // Copied to another installation (another key): not authentic there.
    let elsewhere = temp_dir("signed-elsewhere");
    std::fs::copy(&path, elsewhere.join("cache.json")).unwrap();
    let mut copied =
        open_under(&elsewhere.join("cache.json"), &elsewhere.join("other.key")).unwrap();
    let foreign = copied.lookup(&key).unwrap().unwrap().clone();
    assert!(!copied.is_authentic(&key, &foreign));
}

#[test]
fn a_copied_folder_is_not_authentic_even_with_its_old_key_beside_it() {
    let (there, here) = (temp_dir("copied-there"), temp_dir("copied-here"));
    let key = CacheKey::new("f", "bounds");
    // Another installation, whose key (as older versions kept it) travels with the folder.
    let theirs = there.join("cache.json.key");
    let mut cache = open_under(&there.join("cache.json"), &theirs).unwrap();
    cache
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    for name in ["cache.json", "cache.json.key", "repairs.jsonl"] {
        std::fs::copy(there.join(name), here.join(name)).unwrap();
    }
    let mut copied = open(&here.join("cache.json"));
    let entry = copied.lookup(&key).unwrap().unwrap().clone();
    assert!(
        !copied.is_authentic(&key, &entry),
        "the key in the folder vouches for nothing"
    );
    // Verified in full (by the engine), then signed with this installation's key.
    copied.sign_again(&key).unwrap();
    let signed = copied.lookup(&key).unwrap().unwrap().clone();
    assert!(open(&here.join("cache.json")).is_authentic(&key, &signed));
}

#[test]
fn a_key_open_to_others_is_refused_and_nothing_is_trusted_or_signed() {
    let dir = temp_dir("open-key");
    let key_path = dir.join("keys/key");
    let path = dir.join("cache/cache.json");
    let key = CacheKey::new("f", "bounds");
    open_under(&path, &key_path)
        .unwrap()
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut refused = open_under(&path, &key_path).unwrap();
    let entry = refused.lookup(&key).unwrap().unwrap().clone();
    assert!(!refused.is_authentic(&key, &entry));
    let other = CacheKey::new("g", "bounds");
    refused
        .record(other.clone(), repair("g", "clamp-index"), &example("g"))
        .unwrap();
    assert_eq!(
        refused.lookup(&other).unwrap().unwrap().mac,
        "",
        "not signed"
    );
    // The key file itself is left as it was, for its owner to mend.
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn symlinks_in_the_cache_folder_are_refused_not_followed() {
    let dir = temp_dir("symlinks");
    let target = dir.join("target");
    std::fs::write(&target, b"precious\n").unwrap();
    let cache_dir = dir.join("cache");
    std::fs::create_dir(&cache_dir).unwrap();
    std::os::unix::fs::symlink(&target, cache_dir.join("cache.json")).unwrap();
    let error = open_under(&cache_dir.join("cache.json"), &key_file()).unwrap_err();
    assert!(error.to_string().contains("symbolic link"), "{error}");
    // The training log: the entry is recorded, the log refuses to append to the link's target.
    std::fs::remove_file(cache_dir.join("cache.json")).unwrap();
    std::os::unix::fs::symlink(&target, cache_dir.join("repairs.jsonl")).unwrap();
    let mut cache = open(&cache_dir.join("cache.json"));
    let key = CacheKey::new("f", "bounds");
    cache
        .record(key.clone(), repair("f", "clamp-index"), &example("f"))
        .unwrap();
    assert!(
        open(&cache_dir.join("cache.json"))
            .lookup(&key)
            .unwrap()
            .is_some()
    );
    let log = cache_dir.join("repairs.jsonl");
    assert!(
        std::fs::symlink_metadata(&log)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // The lock file.
    std::fs::remove_file(cache_dir.join("cache.json.lock")).unwrap();
    std::os::unix::fs::symlink(&target, cache_dir.join("cache.json.lock")).unwrap();
    assert!(cache.sign_again(&key).is_err());
    assert_eq!(std::fs::read(&target).unwrap(), b"precious\n");
}

#[test]
fn fifos_in_the_cache_folder_are_refused_without_waiting() {
    let dir = temp_dir("fifos");
    let path = dir.join("cache.json");
    mkfifo(&path);
    let opened = within_a_timeout({
        let path = path.clone();
        move || open_under(&path, &key_file()).map(|_| ())
    });
    let error = opened.unwrap_err();
    assert!(error.to_string().contains("FIFO"), "{error}");
    std::fs::remove_file(&path).unwrap();
    // A FIFO where older versions kept the key: never opened (that key is not used).
    mkfifo(&dir.join("cache.json.key"));
    let opened = within_a_timeout({
        let path = path.clone();
        move || open_under(&path, &key_file()).is_ok()
    });
    assert!(opened);
    // A FIFO key: the cache opens, trusting nothing.
    mkfifo(&dir.join("fifo.key"));
    let (authentic, signed) = within_a_timeout({
        let (path, key) = (path.clone(), dir.join("fifo.key"));
        move || {
            let mut cache = open_under(&path, &key).unwrap();
            let id = CacheKey::new("f", "bounds");
            cache
                .record(id.clone(), repair("f", "clamp-index"), &example("f"))
                .unwrap();
            let entry = cache.lookup(&id).unwrap().unwrap().clone();
            (cache.is_authentic(&id, &entry), !entry.mac.is_empty())
        }
    });
    assert!(!authentic && !signed);
    // A FIFO lock and a FIFO log: the write fails, at once.
    std::fs::remove_file(dir.join("cache.json.lock")).unwrap();
    mkfifo(&dir.join("cache.json.lock"));
    let recorded = within_a_timeout(move || {
        open(&path)
            .record(CacheKey::new("g", "b"), repair("g", "x"), &example("g"))
            .is_ok()
    });
    assert!(!recorded);
    std::fs::remove_file(dir.join("cache.json.lock")).unwrap();
    std::fs::remove_file(dir.join("repairs.jsonl")).unwrap();
    mkfifo(&dir.join("repairs.jsonl"));
    let recorded = within_a_timeout({
        let path = dir.join("cache.json");
        move || {
            let key = CacheKey::new("h", "b");
            let mut cache = open(&path);
            cache
                .record(key.clone(), repair("h", "x"), &example("h"))
                .unwrap();
            cache.lookup(&key).unwrap().is_some()
        }
    });
    assert!(recorded, "the entry is recorded, the example not logged");
}

#[test]
fn an_unusable_folder_or_a_file_too_large_is_an_error_not_a_hang() {
    let dir = temp_dir("unusable");
    // The folder is a file, or a FIFO.
    std::fs::write(dir.join("file"), b"").unwrap();
    assert!(open_under(&dir.join("file/cache.json"), &key_file()).is_err());
    mkfifo(&dir.join("fifo"));
    let fifo = dir.join("fifo/cache.json");
    assert!(within_a_timeout(
        move || open_under(&fifo, &key_file()).is_err()
    ));
    // A (sparse) cache file over the limit: refused before it is read.
    let path = dir.join("cache.json");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(CACHE_FILE_LIMIT + 1)
        .unwrap();
    let error = open_under(&path, &key_file()).unwrap_err();
    assert!(error.to_string().contains("more than"), "{error}");
    assert!(path.exists(), "a file too large is left as it is");
}
