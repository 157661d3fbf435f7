//! `--tensorlang-verify`: checks what IRDL cannot express.
//!
//! IRDL already checks each op's arity and the kinds of its operands and attributes, and that an
//! elementwise op's operands and result share one type. This pass checks the rest: tensors are
//! statically shaped and hold numbers, matmul's inner dimensions agree, element types match,
//! transpose permutations and reduce axes are in range, result shapes are the ones the op computes.
//!
//! ```mlir
//! // error: 'tensorlang.matmul' inner dimensions disagree: lhs is 2x3, rhs is 4x5
//! %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
//! ```

use crate::tensor_type::{ElementKind, Shape, StaticTensor};
use crate::{OpExt, tensorlang_ops};
use melior::Context;
use melior::ir::attribute::AttributeLike;
use melior::ir::attribute::{DenseI64ArrayAttribute, IntegerAttribute};
use melior::ir::operation::OperationLike;
use melior::ir::{OperationRef, Type};
use tensorlang::{PassDefinition, PassFailure, PassInvocation, emit_error};

/// The pass definition, registered as `tensorlang-verify`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"tensorlang-verify",
    name: c"TensorLangVerify",
    summary: c"Check the invariants of tensorlang ops that IRDL cannot express (shapes, element types, axes)",
    anchor: None,
    options: &[],
    dependent_dialects: &[],
    run,
};

fn run(_: &Context, root: OperationRef, _: &PassInvocation) -> Result<(), PassFailure> {
    let mut failed = false;
    for op in tensorlang_ops(root) {
        if let Err(message) = verify(op) {
            emit_error(op.location(), &format!("'{}' {message}", op.op_name()));
            failed = true;
        }
    }
    if failed { Err(PassFailure) } else { Ok(()) }
}

/// Checks one `tensorlang` op; the error is the message without the op name.
pub fn verify(op: OperationRef) -> Result<(), String> {
    match op.op_name().as_str() {
        "tensorlang.add" | "tensorlang.sub" | "tensorlang.mul" | "tensorlang.div"
        | "tensorlang.relu" => {
            let result = numeric_tensor(op.result_type(0), "result")?;
            for i in 0..op.operand_count() {
                same_element(&result, op.operand_type(i), "operand")?;
            }
            Ok(())
        }
        "tensorlang.abs" | "tensorlang.neg" => {
            let result = numeric_tensor(op.result_type(0), "result")?;
            same_element(&result, op.operand_type(0), "input").map(|_| ())
        }
        "tensorlang.exp" | "tensorlang.log" | "tensorlang.sqrt" | "tensorlang.tanh" => {
            let result = numeric_tensor(op.result_type(0), "result")?;
            if result.element_kind() != Some(ElementKind::Float) {
                return Err(format!("requires floats, got {}", result.r#type()));
            }
            same_element(&result, op.operand_type(0), "input").map(|_| ())
        }
        "tensorlang.compare" => verify_compare(op),
        "tensorlang.select" => verify_select(op),
        "tensorlang.broadcast" => verify_broadcast(op),
        "tensorlang.constant" => verify_constant(op),
        "tensorlang.matmul" => verify_matmul(op),
        "tensorlang.transpose" => verify_transpose(op),
        "tensorlang.reduce" => verify_reduce(op),
        "tensorlang.print" => verify_print(op.operand_type(0)),
        "tensorlang.assert" => Ok(()),
        other => Err(format!(
            "is not an op of the tensorlang dialect (unknown '{other}')"
        )),
    }
}

fn numeric_tensor<'c>(r#type: Type<'c>, what: &str) -> Result<StaticTensor<'c>, String> {
    let tensor = StaticTensor::new(r#type)
        .ok_or_else(|| format!("requires a statically shaped tensor {what}, got {type}"))?;
    tensor
        .element_kind()
        .ok_or_else(|| format!("requires a tensor of integers or floats as {what}, got {type}"))?;
    Ok(tensor)
}

fn same_element<'c>(
    expected: &StaticTensor<'c>,
    r#type: Type<'c>,
    what: &str,
) -> Result<StaticTensor<'c>, String> {
    let tensor = numeric_tensor(r#type, what)?;
    if tensor.element() != expected.element() {
        return Err(format!(
            "element types disagree: {what} has {}, result has {}",
            tensor.element(),
            expected.element()
        ));
    }
    Ok(tensor)
}

fn expect_shape(result: &StaticTensor, expected: &[i64]) -> Result<(), String> {
    if result.shape() == expected {
        Ok(())
    } else {
        Err(format!(
            "result shape is {}, expected {}",
            Shape(&result.shape()),
            Shape(expected)
        ))
    }
}

fn verify_compare(op: OperationRef) -> Result<(), String> {
    let lhs = numeric_tensor(op.operand_type(0), "operand")?;
    let rhs = same_element(&lhs, op.operand_type(1), "operand")?;
    if rhs.shape() != lhs.shape() {
        return Err(format!(
            "operand shapes disagree: {} and {}",
            Shape(&lhs.shape()),
            Shape(&rhs.shape())
        ));
    }
    let result = numeric_tensor(op.result_type(0), "result")?;
    if result.element().to_string() != "i1" {
        return Err(format!(
            "result must be a tensor of i1, got {}",
            result.r#type()
        ));
    }
    expect_shape(&result, &lhs.shape())
}

