//! One op of a function printed by MLIR (generic-free, pretty form, one op per line, locations
//! inline), split where rewrites need it.

/// `    %3 = arith.subf %0, %1 : f32 loc("lander.mlir":12:9)`, in parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpLine<'a> {
    /// Leading whitespace.
    pub indent: &'a str,
    /// `%3` (the text before ` = `), if the op has results.
    pub results: Option<&'a str>,
    /// `arith.subf`.
    pub name: &'a str,
    /// `%0, %1` (the text between the name and ` : `, or up to the location).
    pub operands: &'a str,
    /// `f32` (the text after ` : `, without the location).
    pub types: &'a str,
    /// `"lander.mlir":12:9`, the inside of the trailing `loc(...)`.
    pub location: Option<&'a str>,
}

/// An indexed access's operands: `before[indices]after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access<'a> {
    /// The text before `[` (`%v, %m` for a store).
    pub before: &'a str,
    /// The memref (or tensor) accessed.
    pub memref: &'a str,
    /// The index operands, as written (one empty string for `[]`).
    pub indices: Vec<&'a str>,
    /// The text after `]`.
    pub after: &'a str,
}

impl<'a> OpLine<'a> {
    /// Splits a printed line; `None` for lines that are not a simple op (block labels, braces,
    /// ops with regions or attribute dictionaries).
    pub fn parse(line: &'a str) -> Option<Self> {
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut text = line.trim();
        let mut location = None;
        if let Some(start) = text.rfind(" loc(")
            && text.ends_with(')')
        {
            location = Some(&text[start + 5..text.len() - 1]);
            text = &text[..start];
        }
        if text.ends_with('{') || text.contains(" {") {
            return None;
        }
        let (results, rest) = match text.split_once(" = ") {
            Some((results, rest)) if results.starts_with('%') => (Some(results), rest),
            _ => (None, text),
        };
        let (name, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if !name.contains('.') || name.starts_with('%') || name.starts_with('"') {
            return None;
        }
        let (operands, types) = rest.split_once(" : ").unwrap_or((rest, ""));
        Some(Self {
            indent,
            results,
            name,
            operands,
            types,
            location,
        })
    }

    /// The line with other operands (and the rest kept).
    pub fn with_operands(&self, operands: &str) -> String {
        self.render(self.name, operands)
    }

    /// The line with another op name.
    pub fn with_name(&self, name: &str) -> String {
        self.render(name, self.operands)
    }

    fn render(&self, name: &str, operands: &str) -> String {
        let mut line = self.indent.to_owned();
        if let Some(results) = self.results {
            line.push_str(&format!("{results} = "));
        }
        line.push_str(name);
        if !operands.is_empty() {
            line.push(' ');
            line.push_str(operands);
        }
        if !self.types.is_empty() {
            line.push_str(" : ");
            line.push_str(self.types);
        }
        if let Some(location) = self.location {
            line.push_str(&format!(" loc({location})"));
        }
        line
    }

    /// `file:line:col` for messages, or the op name when the line has no location.
    pub fn place(&self) -> String {
        match self.location {
            Some(location) => location.replace('"', ""),
            None => self.name.to_owned(),
        }
    }

    /// The parts of an indexed access's operands (`%m[%i, %j]`, `%v, %m[%i]`); `None` when they
    /// hold no `[...]`.
    pub fn access(&self) -> Option<Access<'a>> {
        let (before, rest) = self.operands.split_once('[')?;
        let (indices, after) = rest.split_once(']')?;
        Some(Access {
            before,
            memref: before.trim_end().rsplit(", ").next().unwrap_or("").trim(),
            indices: indices.split(", ").collect(),
            after,
        })
    }

    /// The SSA operands (`%x` tokens) in order.
    pub fn values(&self) -> Vec<&'a str> {
        self.operands
            .split([',', ' ', '[', ']'])
            .filter(|token| token.starts_with('%'))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_split_into_their_parts_and_back() {
        let line = r#"    %3 = arith.subf %0, %arg1 : f32 loc("lander.mlir":12:9)"#;
        let op = OpLine::parse(line).unwrap();
        assert_eq!(op.results, Some("%3"));
        assert_eq!(op.name, "arith.subf");
        assert_eq!(op.operands, "%0, %arg1");
        assert_eq!(op.types, "f32");
        assert_eq!(op.place(), "lander.mlir:12:9");
        assert_eq!(op.values(), ["%0", "%arg1"]);
        let store = OpLine::parse("  memref.store %v, %m[%i, %j] : memref<4x4xf32>").unwrap();
        let access = store.access().unwrap();
        assert_eq!((access.before, access.memref), ("%v, %m", "%m"));
        assert_eq!(access.indices, ["%i", "%j"]);
        assert_eq!(
            op.with_operands("%arg1, %0"),
            line.replace("%0, %arg1", "%arg1, %0")
        );
        assert_eq!(op.with_name("arith.addf"), line.replace("subf", "addf"));
    }

    #[test]
    fn stores_and_loads_keep_their_indices() {
        let op = OpLine::parse("  memref.store %v, %m[%i, %j] : memref<4x4xf32>").unwrap();
        assert_eq!(op.results, None);
        assert_eq!(op.values(), ["%v", "%m", "%i", "%j"]);
        assert_eq!(op.types, "memref<4x4xf32>");
    }

    #[test]
    fn structure_lines_are_not_ops() {
        assert_eq!(OpLine::parse("  scf.for %i = %c0 to %c4 step %c1 {"), None);
        assert_eq!(OpLine::parse("  }"), None);
        assert_eq!(OpLine::parse("^bb1:"), None);
    }
}
