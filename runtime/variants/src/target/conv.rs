//! Convolutions as targets: a function whose whole body is one `linalg.conv_2d_nhwc_hwcf` of its
//! three 4-D f32 memref arguments (input `NxHxWxC`, filter `KHxKWxCxF`, output `NxOHxOWxF`;
//! strides and dilations 1, static shapes), optionally after a fill of the output. Its variants
//! compute it as a matmul: the input's windows copied into rows (im2col, `(N*OH*OW) x
//! (KH*KW*C)`), times the filter seen as `(KH*KW*C) x F`, into the output seen as
//! `(N*OH*OW) x F`.

use melior::ir::operation::OperationLike;
use melior::ir::{OperationRef, ValueLike};
use tensorlang::ir::OperationExt;
use tensorlang::ir::op_name;

use super::{MatmulTarget, single_op};

/// The op.
const OP: &str = "linalg.conv_2d_nhwc_hwcf";

/// The shapes of a 2-D convolution (NHWC input, HWCF filter, unit strides and dilations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Conv2d {
    /// Images.
    pub batch: usize,
    /// Input rows.
    pub height: usize,
    /// Input columns.
    pub width: usize,
    /// Input channels.
    pub channels: usize,
    /// Filter rows.
    pub kernel_height: usize,
    /// Filter columns.
    pub kernel_width: usize,
    /// Output channels.
    pub filters: usize,
}

impl Conv2d {
    /// Output rows.
    pub fn out_height(&self) -> usize {
        self.height + 1 - self.kernel_height
    }

    /// Output columns.
    pub fn out_width(&self) -> usize {
        self.width + 1 - self.kernel_width
    }

    /// The equivalent matmul's `(m, n, k)`.
    pub fn matmul(&self) -> (usize, usize, usize) {
        (
            self.batch * self.out_height() * self.out_width(),
            self.filters,
            self.kernel_height * self.kernel_width * self.channels,
        )
    }

    /// The shapes of the input, the filter and the output.
    pub fn operand_shapes(&self) -> [[usize; 4]; 3] {
        [
            [self.batch, self.height, self.width, self.channels],
            [
                self.kernel_height,
                self.kernel_width,
                self.channels,
                self.filters,
            ],
            [
                self.batch,
                self.out_height(),
                self.out_width(),
                self.filters,
            ],
        ]
    }
}

impl std::fmt::Display for Conv2d {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [input, filter, _] = self.operand_shapes();
        let dims = |d: [usize; 4]| d.map(|x| x.to_string()).join("x");
        write!(f, "conv {} * {}", dims(input), dims(filter))
    }
}

/// The convolution of a function that is one, as a target.
pub(super) fn conv_function(function: &OperationRef) -> Option<MatmulTarget> {
    let body = single_op(function, OP)?;
    let conv = conv_shapes(&body.op)?;
    let (m, n, k) = conv.matmul();
    Some(MatmulTarget {
        function: body.name,
        m,
        n,
        k,
        arguments: body.arguments,
        parameters: body.parameters,
        fill: body.fill,
        dynamic: false,
        conv: Some(conv),
    })
}

/// Whether `op` is a convolution that would be a target in a function of its own, inside a
/// function that is not one: `--optimize` outlines it.
pub fn is_inline_conv(op: &OperationRef) -> bool {
    let in_target = op
        .parent_operation()
        .is_some_and(|parent| op_name(&parent) == "func.func" && conv_function(&parent).is_some());
    op_name(op) == OP && op.operand_count() == 3 && conv_shapes(op).is_some() && !in_target
}

/// The shapes of `op` (a convolution with unit strides and dilations on static 4-D f32
/// memrefs with identity layouts), if they fit together.
fn conv_shapes(op: &OperationRef) -> Option<Conv2d> {
    for attribute in ["strides", "dilations"] {
        if let Ok(value) = op.attribute(attribute)
            && !value.to_string().starts_with("dense<1>")
        {
            return None;
        }
    }
    let shape = |i: usize| memref_shape(&op.operand_at(i)?.r#type().to_string());
    let ([n, h, w, c], [kh, kw, c2, f], [n2, oh, ow, f2]) = (shape(0)?, shape(1)?, shape(2)?);
    let conv = Conv2d {
        batch: n,
        height: h,
        width: w,
        channels: c,
        kernel_height: kh,
        kernel_width: kw,
        filters: f,
    };
    (kh <= h
        && kw <= w
        && c == c2
        && f == f2
        && n == n2
        && oh == conv.out_height()
        && ow == conv.out_width())
    .then_some(conv)
}

/// The static shape of `memref<AxBxCxDxf32>` (identity layout).
fn memref_shape(ty: &str) -> Option<[usize; 4]> {
    let inner = ty.strip_prefix("memref<")?.strip_suffix("xf32>")?;
    let dims: Option<Vec<usize>> = inner
        .split('x')
        .map(|d| d.parse().ok().filter(|&d| d > 0))
        .collect();
    dims?.try_into().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_function_that_is_one_convolution_is_a_target() {
        let context = tensorlang::create_context().unwrap();
        let source = "func.func @conv(%i: memref<1x10x12x4xf32>, %f: memref<3x3x4x8xf32>, %o: memref<1x8x10x8xf32>) {\n  linalg.conv_2d_nhwc_hwcf ins(%i, %f : memref<1x10x12x4xf32>, memref<3x3x4x8xf32>) outs(%o : memref<1x8x10x8xf32>)\n  return\n}\nfunc.func @strided(%i: memref<1x10x12x4xf32>, %f: memref<3x3x4x8xf32>, %o: memref<1x4x5x8xf32>) {\n  linalg.conv_2d_nhwc_hwcf {strides = dense<2> : tensor<2xi64>} ins(%i, %f : memref<1x10x12x4xf32>, memref<3x3x4x8xf32>) outs(%o : memref<1x4x5x8xf32>)\n  return\n}\n";
        let module = tensorlang::parse_module(&context, source, "c.mlir").unwrap();
        let found = super::super::find(&module, "main");
        assert_eq!(found.len(), 1, "{found:?}");
        let target = &found[0];
        assert_eq!((target.m, target.n, target.k), (80, 8, 36));
        assert_eq!(target.shape(), "conv 1x10x12x4 * 3x3x4x8 as 80x8x36");
        assert_eq!(target.flops(), 2.0 * 80.0 * 8.0 * 36.0);
    }
}
