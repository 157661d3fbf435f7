//! What `--optimize` can make faster: a function whose whole body is one `linalg.matmul` of its
//! three 2-D f32 memref arguments (`C += A * B`, identity layouts), optionally after a
//! `linalg.fill` of `C` with a constant (`C = A * B` when it is zero). Anything else is left as
//! it is. Shapes may be dynamic (`memref<?x?xf32>`): such a target is searched once a recorded
//! call has told its shapes ([`MatmulTarget::specialized`]), and its variants run the fast code
//! only on calls of those shapes.

use melior::ir::operation::OperationLike;
use melior::ir::{BlockLike, Module, OperationRef, RegionLike, ValueLike};
use tensorlang::ir::OperationExt;
use tensorlang::ir::{op_name, symbol_name, top_level_ops};

mod conv;
pub use conv::{Conv2d, is_inline_conv};

/// `linalg.matmul`'s own indexing maps, as printed without spaces.
const DEFAULT_MAPS: &str = "[affine_map<(d0,d1,d2)->(d0,d2)>,affine_map<(d0,d1,d2)->(d2,d1)>,affine_map<(d0,d1,d2)->(d0,d1)>]";

/// A matmul function.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatmulTarget {
    /// The function's name.
    pub function: String,
    /// Rows of `A` and `C`.
    pub m: usize,
    /// Columns of `B` and `C`.
    pub n: usize,
    /// Columns of `A`, rows of `B`.
    pub k: usize,
    /// Which argument is `A`, `B` and `C`.
    pub arguments: [usize; 3],
    /// The parameter types, as written (`memref<512x512xf32>`).
    pub parameters: Vec<String>,
    /// The constant `C` is filled with before the product (`0.000000e+00`), if it is.
    pub fill: Option<String>,
    /// Whether some dimension of the parameters is dynamic: `m`, `n` and `k` are then 0 until
    /// [`MatmulTarget::specialized`] sets them from a call.
    pub dynamic: bool,
    /// For a convolution computed as a matmul (im2col): its shapes; `m`, `n` and `k` are then
    /// those of the matmul.
    #[serde(default)]
    pub conv: Option<Conv2d>,
}

impl MatmulTarget {
    /// `function(A, B, C)`: `C += A * B` on static memrefs (`m x k`, `k x n`, `m x n`), in that
    /// argument order, without a fill.
    pub fn new(function: &str, m: usize, n: usize, k: usize) -> Self {
        Self {
            function: function.to_owned(),
            m,
            n,
            k,
            arguments: [0, 1, 2],
            parameters: vec![
                format!("memref<{m}x{k}xf32>"),
                format!("memref<{k}x{n}xf32>"),
                format!("memref<{m}x{n}xf32>"),
            ],
            fill: None,
            dynamic: false,
            conv: None,
        }
    }

    /// Floating-point operations per call (a multiply and an add per `m * n * k`).
    pub fn flops(&self) -> f64 {
        2.0 * (self.m * self.n * self.k) as f64
    }

    /// Whether `m`, `n` and `k` are known (static, or specialized from a call).
    pub fn has_shape(&self) -> bool {
        self.m > 0 && self.n > 0 && self.k > 0
    }

    /// This target for calls of shape `(m, n, k)`, if the parameters allow that shape.
    pub fn specialized(&self, [m, n, k]: [usize; 3]) -> Option<MatmulTarget> {
        let fits = |known: usize, value: usize| known == 0 || known == value;
        (self.dynamic && fits(self.m, m) && fits(self.n, n) && fits(self.k, k) && m * n * k > 0)
            .then(|| MatmulTarget {
                m,
                n,
                k,
                ..self.clone()
            })
    }

    /// `MxNxK`, `?` for what is not known yet; for a convolution, its input and filter shapes
    /// and then the matmul's.
    pub fn shape(&self) -> String {
        if let Some(conv) = &self.conv {
            return format!("{conv} as {}x{}x{}", self.m, self.n, self.k);
        }
        let dim = |d: usize| {
            if d == 0 {
                "?".to_owned()
            } else {
                d.to_string()
            }
        };
        format!("{}x{}x{}", dim(self.m), dim(self.n), dim(self.k))
    }
}

/// The matmul and convolution functions of `module`, but `entry`.
pub fn find(module: &Module, entry: &str) -> Vec<MatmulTarget> {
    find_in(module.as_operation(), entry)
}

/// The matmul functions among the top-level ops of `module` (a `builtin.module`), but `entry`.
pub fn find_in(module: OperationRef, entry: &str) -> Vec<MatmulTarget> {
    top_level_ops(module)
        .iter()
        .filter(|op| op_name(op) == "func.func")
        .filter_map(|op| matmul_function(op).or_else(|| conv::conv_function(op)))
        .filter(|t| t.function != entry)
        .collect()
}

