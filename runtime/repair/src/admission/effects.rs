//! What a function does to the world outside it: which functions it calls, whether it prints,
//! which of its arguments it reads and writes, and which globals it writes.
//!
//! A candidate may do no more than the function it replaces (no new callee, no new output, no
//! write to an argument or a global the original only read) and no less reading (an argument the
//! original read, the candidate must read: a function that ignores its inputs is hard-coding its
//! answers). Memrefs are followed back to the arguments and globals they come from along every
//! path ([`super::sources`]), and the analysis errs towards "writes": every memref handed to a
//! call may be written by it, and a write through a memref whose source is unknown is a write to
//! every memref argument and to [`Root::Unknown`] (any global).

use std::collections::{BTreeMap, BTreeSet};
use tensorlang::ir::OperationExt;

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{BlockLike, OperationRef, RegionLike, Value, ValueLike};

use super::sources::{Source, Sources, is_memref};
use tensorlang::diagnostic::format_location;
use tensorlang::ir::{callee, op_name};

/// Where a memref the function reads or writes comes from, outside the function.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Root {
    /// The function's argument with this index.
    Argument(usize),
    /// A `memref.global`.
    Global(String),
    /// A memref the analysis cannot follow: it may be any argument or any global.
    Unknown,
}

/// The effects of one function (see the module docs).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Effects {
    /// Functions it calls.
    pub callees: BTreeSet<String>,
    /// Ops that print (`vector.print`, `tensorlang.print`).
    pub outputs: BTreeSet<String>,
    /// What it reads: argument contents (or, for scalars and tensors, any use) and globals.
    pub reads: BTreeSet<Root>,
    /// What it writes.
    pub writes: BTreeSet<Root>,
    /// Where each callee, output and write first appears (`file:line:col`), by [`Effects::key`].
    pub locations: BTreeMap<String, String>,
}

/// Ops that print.
const OUTPUT_OPS: &[&str] = &["vector.print", "tensorlang.print"];

/// Memref operands each op reads and writes, by operand index; `None` for ops not listed.
pub(super) fn accesses(name: &str) -> Option<(&'static [usize], &'static [usize])> {
    Some(match name {
        "memref.load"
        | "affine.load"
        | "vector.load"
        | "vector.maskedload"
        | "vector.gather"
        | "vector.expandload"
        | "vector.transfer_read"
        | "affine.vector_load" => (&[0], &[]),
        "memref.store"
        | "affine.store"
        | "vector.store"
        | "vector.maskedstore"
        | "vector.scatter"
        | "vector.compressstore"
        | "vector.transfer_write"
        | "affine.vector_store" => (&[], &[1]),
        "memref.copy" => (&[0], &[1]),
        "memref.atomic_rmw" => (&[1], &[1]),
        "memref.generic_atomic_rmw" => (&[0], &[0]),
        // Shape queries and hints read no contents.
        "memref.dim" | "memref.rank" | "memref.extract_strided_metadata" | "memref.prefetch" => {
            (&[], &[])
        }
        _ => return None,
    })
}

/// The memref operands `op` reads and writes, by index: `None` for an op that only passes
/// memrefs on (views, control flow, terminators).
pub(super) fn reads_and_writes(op: &OperationRef) -> Option<(Vec<usize>, Vec<usize>)> {
    let name = op_name(op);
    let memrefs: Vec<usize> = (0..op.operand_count())
        .filter(|&i| op.operand_at(i).is_some_and(|value| is_memref(&value)))
        .collect();
    if callee(op).is_some() {
        return Some((memrefs.clone(), memrefs));
    }
    if let Some((reads, writes)) = accesses(&name) {
        return Some((reads.to_vec(), writes.to_vec()));
    }
    if name.starts_with("linalg.") {
        let inputs = linalg_inputs(op).unwrap_or(0);
        let outputs = memrefs.iter().copied().filter(|&i| i >= inputs).collect();
        return Some((memrefs, outputs));
    }
    // Views, selects, ops with regions and terminators (yields, branches, returns) pass the
    // memrefs they are given on: what is done with them is seen where they arrive.
    let passes_on = super::sources::is_view(&name)
        || op.region_count() > 0
        || op.successor_count() > 0
        || op.next_in_block().is_none();
    if memrefs.is_empty() || passes_on {
        return None;
    }
    // Anything else that takes a memref may read and write it.
    Some((memrefs.clone(), memrefs))
}

