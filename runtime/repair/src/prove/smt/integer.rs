//! Integers (`iN`, `index`) and `i1` as SMT-LIB2 bit-vectors and Bools: literals, arithmetic
//! (wrapping, as MLIR's), divisions with the checks the instrumentation puts on them (divisor not
//! zero; signed, not `MIN / -1`), min/max, compares, selects and casts.

use melior::ir::OperationRef;
use melior::ir::ValueLike;
use melior::ir::operation::OperationLike;
use tensorlang::ir::OperationExt;

use super::{Sort, Term, Translator, Untranslatable, bits, float};

/// The integer ops translated here.
pub(super) const OPS: &[&str] = &[
    "arith.constant",
    "arith.addi",
    "arith.subi",
    "arith.muli",
    "arith.andi",
    "arith.ori",
    "arith.xori",
    "arith.shli",
    "arith.shrsi",
    "arith.shrui",
    "arith.divsi",
    "arith.divui",
    "arith.remsi",
    "arith.remui",
    "arith.maxsi",
    "arith.minsi",
    "arith.maxui",
    "arith.minui",
    "math.absi",
    "arith.cmpi",
    "arith.select",
    "arith.extsi",
    "arith.extui",
    "arith.trunci",
    "arith.index_cast",
    "arith.index_castui",
];

/// The number of a compare's `predicate` attribute (`2 : i64`), and the attribute as text.
pub(super) fn predicate(op: &OperationRef) -> (u32, String) {
    let text = op
        .attribute("predicate")
        .map(|p| p.to_string())
        .unwrap_or_default();
    let number = text
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX);
    (number, text)
}

