//! Building upstream ops at the rewriter's insertion point, all at one location (the op being
//! lowered or guarded).

use crate::tensor_type::{ElementKind, StaticTensor};
use melior::Context;
use melior::IrRewriter;
use melior::ir::attribute::{DenseI32ArrayAttribute, FloatAttribute, IntegerAttribute};
use melior::ir::block::BlockLike;
use melior::ir::operation::OperationBuilder;
use melior::ir::{
    Attribute, Block, Identifier, Location, Operation, Region, RegionLike, Type, Value, ValueLike,
};

/// Inserts ops at the rewriter's insertion point, all at `location`.
pub(crate) struct Builder<'c, 'r> {
    pub context: &'c Context,
    pub location: Location<'c>,
    pub rewriter: &'r IrRewriter<'c>,
}

impl<'c> Builder<'c, '_> {
    /// Inserts `op` and returns its first result.
    pub fn insert(&self, op: Operation<'c>) -> Value<'c, 'c> {
        let base = self.rewriter.as_rewriter_base();
        let op = base.insert(op);
        let value = op.result(0).expect("lowered ops have a result");
        // SAFETY: the op was inserted into the IR, which outlives the lowering ('c).
        unsafe { tensorlang::lifetime::value(value) }
    }

    /// Inserts `op`, which has no results.
    pub fn insert_void(&self, op: Operation<'c>) {
        self.rewriter.as_rewriter_base().insert(op);
    }

    /// A generic op builder at the lowered op's location.
    pub fn op(&self, name: &str) -> OperationBuilder<'c> {
        OperationBuilder::new(name, self.location)
    }

    /// Finishes an op that the lowering built from verified inputs.
    pub fn build(&self, builder: OperationBuilder<'c>) -> Operation<'c> {
        builder.build().expect("lowered ops are well formed")
    }

    /// `tensor.empty() : type`.
    pub fn empty(&self, r#type: Type<'c>) -> Value<'c, 'c> {
        self.insert(self.build(self.op("tensor.empty").add_results(&[r#type])))
    }

    /// A scalar `arith.constant` of type `element`: `float` for floats, `integer` for integers.
    pub fn scalar(&self, element: Type<'c>, float: f64, integer: i64) -> Value<'c, 'c> {
        self.insert(self.scalar_constant(element, float, integer))
    }

    /// The `arith.constant` behind [`Self::scalar`] and [`Self::block_scalar`].
    fn scalar_constant(&self, element: Type<'c>, float: f64, integer: i64) -> Operation<'c> {
        let value: Attribute = match ElementKind::of(element) {
            Some(ElementKind::Integer) => IntegerAttribute::new(element, integer).into(),
            _ => FloatAttribute::new(self.context, element, float).into(),
        };
        self.build(
            self.op("arith.constant")
                .add_attributes(&[self.named("value", value)])
                .add_results(&[element]),
        )
    }

    /// A tensor of `tensor`'s type filled with `value` (`linalg.fill`).
    pub fn filled(&self, tensor: &StaticTensor<'c>, value: Value<'c, '_>) -> Value<'c, 'c> {
        let init = self.empty(tensor.r#type());
        self.structured("linalg.fill", &[value], init, &[], |_, args| args[0])
    }

    /// A linalg structured op with `ins`, one `init` (the output, which gives the result type),
    /// extra attributes, and a body built by `body` from the block arguments (one per input
    /// element, then the output element); the body's value is yielded.
    pub fn structured(
        &self,
        name: &str,
        ins: &[Value<'c, '_>],
        init: Value<'c, '_>,
        attributes: &[(&str, Attribute<'c>)],
        body: impl FnOnce(&Block<'c>, &[Value<'c, 'c>]) -> Value<'c, 'c>,
    ) -> Value<'c, 'c> {
        let element_of = |value: &Value<'c, '_>| {
            StaticTensor::new(value.r#type()).map_or(value.r#type(), |t| t.element())
        };
        let arguments: Vec<(Type<'c>, Location<'c>)> = ins
            .iter()
            .chain([&init])
            .map(|value| (element_of(value), self.location))
            .collect();
        let block = Block::new(&arguments);
        let args: Vec<Value<'c, 'c>> = (0..arguments.len())
            .map(|i| {
                let arg = block.argument(i).expect("one argument per operand");
                // SAFETY: the block is moved into the op's region below and lives as long as the IR.
                unsafe { tensorlang::lifetime::value(arg) }
            })
            .collect();
        let yielded = body(&block, &args);
        block.append_operation(self.build(self.op("linalg.yield").add_operands(&[yielded])));
        let region = Region::new();
        region.append_block(block);

        let mut attrs: Vec<(Identifier<'c>, Attribute<'c>)> = attributes
            .iter()
            .map(|(name, value)| self.named(name, *value))
            .collect();
        if matches!(
            name,
            "linalg.generic"
                | "linalg.fill"
                | "linalg.matmul"
                | "linalg.add"
                | "linalg.sub"
                | "linalg.mul"
                | "linalg.div"
        ) {
            let segments = DenseI32ArrayAttribute::new(self.context, &[ins.len() as i32, 1]);
            attrs.push(self.named("operandSegmentSizes", segments.into()));
        }
        let mut operands: Vec<Value<'c, '_>> = ins.to_vec();
        operands.push(init);
        self.insert(
            self.build(
                self.op(name)
                    .add_operands(&operands)
                    .add_attributes(&attrs)
                    .add_results(&[init.r#type()])
                    .add_regions([region]),
            ),
        )
    }

    /// Appends `arith.<float_op>` or `arith.<integer_op>` (by the operands' element kind) to `block`.
    pub fn arith(
        &self,
        block: &Block<'c>,
        (float_op, integer_op): (&str, &str),
        lhs: Value<'c, 'c>,
        rhs: Value<'c, 'c>,
    ) -> Value<'c, 'c> {
        let name = match ElementKind::of(lhs.r#type()) {
            Some(ElementKind::Integer) => integer_op,
            _ => float_op,
        };
        let op = block.append_operation(
            self.build(
                self.op(&format!("arith.{name}"))
                    .add_operands(&[lhs, rhs])
                    .add_results(&[lhs.r#type()]),
            ),
        );
        let value = op.result(0).expect("arith ops have a result");
        // SAFETY: the op lives in `block`, which becomes part of the IR.
        unsafe { tensorlang::lifetime::value(value) }
    }

    /// Appends op `name` of `operands` with one result of type `result` (and `attributes`) to
    /// `block` (for bodies of structured ops); its result.
    pub fn block_op(
        &self,
        block: &Block<'c>,
        name: &str,
        operands: &[Value<'c, 'c>],
        result: Type<'c>,
        attributes: &[(&str, Attribute<'c>)],
    ) -> Value<'c, 'c> {
        let attributes: Vec<(Identifier<'c>, Attribute<'c>)> = attributes
            .iter()
            .map(|(name, value)| self.named(name, *value))
            .collect();
        let op = block.append_operation(
            self.build(
                self.op(name)
                    .add_operands(operands)
                    .add_attributes(&attributes)
                    .add_results(&[result]),
            ),
        );
        let value = op.result(0).expect("the op has a result");
        // SAFETY: the op lives in `block`, which becomes part of the IR.
        unsafe { tensorlang::lifetime::value(value) }
    }

    /// Appends a scalar `arith.constant` to `block` (for bodies of structured ops).
    pub fn block_scalar(
        &self,
        block: &Block<'c>,
        element: Type<'c>,
        float: f64,
        integer: i64,
    ) -> Value<'c, 'c> {
        let op = block.append_operation(self.scalar_constant(element, float, integer));
        let value = op.result(0).expect("constants have a result");
        // SAFETY: the op lives in `block`, which becomes part of the IR.
        unsafe { tensorlang::lifetime::value(value) }
    }

    /// An attribute name paired with its value.
    pub fn named(&self, name: &str, value: Attribute<'c>) -> (Identifier<'c>, Attribute<'c>) {
        (Identifier::new(self.context, name), value)
    }

    /// Parses an attribute written by the lowering itself.
    pub fn attribute(&self, source: &str) -> Attribute<'c> {
        Attribute::parse(self.context, source)
            .unwrap_or_else(|| panic!("the lowering wrote a bad attribute: {source}"))
    }

    /// Parses a type written by the lowering itself.
    pub fn r#type(&self, source: &str) -> Type<'c> {
        Type::parse(self.context, source)
            .unwrap_or_else(|| panic!("the lowering wrote a bad type: {source}"))
    }
}

impl<'c> Builder<'c, '_> {
    /// Parses one op written by a pass itself (in custom form, e.g. an `llvm.mlir.global`).
    pub fn parse_op(&self, source: &str) -> Operation<'c> {
        let name = "<generated>";
        let to_ref = |text: &str| mlir_sys::MlirStringRef {
            data: text.as_ptr().cast(),
            length: text.len(),
        };
        // SAFETY: the context is live and both strings outlive the call, which copies them.
        let raw = unsafe {
            mlir_sys::mlirOperationCreateParse(self.context.to_raw(), to_ref(source), to_ref(name))
        };
        // SAFETY: `raw` is null or a freshly parsed op we now own.
        unsafe { Operation::from_option_raw(raw) }
            .unwrap_or_else(|| panic!("a pass wrote an op that does not parse: {source}"))
    }
}

/// `text` as an MLIR string literal (quotes included): bytes outside printable ASCII, quotes and
/// backslashes become `\XX` escapes.
pub(crate) fn string_literal(text: &str) -> String {
    let mut literal = String::from("\"");
    for byte in text.bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\' {
            literal.push(byte as char);
        } else {
            literal.push_str(&format!("\\{byte:02X}"));
        }
    }
    literal.push('"');
    literal
}
