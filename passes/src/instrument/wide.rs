//! Exact integer arithmetic for checks: the values a check reasons about (offsets, sizes, strides,
//! loop bounds, all `index` or at most 64-bit integers) are widened to `i128`, where the product of
//! two of them and the sum of a few cannot overflow, so a check cannot be fooled by the very
//! wrap-around it is meant to catch. Products of many sizes are clamped to `±2^63` after each
//! factor: a count that large exceeds every memref, so clamping never changes a check's answer.
//!
//! ```mlir
//! // a check that `%off + (%size - 1) * %stride < %dim`, exactly:
//! %0 = arith.index_cast %off : index to i128
//! %1 = arith.index_cast %size : index to i128
//! %c1_i128 = arith.constant 1 : i128
//! %2 = arith.subi %1, %c1_i128 : i128
//! ...
//! %5 = arith.cmpi slt, %4, %dim_i128 : i128
//! cf.assert %5, "subview runs out-of-bounds along dimension 0" {tensorlang.check = "bounds"}
//! ```

use super::CHECK_ATTRIBUTE;
use crate::builder::Builder;
use melior::dialect::arith::{self, CmpiPredicate};
use melior::dialect::cf;
use melior::ir::attribute::AttributeLike;
use melior::ir::attribute::{IntegerAttribute, StringAttribute};
use melior::ir::operation::{OperationBuilder, OperationLike, OperationMutLike};
use melior::ir::r#type::IntegerType;
use melior::ir::{Attribute, Location, OperationRef, Type, TypeLike, Value, ValueLike};
use melior::{Context, IrRewriter};
use tensorlang_checks::CheckKind;

/// What a product of sizes is clamped to: `2^63`, more than any `index` can count.
pub(super) const BEYOND: i128 = 1 << 63;

/// Builds checks at the rewriter's insertion point, at one location, computing in `i128`.
pub(super) struct Guard<'c, 'r> {
    builder: Builder<'c, 'r>,
    wide: Type<'c>,
}

/// The strided layout of a memref at run time (`memref.extract_strided_metadata`), as `index`
/// values.
pub(super) struct Layout<'c> {
    /// The offset, in elements, from the aligned pointer.
    pub offset: Value<'c, 'c>,
    /// The size of each dimension.
    pub sizes: Vec<Value<'c, 'c>>,
    /// The stride of each dimension, in elements.
    pub strides: Vec<Value<'c, 'c>>,
}

/// The elements a memref can reach, in elements from its aligned pointer, widened to `i128`:
/// none when `empty`, else every one in `[low, high]`.
pub(super) struct Extent<'c> {
    /// Whether some size is zero (or negative): then no index is in bounds.
    pub empty: Value<'c, 'c>,
    /// The lowest element an in-bounds index reaches.
    pub low: Value<'c, 'c>,
    /// The highest element an in-bounds index reaches.
    pub high: Value<'c, 'c>,
}

impl<'c, 'r> Guard<'c, 'r> {
    /// Checks inserted at the rewriter's insertion point, at `location` (the guarded op's).
    pub fn new(context: &'c Context, rewriter: &'r IrRewriter<'c>, location: Location<'c>) -> Self {
        Self {
            builder: Builder {
                context,
                location,
                rewriter,
            },
            wide: IntegerType::new(context, 128).into(),
        }
    }

    /// Checks at `op`'s location, inserted before it.
    pub fn before(
        context: &'c Context,
        rewriter: &'r IrRewriter<'c>,
        op: OperationRef<'c, '_>,
    ) -> Self {
        rewriter.as_rewriter_base().set_insertion_point_before(op);
        Self::new(context, rewriter, op.location())
    }

    /// Checks at `op`'s location, inserted after it (when they need its results).
    pub fn after(
        context: &'c Context,
        rewriter: &'r IrRewriter<'c>,
        op: OperationRef<'c, '_>,
    ) -> Self {
        rewriter.as_rewriter_base().set_insertion_point_after(op);
        Self::new(context, rewriter, op.location())
    }