/// Whether `op` is a `linalg.matmul` that would be a target in a function of its own (2-D f32
/// memrefs with identity layouts, the default maps), inside a function that is not already one:
/// `--optimize` outlines it into a function of its own.
pub fn is_inline_matmul(op: &OperationRef) -> bool {
    if op_name(op) != "linalg.matmul" || op.operand_count() != 3 || !has_default_maps(op) {
        return false;
    }
    let shapes: Option<Vec<_>> = (0..3)
        .map(|i| matrix_shape(&op.operand_at(i)?.r#type().to_string()))
        .collect();
    let Some([(m, k), (k2, n), (m2, n2)]) =
        shapes.as_deref().and_then(|s| <[_; 3]>::try_from(s).ok())
    else {
        return false;
    };
    let in_target = op.parent_operation().is_some_and(|parent| {
        op_name(&parent) == "func.func" && matmul_function(&parent).is_some()
    });
    agree(m, m2) && agree(n, n2) && agree(k, k2) && !in_target
}

/// Whether `matmul` has `linalg.matmul`'s own indexing maps (no broadcast, no transpose).
fn has_default_maps(matmul: &OperationRef) -> bool {
    let maps = matmul
        .attribute("indexing_maps")
        .map(|a| a.to_string())
        .unwrap_or_default();
    maps.is_empty() || maps.replace(' ', "") == DEFAULT_MAPS
}

/// A function whose body is one op of its three arguments (after, optionally, a fill of the
/// op's output with a constant), and nothing else.
pub(crate) struct SingleOp<'c, 'a> {
    /// The function's name.
    pub name: String,
    /// The op.
    pub op: OperationRef<'c, 'a>,
    /// Which argument is the op's operand 0, 1 and 2.
    pub arguments: [usize; 3],
    /// The parameter types, as written.
    pub parameters: Vec<String>,
    /// The fill constant, if any.
    pub fill: Option<String>,
}

/// `function` as a [`SingleOp`] named `op_kind`, if it is one.
pub(crate) fn single_op<'c, 'a>(
    function: &OperationRef<'c, 'a>,
    op_kind: &str,
) -> Option<SingleOp<'c, 'a>> {
    let name = symbol_name(function)?;
    let block = function.region_at(0)?.first_block()?;
    let mut ops = Vec::new();
    let mut next = block.first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        ops.push(op);
    }
    let (fill, op, ret) = match ops.as_slice() {
        [op, ret] => (None, *op, *ret),
        [constant, fill, op, ret] => (Some(fill_value(constant, fill, op)?), *op, *ret),
        _ => return None,
    };
    if op_name(&op) != op_kind
        || op_name(&ret) != "func.return"
        || ret.next_in_block().is_some()
        || ret.operand_count() != 0
        || op.operand_count() != 3
        || block.argument_count() != 3
    {
        return None;
    }
    let mut arguments = [0; 3];
    for (i, slot) in arguments.iter_mut().enumerate() {
        let operand = op.operand_at(i)?;
        *slot = (0..block.argument_count()).find(|&a| {
            block
                .argument(a)
                .is_ok_and(|arg| arg.to_raw().ptr == operand.to_raw().ptr)
        })?;
    }
    let mut distinct = arguments.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != 3 {
        return None;
    }
    let parameters = (0..block.argument_count())
        .filter_map(|a| block.argument(a).ok())
        .map(|arg| arg.r#type().to_string())
        .collect();
    Some(SingleOp {
        name,
        op,
        arguments,
        parameters,
        fill,
    })
}

fn matmul_function(function: &OperationRef) -> Option<MatmulTarget> {
    let body = single_op(function, "linalg.matmul")?;
    if !has_default_maps(&body.op) {
        return None;
    }
    let mut shapes = [(0, 0); 3];
    for (i, shape) in shapes.iter_mut().enumerate() {
        *shape = matrix_shape(&body.op.operand_at(i)?.r#type().to_string())?;
    }
    let [(m, k), (k2, n), (m2, n2)] = shapes;
    if !agree(m, m2) || !agree(n, n2) || !agree(k, k2) {
        return None;
    }
    let dynamic = [m, n, k, m2, n2, k2].contains(&0);
    // Where one operand knows a dimension the other leaves dynamic, the known one counts.
    let (m, n, k) = (m.max(m2), n.max(n2), k.max(k2));
    Some(MatmulTarget {
        fill: body.fill,
        dynamic,
        function: body.name,
        m,
        n,
        k,
        arguments: body.arguments,
        parameters: body.parameters,
        conv: None,
    })
}

/// The f32 literal of `constant` when `fill` fills `matmul`'s output with it.
fn fill_value(
    constant: &OperationRef,
    fill: &OperationRef,
    matmul: &OperationRef,
) -> Option<String> {
    if op_name(constant) != "arith.constant" || op_name(fill) != "linalg.fill" {
        return None;
    }
    let value = constant.attribute("value").ok()?.to_string();
    let literal = value.strip_suffix(" : f32")?.to_owned();
    let filled_with = fill.operand_at(0)?.to_raw().ptr;
    let output = fill.operand_at(1)?.to_raw().ptr;
    let constant_result = constant.result_at(0)?.to_raw().ptr;
    let product_output = matmul.operand_at(2)?.to_raw().ptr;
    (fill.operand_count() == 2 && filled_with == constant_result && output == product_output)
        .then_some(literal)
}

/// `(rows, columns)` of `memref<RxCxf32>` (identity layout), 0 for a dynamic dimension.
fn matrix_shape(ty: &str) -> Option<(usize, usize)> {
    let inner = ty.strip_prefix("memref<")?.strip_suffix("xf32>")?;
    let (rows, columns) = inner.split_once('x')?;
    let dim = |d: &str| {
        if d == "?" {
            Some(0)
        } else {
            d.parse().ok().filter(|&d| d > 0)
        }
    };
    Some((dim(rows)?, dim(columns)?))
}

/// Whether two sizes of one dimension can be the same (0 is dynamic).
fn agree(a: usize, b: usize) -> bool {
    a == 0 || b == 0 || a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matmul_inside_main_is_outlined_into_a_target() {
        let context = tensorlang::create_context().unwrap();
        let source = "func.func @main(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>, %d: memref<?x4xf32>) {\n  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)\n  return\n}\nfunc.func @mm(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {\n  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)\n  return\n}\n";
        let mut program = tensorlang_jit::Program::parse(&context, source, "t.mlir", true).unwrap();
        let outlined = program.outline(&context, is_inline_matmul, "outlined_matmul");
        assert_eq!(outlined, vec!["outlined_matmul0".to_string()]);
        let found = find(program.module(), "main");
        let names: Vec<&str> = found.iter().map(|t| t.function.as_str()).collect();
        assert_eq!(names, vec!["mm", "outlined_matmul0"]);
    }

    fn targets(source: &str) -> Vec<MatmulTarget> {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "t.mlir").unwrap();
        find(&module, "main")
    }

    #[test]
    fn a_function_that_is_one_matmul_is_a_target() {
        let found = targets(
            "func.func @mm(%c: memref<8x4xf32>, %a: memref<8x16xf32>, %b: memref<16x4xf32>) {\n  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)\n  return\n}",
        );
        assert_eq!(found.len(), 1);
        let target = &found[0];
        assert_eq!((target.m, target.n, target.k), (8, 4, 16));
        assert_eq!(target.arguments, [1, 2, 0]);
        assert_eq!(target.flops(), 2.0 * 8.0 * 4.0 * 16.0);
        assert_eq!(target.fill, None);
    }

    #[test]
    fn a_fill_of_the_output_first_is_part_of_the_target() {
        let found = targets(
            "func.func @mm(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {\n  %z = arith.constant 0.0 : f32\n  linalg.fill ins(%z : f32) outs(%c : memref<8x4xf32>)\n  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)\n  return\n}",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].fill.as_deref(), Some("0.000000e+00"));
    }

    #[test]
    fn a_dynamic_matmul_is_a_target_once_a_call_tells_its_shape() {
        let found = targets(
            "func.func @mm(%a: memref<?x16xf32>, %b: memref<16x?xf32>, %c: memref<?x?xf32>) {\n  linalg.matmul ins(%a, %b : memref<?x16xf32>, memref<16x?xf32>) outs(%c : memref<?x?xf32>)\n  return\n}",
        );
        let target = &found[0];
        assert!(target.dynamic && !target.has_shape());
        assert_eq!(target.shape(), "?x?x16");
        assert_eq!(target.specialized([8, 4, 32]), None, "k is 16");
        let specialized = target.specialized([8, 4, 16]).unwrap();
        assert_eq!(specialized.shape(), "8x4x16");
        assert_eq!(specialized.parameters[2], "memref<?x?xf32>");
    }

    #[test]
    fn anything_more_is_not() {
        // A fill of an input, not the output.
        assert!(targets(
            "func.func @mm(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {\n  %z = arith.constant 0.0 : f32\n  linalg.fill ins(%z : f32) outs(%a : memref<8x16xf32>)\n  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)\n  return\n}"
        )
        .is_empty());
    }
}