impl Translator<'_, '_> {
    /// `op`, one of [`OPS`].
    pub(super) fn integer_op(
        &mut self,
        op: &OperationRef,
        name: &str,
        path: &str,
    ) -> Result<(), Untranslatable> {
        let location = tensorlang::diagnostic::format_location(op.location());
        match name {
            "arith.constant" => self.constant(op),
            "arith.addi" | "arith.subi" | "arith.muli" | "arith.andi" | "arith.ori"
            | "arith.xori" | "arith.shli" | "arith.shrsi" | "arith.shrui" => {
                let ((a, sort), (b, _)) = self.pair(op)?;
                let function = match (name, sort) {
                    ("arith.andi", Sort::Bool) => "and",
                    ("arith.ori", Sort::Bool) => "or",
                    ("arith.xori", Sort::Bool) => "xor",
                    (_, Sort::Bool) => return Err(Untranslatable(format!("'{name}' on i1"))),
                    ("arith.addi", _) => "bvadd",
                    ("arith.subi", _) => "bvsub",
                    ("arith.muli", _) => "bvmul",
                    ("arith.andi", _) => "bvand",
                    ("arith.ori", _) => "bvor",
                    ("arith.xori", _) => "bvxor",
                    ("arith.shli", _) => "bvshl",
                    ("arith.shrsi", _) => "bvashr",
                    _ => "bvlshr",
                };
                self.define(op, 0, sort, format!("({function} {a} {b})"))
            }
            "arith.divsi" | "arith.divui" | "arith.remsi" | "arith.remui" => {
                self.division(op, name, path, &location)
            }
            "arith.maxsi" | "arith.minsi" | "arith.maxui" | "arith.minui" => {
                let ((a, sort), (b, _)) = self.pair(op)?;
                let compare = match name {
                    "arith.maxsi" => "bvsgt",
                    "arith.minsi" => "bvslt",
                    "arith.maxui" => "bvugt",
                    _ => "bvult",
                };
                self.define(op, 0, sort, format!("(ite ({compare} {a} {b}) {a} {b})"))
            }
            "math.absi" => {
                let (a, sort) = self.value(op, 0)?;
                let Sort::Bits(w) = sort else {
                    return Err(Untranslatable("a 'math.absi' of an i1".into()));
                };
                // MIN stays MIN, as in MLIR (two's complement negation wraps).
                self.define(
                    op,
                    0,
                    sort,
                    format!("(ite (bvslt {a} {}) (bvneg {a}) {a})", bits(0, w)),
                )
            }
            "arith.cmpi" => self.compare(op),
            "arith.select" => {
                let (c, _) = self.value(op, 0)?;
                let (a, sort) = self.value(op, 1)?;
                let (b, _) = self.value(op, 2)?;
                self.define(op, 0, sort, format!("(ite {c} {a} {b})"))
            }
            "arith.extsi" | "arith.extui" | "arith.trunci" | "arith.index_cast"
            | "arith.index_castui" => {
                let (a, from) = self.value(op, 0)?;
                let ty = op
                    .result(0)
                    .map(|r| r.r#type().to_string())
                    .unwrap_or_default();
                let to = Sort::of(&ty)?;
                let term = convert(
                    &a,
                    from,
                    to,
                    name == "arith.extsi" || name == "arith.index_cast",
                )?;
                self.define(op, 0, to, term)
            }
            other => Err(Untranslatable(format!("'{other}'"))),
        }
    }

    /// The two operands of a binary op.
    fn pair(&self, op: &OperationRef) -> Result<(Term, Term), Untranslatable> {
        Ok((self.value(op, 0)?, self.value(op, 1)?))
    }

    /// `arith.constant` of an integer, `i1` or float type.
    fn constant(&mut self, op: &OperationRef) -> Result<(), Untranslatable> {
        let ty = op
            .result(0)
            .map(|r| r.r#type().to_string())
            .unwrap_or_default();
        let sort = Sort::of(&ty)?;
        let text = op
            .attribute("value")
            .map(|a| a.to_string())
            .unwrap_or_default();
        let literal = text.split(" : ").next().unwrap_or_default();
        let unreadable = || Untranslatable(format!("the constant {text}"));
        let term = match sort {
            Sort::Bool => (literal == "true").to_string(),
            Sort::Bits(w) => {
                let value: i128 = literal.parse().map_err(|_| unreadable())?;
                if let Some(result) = op.result_at(0) {
                    self.constants.insert(result.to_raw().ptr as usize, value);
                }
                bits(value, w)
            }
            Sort::Float(..) => float::literal(literal, sort).ok_or_else(unreadable)?,
        };
        self.define(op, 0, sort, term)
    }

    /// A division or remainder, with its checks.
    fn division(
        &mut self,
        op: &OperationRef,
        name: &str,
        path: &str,
        location: &str,
    ) -> Result<(), Untranslatable> {
        let ((a, sort), (b, _)) = self.pair(op)?;
        let Sort::Bits(w) = sort else {
            return Err(Untranslatable(format!("'{name}' on i1")));
        };
        let zero = bits(0, w);
        self.oblige(
            path,
            format!("(not (= {b} {zero}))"),
            format!("division by zero in '{name}' at {location}"),
            None,
        );
        let signed = name.ends_with("si");
        if signed {
            self.oblige(
                path,
                format!("(not (and (= {a} {}) (= {b} {})))", min(w), bits(-1, w)),
                format!("signed division overflow in '{name}' at {location}"),
                None,
            );
        }
        let function = match name {
            "arith.divsi" => "bvsdiv",
            "arith.divui" => "bvudiv",
            "arith.remsi" => "bvsrem",
            _ => "bvurem",
        };
        self.define(op, 0, sort, format!("({function} {a} {b})"))
    }

    /// `arith.cmpi`.
    fn compare(&mut self, op: &OperationRef) -> Result<(), Untranslatable> {
        let ((a, sort), (b, _)) = self.pair(op)?;
        let (number, predicate) = predicate(op);
        let term = match (number, sort) {
            (0, _) => format!("(= {a} {b})"),
            (1, _) => format!("(not (= {a} {b}))"),
            (_, Sort::Bool) => {
                return Err(Untranslatable("an ordered compare of i1".into()));
            }
            (2, _) => format!("(bvslt {a} {b})"),
            (3, _) => format!("(bvsle {a} {b})"),
            (4, _) => format!("(bvsgt {a} {b})"),
            (5, _) => format!("(bvsge {a} {b})"),
            (6, _) => format!("(bvult {a} {b})"),
            (7, _) => format!("(bvule {a} {b})"),
            (8, _) => format!("(bvugt {a} {b})"),
            (9, _) => format!("(bvuge {a} {b})"),
            _ => return Err(Untranslatable(format!("the predicate {predicate}"))),
        };
        self.define(op, 0, Sort::Bool, term)
    }
}

fn min(w: u32) -> String {
    format!("(_ bv{} {w})", 1u128 << (w - 1))
}

fn convert(a: &str, from: Sort, to: Sort, signed: bool) -> Result<String, Untranslatable> {
    Ok(match (from, to) {
        (Sort::Bool, Sort::Bits(w)) => format!(
            "(ite {a} {} {})",
            bits(if signed { -1 } else { 1 }, w),
            bits(0, w)
        ),
        (Sort::Bits(f), Sort::Bits(t)) if t > f => {
            let extend = if signed { "sign_extend" } else { "zero_extend" };
            format!("((_ {extend} {}) {a})", t - f)
        }
        (Sort::Bits(f), Sort::Bits(t)) if t < f => format!("((_ extract {} 0) {a})", t - 1),
        (Sort::Bits(_), Sort::Bits(_)) => a.to_owned(),
        (Sort::Bits(_), Sort::Bool) => format!("(= ((_ extract 0 0) {a}) #b1)"),
        (Sort::Bool, Sort::Bool) => a.to_owned(),
        (Sort::Float(..), _) | (_, Sort::Float(..)) => {
            return Err(Untranslatable("an integer cast of a float".into()));
        }
    })
}
