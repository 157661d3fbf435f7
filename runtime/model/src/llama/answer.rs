//! The text of an answer as tokens arrive, cut at the first stop string.

/// The text of an answer as it grows, cut at the first stop string.
pub struct Answer<'a> {
    bytes: Vec<u8>,
    /// Tokens appended.
    pub tokens: usize,
    stop: &'a [String],
}

impl<'a> Answer<'a> {
    /// An empty answer that ends at the first of `stop`.
    pub fn new(stop: &'a [String]) -> Self {
        Self {
            bytes: Vec::new(),
            tokens: 0,
            stop,
        }
    }

    /// Appends a token's bytes; true when a stop string has appeared (and was cut off).
    pub fn push(&mut self, piece: &[u8]) -> bool {
        self.tokens += 1;
        self.bytes.extend_from_slice(piece);
        let found = self
            .stop
            .iter()
            .filter(|stop| !stop.is_empty())
            .find_map(|stop| {
                let tail_start = self.bytes.len().saturating_sub(piece.len() + stop.len());
                find(&self.bytes[tail_start..], stop.as_bytes()).map(|at| tail_start + at)
            });
        if let Some(at) = found {
            self.bytes.truncate(at);
            return true;
        }
        false
    }

    /// The answer so far; bytes that are not UTF-8 (a character split across tokens) are replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_strings_cut_the_answer_even_across_tokens() {
        let stop = vec!["\n\n".to_string()];
        let mut answer = Answer::new(&stop);
        assert!(!answer.push(b"x = 1\n"));
        assert!(answer.push(b"\nmore"));
        assert_eq!(answer.text(), "x = 1");
        assert_eq!(answer.tokens, 2);
    }
}
