//! `tensorlang.constant`, `assert` and `print`: the ops that are not tensor computations.

use crate::builder::Builder;
use melior::ir::block::BlockLike;
use melior::ir::{Attribute, BlockRef, Type, Value, ValueLike};

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

/// Prints a scalar with `vector.print`, and a ranked tensor as its type and its values,
/// `tensor<2x2xf32> [[1, 2], [3, 4]]`, through a private helper function per type (added to
/// `module` once): the same text on every run, and no address (the runner utilities'
/// `printMemref*` print the buffer's).
pub(super) fn print<'c>(builder: &Builder<'c, '_>, module: BlockRef<'c, '_>, value: Value<'c, '_>) {
    let ty = value.r#type().to_string();
    let Some(helper) = print_helper(&ty) else {
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
    let name = helper.name;
    if tensorlang::ir::find_symbol(tensorlang::ir::ops_in(module), &name).is_none() {
        // The helper is written as text and parsed: its loops read better that way than built
        // op by op. It uses only dialects this pass depends on.
        let parsed = tensorlang::parse_module(builder.context, &helper.text, "tensorlang.print")
            .expect("the print helper is valid MLIR");
        if let Some(function) = parsed.body().first_operation() {
            // SAFETY: cloning a live op of the parsed module; the clone is owned until the
            // module's block takes it.
            let clone = unsafe {
                melior::ir::Operation::from_raw(mlir_sys::mlirOperationClone(function.to_raw()))
            };
            module.insert_operation(0, clone);
        }
    }
    let symbol = builder.attribute(&format!("@{name}"));
    builder.insert_void(
        builder.build(
            builder
                .op("func.call")
                .add_operands(&[value])
                .add_attributes(&[builder.named("callee", symbol)]),
        ),
    );
}

/// A helper that prints values of one tensor type.
struct PrintHelper {
    name: String,
    text: String,
}

/// The helper for `ty` (`tensor<2x?xf32>`), or `None` when it is not a ranked tensor of
/// numbers.
fn print_helper(ty: &str) -> Option<PrintHelper> {
    let inner = ty.strip_prefix("tensor<")?.strip_suffix('>')?;
    let mut parts: Vec<&str> = inner.split('x').collect();
    let element = parts.pop()?;
    let printable = ["f16", "bf16", "f32", "f64", "index"].contains(&element)
        || element
            .strip_prefix('i')
            .is_some_and(|bits| bits.parse::<u32>().is_ok());
    if !printable || parts.iter().any(|d| *d != "?" && d.parse::<u64>().is_err()) {
        return None;
    }
    let mangled: String = inner
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { 'd' })
        .collect();
    let name = format!("__tensorlang_print_{mangled}");
    let rank = parts.len();
    let mut body = String::new();
    body.push_str(&format!("  vector.print str \"{ty} \"\n"));
    body.push_str("  %c0 = arith.constant 0 : index\n  %c1 = arith.constant 1 : index\n");
    for d in 0..rank {
        body.push_str(&format!(
            "  %d{d}c = arith.constant {d} : index\n  %n{d} = tensor.dim %t, %d{d}c : {ty}\n  %l{d} = arith.subi %n{d}, %c1 : index\n"
        ));
    }
    let indices: Vec<String> = (0..rank).map(|d| format!("%i{d}")).collect();
    let mut inner_text = format!(
        "%e = tensor.extract %t[{}] : {ty}\nvector.print %e : {element} punctuation <no_punctuation>\n",
        indices.join(", ")
    );
    for d in (0..rank).rev() {
        inner_text = format!(
            "vector.print punctuation <open>\nscf.for %i{d} = %c0 to %n{d} step %c1 {{\n{}  %m{d} = arith.cmpi ult, %i{d}, %l{d} : index\n  scf.if %m{d} {{\n    vector.print punctuation <comma>\n  }}\n}}\nvector.print punctuation <close>\n",
            indent(&inner_text)
        );
    }
    body.push_str(&indent(&inner_text));
    body.push_str("  vector.print punctuation <newline>\n  return\n");
    let text = format!("func.func private @{name}(%t: {ty}) {{\n{body}}}\n");
    Some(PrintHelper { name, text })
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}
