//! What the passes need to know about the types of `tensorlang` values.

use melior::ir::{Type, TypeLike};
use std::fmt;

/// The kind of numbers a tensor holds; selects `arith` ops when lowering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementKind {
    /// A floating-point type (`f16`, `bf16`, `f32`, `f64`).
    Float,
    /// A signless integer type (`i1` ... `i64`), treated as signed.
    Integer,
}

impl ElementKind {
    /// The kind of `element`, or `None` for types TensorLang does not compute with (index, complex).
    pub fn of(element: Type) -> Option<Self> {
        // SAFETY: type predicates only read the type.
        unsafe {
            if mlir_sys::mlirTypeIsAFloat(element.to_raw()) {
                Some(Self::Float)
            } else if mlir_sys::mlirTypeIsAInteger(element.to_raw())
                && mlir_sys::mlirIntegerTypeIsSignless(element.to_raw())
            {
                Some(Self::Integer)
            } else {
                None
            }
        }
    }
}

/// A ranked tensor type with a static shape, e.g. `tensor<2x3xf32>`.
#[derive(Clone, Copy)]
pub struct StaticTensor<'c> {
    r#type: Type<'c>,
}

impl<'c> StaticTensor<'c> {
    /// `Some` when `r#type` is a ranked tensor with a static shape.
    pub fn new(r#type: Type<'c>) -> Option<Self> {
        // SAFETY: type predicates and shaped-type queries only read the type.
        let is_static = unsafe {
            mlir_sys::mlirTypeIsARankedTensor(r#type.to_raw())
                && mlir_sys::mlirShapedTypeHasStaticShape(r#type.to_raw())
        };
        is_static.then_some(Self { r#type })
    }

    /// The tensor type itself.
    pub fn r#type(&self) -> Type<'c> {
        self.r#type
    }

    /// The dimension sizes.
    pub fn shape(&self) -> Vec<i64> {
        // SAFETY: `self.r#type` is a ranked tensor (checked in `new`), so rank and dims are defined.
        unsafe {
            let rank = mlir_sys::mlirShapedTypeGetRank(self.r#type.to_raw());
            (0..rank)
                .map(|i| mlir_sys::mlirShapedTypeGetDimSize(self.r#type.to_raw(), i as isize))
                .collect()
        }
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape().len()
    }

    /// The element type.
    pub fn element(&self) -> Type<'c> {
        // SAFETY: `self.r#type` is a shaped type.
        unsafe { Type::from_raw(mlir_sys::mlirShapedTypeGetElementType(self.r#type.to_raw())) }
    }

    /// The kind of the element type, `None` for element types TensorLang does not compute with.
    pub fn element_kind(&self) -> Option<ElementKind> {
        ElementKind::of(self.element())
    }

    /// A tensor type with this element type and `shape`.
    pub fn with_shape(&self, shape: &[i64]) -> Type<'c> {
        // SAFETY: shape and element are valid; a null encoding means none.
        unsafe {
            Type::from_raw(mlir_sys::mlirRankedTensorTypeGet(
                shape.len() as isize,
                shape.as_ptr(),
                mlir_sys::mlirShapedTypeGetElementType(self.r#type.to_raw()),
                mlir_sys::mlirAttributeGetNull(),
            ))
        }
    }
}

/// Formats a shape as MLIR does in types: `2x3`.
pub struct Shape<'a>(pub &'a [i64]);

impl fmt::Display for Shape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let dims: Vec<String> = self.0.iter().map(i64::to_string).collect();
        if dims.is_empty() {
            write!(f, "scalar")
        } else {
            write!(f, "{}", dims.join("x"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_static_tensor_types() {
        let context = tensorlang::create_context().unwrap();
        let tensor = StaticTensor::new(Type::parse(&context, "tensor<2x3xf32>").unwrap()).unwrap();
        assert_eq!(tensor.shape(), vec![2, 3]);
        assert_eq!(tensor.element_kind(), Some(ElementKind::Float));
        assert_eq!(tensor.with_shape(&[3]).to_string(), "tensor<3xf32>");
        assert!(StaticTensor::new(Type::parse(&context, "tensor<?x3xf32>").unwrap()).is_none());
        assert!(StaticTensor::new(Type::parse(&context, "f32").unwrap()).is_none());
        let ints = StaticTensor::new(Type::parse(&context, "tensor<4xi64>").unwrap()).unwrap();
        assert_eq!(ints.element_kind(), Some(ElementKind::Integer));
        assert_eq!(
            ElementKind::of(Type::parse(&context, "index").unwrap()),
            None
        );
    }

    #[test]
    fn shapes_print_like_mlir() {
        assert_eq!(Shape(&[2, 3]).to_string(), "2x3");
        assert_eq!(Shape(&[]).to_string(), "scalar");
    }
}
