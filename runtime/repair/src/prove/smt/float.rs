//! Floats as SMT-LIB2 IEEE 754 terms (`(_ FloatingPoint 8 24)` for `f32`), rounding to nearest
//! even as MLIR's `arith` does: literals by their bits, arithmetic, compares (ordered and
//! unordered, as `arith.cmpf` defines them), conversions, `math.fma` and the rounding ops
//! (`floor`, `ceil`, `trunc`, `round`, `roundeven`), and the obligation the
//! instrumentation checks by default: the results of `arith.divf` and `math.sqrt` are finite.

use melior::ir::OperationRef;
use melior::ir::ValueLike;
use melior::ir::operation::OperationLike;

use super::{Sort, Translator, Untranslatable, integer};

/// The float ops translated here.
pub(super) const OPS: &[&str] = &[
    "arith.addf",
    "arith.subf",
    "arith.mulf",
    "arith.divf",
    "arith.negf",
    "arith.maximumf",
    "arith.minimumf",
    "math.absf",
    "math.sqrt",
    "math.fma",
    "math.floor",
    "math.ceil",
    "math.trunc",
    "math.round",
    "math.roundeven",
    "arith.cmpf",
    "arith.sitofp",
    "arith.uitofp",
    "arith.fptosi",
    "arith.fptoui",
    "arith.extf",
    "arith.truncf",
];

/// Ops whose results the instrumentation checks are finite (its default `nan-ops` that have a
/// theory here).
const CHECKED: &[&str] = &["arith.divf", "math.sqrt"];

/// A float literal of `sort` (`1.500000e+00`, `0x7FC00000`) as an SMT term, by its bits.
pub(super) fn literal(text: &str, sort: Sort) -> Option<String> {
    let Sort::Float(exponent, significand) = sort else {
        return None;
    };
    let bits: u64 = if let Some(hex) = text.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()?
    } else {
        let value: f64 = text.parse().ok()?;
        match (exponent, significand) {
            (8, 24) => u64::from((value as f32).to_bits()),
            (11, 53) => value.to_bits(),
            (5, 11) => return None,
            _ => return None,
        }
    };
    let width = exponent + significand;
    let mantissa = significand - 1;
    let field = |value: u64, size: u32| {
        format!(
            "#b{:0width$b}",
            value & ((1u64 << size) - 1),
            width = size as usize
        )
    };
    Some(format!(
        "(fp {} {} {})",
        field(bits >> (width - 1), 1),
        field(bits >> mantissa, exponent),
        field(bits, mantissa)
    ))
}

/// A Z3 float value (`fp #b0 #x80 #b000...` or `_ +zero 8 24`, parentheses gone) as a number.
pub(super) fn value_of(tokens: &[&str], sort: Sort) -> Option<String> {
    let bits = bits_of(tokens, sort)?;
    Some(match sort {
        Sort::Float(8, 24) => f32::from_bits(bits as u32).to_string(),
        Sort::Float(11, 53) => f64::from_bits(bits).to_string(),
        _ => format!("{bits:#x}"),
    })
}

/// The bits of a Z3 float value (see [`value_of`]); a NaN is the quiet NaN with no payload.
pub(super) fn bits_of(tokens: &[&str], sort: Sort) -> Option<u64> {
    let Sort::Float(exponent, significand) = sort else {
        return None;
    };
    let mantissa = significand - 1;
    let sign_bit = 1u64 << (exponent + mantissa);
    let infinity = ((1u64 << exponent) - 1) << mantissa;
    match tokens {
        ["fp", sign, e, m, ..] => {
            let number = |t: &str| {
                t.strip_prefix("#b")
                    .and_then(|b| u64::from_str_radix(b, 2).ok())
                    .or_else(|| {
                        t.strip_prefix("#x")
                            .and_then(|h| u64::from_str_radix(h, 16).ok())
                    })
            };
            Some((number(sign)? << (exponent + mantissa)) | (number(e)? << mantissa) | number(m)?)
        }
        ["_", special, ..] => Some(match *special {
            "+zero" => 0,
            "-zero" => sign_bit,
            "+oo" => infinity,
            "-oo" => sign_bit | infinity,
            _ => infinity | (1 << (mantissa - 1)),
        }),
        _ => None,
    }
}

