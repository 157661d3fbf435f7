//! Memory of a static shape, element by element: a constant `memref.global` (a table of the
//! program's data), read through `memref.get_global` and `memref.cast` views or passed as an
//! argument that every call of the function fixes to the same such global, is its elements; a
//! memref argument the calls do not fix is any contents (one free value per element), and so is
//! a new `memref.alloca`/`alloc` until it is written. A load is the element its indices select
//! (an `ite` over the elements where an index is computed at run time); a store replaces the
//! element under the path condition of the branches around it. Each index being within its
//! extent is an obligation, as the instrumentation checks it at run time; `memref.dim` is the
//! extent, a constant (so a loop up to it unrolls). Not translated: dynamic shapes, memory
//! larger than [`MAX_ELEMENTS`] ([`MAX_FREE`] for free contents), stores to a constant global,
//! and stores through one of several memory arguments (which may alias).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use tensorlang::ir::OperationExt;

use melior::ir::operation::{OperationLike, OperationResult, WalkOrder, WalkResult};
use melior::ir::{OperationRef, ValueLike};
use tensorlang::ir::{callee, find_symbol, global_name, op_name, symbol_name, top_level_ops};

use super::{Sort, Translator, Untranslatable, bits, float};

/// The memory ops translated here.
pub(super) const OPS: &[&str] = &[
    "memref.get_global",
    "memref.cast",
    "memref.dim",
    "memref.load",
    "memref.store",
    "memref.alloca",
    "memref.alloc",
    "memref.dealloc",
];

/// The largest global translated (elements).
const MAX_ELEMENTS: usize = 1024;

/// The largest memory of free contents (an argument, an allocation) translated (elements).
pub(super) const MAX_FREE: usize = 256;

/// A memref translated element by element.
#[derive(Debug, Clone)]
pub(super) struct Memory {
    /// The constant global it views, if it views one.
    pub global: Option<String>,
    /// Its type with static extents and no layout (`memref<2x3xf32>`).
    pub ty: String,
    /// Its extents.
    pub shape: Vec<i128>,
    /// Its elements in row-major order, as SMT terms: shared by every view of the memory, and
    /// replaced by stores.
    pub elements: Rc<RefCell<Vec<String>>>,
    /// Their sort.
    pub sort: Sort,
    /// Why a store to it is not translated, if it is not.
    pub read_only: Option<&'static str>,
}

