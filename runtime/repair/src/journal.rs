//! The repair search's journal: every candidate the verifier ran and its verdict, one JSON line
//! each, appended and flushed to disk before the next candidate runs. A search that was
//! interrupted (a timeout, a kill, a crash) and runs again with `resume` takes the rejections
//! from the journal instead of running those candidates again. A journal cut off in the middle
//! of a line is read up to its last whole line, and the rest is cut away before appending.
//!
//! The journal is opened as a regular file only, and read back up to
//! [`tensorlang::cache_file::LOG_LIMIT`] ([`tensorlang::cache_file`]): a symlink or a FIFO in its
//! place is an error, never followed or waited on, and so is a journal too large to resume from.
//!
//! A candidate is known by a hash of its suspect's cache key (the function without locations
//! and the failure's kind and message) and its text: the same candidate for the same failure of
//! the same function. A candidate that passed is run again (the search would have ended there),
//! so a resumed search never trusts the journal for an acceptance.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tensorlang::cache_file;

/// One verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    /// The candidate's key (see the module docs).
    pub key: String,
    /// The suspect function.
    pub function: String,
    /// What the candidate changed.
    pub change: String,
    /// Whether it passed.
    pub passed: bool,
    /// How it was verified, or why it was rejected.
    pub why: String,
}

/// The journal of one search (see the module docs).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    verdicts: HashMap<String, JournalRecord>,
}

impl Journal {
    /// Opens the journal at `path`: with `resume`, the verdicts it holds are kept (up to its last
    /// whole line); without, it starts empty.
    ///
    /// # Errors
    /// The file cannot be read, cut or opened for appending, or it is not a regular file.
    pub fn open(path: &Path, resume: bool) -> io::Result<Self> {
        // One open, checked once: what is read, cut and appended to is the same regular file.
        let mut file = cache_file::open(
            path,
            OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .mode(0o600),
        )?;
        let mut verdicts = HashMap::new();
        let mut whole = 0;
        let text = if resume {
            // Not text at all: nothing in it is a whole record.
            String::from_utf8(cache_file::read_open(
                &mut file,
                path,
                cache_file::LOG_LIMIT,
            )?)
            .unwrap_or_default()
        } else {
            String::new()
        };
        for line in text.split_inclusive('\n') {
            let Some(record) = line
                .strip_suffix('\n')
                .and_then(|l| serde_json::from_str::<JournalRecord>(l).ok())
            else {
                break;
            };
            whole += line.len();
            verdicts.insert(record.key.clone(), record);
        }
        // Whatever follows the last whole line is a record cut off mid-write.
        file.set_len(whole as u64)?;
        Ok(Self {
            path: path.to_owned(),
            file,
            verdicts,
        })
    }

    /// The journaled rejection of the candidate `key`, if there is one.
    pub fn rejection(&self, key: &str) -> Option<&JournalRecord> {
        self.verdicts.get(key).filter(|record| !record.passed)
    }

    /// Appends `record` and flushes it to disk.
    ///
    /// # Errors
    /// The write or the flush failed.
    pub fn record(&mut self, record: JournalRecord) -> io::Result<()> {
        let mut line = serde_json::to_string(&record).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        self.verdicts.insert(record.key.clone(), record);
        Ok(())
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The key of candidate `candidate` for the suspect whose cache key is `suspect`.
pub fn candidate_key(suspect: &str, candidate: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(suspect.as_bytes());
    hasher.update(&[0]);
    hasher.update(candidate.as_bytes());
    hasher.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str, passed: bool) -> JournalRecord {
        JournalRecord {
            key: key.into(),
            function: "f".into(),
            change: format!("change {key}"),
            passed,
            why: "still fails".into(),
        }
    }

    #[test]
    fn a_resumed_journal_keeps_its_whole_lines_and_drops_a_cut_one() {
        let dir = std::env::temp_dir().join(format!("tl-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("search.jsonl");
        let mut journal = Journal::open(&path, false).unwrap();
        journal.record(record("a", false)).unwrap();
        journal.record(record("b", true)).unwrap();
        drop(journal);
        // A kill in the middle of the third record.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"key\":\"c\",\"funct").unwrap();
        drop(file);

        let mut resumed = Journal::open(&path, true).unwrap();
        assert!(resumed.rejection("a").is_some());
        assert!(resumed.rejection("b").is_none(), "a pass is run again");
        assert!(resumed.rejection("c").is_none());
        resumed.record(record("d", false)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<JournalRecord>(l).is_ok())
        );

        let fresh = Journal::open(&path, false).unwrap();
        assert!(
            fresh.rejection("a").is_none(),
            "without resume the journal starts empty"
        );
        assert_eq!(std::fs::read_to_string(fresh.path()).unwrap(), "");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_symlink_or_a_fifo_in_the_journals_place_is_refused_at_once() {
        let dir = std::env::temp_dir().join(format!("tl-journal-kinds-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("target");
        std::fs::write(&target, b"precious\n").unwrap();
        std::os::unix::fs::symlink(&target, dir.join("link.jsonl")).unwrap();
        for resume in [false, true] {
            assert!(Journal::open(&dir.join("link.jsonl"), resume).is_err());
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"precious\n");
        let fifo = dir.join("fifo.jsonl");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(Journal::open(&fifo, true).is_err()));
        assert!(
            receive
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("no hang on a FIFO")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_tell_candidates_and_suspects_apart() {
        assert_ne!(candidate_key("s", "f1"), candidate_key("s", "f2"));
        assert_ne!(candidate_key("s1", "f"), candidate_key("s2", "f"));
        assert_eq!(candidate_key("s", "f"), candidate_key("s", "f"));
    }
}
