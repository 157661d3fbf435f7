//! What a function does to the world outside it: which functions it calls, whether it prints,
//! which of its arguments it reads and writes, and which globals it writes.
//!
//! A candidate may do no more than the function it replaces (no new callee, no new output, no
//! write to an argument or a global the original only read) and no less reading (an argument the
//! original read, the candidate must read: a function that ignores its inputs is hard-coding its
//! answers). The analysis follows memrefs through views (`subview`, `cast`, reshapes, ...) and
//! loop-carried values back to the arguments and globals they come from, and it errs towards
//! "writes": every memref handed to a call may be written by it.

use std::collections::{BTreeMap, BTreeSet};

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{BlockLike, OperationRef, RegionLike, Value, ValueLike};

use tensorlang::diagnostic::format_location;
use tensorlang::ir::{VIEW_OPS, callee, op_name};

/// Where a memref comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Root {
    /// The function's argument with this index.
    Argument(usize),
    /// A `memref.global`.
    Global(String),
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

/// Ops whose memref result is one of their memref operands, or a view of it.
fn is_view(name: &str) -> bool {
    VIEW_OPS.contains(&name) || name == "arith.select"
}

/// Ops that print.
const OUTPUT_OPS: &[&str] = &["vector.print", "tensorlang.print"];

/// Memref operands each op reads and writes, by operand index; `None` for ops not listed.
fn accesses(name: &str) -> Option<(&'static [usize], &'static [usize])> {
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
        // Shape queries read no contents.
        "memref.dim" | "memref.rank" | "memref.extract_strided_metadata" => (&[], &[]),
        _ => return None,
    })
}

impl Effects {
    /// The effects of `function` (a `func.func` definition).
    pub fn of(function: &OperationRef) -> Self {
        let mut effects = Self::default();
        let mut roots: BTreeMap<usize, BTreeSet<Root>> = BTreeMap::new();
        let Some(entry) = function.region(0).ok().and_then(|r| r.first_block()) else {
            return effects;
        };
        for index in 0..entry.argument_count() {
            let Ok(argument) = entry.argument(index) else {
                continue;
            };
            let value: Value = argument.into();
            roots.insert(key(&value), BTreeSet::from([Root::Argument(index)]));
            if !is_memref(&value) && value_has_uses(&value) {
                // A scalar or a tensor is read by any use.
                effects.reads.insert(Root::Argument(index));
            }
        }
        function.walk(WalkOrder::PreOrder, |op| {
            effects.visit(&op, &mut roots);
            effects.locate(&op);
            WalkResult::Advance
        });
        effects
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

    fn visit(&mut self, op: &OperationRef, roots: &mut BTreeMap<usize, BTreeSet<Root>>) {
        let name = op_name(op);
        let operands: Vec<Value> = (0..op.operand_count())
            .filter_map(|i| op.operand(i).ok())
            .collect();
        let of_operand: Vec<BTreeSet<Root>> = operands
            .iter()
            .map(|value| roots.get(&key(value)).cloned().unwrap_or_default())
            .collect();
        let operand_roots = |indices: &mut dyn Iterator<Item = usize>| -> BTreeSet<Root> {
            indices
                .filter_map(|i| of_operand.get(i))
                .flatten()
                .cloned()
                .collect()
        };
        let memref_operands: Vec<usize> = (0..operands.len())
            .filter(|&i| is_memref(&operands[i]))
            .collect();
        if OUTPUT_OPS.contains(&name.as_str()) {
            self.outputs.insert(name.clone());
        }
        if let Some(global) = tensorlang::ir::global_name(op) {
            if let Ok(result) = op.result(0) {
                roots.insert(key(&result.into()), BTreeSet::from([Root::Global(global)]));
            }
        } else if is_view(&name) {
            let from = operand_roots(&mut memref_operands.iter().copied());
            for result in (0..op.result_count()).filter_map(|i| op.result(i).ok()) {
                roots.insert(key(&result.into()), from.clone());
            }
        } else if let Some(callee) = callee(op) {
            self.callees.insert(callee);
            let touched = operand_roots(&mut memref_operands.iter().copied());
            self.reads.extend(touched.iter().cloned());
            self.writes.extend(touched);
        } else if let Some((reads, writes)) = accesses(&name) {
            self.reads.extend(operand_roots(&mut reads.iter().copied()));
            self.writes
                .extend(operand_roots(&mut writes.iter().copied()));
        } else if name.starts_with("linalg.") {
            let inputs = linalg_inputs(op).unwrap_or(0);
            self.reads
                .extend(operand_roots(&mut memref_operands.iter().copied()));
            self.writes.extend(operand_roots(
                &mut memref_operands.iter().copied().filter(|&i| i >= inputs),
            ));
        } else if !memref_operands.is_empty() && !name.starts_with("scf.") {
            // Anything else that takes a memref (and is not control flow carrying it): it may
            // read and write it.
            let touched = operand_roots(&mut memref_operands.iter().copied());
            self.reads.extend(touched.iter().cloned());
            self.writes.extend(touched);
        }
        // Region arguments (loop-carried memrefs) and results of ops with regions may be any
        // memref the op was given.
        let carried = operand_roots(&mut memref_operands.iter().copied());
        if !carried.is_empty() && !is_view(&name) {
            for region in (0..op.region_count()).filter_map(|i| op.region(i).ok()) {
                let mut block = region.first_block();
                while let Some(current) = block {
                    for argument in
                        (0..current.argument_count()).filter_map(|i| current.argument(i).ok())
                    {
                        let value: Value = argument.into();
                        if is_memref(&value) {
                            roots.insert(key(&value), carried.clone());
                        }
                    }
                    block = current.next_in_region();
                }
            }
            for result in (0..op.result_count()).filter_map(|i| op.result(i).ok()) {
                let value: Value = result.into();
                if is_memref(&value) {
                    roots
                        .entry(key(&value))
                        .or_default()
                        .extend(carried.clone());
                }
            }
        }
    }
}

/// How many of a linalg op's operands are inputs (`operandSegmentSizes = array<i32: ins, outs>`).
fn linalg_inputs(op: &OperationRef) -> Option<usize> {
    let sizes = op.attribute("operandSegmentSizes").ok()?.to_string();
    let inner = sizes.strip_prefix("array<i32:")?.strip_suffix('>')?;
    inner.split(',').next()?.trim().parse().ok()
}

fn key(value: &Value) -> usize {
    value.to_raw().ptr as usize
}

fn is_memref(value: &Value) -> bool {
    value.r#type().to_string().starts_with("memref<")
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
}