impl<'c, 'a> Translator<'c, 'a> {
    /// `op`, one of [`OPS`].
    pub(super) fn memory_op(
        &mut self,
        op: &OperationRef,
        name: &str,
        path: &str,
    ) -> Result<(), Untranslatable> {
        let result = || {
            op.result(0)
                .map(|r| r.to_raw().ptr as usize)
                .map_err(|_| Untranslatable(format!("'{name}' without a result")))
        };
        match name {
            "memref.get_global" => {
                let global = global_name(op).unwrap_or_default();
                let memory = self.global(&global)?;
                self.memories.insert(result()?, memory);
                Ok(())
            }
            "memref.cast" => {
                let memory = self.memory(op)?;
                self.memories.insert(result()?, memory);
                Ok(())
            }
            "memref.dim" => {
                let memory = self.memory(op)?;
                let (_, sort) = self.value(op, 1)?;
                let dimension = op
                    .operand_at(1)
                    .and_then(|v| self.constants.get(&(v.to_raw().ptr as usize)).copied())
                    .and_then(|d| usize::try_from(d).ok())
                    .and_then(|d| memory.shape.get(d).copied())
                    .ok_or_else(|| {
                        Untranslatable("a 'memref.dim' of a dimension computed at run time".into())
                    })?;
                let Sort::Bits(width) = sort else {
                    return Err(Untranslatable("a 'memref.dim' of an i1".into()));
                };
                self.constants.insert(result()?, dimension);
                self.define(op, 0, sort, bits(dimension, width))
            }
            "memref.alloca" | "memref.alloc" => {
                let ty = op
                    .result(0)
                    .map(|r| r.r#type().to_string())
                    .unwrap_or_default();
                let name = format!("{}m{}", self.prefix, self.next);
                self.next += 1;
                let memory = self.free_memory(&ty, &name)?;
                self.memories.insert(result()?, memory);
                Ok(())
            }
            "memref.dealloc" => Ok(()),
            "memref.store" => self.store(op, path),
            _ => self.load(op, path),
        }
    }

    /// Memory of type `ty` whose every element is a free value named `{name}_e{k}` (declared
    /// here): any contents.
    pub(super) fn free_memory(&mut self, ty: &str, name: &str) -> Result<Memory, Untranslatable> {
        let (shape, sort) = static_shape(ty, MAX_FREE)?;
        let count = shape.iter().product::<i128>() as usize;
        let elements: Vec<String> = (0..count).map(|k| format!("{name}_e{k}")).collect();
        for element in &elements {
            let _ = writeln!(self.script, "(declare-const {element} {})", sort.smt());
        }
        self.floats |= matches!(sort, Sort::Float(..));
        Ok(Memory {
            global: None,
            ty: ty.to_owned(),
            shape,
            elements: Rc::new(RefCell::new(elements)),
            sort,
            read_only: None,
        })
    }

    /// The bounds obligations of an access to `memory` by the indices `op` takes from operand
    /// `first` on, and the element they select: its number when every index is a constant,
    /// else the SMT term of its number.
    fn address(
        &mut self,
        op: &OperationRef,
        first: usize,
        memory: &Memory,
        path: &str,
    ) -> Result<Result<usize, String>, Untranslatable> {
        let name = op_name(op);
        let location = tensorlang::diagnostic::format_location(op.location());
        let rank = op.operand_count().saturating_sub(first);
        if rank != memory.shape.len() {
            return Err(Untranslatable(format!("a '{name}' of another rank")));
        }
        let mut linear = Vec::new();
        let mut constant: Option<i128> = Some(0);
        let mut stride: i128 = 1;
        for k in (0..rank).rev() {
            let (index, _) = self.value(op, k + first)?;
            let extent = memory.shape[k];
            self.oblige(
                path,
                format!("(bvult {index} {})", bits(extent, 64)),
                format!("index out of bounds in '{name}' at {location}"),
                None,
            );
            let known = op
                .operand_at(k + first)
                .and_then(|v| self.constants.get(&(v.to_raw().ptr as usize)).copied());
            constant = constant.zip(known).map(|(sum, i)| sum + i * stride);
            linear.push(format!("(bvmul {index} {})", bits(stride, 64)));
            stride *= extent;
        }
        let count = memory.elements.borrow().len();
        Ok(match constant {
            // Out of bounds, the obligation fails; the element is then any one.
            Some(at) => Ok(usize::try_from(at).unwrap_or(0).min(count - 1)),
            None => Err(format!("(bvadd {} {})", bits(0, 64), linear.join(" "))),
        })
    }

    /// `memref.store`: the bounds obligations, and each element it may write replaced under the
    /// path condition.
    fn store(&mut self, op: &OperationRef, path: &str) -> Result<(), Untranslatable> {
        let memory = self.known_operand(op, 1).ok_or_else(|| {
            Untranslatable("a 'memref.store' to memory whose contents are not known".into())
        })?;
        if let Some(why) = memory.read_only {
            return Err(Untranslatable(format!("a 'memref.store' to {why}")));
        }
        let (value, _) = self.value(op, 0)?;
        let at = self.address(op, 2, &memory, path)?;
        let mut elements = memory.elements.borrow_mut();
        match at {
            Ok(k) => elements[k] = format!("(ite {path} {value} {})", elements[k]),
            Err(at) => {
                for (k, element) in elements.iter_mut().enumerate() {
                    *element = format!(
                        "(ite (and {path} (= {at} {})) {value} {element})",
                        bits(k as i128, 64)
                    );
                }
            }
        }
        // Named, so that the terms do not nest ever deeper with each store.
        for element in elements.iter_mut() {
            let name = format!("{}s{}", self.prefix, self.next);
            self.next += 1;
            let _ = writeln!(
                self.script,
                "(define-fun {name} () {} {element})",
                memory.sort.smt()
            );
            *element = name;
        }
        Ok(())
    }

    /// `memref.load`: the bounds obligations and the element.
    fn load(&mut self, op: &OperationRef, path: &str) -> Result<(), Untranslatable> {
        let memory = self.memory(op)?;
        let at = self.address(op, 1, &memory, path)?;
        let elements = memory.elements.borrow();
        let term = match at {
            Ok(k) => elements[k].clone(),
            Err(at) => {
                let mut term = elements[elements.len() - 1].clone();
                for (i, element) in elements.iter().enumerate().rev().skip(1) {
                    term = format!("(ite (= {at} {}) {element} {term})", bits(i as i128, 64));
                }
                term
            }
        };
        drop(elements);
        self.define(op, 0, memory.sort, term)
    }

    /// The memory operand 0 of `op` views.
    fn memory(&self, op: &OperationRef) -> Result<Memory, Untranslatable> {
        self.known_operand(op, 0).ok_or_else(|| {
            Untranslatable(format!(
                "a '{}' of memory whose contents are not known",
                op_name(op)
            ))
        })
    }

    /// The known memory operand `i` of `op` views, if it is one.
    pub(super) fn known_operand(&self, op: &OperationRef, i: usize) -> Option<Memory> {
        let operand = op.operand_at(i)?;
        self.memories.get(&(operand.to_raw().ptr as usize)).cloned()
    }

    /// The memory argument `position` of `function`, where every call of it in the module
    /// passes a view of the same constant global.
    pub(super) fn known_argument(
        &self,
        function: &OperationRef,
        position: usize,
    ) -> Result<Memory, Untranslatable> {
        let name = symbol_name(function).unwrap_or_default();
        let mut globals = Vec::new();
        self.module.walk(WalkOrder::PreOrder, |op| {
            if callee(&op).as_deref() == Some(name.as_str()) {
                globals.push(op.operand_at(position).and_then(|v| viewed_global(&v)));
            }
            WalkResult::Advance
        });
        let unknown = || {
            Untranslatable(format!(
                "a memref argument (#{position}) whose contents the program's calls do not fix"
            ))
        };
        match globals.split_first() {
            Some((Some(first), rest)) if rest.iter().all(|g| g.as_ref() == Some(first)) => {
                self.global(first)
            }
            _ => Err(unknown()),
        }
    }

    /// The constant global `name`, read.
    fn global(&self, name: &str) -> Result<Memory, Untranslatable> {
        let global = find_symbol(top_level_ops(self.module), name)
            .filter(|op| op_name(op) == "memref.global")
            .ok_or_else(|| Untranslatable(format!("memory @{name}, which is not a global")))?;
        if global.attribute("constant").is_err() {
            return Err(Untranslatable(format!(
                "memory @{name}, a global the program may write"
            )));
        }
        let ty = global
            .attribute("type")
            .map(|a| a.to_string())
            .unwrap_or_default();
        let (shape, sort) = static_shape(&ty, MAX_ELEMENTS)
            .map_err(|_| Untranslatable(format!("the global @{name} of type {ty}")))?;
        let count = shape.iter().product::<i128>() as usize;
        let initial = global
            .attribute("initial_value")
            .map(|a| a.to_string())
            .unwrap_or_default();
        let elements = dense_elements(&initial, count, sort)
            .ok_or_else(|| Untranslatable(format!("the initial value of @{name}")))?;
        Ok(Memory {
            global: Some(name.to_owned()),
            ty,
            shape,
            elements: Rc::new(RefCell::new(elements)),
            sort,
            read_only: Some("a constant global"),
        })
    }
}

/// The extents and element sort of a memref type with static extents, no layout and at most
/// `limit` elements.
fn static_shape(ty: &str, limit: usize) -> Result<(Vec<i128>, Sort), Untranslatable> {
    let unsupported = || Untranslatable(format!("memory of type {ty}"));
    let shaped = tensorlang::ir::shaped_type(ty)
        .filter(|s| s.memref && !ty.contains(','))
        .ok_or_else(unsupported)?;
    let shape: Vec<i128> = shaped
        .dims
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.map(i128::from))
        .collect::<Option<_>>()
        .ok_or_else(unsupported)?;
    let count = shape.iter().product::<i128>();
    if count <= 0 || count as usize > limit {
        return Err(unsupported());
    }
    Ok((shape, Sort::of(shaped.element)?))
}