fn verify_select(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let condition = numeric_tensor(op.operand_type(0), "condition")?;
    if condition.element().to_string() != "i1" {
        return Err(format!(
            "condition must be a tensor of i1, got {}",
            condition.r#type()
        ));
    }
    if condition.shape() != result.shape() {
        return Err(format!(
            "condition shape is {}, result shape is {}",
            Shape(&condition.shape()),
            Shape(&result.shape())
        ));
    }
    for i in 1..3 {
        let value = same_element(&result, op.operand_type(i), "value")?;
        expect_shape(&value, &result.shape())?;
    }
    Ok(())
}

fn verify_broadcast(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let input = op.operand_type(0);
    if StaticTensor::new(input).is_none() {
        return if input == result.element() {
            Ok(())
        } else {
            Err(format!(
                "a scalar input must have the result's element type {}, got {input}",
                result.element()
            ))
        };
    }
    let input = same_element(&result, input, "input")?;
    let (shape, target) = (input.shape(), result.shape());
    if shape.len() > target.len() || target[target.len() - shape.len()..] != shape[..] {
        return Err(format!(
            "input shape {} is not the trailing dimensions of the result shape {}",
            Shape(&shape),
            Shape(&target)
        ));
    }
    Ok(())
}

fn verify_constant(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let value = op
        .attribute("value")
        .map_err(|_| "requires a 'value' attribute".to_string())?;
    let r#type = value.r#type();
    if r#type == result.r#type() {
        Ok(())
    } else {
        Err(format!(
            "value has type {type}, result has type {}",
            result.r#type()
        ))
    }
}

fn verify_matmul(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let lhs = same_element(&result, op.operand_type(0), "lhs")?;
    let rhs = same_element(&result, op.operand_type(1), "rhs")?;
    let (lhs_shape, rhs_shape) = (lhs.shape(), rhs.shape());
    if lhs_shape.len() != 2 || rhs_shape.len() != 2 {
        return Err(format!(
            "requires rank-2 operands, got {} and {}",
            Shape(&lhs_shape),
            Shape(&rhs_shape)
        ));
    }
    if lhs_shape[1] != rhs_shape[0] {
        return Err(format!(
            "inner dimensions disagree: lhs is {}, rhs is {}",
            Shape(&lhs_shape),
            Shape(&rhs_shape)
        ));
    }
    expect_shape(&result, &[lhs_shape[0], rhs_shape[1]])
}

fn verify_transpose(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let input = same_element(&result, op.operand_type(0), "input")?;
    let permutation = permutation(op).ok_or("requires 'permutation' to be an array<i64: ...>")?;
    let shape = input.shape();
    let mut sorted = permutation.clone();
    sorted.sort_unstable();
    if sorted != (0..shape.len() as i64).collect::<Vec<_>>() {
        return Err(format!(
            "permutation {permutation:?} is not a permutation of the {} dimensions of the input",
            shape.len()
        ));
    }
    let expected: Vec<i64> = permutation.iter().map(|&d| shape[d as usize]).collect();
    expect_shape(&result, &expected)
}

fn verify_reduce(op: OperationRef) -> Result<(), String> {
    let result = numeric_tensor(op.result_type(0), "result")?;
    let input = same_element(&result, op.operand_type(0), "input")?;
    let axis = axis(op).ok_or("requires an integer 'axis'")?;
    let mut shape = input.shape();
    if axis < 0 || axis as usize >= shape.len() {
        return Err(format!(
            "axis {axis} is out of range for a rank-{} input",
            shape.len()
        ));
    }
    shape.remove(axis as usize);
    expect_shape(&result, &shape)
}

/// The `permutation` of a `tensorlang.transpose`, `None` when it is not an `array<i64: ...>`.
pub(crate) fn permutation(op: OperationRef) -> Option<Vec<i64>> {
    let attribute = DenseI64ArrayAttribute::try_from(op.attribute("permutation").ok()?).ok()?;
    (0..attribute.len())
        .map(|i| attribute.element(i).ok())
        .collect()
}

/// The `axis` of a `tensorlang.reduce`, `None` when it is not an integer.
pub(crate) fn axis(op: OperationRef) -> Option<i64> {
    Some(
        IntegerAttribute::try_from(op.attribute("axis").ok()?)
            .ok()?
            .value(),
    )
}

fn verify_print(r#type: Type) -> Result<(), String> {
    let printable = |element: Type| {
        ElementKind::of(element).is_some()
            && ["f32", "f64", "i32", "i64"].contains(&element.to_string().as_str())
    };
    match StaticTensor::new(r#type) {
        Some(tensor) if printable(tensor.element()) => Ok(()),
        None if ElementKind::of(r#type).is_some() => Ok(()),
        _ => Err(format!(
            "prints statically shaped tensors of f32, f64, i32 or i64, and integer or float scalars; got {type}"
        )),
    }
}
