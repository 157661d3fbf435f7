//! What the engine works out once per suspect function of a program: the rules its candidates
//! are admitted by, and its text. The self-healing worker repairs the same program again and
//! again, so it keeps these ([`PreparedSuspects`]) and works them out before the first failure,
//! while the program runs: a cache hit then goes from the failure to the cached function's
//! admission without reading the whole program again.

use std::collections::HashMap;
use std::rc::Rc;

use melior::ir::Module;

use super::super::admission::Admission;
use super::super::module_text::{find_function, print};
use tensorlang::ir::{is_definition, op_name, symbol_name, top_level_ops};

/// One function's facts.
#[derive(Debug)]
pub(super) struct SuspectFacts {
    /// The rules its candidates are admitted by.
    pub admission: Admission,
    /// Its text without locations (what cache keys hash).
    pub plain: String,
    /// Its text with locations inline (what strategies and prompts read).
    pub text: String,
}

/// Facts per function of one program (the caller keeps one per program text), keyed by function
/// and entry point.
#[derive(Debug, Default)]
pub struct PreparedSuspects {
    facts: HashMap<(String, String), Rc<SuspectFacts>>,
}

impl PreparedSuspects {
    /// Nothing known yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Works out the facts of every function `module` defines but `entry`, ahead of a search.
    pub fn warm(&mut self, module: &Module, entry: &str) {
        let names: Vec<String> = top_level_ops(module.as_operation())
            .iter()
            .filter(|op| op_name(op) == "func.func" && is_definition(op))
            .filter_map(symbol_name)
            .filter(|name| name != entry)
            .collect();
        for name in names {
            self.get(module, &name, entry);
        }
    }

    /// The facts of `name` in `module`, worked out now if they were not.
    pub(super) fn get(
        &mut self,
        module: &Module,
        name: &str,
        entry: &str,
    ) -> Option<Rc<SuspectFacts>> {
        let key = (name.to_owned(), entry.to_owned());
        if let Some(facts) = self.facts.get(&key) {
            return Some(facts.clone());
        }
        let op = find_function(module, name)?;
        let facts = Rc::new(SuspectFacts {
            admission: Admission::new(module, name, entry),
            plain: print(&op, false),
            text: print(&op, true),
        });
        self.facts.insert(key, facts.clone());
        Some(facts)
    }
}