    /// The context the checks are built in.
    pub fn context(&self) -> &'c Context {
        self.builder.context
    }

    /// The location the checks get.
    pub fn location(&self) -> Location<'c> {
        self.builder.location
    }

    fn at(&self) -> Location<'c> {
        self.builder.location
    }

    /// Inserts `op` and returns its first result.
    pub fn insert(&self, op: melior::ir::Operation<'c>) -> Value<'c, 'c> {
        self.builder.insert(op)
    }

    /// An `index` constant.
    pub fn index(&self, value: i64) -> Value<'c, 'c> {
        let index = Type::index(self.context());
        self.insert(arith::constant(
            self.context(),
            IntegerAttribute::new(index, value).into(),
            self.at(),
        ))
    }

    /// An `i128` constant.
    pub fn wide(&self, value: i128) -> Value<'c, 'c> {
        let attribute = Attribute::parse(self.context(), &format!("{value} : i128"))
            .expect("an i128 literal parses");
        self.insert(arith::constant(self.context(), attribute, self.at()))
    }

    /// An `i1` constant.
    pub fn truth(&self, value: bool) -> Value<'c, 'c> {
        let i1 = IntegerType::new(self.context(), 1).into();
        self.insert(arith::constant(
            self.context(),
            IntegerAttribute::new(i1, i64::from(value)).into(),
            self.at(),
        ))
    }

    /// `value` (an `index` or a signed integer of at most 64 bits) as an `i128`, sign-extended.
    pub fn widen(&self, value: Value<'c, '_>) -> Value<'c, 'c> {
        let r#type = value.r#type();
        if r#type.is_index() {
            self.insert(arith::index_cast(value, self.wide, self.at()))
        } else {
            self.insert(arith::extsi(value, self.wide, self.at()))
        }
    }

    /// `lhs + rhs`.
    pub fn add(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::addi(lhs, rhs, self.at()))
    }

    /// `lhs - rhs`.
    pub fn sub(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::subi(lhs, rhs, self.at()))
    }

    /// `lhs * rhs`.
    pub fn mul(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::muli(lhs, rhs, self.at()))
    }

    /// The signed minimum.
    pub fn min(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::minsi(lhs, rhs, self.at()))
    }

    /// The signed maximum.
    pub fn max(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::maxsi(lhs, rhs, self.at()))
    }

    /// `lhs <predicate> rhs`.
    pub fn cmp(
        &self,
        predicate: CmpiPredicate,
        lhs: Value<'c, '_>,
        rhs: Value<'c, '_>,
    ) -> Value<'c, 'c> {
        self.insert(arith::cmpi(self.context(), predicate, lhs, rhs, self.at()))
    }

    /// `lhs && rhs`.
    pub fn and(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::andi(lhs, rhs, self.at()))
    }

    /// `lhs || rhs`.
    pub fn or(&self, lhs: Value<'c, '_>, rhs: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(arith::ori(lhs, rhs, self.at()))
    }

    /// `condition ? yes : no`.
    pub fn select(
        &self,
        condition: Value<'c, '_>,
        yes: Value<'c, '_>,
        no: Value<'c, '_>,
    ) -> Value<'c, 'c> {
        self.insert(arith::select(condition, yes, no, self.at()))
    }

    /// Every condition (true when there are none).
    pub fn all(&self, conditions: impl IntoIterator<Item = Value<'c, 'c>>) -> Value<'c, 'c> {
        conditions
            .into_iter()
            .reduce(|all, next| self.and(all, next))
            .unwrap_or_else(|| self.truth(true))
    }

    /// Some condition (false when there are none).
    pub fn any(&self, conditions: impl IntoIterator<Item = Value<'c, 'c>>) -> Value<'c, 'c> {
        conditions
            .into_iter()
            .reduce(|any, next| self.or(any, next))
            .unwrap_or_else(|| self.truth(false))
    }

    /// `value` clamped to `[-2^63, 2^63]`.
    pub fn clamp(&self, value: Value<'c, '_>) -> Value<'c, 'c> {
        let high = self.wide(BEYOND);
        let low = self.wide(-BEYOND);
        let below = self.min(value, high);
        self.max(below, low)
    }

    /// The product of `i128` factors (each within `±2^63`), clamped to `±2^63` after each one so
    /// that the next product cannot overflow.
    pub fn product(&self, factors: &[Value<'c, 'c>]) -> Value<'c, 'c> {
        let mut product = self.wide(1);
        for factor in factors {
            let next = self.mul(product, *factor);
            product = self.clamp(next);
        }
        product
    }

    /// Whether every `index` value in `sizes` is at least zero.
    pub fn non_negative(&self, sizes: &[Value<'c, 'c>]) -> Value<'c, 'c> {
        let zero = self.index(0);
        let each: Vec<_> = sizes
            .iter()
            .map(|size| self.cmp(CmpiPredicate::Sge, *size, zero))
            .collect();
        self.all(each)
    }

    /// `memref.dim %memref, %c<dim>` (canonicalization folds static sizes).
    pub fn dim(&self, memref: Value<'c, '_>, dim: usize) -> Value<'c, 'c> {
        let index = self.index(dim as i64);
        self.dim_at(memref, index)
    }

    /// `memref.dim %memref, %index`.
    pub fn dim_at(&self, memref: Value<'c, '_>, index: Value<'c, '_>) -> Value<'c, 'c> {
        self.insert(melior::dialect::memref::dim(memref, index, self.at()))
    }

    /// The run-time layout of a ranked strided memref of rank `rank`.
    pub fn layout(&self, memref: Value<'c, '_>, rank: usize) -> Layout<'c> {
        let index = Type::index(self.context());
        let base = base_type(memref.r#type());
        let mut results = vec![base, index];
        results.extend(std::iter::repeat_n(index, 2 * rank));
        let base = self.builder.rewriter.as_rewriter_base();
        let op = base.insert(
            OperationBuilder::new("memref.extract_strided_metadata", self.at())
                .add_operands(&[memref])
                .add_results(&results)
                .build()
                .expect("extract_strided_metadata of a strided memref is valid"),
        );
        // SAFETY: the op was inserted into the IR, which outlives the pass run.
        let op = unsafe { tensorlang::lifetime::operation(&op) };
        let result = |i: usize| -> Value<'c, 'c> {
            // SAFETY: the op was inserted into the IR, which outlives the pass run.
            unsafe { tensorlang::lifetime::value(op.result(i).expect("one result per field")) }
        };
        Layout {
            offset: result(1),
            sizes: (0..rank).map(|d| result(2 + d)).collect(),
            strides: (0..rank).map(|d| result(2 + rank + d)).collect(),
        }
    }

    /// The elements `layout` reaches: from `offset` each dimension adds between `0` and
    /// `(size - 1) * stride`, whichever the stride's sign makes lower or higher.
    pub fn extent(&self, layout: &Layout<'c>) -> Extent<'c> {
        let zero = self.wide(0);
        let one = self.wide(1);
        let mut low = self.widen(layout.offset);
        let mut high = low;
        let mut empty = Vec::new();
        for (size, stride) in layout.sizes.iter().zip(&layout.strides) {
            let size = self.widen(*size);
            empty.push(self.cmp(CmpiPredicate::Sle, size, zero));
            let last = self.sub(size, one);
            let stride = self.widen(*stride);
            let reach = self.mul(last, stride);
            let down = self.min(reach, zero);
            let up = self.max(reach, zero);
            low = self.add(low, down);
            high = self.add(high, up);
        }
        Extent {
            empty: self.any(empty),
            low,
            high,
        }
    }

    /// Whether `inner` reaches no element outside `outer`: it is empty, or `outer` is not and
    /// contains `inner`'s interval.
    pub fn within(&self, inner: &Extent<'c>, outer: &Extent<'c>) -> Value<'c, 'c> {
        let above = self.cmp(CmpiPredicate::Sge, inner.low, outer.low);
        let below = self.cmp(CmpiPredicate::Sle, inner.high, outer.high);
        let outer_empty = outer.empty;
        let outer_full = self.cmp(CmpiPredicate::Eq, outer_empty, self.truth(false));
        let inside = self.all([outer_full, above, below]);
        self.or(inner.empty, inside)
    }

    /// `cf.assert %condition, "message" {tensorlang.check = "<kind>"}`.
    pub fn assert(&self, condition: Value<'c, '_>, kind: CheckKind, message: &str) {
        let mut assert = cf::assert(self.context(), condition, message, self.at());
        assert.set_attribute(
            CHECK_ATTRIBUTE,
            StringAttribute::new(self.context(), kind.name()).into(),
        );
        self.builder.insert_void(assert);
    }
}

