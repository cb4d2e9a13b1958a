//! Lenient scopes: like Ruby Liquid, an undefined variable or key is nil.
//! The crate's own `StackFrame` fails with "Unknown variable/index", so
//! every scope goakit renders with is one of these, and the tags that push
//! scopes (`for`, `tablerow`, `include`, `render`) are goakit's own.

use liquid_core::model::{
    KString, KStringCow, Object, ObjectView, ScalarCow, Value, ValueCow, ValueView,
};
use liquid_core::runtime::{PartialStore, Registers};
use liquid_core::{Result, Runtime};
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The bottom scope: the caller's globals, the template's assigns (which
/// Ruby keeps in the outermost scope, so they win over globals) and the
/// counters of `increment`/`decrement`.
pub struct RootScope<'a> {
    pub globals: &'a dyn ObjectView,
    pub assigns: RefCell<Object>,
    pub counters: RefCell<Object>,
    pub registers: Registers,
    pub partials: &'a dyn PartialStore,
}

impl<'a> RootScope<'a> {
    pub fn new(globals: &'a dyn ObjectView, partials: &'a dyn PartialStore) -> Self {
        RootScope {
            globals,
            assigns: RefCell::new(Object::new()),
            counters: RefCell::new(Object::new()),
            registers: Registers::default(),
            partials,
        }
    }
}

/// Prefix the source rewrite puts on names like `empty_list` or `true_x`,
/// which the crate's grammar would read as a literal and junk.
pub const KEYWORD_PREFIX: &str = "__goakit_kw_";

/// Does `name` start with a literal keyword without being one?
pub fn shadows_literal(name: &str) -> bool {
    ["nil", "null", "empty", "blank", "true", "false"]
        .iter()
        .any(|k| name.len() > k.len() && name.starts_with(k))
}

fn first_key<'p>(path: &'p [ScalarCow<'_>]) -> Option<KStringCow<'p>> {
    path.first().map(|k| k.to_kstr())
}

/// `path` with its prefixed first key unprefixed, when it has one.
fn unprefixed(path: &[ScalarCow<'_>]) -> Option<Vec<ScalarCow<'static>>> {
    let first = path.first()?.to_kstr();
    let stripped = first.as_str().strip_prefix(KEYWORD_PREFIX)?;
    let mut owned: Vec<ScalarCow<'static>> = vec![ScalarCow::new(stripped.to_string())];
    owned.extend(
        path[1..]
            .iter()
            .map(|k| ScalarCow::new(k.to_kstr().into_owned())),
    );
    Some(owned)
}

fn clean_name(name: KString) -> KString {
    match name.as_str().strip_prefix(KEYWORD_PREFIX) {
        Some(s) => KString::from_ref(s),
        None => name,
    }
}

impl Runtime for RootScope<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.partials
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        None
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        let mut roots: BTreeSet<KStringCow<'_>> = self.globals.keys().collect();
        roots.extend(self.assigns.borrow().keys().map(|k| k.clone().into()));
        roots
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        if let Some(p) = unprefixed(path) {
            return self.try_get(&p);
        }
        let key = first_key(path)?;
        {
            let assigns = self.assigns.borrow();
            if assigns.contains_key(key.as_str()) {
                return liquid_core::model::try_find(assigns.as_value(), path)
                    .map(|v| ValueCow::Owned(v.into_owned()));
            }
        }
        {
            let counters = self.counters.borrow();
            if counters.contains_key(key.as_str()) {
                return liquid_core::model::try_find(counters.as_value(), path)
                    .map(|v| ValueCow::Owned(v.into_owned()));
            }
        }
        liquid_core::model::try_find(self.globals.as_value(), path)
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.assigns.borrow_mut().insert(clean_name(name), val)
    }

    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.counters.borrow_mut().insert(name, val)
    }

    fn get_index<'s>(&'s self, name: &str) -> Option<ValueCow<'s>> {
        self.counters
            .borrow()
            .get(name)
            .map(|v| ValueCow::Owned(v.to_value()))
    }

    fn registers(&self) -> &Registers {
        &self.registers
    }
}

/// A scope pushed on top of another (loop variables, include arguments,
/// a template's own `l`). Missing keys are nil, never an error.
pub struct Scope<'p, O> {
    parent: &'p dyn Runtime,
    vars: O,
    /// `render` isolates: names not found here are not looked up below.
    isolated: bool,
}

impl<'p, O: ObjectView> Scope<'p, O> {
    pub fn new(parent: &'p dyn Runtime, vars: O) -> Self {
        Scope {
            parent,
            vars,
            isolated: false,
        }
    }

    pub fn isolated(parent: &'p dyn Runtime, vars: O) -> Self {
        Scope {
            parent,
            vars,
            isolated: true,
        }
    }
}

impl<O: ObjectView> Runtime for Scope<'_, O> {
    fn partials(&self) -> &dyn PartialStore {
        self.parent.partials()
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        self.parent.name()
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        let mut roots = if self.isolated {
            BTreeSet::new()
        } else {
            self.parent.roots()
        };
        roots.extend(self.vars.keys());
        roots
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        if let Some(p) = unprefixed(path) {
            return self.try_get(&p);
        }
        let key = first_key(path)?;
        if self.vars.contains_key(key.as_str()) {
            liquid_core::model::try_find(self.vars.as_value(), path)
        } else if self.isolated {
            None
        } else {
            self.parent.try_get(path)
        }
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.parent.set_global(name, val)
    }

    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.parent.set_index(name, val)
    }

    fn get_index<'s>(&'s self, name: &str) -> Option<ValueCow<'s>> {
        self.parent.get_index(name)
    }

    fn registers(&self) -> &Registers {
        self.parent.registers()
    }
}

/// An isolated `render` gets its own assigns (they do not leak out), on a
/// fresh root that shares registers and counters with nothing.
pub struct IsolatedRoot<'p> {
    pub parent: &'p dyn Runtime,
    pub assigns: RefCell<Object>,
}

impl Runtime for IsolatedRoot<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.parent.partials()
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        None
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        self.assigns
            .borrow()
            .keys()
            .map(|k| k.clone().into())
            .collect()
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        if let Some(p) = unprefixed(path) {
            return self.try_get(&p);
        }
        let assigns = self.assigns.borrow();
        liquid_core::model::try_find(assigns.as_value(), path)
            .map(|v| ValueCow::Owned(v.into_owned()))
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, val: Value) -> Option<Value> {
        self.assigns.borrow_mut().insert(clean_name(name), val)
    }

    fn set_index(&self, name: KString, val: Value) -> Option<Value> {
        self.parent.set_index(name, val)
    }

    fn get_index<'s>(&'s self, name: &str) -> Option<ValueCow<'s>> {
        self.parent.get_index(name)
    }

    fn registers(&self) -> &Registers {
        self.parent.registers()
    }
}