/// The global a memref value views: `memref.get_global`, through `memref.cast`s.
fn viewed_global(value: &melior::ir::Value) -> Option<String> {
    let op = OperationResult::try_from(*value).ok()?.owner();
    match op_name(&op).as_str() {
        "memref.get_global" => global_name(&op),
        "memref.cast" => viewed_global(&op.operand_at(0)?),
        _ => None,
    }
}

/// The `count` elements of `dense<...> : tensor<...>` (nested lists or a splat) as terms of
/// `sort`; `None` for a hex blob, a count that does not match or more than [`MAX_ELEMENTS`].
fn dense_elements(text: &str, count: usize, sort: Sort) -> Option<Vec<String>> {
    if count == 0 || count > MAX_ELEMENTS {
        return None;
    }
    let body = text.strip_prefix("dense<")?;
    let body = &body[..body.rfind("> :")?];
    if body.starts_with('"') {
        return None;
    }
    let flat: String = body.chars().filter(|c| !matches!(c, '[' | ']')).collect();
    let items: Vec<&str> = flat.split(',').map(str::trim).collect();
    let terms: Vec<String> = items
        .iter()
        .map(|item| match sort {
            Sort::Bool => match *item {
                "true" | "1" => Some("true".to_owned()),
                "false" | "0" => Some("false".to_owned()),
                _ => None,
            },
            Sort::Bits(w) => item.parse::<i128>().ok().map(|v| bits(v, w)),
            Sort::Float(..) => float::literal(item, sort),
        })
        .collect::<Option<_>>()?;
    match terms.len() {
        1 => Some(vec![terms[0].clone(); count]),
        n if n == count => Some(terms),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_values_are_read_element_by_element() {
        let ints = dense_elements(
            "dense<[[1, -2], [3, 4]]> : tensor<2x2xi8>",
            4,
            Sort::Bits(8),
        );
        assert_eq!(
            ints.unwrap(),
            ["(_ bv1 8)", "(_ bv254 8)", "(_ bv3 8)", "(_ bv4 8)"]
        );
        let splat = dense_elements("dense<1.500000e+00> : tensor<3xf32>", 3, Sort::Float(8, 24));
        assert_eq!(splat.unwrap().len(), 3);
        assert_eq!(
            dense_elements("dense<\"0x0102\"> : tensor<2xi8>", 2, Sort::Bits(8)),
            None
        );
        assert_eq!(
            dense_elements("dense<[1, 2]> : tensor<2xi8>", 3, Sort::Bits(8)),
            None
        );
    }
}
