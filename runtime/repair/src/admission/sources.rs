//! Where each memref of a function comes from: its arguments, the globals it names, the buffers
//! it allocates, or somewhere the analysis cannot see.
//!
//! A memref reaches an op along many paths: views (`subview`, `cast`, reshapes, ...),
//! `arith.select`, the results of ops with regions (`scf.if`, `scf.index_switch`,
//! `scf.execute_region`, loops: the values their regions yield), and block arguments (loop-carried
//! values, and the blocks `cf` branches pass memrefs to). Every path is followed, whatever the
//! op: the results of any op with regions take the sources of every value its regions yield and
//! of every memref it is given, and every block argument takes those of what is passed to it. The
//! sources are worked out to a fixpoint (a value yielded late in a loop flows back to the
//! loop's start), so the order ops appear in does not matter.
//!
//! What the analysis does not know, it does not guess: a memref returned by a call, or made by an
//! op it does not model, has an [`Source::Unknown`] source, which the effects count as any
//! argument or global ([`super::effects`]).

use std::collections::{BTreeMap, BTreeSet};
use tensorlang::ir::OperationExt;

use melior::ir::operation::{OperationLike, WalkOrder, WalkResult};
use melior::ir::{BlockLike, BlockRef, OperationRef, RegionLike, Value, ValueLike};

use tensorlang::ir::{VIEW_OPS, op_name};

/// Where a memref comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// The function's argument with this index.
    Argument(usize),
    /// A `memref.global`.
    Global(String),
    /// A buffer the function allocates (`memref.alloc`, `memref.alloca`), by its op.
    Allocation(usize),
    /// Anything: a memref the analysis cannot follow (a call's result, say).
    Unknown,
}

/// The sources of every memref value of one function.
#[derive(Debug, Default)]
pub struct Sources {
    of: BTreeMap<usize, BTreeSet<Source>>,
}

/// Ops whose memref result is one of their memref operands, or a view of it.
pub(super) fn is_view(name: &str) -> bool {
    VIEW_OPS.contains(&name) || name == "arith.select" || name == "memref.reshape"
}

/// Ops that allocate a fresh buffer.
pub(super) const ALLOCATIONS: &[&str] = &["memref.alloc", "memref.alloca"];

impl Sources {
    /// The sources of the memrefs of `function` (a `func.func` definition).
    pub fn of(function: &OperationRef) -> Self {
        let mut sources = Self::default();
        let Some(entry) = function.region_at(0).and_then(|r| r.first_block()) else {
            return sources;
        };
        for index in 0..entry.argument_count() {
            if let Ok(argument) = entry.argument(index) {
                sources.add(&argument.into(), [Source::Argument(index)]);
            }
        }
        // Sources only grow, and there are finitely many: this ends. Each round follows every
        // op once; values flowing backwards (loops, back edges) need more than one.
        loop {
            let mut grew = false;
            function.walk(WalkOrder::PreOrder, |op| {
                if op.to_raw().ptr != function.to_raw().ptr {
                    grew |= sources.follow(&op);
                }
                WalkResult::Advance
            });
            grew |= sources.follow_branches(function);
            if !grew {
                return sources;
            }
        }
    }

    /// The sources of `value` (empty for a value that is not a memref).
    pub fn get(&self, value: &Value) -> BTreeSet<Source> {
        match self.of.get(&key(value)) {
            Some(sources) => sources.clone(),
            // A memref no path reaches (there is none once the fixpoint is reached, but an op of
            // a dialect not modelled could make one): anything.
            None if is_memref(value) => BTreeSet::from([Source::Unknown]),
            None => BTreeSet::new(),
        }
    }

    /// The sources of `op`'s memref operands with these indices.
    pub fn of_operands(
        &self,
        op: &OperationRef,
        indices: impl Iterator<Item = usize>,
    ) -> BTreeSet<Source> {
        indices
            .filter_map(|index| op.operand_at(index))
            .filter(is_memref)
            .flat_map(|value| self.get(&value))
            .collect()
    }