impl Effects {
    /// The effects of `function` (a `func.func` definition).
    pub fn of(function: &OperationRef) -> Self {
        let mut effects = Self::default();
        let Some(entry) = function.region_at(0).and_then(|r| r.first_block()) else {
            return effects;
        };
        let mut memref_arguments = Vec::new();
        for index in 0..entry.argument_count() {
            let Ok(argument) = entry.argument(index) else {
                continue;
            };
            let value: Value = argument.into();
            if is_memref(&value) {
                memref_arguments.push(Root::Argument(index));
            } else if value_has_uses(&value) {
                // A scalar or a tensor is read by any use.
                effects.reads.insert(Root::Argument(index));
            }
        }
        let sources = Sources::of(function);
        function.walk(WalkOrder::PreOrder, |op| {
            let before = effects.count();
            effects.visit(&op, &sources, &memref_arguments);
            if effects.count() != before {
                effects.locate(&op);
            }
            WalkResult::Advance
        });
        effects
    }

    /// How many callees, outputs and written roots there are: an op that leaves it as it was
    /// has nothing to locate.
    fn count(&self) -> usize {
        self.callees.len() + self.outputs.len() + self.writes.len()
    }

    /// The key of a callee, an output op or a written root in [`Effects::locations`].
    pub fn key(kind: &str, what: &str) -> String {
        format!("{kind}:{what}")
    }

    /// Where `key` first appears, if it does.
    pub fn location(&self, key: &str) -> Option<&str> {
        self.locations.get(key).map(String::as_str)
    }

    /// Records `op`'s location for every effect that has none yet (the op just added them).
    fn locate(&mut self, op: &OperationRef) {
        let keys: Vec<String> = self
            .callees
            .iter()
            .map(|c| Self::key("callee", c))
            .chain(self.outputs.iter().map(|o| Self::key("output", o)))
            .chain(
                self.writes
                    .iter()
                    .map(|w| Self::key("write", &format!("{w:?}"))),
            )
            .collect();
        for key in keys {
            self.locations
                .entry(key)
                .or_insert_with(|| format_location(op.location()));
        }
    }

    fn visit(&mut self, op: &OperationRef, sources: &Sources, memref_arguments: &[Root]) {
        let name = op_name(op);
        if OUTPUT_OPS.contains(&name.as_str()) {
            self.outputs.insert(name.clone());
        }
        if let Some(callee) = callee(op) {
            self.callees.insert(callee);
        }
        let Some((reads, writes)) = reads_and_writes(op) else {
            return;
        };
        let roots = |indices: &[usize]| -> BTreeSet<Root> {
            sources
                .of_operands(op, indices.iter().copied())
                .into_iter()
                .filter_map(|source| match source {
                    Source::Argument(index) => Some(Root::Argument(index)),
                    Source::Global(name) => Some(Root::Global(name)),
                    Source::Unknown => Some(Root::Unknown),
                    // The function's own buffers are no effect outside it.
                    Source::Allocation(_) => None,
                })
                .collect()
        };
        self.reads.extend(roots(&reads));
        let written = roots(&writes);
        if written.contains(&Root::Unknown) {
            // Written through a memref of unknown source: it may be any of them.
            self.writes.extend(memref_arguments.iter().cloned());
        }
        self.writes.extend(written);
    }
}

/// How many of a linalg op's operands are inputs (`operandSegmentSizes = array<i32: ins, outs>`).
fn linalg_inputs(op: &OperationRef) -> Option<usize> {
    let sizes = op.attribute("operandSegmentSizes").ok()?.to_string();
    let inner = sizes.strip_prefix("array<i32:")?.strip_suffix('>')?;
    inner.split(',').next()?.trim().parse().ok()
}

