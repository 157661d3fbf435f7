//! Which variant won, per target and machine, for the next run: `$NEUROJIT_CACHE_DIR/optimize.json`
//! maps a key (the JIT's version key of the target's description, so it covers the function's
//! name, shapes and signature, the host CPU and its features, the optimization level and the
//! compiler build) to the winning variant's name. A run that finds its key tries that variant
//! first; it is still built (from the object cache when it was compiled before), checked against
//! the original and timed like any other.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The winners on disk.
pub struct Remembered {
    path: Option<PathBuf>,
    winners: BTreeMap<String, String>,
}

impl Remembered {
    /// Reads `optimize.json` under the cache directory; nothing is remembered without one, or
    /// from a file that does not read.
    pub fn open() -> Self {
        let path = tensorlang::neurojit_dir().map(|dir| dir.join("optimize.json"));
        let winners = path
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Self { path, winners }
    }

    /// The variant that won for `key`, if one did.
    pub fn winner(&self, key: &str) -> Option<&str> {
        self.winners.get(key).map(String::as_str)
    }

    /// Records `variant` as the winner for `key` (written at once, through a temporary file).
    pub fn record(&mut self, key: &str, variant: &str) {
        self.winners.insert(key.to_owned(), variant.to_owned());
        let Some(path) = &self.path else {
            return;
        };
        let written = serde_json::to_string_pretty(&self.winners)
            .map_err(std::io::Error::other)
            .and_then(|text| {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let temporary = path.with_extension(format!("json.{}.tmp", std::process::id()));
                std::fs::write(&temporary, text)?;
                std::fs::rename(&temporary, path)
            });
        if let Err(error) = written {
            tracing::warn!(
                "optimize: cannot remember the winner in {}: {error}",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_winner_is_found_by_the_next_run() {
        let dir = std::env::temp_dir().join(format!("tl-remembered-{}", std::process::id()));
        let path = dir.join("optimize.json");
        let mut first = Remembered {
            path: Some(path.clone()),
            winners: BTreeMap::new(),
        };
        assert_eq!(first.winner("k"), None);
        first.record("k", "t2-c128x512x64-r4x32");
        let text = std::fs::read_to_string(&path).unwrap();
        let second = Remembered {
            path: Some(path),
            winners: serde_json::from_str(&text).unwrap(),
        };
        assert_eq!(second.winner("k"), Some("t2-c128x512x64-r4x32"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
