//! `--convert-tensorlang-to-linalg`: lowers every `tensorlang` op to upstream dialects.
//!
//! | op | becomes |
//! |---|---|
//! | `constant` | `arith.constant` (dense tensor) |
//! | `add`, `sub`, `mul`, `div` | `linalg.add`, `linalg.sub`, `linalg.mul`, `linalg.div` into `tensor.empty` |
//! | `matmul` | `linalg.matmul` into a zero `linalg.fill` |
//! | `transpose` | `linalg.transpose` |
//! | `reduce` | `linalg.reduce` from the identity (0 for sum, lowest value for max) |
//! | `relu` | `linalg.generic` computing `max(x, 0)` |
//! | `assert` | `cf.assert` |
//! | `print` | a private helper per tensor type printing the type and the values with `vector.print` (no address: the same on every run); `vector.print` for scalars |
//!
//! ```mlir
//! // before
//! %0 = "tensorlang.add"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
//! // after
//! %e = tensor.empty() : tensor<4xf32>
//! %0 = linalg.add ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
//! ```
//!
//! Each op is checked by [`crate::verify`] first; an op that fails is reported and the pass fails
//! without touching the module.

mod effects;
mod elementwise;
mod structured;

use crate::builder::Builder;
use crate::tensor_type::StaticTensor;
use crate::{OpExt, tensorlang_ops, verify};
use melior::ir::attribute::StringAttribute;
use melior::ir::operation::OperationLike;
use melior::ir::{OperationRef, RegionLike, Value};
use melior::{Context, IrRewriter};
use structured::Reduction;
use tensorlang::ir::OperationExt;
use tensorlang::{PassDefinition, PassFailure, PassInvocation, emit_error};

/// The pass definition, registered as `convert-tensorlang-to-linalg`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"convert-tensorlang-to-linalg",
    name: c"ConvertTensorLangToLinalg",
    summary: c"Lower tensorlang ops to linalg, tensor, arith, bufferization, memref, cf, func and vector ops",
    anchor: Some(c"builtin.module"),
    options: &[],
    dependent_dialects: &[
        mlir_sys::mlirGetDialectHandle__arith__,
        mlir_sys::mlirGetDialectHandle__bufferization__,
        mlir_sys::mlirGetDialectHandle__cf__,
        mlir_sys::mlirGetDialectHandle__func__,
        mlir_sys::mlirGetDialectHandle__linalg__,
        mlir_sys::mlirGetDialectHandle__math__,
        mlir_sys::mlirGetDialectHandle__scf__,
        mlir_sys::mlirGetDialectHandle__memref__,
        mlir_sys::mlirGetDialectHandle__tensor__,
        mlir_sys::mlirGetDialectHandle__vector__,
    ],
    run,
};

fn run(context: &Context, module: OperationRef, _: &PassInvocation) -> Result<(), PassFailure> {
    let ops = tensorlang_ops(module);
    let mut failed = false;
    for op in &ops {
        if let Err(message) = verify::verify(*op) {
            emit_error(op.location(), &format!("'{}' {message}", op.op_name()));
            failed = true;
        }
    }
    if failed {
        return Err(PassFailure);
    }
    let rewriter = IrRewriter::new(context);
    let rewriter = &rewriter;
    let body = module
        .region_at(0)
        .and_then(|region| region.first_block())
        .ok_or(PassFailure)?;
    for op in ops {
        rewriter.as_rewriter_base().set_insertion_point_before(op);
        let builder = Builder {
            context,
            location: op.location(),
            rewriter,
        };
        match lower(&builder, body, op) {
            Some(value) => rewriter
                .as_rewriter_base()
                .replace_op_with_values(op, &[value]),
            None => rewriter.as_rewriter_base().erase_op(op),
        }
    }
    Ok(())
}

/// Builds the replacement of one verified op; `None` for ops without results.
fn lower<'c>(
    builder: &Builder<'c, '_>,
    module: melior::ir::BlockRef<'c, '_>,
    op: OperationRef<'c, 'c>,
) -> Option<Value<'c, 'c>> {
    let name = op.op_name();
    let operand = |i: usize| op.operand(i).expect("verified arity");
    let result = || StaticTensor::new(op.result_type(0)).expect("verified result type");
    let attribute = |name: &str| op.attribute(name).expect("verified attribute");
    match name.as_str() {
        "tensorlang.add" | "tensorlang.sub" | "tensorlang.mul" | "tensorlang.div" => Some(
            elementwise::binary(builder, &name, &result(), operand(0), operand(1)),
        ),
        "tensorlang.relu" => Some(elementwise::relu(builder, &result(), operand(0))),
        "tensorlang.exp" | "tensorlang.log" | "tensorlang.sqrt" | "tensorlang.tanh"
        | "tensorlang.abs" | "tensorlang.neg" => {
            Some(elementwise::unary(builder, &name, &result(), operand(0)))
        }
        "tensorlang.compare" => {
            let predicate = StringAttribute::try_from(attribute("predicate"))
                .map(|p| p.value().to_owned())
                .unwrap_or_default();
            Some(elementwise::compare(
                builder,
                &predicate,
                &result(),
                operand(0),
                operand(1),
            ))
        }
        "tensorlang.select" => Some(elementwise::select(
            builder,
            &result(),
            [operand(0), operand(1), operand(2)],
        )),
        "tensorlang.broadcast" => Some(elementwise::broadcast(builder, &result(), operand(0))),
        "tensorlang.matmul" => Some(structured::matmul(
            builder,
            &result(),
            operand(0),
            operand(1),
        )),
        "tensorlang.transpose" => {
            let permutation = verify::permutation(op).expect("verified permutation");
            Some(structured::transpose(
                builder,
                &result(),
                operand(0),
                &permutation,
            ))
        }
        "tensorlang.reduce" => {
            let kind = match StringAttribute::try_from(attribute("kind")).map(|k| k.value()) {
                Ok("max") => Reduction::Max,
                _ => Reduction::Sum,
            };
            let axis = verify::axis(op).expect("verified axis");
            Some(structured::reduce(
                builder,
                &result(),
                operand(0),
                kind,
                axis,
            ))
        }
        "tensorlang.constant" => Some(effects::constant(
            builder,
            attribute("value"),
            op.result_type(0),
        )),
        "tensorlang.assert" => {
            effects::assert(builder, operand(0), attribute("message"));
            None
        }
        "tensorlang.print" => {
            effects::print(builder, module, operand(0));
            None
        }
        other => unreachable!("verify rejects unknown op {other}"),
    }
}
