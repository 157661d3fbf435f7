//! What `--optimize` can make faster and the variants it tries, without a JIT: the targets
//! ([`target`]: functions that are one `linalg.matmul`), the transform-dialect scripts that make
//! their variants ([`variant`]), and a variant's way to the LLVM dialect ([`compile`]). The
//! runtime's optimizer (`tensorlang-optimize`) checks, times and swaps them in a running program;
//! the [`pass`] `--neuro-optimize` does the same search offline (timing through `tensorlang-run`)
//! and writes the winner into the module.

pub mod compile;
pub mod pass;
pub mod target;
pub mod variant;

pub use target::MatmulTarget;
pub use variant::VariantParameters;