impl Translator<'_, '_> {
    /// `op`, one of [`OPS`].
    pub(super) fn float_op(
        &mut self,
        op: &OperationRef,
        name: &str,
        path: &str,
    ) -> Result<(), Untranslatable> {
        let location = tensorlang::diagnostic::format_location(op.location());
        let result_sort = || -> Result<Sort, Untranslatable> {
            Sort::of(
                &op.result(0)
                    .map(|r| r.r#type().to_string())
                    .unwrap_or_default(),
            )
        };
        let (term, sort) = match name {
            "arith.addf" | "arith.subf" | "arith.mulf" | "arith.divf" => {
                let ((a, sort), (b, _)) = (self.value(op, 0)?, self.value(op, 1)?);
                let function = &name["arith.".len()..name.len() - 1];
                (format!("(fp.{function} RNE {a} {b})"), sort)
            }
            "arith.maximumf" | "arith.minimumf" => {
                let ((a, sort), (b, _)) = (self.value(op, 0)?, self.value(op, 1)?);
                let function = if name == "arith.maximumf" {
                    "max"
                } else {
                    "min"
                };
                // NaN in, NaN out (fp.max would give the other operand).
                (
                    format!(
                        "(ite (or (fp.isNaN {a}) (fp.isNaN {b})) (fp.add RNE {a} {b}) (fp.{function} {a} {b}))"
                    ),
                    sort,
                )
            }
            "arith.negf" => {
                let (a, sort) = self.value(op, 0)?;
                (format!("(fp.neg {a})"), sort)
            }
            "math.absf" => {
                let (a, sort) = self.value(op, 0)?;
                (format!("(fp.abs {a})"), sort)
            }
            "math.sqrt" => {
                let (a, sort) = self.value(op, 0)?;
                (format!("(fp.sqrt RNE {a})"), sort)
            }
            "math.fma" => {
                let ((a, sort), (b, _), (c, _)) =
                    (self.value(op, 0)?, self.value(op, 1)?, self.value(op, 2)?);
                (format!("(fp.fma RNE {a} {b} {c})"), sort)
            }
            "math.floor" | "math.ceil" | "math.trunc" | "math.round" | "math.roundeven" => {
                let (a, sort) = self.value(op, 0)?;
                // round: half away from zero; roundeven: half to even.
                let mode = match name {
                    "math.floor" => "RTN",
                    "math.ceil" => "RTP",
                    "math.trunc" => "RTZ",
                    "math.round" => "RNA",
                    _ => "RNE",
                };
                (format!("(fp.roundToIntegral {mode} {a})"), sort)
            }
            "arith.cmpf" => {
                let ((a, _), (b, _)) = (self.value(op, 0)?, self.value(op, 1)?);
                let (number, predicate) = integer::predicate(op);
                (
                    compare(number, &a, &b)
                        .ok_or_else(|| Untranslatable(format!("the predicate {predicate}")))?,
                    Sort::Bool,
                )
            }
            _ => {
                let (a, from) = self.value(op, 0)?;
                let to = result_sort()?;
                (convert(name, &a, from, to)?, to)
            }
        };
        self.define(op, 0, sort, term)?;
        if CHECKED.contains(&name) {
            let (result, _) = self.value_of_result(op, 0)?;
            self.oblige(
                path,
                format!("(not (or (fp.isNaN {result}) (fp.isInfinite {result})))"),
                format!("non-finite result (NaN or Inf) of '{name}' at {location}"),
                None,
            );
        }
        Ok(())
    }
}

/// `arith.cmpf` with predicate `number` (`arith::CmpFPredicate`): ordered predicates are false
/// when an operand is NaN, unordered ones true.
fn compare(number: u32, a: &str, b: &str) -> Option<String> {
    let nan = format!("(or (fp.isNaN {a}) (fp.isNaN {b}))");
    let ordered = |relation: String| format!("(and (not {nan}) {relation})");
    let unordered = |relation: String| format!("(or {nan} {relation})");
    Some(match number {
        0 => "false".into(),
        1 => ordered(format!("(fp.eq {a} {b})")),
        2 => ordered(format!("(fp.gt {a} {b})")),
        3 => ordered(format!("(fp.geq {a} {b})")),
        4 => ordered(format!("(fp.lt {a} {b})")),
        5 => ordered(format!("(fp.leq {a} {b})")),
        6 => ordered(format!("(not (fp.eq {a} {b}))")),
        7 => format!("(not {nan})"),
        8 => unordered(format!("(fp.eq {a} {b})")),
        9 => unordered(format!("(fp.gt {a} {b})")),
        10 => unordered(format!("(fp.geq {a} {b})")),
        11 => unordered(format!("(fp.lt {a} {b})")),
        12 => unordered(format!("(fp.leq {a} {b})")),
        13 => unordered(format!("(not (fp.eq {a} {b}))")),
        14 => nan,
        15 => "true".into(),
        _ => return None,
    })
}

/// The conversions between integers and floats, and between float widths.
fn convert(name: &str, a: &str, from: Sort, to: Sort) -> Result<String, Untranslatable> {
    let unsupported = || Untranslatable(format!("'{name}' from {} to {}", from.smt(), to.smt()));
    Ok(match (name, from, to) {
        ("arith.sitofp", Sort::Bits(_), Sort::Float(e, s)) => {
            format!("((_ to_fp {e} {s}) RNE {a})")
        }
        ("arith.uitofp", Sort::Bits(_), Sort::Float(e, s)) => {
            format!("((_ to_fp_unsigned {e} {s}) RNE {a})")
        }
        ("arith.fptosi", Sort::Float(..), Sort::Bits(w)) => format!("((_ fp.to_sbv {w}) RTZ {a})"),
        ("arith.fptoui", Sort::Float(..), Sort::Bits(w)) => format!("((_ fp.to_ubv {w}) RTZ {a})"),
        ("arith.extf" | "arith.truncf", Sort::Float(..), Sort::Float(e, s)) => {
            format!("((_ to_fp {e} {s}) RNE {a})")
        }
        _ => return Err(unsupported()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_their_bits_and_values_read_back() {
        let f32s = Sort::Float(8, 24);
        assert_eq!(
            literal("1.500000e+00", f32s).unwrap(),
            "(fp #b0 #b01111111 #b10000000000000000000000)"
        );
        assert_eq!(
            literal("0x7FC00000", f32s).unwrap(),
            "(fp #b0 #b11111111 #b10000000000000000000000)"
        );
        assert_eq!(
            value_of(&["fp", "#b1", "#x80", "#b00000000000000000000000"], f32s).unwrap(),
            "-2"
        );
        assert_eq!(value_of(&["_", "+zero", "8", "24"], f32s).unwrap(), "0");
        assert_eq!(value_of(&["_", "-oo", "8", "24"], f32s).unwrap(), "-inf");
        assert_eq!(bits_of(&["_", "NaN", "8", "24"], f32s), Some(0x7FC0_0000));
        assert_eq!(
            bits_of(&["_", "+oo", "11", "53"], Sort::Float(11, 53)),
            Some(f64::INFINITY.to_bits())
        );
        assert_eq!(
            compare(4, "a", "b").unwrap(),
            "(and (not (or (fp.isNaN a) (fp.isNaN b))) (fp.lt a b))"
        );
    }
}