/// The base buffer type `memref.extract_strided_metadata` gives `memref`: rank 0, same element
/// type and memory space.
fn base_type(memref: Type) -> Type {
    // SAFETY: `memref` is a ranked memref type (the callers check); these only read it and build
    // a type in the same context.
    unsafe {
        let raw = memref.to_raw();
        let element = mlir_sys::mlirShapedTypeGetElementType(raw);
        let space = mlir_sys::mlirMemRefTypeGetMemorySpace(raw);
        Type::from_raw(mlir_sys::mlirMemRefTypeContiguousGet(
            element,
            0,
            std::ptr::null(),
            space,
        ))
    }
}

/// Static facts about memref and element types.
pub(super) mod types {
    use melior::ir::{Type, TypeLike};

    /// Whether `r#type` is a ranked memref.
    pub fn is_ranked_memref(r#type: Type) -> bool {
        // SAFETY: type predicates only read the type.
        unsafe { mlir_sys::mlirTypeIsAMemRef(r#type.to_raw()) }
    }

    /// The rank of a ranked memref (or tensor) type.
    pub fn rank(r#type: Type) -> usize {
        // SAFETY: the caller passes a ranked shaped type.
        unsafe { mlir_sys::mlirShapedTypeGetRank(r#type.to_raw()) as usize }
    }

    /// The static size of dimension `dim`, `None` when dynamic.
    pub fn static_size(r#type: Type, dim: usize) -> Option<i64> {
        // SAFETY: the caller passes a ranked shaped type and a dimension below its rank.
        unsafe {
            let raw = r#type.to_raw();
            if mlir_sys::mlirShapedTypeIsDynamicDim(raw, dim as isize) {
                None
            } else {
                Some(mlir_sys::mlirShapedTypeGetDimSize(raw, dim as isize))
            }
        }
    }

    /// The element type of a shaped type.
    pub fn element(r#type: Type) -> Type {
        // SAFETY: the caller passes a shaped type.
        unsafe { Type::from_raw(mlir_sys::mlirShapedTypeGetElementType(r#type.to_raw())) }
    }

    /// How many bytes an element of type `r#type` takes in memory, as the LLVM lowering lays it
    /// out (integers and floats rounded up to whole bytes, `index` 8, vectors and complex numbers
    /// the sum of their parts); `None` for types it cannot tell.
    pub fn element_bytes(r#type: Type) -> Option<u64> {
        // SAFETY: type predicates and accessors only read the type.
        unsafe {
            let raw = r#type.to_raw();
            if mlir_sys::mlirTypeIsAIndex(raw) {
                Some(8)
            } else if mlir_sys::mlirTypeIsAInteger(raw) {
                Some(u64::from(mlir_sys::mlirIntegerTypeGetWidth(raw)).div_ceil(8))
            } else if mlir_sys::mlirTypeIsAFloat(raw) {
                Some(u64::from(mlir_sys::mlirFloatTypeGetWidth(raw)).div_ceil(8))
            } else if mlir_sys::mlirTypeIsAComplex(raw) {
                element_bytes(Type::from_raw(mlir_sys::mlirComplexTypeGetElementType(raw)))
                    .map(|part| 2 * part)
            } else if mlir_sys::mlirTypeIsAVector(raw)
                && mlir_sys::mlirShapedTypeHasStaticShape(raw)
            {
                let count: u64 = (0..mlir_sys::mlirShapedTypeGetRank(raw))
                    .map(|d| mlir_sys::mlirShapedTypeGetDimSize(raw, d as isize) as u64)
                    .product();
                // Vectors of i1 are packed by LLVM but padded in memory; the element bytes bound
                // them from above, which only makes a check stricter by the padding.
                let element = Type::from_raw(mlir_sys::mlirShapedTypeGetElementType(raw));
                element_bytes(element).map(|bytes| bytes * count)
            } else {
                None
            }
        }
    }
}

/// The values of a list an op gives as static integers with dynamic values in between (like
/// `static_sizes` and the `sizes` operands of `memref.subview`): constants for the static ones.
pub(super) fn mixed<'c>(
    guard: &Guard<'c, '_>,
    op: OperationRef<'c, '_>,
    attribute: &str,
    dynamic: &[Value<'c, 'c>],
) -> Vec<Value<'c, 'c>> {
    let statics = static_list(op, attribute);
    let mut dynamic = dynamic.iter();
    statics
        .into_iter()
        .map(|value| match value {
            Some(value) => guard.index(value),
            None => *dynamic.next().expect("one operand per dynamic entry"),
        })
        .collect()
}

/// A dense `i64` array attribute of `op`, `None` in the places MLIR marks dynamic (`i64::MIN`).
pub(super) fn static_list(op: OperationRef, attribute: &str) -> Vec<Option<i64>> {
    let Ok(array) = op.attribute(attribute) else {
        return Vec::new();
    };
    // SAFETY: a dense array attribute is read element by element within its length.
    unsafe {
        let raw = array.to_raw();
        if !mlir_sys::mlirAttributeIsADenseI64Array(raw) {
            return Vec::new();
        }
        (0..mlir_sys::mlirDenseArrayGetNumElements(raw))
            .map(|i| mlir_sys::mlirDenseI64ArrayGetElement(raw, i))
            .map(|value| (value != i64::MIN).then_some(value))
            .collect()
    }
}

/// The operands of segment `segment` of an op with `operandSegmentSizes`.
pub(super) fn segment<'c>(op: OperationRef<'c, '_>, segment: usize) -> Vec<Value<'c, 'c>> {
    let sizes: Vec<usize> = op
        .attribute("operandSegmentSizes")
        .ok()
        .map(|sizes| {
            // SAFETY: a dense i32 array attribute is read element by element within its length.
            unsafe {
                let raw = sizes.to_raw();
                (0..mlir_sys::mlirDenseArrayGetNumElements(raw))
                    .map(|i| mlir_sys::mlirDenseI32ArrayGetElement(raw, i) as usize)
                    .collect()
            }
        })
        .unwrap_or_default();
    let start: usize = sizes.iter().take(segment).sum();
    let count = sizes.get(segment).copied().unwrap_or(0);
    (start..start + count)
        .map(|i| {
            let operand = op.operand(i).expect("the segments count the operands");
            // SAFETY: the operand is defined in the IR, which outlives the pass run.
            unsafe { tensorlang::lifetime::value(operand) }
        })
        .collect()
}

/// Operand `index` of `op`, with the IR's lifetime.
pub(super) fn operand<'c>(op: OperationRef<'c, '_>, index: usize) -> Value<'c, 'c> {
    let operand = op.operand(index).expect("the op has the operand");
    // SAFETY: the operand is defined in the IR, which outlives the pass run.
    unsafe { tensorlang::lifetime::value(operand) }
}

/// Result `index` of `op`, with the IR's lifetime.
pub(super) fn result<'c>(op: OperationRef<'c, '_>, index: usize) -> Value<'c, 'c> {
    let result = op.result(index).expect("the op has the result");
    // SAFETY: the result belongs to an op in the IR, which outlives the pass run.
    unsafe { tensorlang::lifetime::value(result) }
}
