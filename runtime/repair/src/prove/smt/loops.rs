//! `scf.for` with constant bounds, unrolled: each iteration's body translated with its
//! induction variable as a constant and the values the previous one yielded, up to
//! [`MAX_ITERATIONS`]. A loop with a bound computed at run time, or longer, is not translated.

use melior::ir::operation::OperationLike;
use melior::ir::{BlockLike, OperationRef, RegionLike, ValueLike};
use tensorlang::ir::OperationExt;

use super::{Sort, Translator, Untranslatable, bits};

/// The longest loop unrolled.
pub(super) const MAX_ITERATIONS: i128 = 64;

impl Translator<'_, '_> {
    /// `op`, an `scf.for`, unrolled under `path`.
    pub(super) fn unroll(&mut self, op: &OperationRef, path: &str) -> Result<(), Untranslatable> {
        let bound = |i: usize| -> Result<i128, Untranslatable> {
            let operand = op
                .operand(i)
                .map_err(|_| Untranslatable("an 'scf.for' without bounds".into()))?;
            self.constants
                .get(&(operand.to_raw().ptr as usize))
                .copied()
                .ok_or_else(|| Untranslatable("an 'scf.for' whose bounds are not constants".into()))
        };
        let (lower, upper, step) = (bound(0)?, bound(1)?, bound(2)?);
        if step <= 0 {
            return Err(Untranslatable(
                "an 'scf.for' with a step that is not positive".into(),
            ));
        }
        let iterations = if upper > lower {
            (upper - lower + step - 1) / step
        } else {
            0
        };
        if iterations > MAX_ITERATIONS {
            return Err(Untranslatable(format!(
                "an 'scf.for' of {iterations} iterations (at most {MAX_ITERATIONS} are unrolled)"
            )));
        }
        let (_, index_sort) = self.value(op, 0)?;
        let Sort::Bits(width) = index_sort else {
            return Err(Untranslatable("an 'scf.for' over i1".into()));
        };
        let mut carried: Vec<(String, Sort)> = (3..op.operand_count())
            .map(|i| self.value(op, i))
            .collect::<Result<_, _>>()?;
        let body = op
            .region_at(0)
            .and_then(|r| r.first_block())
            .ok_or_else(|| Untranslatable("an 'scf.for' without a body".into()))?;
        for iteration in 0..iterations {
            let induction = body
                .argument(0)
                .map_err(|_| Untranslatable("an 'scf.for' without an induction variable".into()))?;
            self.values.insert(
                induction.to_raw().ptr as usize,
                (bits(lower + iteration * step, width), index_sort),
            );
            self.constants
                .insert(induction.to_raw().ptr as usize, lower + iteration * step);
            for (i, value) in carried.iter().enumerate() {
                let argument = body.argument(i + 1).map_err(|_| {
                    Untranslatable("an 'scf.for' that lost an iteration argument".into())
                })?;
                self.values
                    .insert(argument.to_raw().ptr as usize, value.clone());
            }
            carried = self.block(body, path)?;
        }
        for (i, (term, sort)) in carried.into_iter().enumerate() {
            self.define(op, i, sort, term)?;
        }
        Ok(())
    }
}
