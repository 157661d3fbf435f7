//! `tensorlang.constant`, `assert` and `print`: the ops that are not tensor computations.

use crate::builder::Builder;
use crate::tensor_type::StaticTensor;
use melior::ir::attribute::{StringAttribute, TypeAttribute};
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationLike;
use melior::ir::{Attribute, BlockRef, Region, Type, Value, ValueLike};

/// `arith.constant` with the same dense value.
pub(super) fn constant<'c>(
    builder: &Builder<'c, '_>,
    value: Attribute<'c>,
    result: Type<'c>,
) -> Value<'c, 'c> {
    builder.insert(
        builder.build(
            builder
                .op("arith.constant")
                .add_attributes(&[builder.named("value", value)])
                .add_results(&[result]),
        ),
    )
}

/// `cf.assert` with the same condition and message.
pub(super) fn assert<'c>(
    builder: &Builder<'c, '_>,
    condition: Value<'c, '_>,
    message: Attribute<'c>,
) {
    builder.insert_void(
        builder.build(
            builder
                .op("cf.assert")
                .add_operands(&[condition])
                .add_attributes(&[builder.named("msg", message)]),
        ),
    );
}

/// Prints a tensor through the runner utilities' `printMemref*` (declared in `module` when
/// missing), a scalar with `vector.print`.
pub(super) fn print<'c>(builder: &Builder<'c, '_>, module: BlockRef<'c, '_>, value: Value<'c, '_>) {
    let Some(tensor) = StaticTensor::new(value.r#type()) else {
        let newline = builder.attribute("#vector.punctuation<newline>");
        builder.insert_void(
            builder.build(
                builder
                    .op("vector.print")
                    .add_operands(&[value])
                    .add_attributes(&[builder.named("punctuation", newline)]),
            ),
        );
        return;
    };
    let element = tensor.element().to_string();
    let callee = format!("printMemref{}", element.to_uppercase());
    let ranked = builder.r#type(
        &tensor
            .r#type()
            .to_string()
            .replacen("tensor<", "memref<", 1),
    );
    let unranked = builder.r#type(&format!("memref<*x{element}>"));

    let unit = Attribute::unit(builder.context);
    let buffer = builder.insert(
        builder.build(
            builder
                .op("bufferization.to_buffer")
                .add_operands(&[value])
                .add_attributes(&[builder.named("read_only", unit)])
                .add_results(&[ranked]),
        ),
    );
    let cast = builder.insert(
        builder.build(
            builder
                .op("memref.cast")
                .add_operands(&[buffer])
                .add_results(&[unranked]),
        ),
    );
    declare_runtime_function(builder, module, &callee, unranked);
    let symbol = builder.attribute(&format!("@{callee}"));
    builder.insert_void(
        builder.build(
            builder
                .op("func.call")
                .add_operands(&[cast])
                .add_attributes(&[builder.named("callee", symbol)]),
        ),
    );
}

/// Adds `func.func private @name(argument) attributes {llvm.emit_c_interface}` to the module unless
/// a symbol of that name exists.
fn declare_runtime_function<'c>(
    builder: &Builder<'c, '_>,
    module: BlockRef<'c, '_>,
    name: &str,
    argument: Type<'c>,
) {
    let mut op = module.first_operation();
    while let Some(existing) = op {
        let symbol = existing
            .attribute("sym_name")
            .ok()
            .and_then(|a| StringAttribute::try_from(a).ok());
        if symbol.is_some_and(|s| s.value() == name) {
            return;
        }
        op = existing.next_in_block();
    }
    let function_type = TypeAttribute::new(builder.r#type(&format!("({argument}) -> ()"))).into();
    let declaration = builder.build(
        builder
            .op("func.func")
            .add_attributes(&[
                builder.named(
                    "sym_name",
                    StringAttribute::new(builder.context, name).into(),
                ),
                builder.named("function_type", function_type),
                builder.named(
                    "sym_visibility",
                    StringAttribute::new(builder.context, "private").into(),
                ),
                builder.named("llvm.emit_c_interface", Attribute::unit(builder.context)),
            ])
            .add_regions([Region::new()]),
    );
    module.insert_operation(0, declaration);
}