    /// Adds `sources` to `value`'s (a memref; other values have none); whether they grew.
    fn add(&mut self, value: &Value, sources: impl IntoIterator<Item = Source>) -> bool {
        if !is_memref(value) {
            return false;
        }
        let known = self.of.entry(key(value)).or_default();
        let before = known.len();
        known.extend(sources);
        known.len() > before
    }

    /// What flows into the memrefs `op` defines (results, and its regions' block arguments).
    fn follow(&mut self, op: &OperationRef) -> bool {
        let name = op_name(op);
        let operands = self.of_operands(op, 0..op.operand_count());
        let results: Vec<Value> = op.results().map(Into::into).collect();
        let mut grew = false;
        if op.region_count() > 0 {
            // Loops, conditionals, `execute_region`, `alloca_scope`, ...: a result may be any
            // value a region yields, or (a loop run no times) any memref the op was given; a
            // region's argument may be any of those too (loop-carried values).
            let mut flowing = operands;
            for region in op.regions() {
                for block in blocks(region.first_block()) {
                    if let Some(terminator) = block.terminator()
                        && terminator.successor_count() == 0
                    {
                        flowing
                            .extend(self.of_operands(&terminator, 0..terminator.operand_count()));
                    }
                }
            }
            for region in op.regions() {
                for block in blocks(region.first_block()) {
                    for argument in
                        (0..block.argument_count()).filter_map(|i| block.argument(i).ok())
                    {
                        grew |= self.add(&argument.into(), flowing.iter().cloned());
                    }
                }
            }
            for result in &results {
                grew |= self.add(result, flowing.iter().cloned());
            }
        } else if let Some(global) = tensorlang::ir::global_name(op) {
            for result in &results {
                grew |= self.add(result, [Source::Global(global.clone())]);
            }
        } else if ALLOCATIONS.contains(&name.as_str()) {
            let allocation = Source::Allocation(op.to_raw().ptr as usize);
            for result in &results {
                grew |= self.add(result, [allocation.clone()]);
            }
        } else if is_view(&name) {
            for result in &results {
                grew |= self.add(result, operands.iter().cloned());
            }
        } else {
            // A call's result, or an op not modelled: it may be any memref at all.
            for result in &results {
                grew |= self.add(result, operands.iter().cloned().chain([Source::Unknown]));
            }
        }
        grew
    }

    /// Block arguments of blocks that branches (`cf.br`, `cf.cond_br`, `cf.switch`) lead to
    /// take the sources of every memref the branch passes on.
    fn follow_branches(&mut self, function: &OperationRef) -> bool {
        let mut passed: Vec<(BlockRef, BTreeSet<Source>)> = Vec::new();
        function.walk(WalkOrder::PreOrder, |op| {
            if op.successor_count() > 0 {
                let sources = self.of_operands(&op, 0..op.operand_count());
                for successor in op.successors() {
                    // SAFETY: a block of `function`, which outlives this.
                    let block = unsafe { BlockRef::from_raw(successor.to_raw()) };
                    passed.push((block, sources.clone()));
                }
            }
            WalkResult::Advance
        });
        let mut grew = false;
        for (block, sources) in passed {
            for argument in (0..block.argument_count()).filter_map(|i| block.argument(i).ok()) {
                grew |= self.add(&argument.into(), sources.iter().cloned());
            }
        }
        grew
    }
}

/// `first` and the blocks after it in its region.
fn blocks<'c, 'a>(first: Option<BlockRef<'c, 'a>>) -> impl Iterator<Item = BlockRef<'c, 'a>> {
    std::iter::successors(first, |block| block.next_in_region())
}

fn key(value: &Value) -> usize {
    value.to_raw().ptr as usize
}

/// Whether `value` is a memref (ranked or not).
pub fn is_memref(value: &Value) -> bool {
    use melior::ir::r#type::TypeLike;
    // Asked of the type, not its printed text: admission asks it of every value.
    let ty = value.r#type();
    ty.is_mem_ref() || ty.is_unranked_mem_ref()
}
