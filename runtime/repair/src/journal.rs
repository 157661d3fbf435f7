//! The repair search's journal: every candidate the verifier ran and its verdict, one JSON line
//! each, appended and flushed to disk before the next candidate runs. A search that was
//! interrupted (a timeout, a kill, a crash) and runs again with `resume` takes the rejections
//! from the journal instead of running those candidates again. A journal cut off in the middle
//! of a line is read up to its last whole line, and the rest is cut away before appending.
//!
//! A candidate is known by a hash of its suspect's cache key (the function without locations
//! and the failure's kind and message) and its text: the same candidate for the same failure of
//! the same function. A candidate that passed is run again (the search would have ended there),
//! so a resumed search never trusts the journal for an acceptance.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    /// The file cannot be read, cut or opened for appending.
    pub fn open(path: &Path, resume: bool) -> io::Result<Self> {
        let mut verdicts = HashMap::new();
        let mut whole = 0;
        if resume && let Ok(text) = std::fs::read_to_string(path) {
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
        }
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        // Whatever follows the last whole line is a record cut off mid-write.
        file.set_len(whole as u64)?;
        let file = OpenOptions::new().append(true).open(path)?;
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
    fn keys_tell_candidates_and_suspects_apart() {
        assert_ne!(candidate_key("s", "f1"), candidate_key("s", "f2"));
        assert_ne!(candidate_key("s1", "f"), candidate_key("s2", "f"));
        assert_eq!(candidate_key("s", "f"), candidate_key("s", "f"));
    }
}
