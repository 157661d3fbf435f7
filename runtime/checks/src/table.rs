//! [`CheckTable`]: the text form of a module's checks, written by the passes and read at run time.

use std::fmt;
use std::str::FromStr;

/// The first line of every table; the number is the format version.
const HEADER: &str = "tensorlang-checks 1";

/// What a check guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// A `tensorlang.assert` or `cf.assert` written by the user.
    Assert,
    /// An index within the bounds of a memref or tensor.
    Bounds,
    /// Shapes that must agree (casts, subviews and the like).
    Shape,
    /// An integer divisor that must not be zero.
    DivByZero,
    /// A signed division that must not overflow (`MIN / -1`).
    Overflow,
    /// A float result that must be neither NaN nor infinite.
    NonFinite,
}

impl CheckKind {
    /// Every kind, in a stable order (for statistics).
    pub const ALL: [CheckKind; 6] = [
        CheckKind::Assert,
        CheckKind::Bounds,
        CheckKind::Shape,
        CheckKind::DivByZero,
        CheckKind::Overflow,
        CheckKind::NonFinite,
    ];

    /// The kind's name in tables, IR attributes and reports.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Assert => "assert",
            CheckKind::Bounds => "bounds",
            CheckKind::Shape => "shape",
            CheckKind::DivByZero => "div-by-zero",
            CheckKind::Overflow => "overflow",
            CheckKind::NonFinite => "nan",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CheckKind {
    type Err = TableError;

    fn from_str(name: &str) -> Result<Self, TableError> {
        CheckKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| TableError::UnknownKind(name.to_string()))
    }
}

/// One check: what it guards, where, and the message a failure prints after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckEntry {
    /// The id the failing check passes to `__tensorlang_assert_fail`.
    pub id: u64,
    /// What the check guards.
    pub kind: CheckKind,
    /// `file:line:col` of the guarded op (or `loc(unknown)`).
    pub location: String,
    /// E.g. `assertion failed: speed too high`.
    pub message: String,
}

impl fmt::Display for CheckEntry {
    /// The failure as an MLIR-style diagnostic: `file:line:col: error: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.location, self.message)
    }
}

/// A table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The text does not start with the table header.
    #[error("not a check table (expected the header '{HEADER}')")]
    MissingHeader,
    /// A line does not have four tab-separated fields with a numeric id.
    #[error("malformed check table line {0}")]
    MalformedLine(usize),
    /// A line names a kind this version does not know.
    #[error("unknown check kind '{0}'")]
    UnknownKind(String),
}

/// All the checks of one module, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckTable {
    entries: Vec<CheckEntry>,
}

impl CheckTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a check and returns its id (one more than the largest so far).
    pub fn add(&mut self, kind: CheckKind, location: &str, message: &str) -> u64 {
        let id = self.entries.iter().map(|e| e.id + 1).max().unwrap_or(0);
        self.entries.push(CheckEntry {
            id,
            kind,
            location: single_field(location),
            message: single_field(message),
        });
        id
    }

    /// The check with id `id`.
    pub fn get(&self, id: u64) -> Option<&CheckEntry> {
        self.entries.iter().find(|entry| entry.id == id)
    }

    /// Every check, in id order.
    pub fn entries(&self) -> &[CheckEntry] {
        &self.entries
    }

    /// The table as text (what the module's `@__tensorlang_checks` string holds, minus the NUL).
    pub fn encode(&self) -> String {
        let mut text = format!("{HEADER}\n");
        for entry in &self.entries {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                entry.id, entry.kind, entry.location, entry.message
            ));
        }
        text
    }

    /// Reads a table written by [`Self::encode`].
    pub fn decode(text: &str) -> Result<Self, TableError> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(TableError::MissingHeader);
        }
        let entries = lines
            .enumerate()
            .filter(|(_, line)| !line.is_empty())
            .map(|(index, line)| decode_line(index + 2, line))
            .collect::<Result<_, _>>()?;
        Ok(Self { entries })
    }
}

fn decode_line(number: usize, line: &str) -> Result<CheckEntry, TableError> {
    let mut fields = line.splitn(4, '\t');
    let (Some(id), Some(kind), Some(location), Some(message)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(TableError::MalformedLine(number));
    };
    Ok(CheckEntry {
        id: id.parse().map_err(|_| TableError::MalformedLine(number))?,
        kind: kind.parse()?,
        location: location.to_string(),
        message: message.to_string(),
    })
}

/// Keeps a field on one line of the table: tabs, newlines and NULs become spaces.
fn single_field(text: &str) -> String {
    text.replace(['\t', '\n', '\r', '\0'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_what_was_written() {
        let mut table = CheckTable::new();
        let first = table.add(CheckKind::Bounds, "k.mlir:7:9", "out-of-bounds access");
        let second = table.add(CheckKind::Assert, "k.mlir:9:3", "assertion failed: a\tb\nc");
        assert_eq!((first, second), (0, 1));
        let decoded = CheckTable::decode(&table.encode()).unwrap();
        assert_eq!(decoded, table);
        assert_eq!(
            decoded.get(1).unwrap().to_string(),
            "k.mlir:9:3: error: assertion failed: a b c"
        );
        assert_eq!(decoded.get(2), None);
    }

    #[test]
    fn foreign_or_damaged_text_is_an_error() {
        assert_eq!(CheckTable::decode("hello"), Err(TableError::MissingHeader));
        assert_eq!(
            CheckTable::decode("tensorlang-checks 1\nx\tbounds\ta:1:1\tm\n"),
            Err(TableError::MalformedLine(2))
        );
        assert_eq!(
            CheckTable::decode("tensorlang-checks 1\n0\tbogus\ta:1:1\tm\n"),
            Err(TableError::UnknownKind("bogus".into()))
        );
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in CheckKind::ALL {
            assert_eq!(kind.name().parse::<CheckKind>(), Ok(kind));
        }
    }
}