fn value_has_uses(value: &Value) -> bool {
    // SAFETY: a live value of a live function.
    unsafe { !mlir_sys::mlirValueGetFirstUse(value.to_raw()).ptr.is_null() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlang::ir::{find_symbol, top_level_ops};

    fn effects(source: &str, function: &str) -> Effects {
        let context = tensorlang::create_context().unwrap();
        let module = tensorlang::parse_module(&context, source, "e.mlir").unwrap();
        let op = find_symbol(top_level_ops(module.as_operation()), function).unwrap();
        Effects::of(&op)
    }

    #[test]
    fn reads_and_writes_are_traced_through_views_and_loops() {
        let source = r#"
memref.global "private" @state : memref<4xf32> = dense<0.0>
func.func private @log(f32)
func.func @f(%in: memref<8xf32>, %out: memref<8xf32>, %n: index, %unused: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %view = memref.subview %out[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %g = memref.get_global @state : memref<4xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %in[%i] : memref<8xf32>
    memref.store %v, %view[%i] : memref<4xf32, strided<[1]>>
    memref.store %v, %g[%i] : memref<4xf32>
    func.call @log(%v) : (f32) -> ()
  }
  vector.print %n : index
  return
}
"#;
        let effects = effects(source, "f");
        assert_eq!(effects.callees, BTreeSet::from(["log".to_owned()]));
        assert_eq!(effects.outputs, BTreeSet::from(["vector.print".to_owned()]));
        assert_eq!(
            effects.reads,
            BTreeSet::from([Root::Argument(0), Root::Argument(2)])
        );
        assert_eq!(
            effects.writes,
            BTreeSet::from([Root::Argument(1), Root::Global("state".into())])
        );
    }

    #[test]
    fn linalg_outputs_are_written_and_inputs_read() {
        let source = r#"
func.func @copy(%a: memref<4xf32>, %b: memref<4xf32>) {
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  return
}
"#;
        let effects = effects(source, "copy");
        assert!(effects.reads.contains(&Root::Argument(0)));
        assert_eq!(effects.writes, BTreeSet::from([Root::Argument(1)]));
    }

    /// The roots `@f(%in, %out)` writes when `body` (which may use `%in`, `%out`, `%c0`, `%c1`,
    /// `%x` and `%b`) is its body.
    fn written(body: &str) -> BTreeSet<Root> {
        let source = format!(
            r#"
func.func private @pick(memref<4xf32>) -> memref<4xf32>
func.func @f(%in: memref<4xf32>, %out: memref<4xf32>, %b: i1) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x = arith.constant 2.0 : f32
{body}
  return
}}
"#
        );
        effects(&source, "f").writes
    }

    const IN: Root = Root::Argument(0);

    #[test]
    fn memrefs_yielded_out_of_regions_are_followed() {
        let through_if = written(
            "  %m = scf.if %b -> memref<4xf32> {\n    scf.yield %in : memref<4xf32>\n  } else {\n    scf.yield %out : memref<4xf32>\n  }\n  memref.store %x, %m[%c0] : memref<4xf32>",
        );
        assert!(through_if.contains(&IN), "{through_if:?}");
        let through_switch = written(
            "  %m = scf.index_switch %c0 -> memref<4xf32>\n  case 2 {\n    scf.yield %in : memref<4xf32>\n  }\n  default {\n    scf.yield %out : memref<4xf32>\n  }\n  memref.copy %out, %m : memref<4xf32> to memref<4xf32>",
        );
        assert!(through_switch.contains(&IN), "{through_switch:?}");
        let through_region = written(
            "  %m = scf.execute_region -> memref<4xf32> {\n    scf.yield %in : memref<4xf32>\n  }\n  %r = memref.atomic_rmw addf %x, %m[%c0] : (f32, memref<4xf32>) -> f32",
        );
        assert_eq!(through_region, BTreeSet::from([IN]));
    }

    #[test]
    fn loop_carried_and_selected_memrefs_are_followed() {
        // Swapped on every iteration: after the loop, %m may be %in.
        let swapped = written(
            "  %m:2 = scf.for %i = %c0 to %c1 step %c1 iter_args(%p = %out, %q = %in) -> (memref<4xf32>, memref<4xf32>) {\n    scf.yield %q, %p : memref<4xf32>, memref<4xf32>\n  }\n  memref.store %x, %m#0[%c0] : memref<4xf32>",
        );
        assert!(swapped.contains(&IN), "{swapped:?}");
        let through_while = written(
            "  %m = scf.while (%p = %out) : (memref<4xf32>) -> memref<4xf32> {\n    scf.condition(%b) %p : memref<4xf32>\n  } do {\n  ^bb0(%q: memref<4xf32>):\n    scf.yield %in : memref<4xf32>\n  }\n  memref.store %x, %m[%c0] : memref<4xf32>",
        );
        assert!(through_while.contains(&IN), "{through_while:?}");
        let selected = written(
            "  %m = arith.select %b, %in, %out : memref<4xf32>\n  memref.store %x, %m[%c0] : memref<4xf32>",
        );
        assert!(selected.contains(&IN), "{selected:?}");
    }

    #[test]
    fn memrefs_passed_to_blocks_are_followed() {
        let branched = written(
            "  cf.cond_br %b, ^w(%in : memref<4xf32>), ^w(%out : memref<4xf32>)\n^w(%m: memref<4xf32>):\n  memref.store %x, %m[%c0] : memref<4xf32>",
        );
        assert_eq!(branched, BTreeSet::from([IN, Root::Argument(1)]));
        // Passing a memref on is no write by itself.
        let passed = written("  cf.br ^w(%in : memref<4xf32>)\n^w(%m: memref<4xf32>):");
        assert!(passed.is_empty(), "{passed:?}");
    }

    #[test]
    fn a_write_through_an_unknown_memref_writes_everything() {
        let unknown = written(
            "  %m = func.call @pick(%out) : (memref<4xf32>) -> memref<4xf32>\n  memref.store %x, %m[%c0] : memref<4xf32>",
        );
        assert_eq!(
            unknown,
            BTreeSet::from([IN, Root::Argument(1), Root::Unknown])
        );
        // The function's own buffers are no effect.
        let local = written(
            "  %m = memref.alloca() : memref<4xf32>\n  memref.store %x, %m[%c0] : memref<4xf32>\n  %v = memref.load %in[%c0] : memref<4xf32>",
        );
        assert!(local.is_empty(), "{local:?}");
    }
}
