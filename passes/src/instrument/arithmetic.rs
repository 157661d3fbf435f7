//! Checks on scalar arithmetic: integer divisors (zero, signed overflow) and float results
//! (NaN, Inf).

use super::CHECK_ATTRIBUTE;
use crate::builder::Builder;
use crate::{OpExt, ops_where};
use melior::dialect::arith::{self, CmpfPredicate, CmpiPredicate};
use melior::dialect::cf;
use melior::ir::attribute::{FloatAttribute, IntegerAttribute, StringAttribute};
use melior::ir::operation::{OperationLike, OperationMutLike};
use melior::ir::r#type::IntegerType;
use melior::ir::{OperationRef, Type, TypeLike, Value, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang::ir::OperationExt;
use tensorlang_checks::CheckKind;

/// Integer divisions and remainders, and whether each is signed (and so can overflow).
const DIVISIONS: [(&str, bool); 7] = [
    ("arith.divsi", true),
    ("arith.divui", false),
    ("arith.remsi", true),
    ("arith.remui", false),
    ("arith.ceildivsi", true),
    ("arith.ceildivui", false),
    ("arith.floordivsi", true),
];

/// Before every scalar integer division: its divisor is not zero (`div_by_zero`) and, when signed,
/// it is not `MIN / -1` (`overflow`).
pub(super) fn guard_divisions<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
    div_by_zero: bool,
    overflow: bool,
) {
    for op in ops_where(module, |name| DIVISIONS.iter().any(|(d, _)| *d == name)) {
        let name = op.op_name();
        let signed = DIVISIONS.iter().any(|(d, signed)| *d == name && *signed);
        let r#type = op.operand_type(1);
        if !(r#type.is_integer() || r#type.is_index()) {
            continue; // vectors and tensors of integers are left to their scalar lowering
        }
        rewriter.as_rewriter_base().set_insertion_point_before(op);
        let checks = Checks::new(context, rewriter, op);
        let (lhs, rhs) = (operand(op, 0), operand(op, 1));
        if div_by_zero {
            let zero = checks.integer(r#type, 0);
            let nonzero = checks.insert(arith::cmpi(
                context,
                CmpiPredicate::Ne,
                rhs,
                zero,
                checks.at(),
            ));
            checks.assert(
                nonzero,
                CheckKind::DivByZero,
                &format!("division by zero in '{name}'"),
            );
        }
        if overflow && signed {
            let Some(min) = signed_min(r#type) else {
                continue; // wider than 64 bits: no constant for MIN here
            };
            let min = checks.integer(r#type, min);
            let minus_one = checks.integer(r#type, -1);
            let not_min = checks.insert(arith::cmpi(
                context,
                CmpiPredicate::Ne,
                lhs,
                min,
                checks.at(),
            ));
            let not_minus_one = checks.insert(arith::cmpi(
                context,
                CmpiPredicate::Ne,
                rhs,
                minus_one,
                checks.at(),
            ));
            let ok = checks.insert(arith::ori(not_min, not_minus_one, checks.at()));
            checks.assert(
                ok,
                CheckKind::Overflow,
                &format!("signed division overflow in '{name}'"),
            );
        }
    }
}

/// After every op named in `names` with one scalar float result: the result is finite
/// (`|x| < inf`, which is false for NaN too).
pub(super) fn guard_float_results<'c>(
    context: &'c Context,
    rewriter: &IrRewriter<'c>,
    module: OperationRef<'c, '_>,
    names: &[String],
) {
    for op in ops_where(module, |name| names.iter().any(|n| n == name)) {
        let Some(result) = op.result_at(0) else {
            continue;
        };
        let r#type = result.r#type();
        // SAFETY: a type predicate only reads the type.
        if op.result_count() != 1 || !unsafe { mlir_sys::mlirTypeIsAFloat(r#type.to_raw()) } {
            continue; // vectors and tensors of floats are left to their scalar lowering
        }
        rewriter.as_rewriter_base().set_insertion_point_after(op);
        let checks = Checks::new(context, rewriter, op);
        // SAFETY: the result belongs to `op`, which stays in the IR.
        let value: Value = unsafe { tensorlang::lifetime::value(result) };
        let magnitude = checks.insert(
            melior::ir::operation::OperationBuilder::new("math.absf", checks.at())
                .add_operands(&[value])
                .add_results(&[r#type])
                .build()
                .expect("math.absf of a float is valid"),
        );
        let infinity = checks.insert(arith::constant(
            context,
            FloatAttribute::new(context, r#type, f64::INFINITY).into(),
            checks.at(),
        ));
        let finite = checks.insert(arith::cmpf(
            context,
            CmpfPredicate::Olt,
            magnitude,
            infinity,
            checks.at(),
        ));
        checks.assert(
            finite,
            CheckKind::NonFinite,
            &format!("non-finite result (NaN or Inf) of '{}'", op.op_name()),
        );
    }
}

/// Builds one op's checks at the rewriter's insertion point and at the op's location.
struct Checks<'c, 'r> {
    builder: Builder<'c, 'r>,
}

impl<'c, 'r> Checks<'c, 'r> {
    fn new(context: &'c Context, rewriter: &'r IrRewriter<'c>, op: OperationRef<'c, '_>) -> Self {
        Self {
            builder: Builder {
                context,
                location: op.location(),
                rewriter,
            },
        }
    }

    fn at(&self) -> melior::ir::Location<'c> {
        self.builder.location
    }

    fn insert(&self, op: melior::ir::Operation<'c>) -> Value<'c, 'c> {
        self.builder.insert(op)
    }

    fn integer(&self, r#type: Type<'c>, value: i64) -> Value<'c, 'c> {
        self.insert(arith::constant(
            self.builder.context,
            IntegerAttribute::new(r#type, value).into(),
            self.at(),
        ))
    }

    /// `cf.assert %condition, "message" {tensorlang.check = "<kind>"}`.
    fn assert(&self, condition: Value<'c, '_>, kind: CheckKind, message: &str) {
        let mut assert = cf::assert(self.builder.context, condition, message, self.at());
        assert.set_attribute(
            CHECK_ATTRIBUTE,
            StringAttribute::new(self.builder.context, kind.name()).into(),
        );
        self.builder.insert_void(assert);
    }
}

fn operand<'c, 'a>(op: OperationRef<'c, 'a>, index: usize) -> Value<'c, 'a> {
    op.operand(index).expect("arith ops have their operands")
}

/// The smallest signed value of an integer or index type (index is 64 bits on every target we
/// run on), or `None` when it does not fit an `i64`.
fn signed_min(r#type: Type) -> Option<i64> {
    let width = if r#type.is_index() {
        64
    } else {
        IntegerType::try_from(r#type).ok()?.width()
    };
    match width {
        1..=64 => Some(i64::MIN >> (64 - width)),
        _ => None,
    }
}
