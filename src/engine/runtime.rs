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

/// Ruby's nil as lookups give it: like the crate's `Value::Nil` except that
/// it is not `empty` (Ruby: `nil == empty` is false; the crate says true).
#[derive(Debug)]
pub struct RubyNil;

pub static RUBY_NIL: RubyNil = RubyNil;

static CRATE_NIL: Value = Value::Nil;

impl ValueView for RubyNil {
    fn as_debug(&self) -> &dyn std::fmt::Debug {
        self
    }
    fn render(&self) -> liquid_core::model::DisplayCow<'_> {
        CRATE_NIL.render()
    }
    fn source(&self) -> liquid_core::model::DisplayCow<'_> {
        CRATE_NIL.source()
    }
    fn type_name(&self) -> &'static str {
        CRATE_NIL.type_name()
    }
    fn query_state(&self, state: liquid_core::model::State) -> bool {
        use liquid_core::model::State;
        match state {
            State::Empty | State::Blank => false,
            s => CRATE_NIL.query_state(s),
        }
    }
    fn to_kstr(&self) -> KStringCow<'_> {
        CRATE_NIL.to_kstr()
    }
    fn to_value(&self) -> Value {
        Value::Nil
    }
    fn is_nil(&self) -> bool {
        true
    }
}

/// `try_find` with Ruby's `size` of a scalar: a string's length in
/// characters (the crate counts bytes), 8 for an integer, nil otherwise.
pub fn find<'o>(value: &'o dyn ValueView, path: &[ScalarCow<'_>]) -> Option<ValueCow<'o>> {
    if let Some((last, parent)) = path.split_last()
        && !parent.is_empty()
        && last.to_kstr().as_str() == "size"
        && let Some(p) = liquid_core::model::try_find(value, parent)
        && let Some(s) = p.as_scalar()
    {
        return match s.type_name() {
            "string" => Some(ValueCow::Owned(Value::scalar(
                s.to_kstr().chars().count() as i64
            ))),
            "whole number" => Some(ValueCow::Owned(Value::scalar(8i64))),
            _ => None,
        };
    }
    match liquid_core::model::try_find(value, path)? {
        // A nil in the data (JSON null) behaves as Ruby's nil too.
        v if v.is_nil() => Some(ValueCow::Borrowed(&RUBY_NIL)),
        v => Some(v),
    }
}

/// A value copied out of a `RefCell`'d scope (nil stays Ruby's nil).
fn detach(v: ValueCow<'_>) -> ValueCow<'static> {
    match v {
        v if v.is_nil() => ValueCow::Borrowed(&RUBY_NIL),
        v => ValueCow::Owned(v.into_owned()),
    }
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
                return find(assigns.as_value(), path).map(detach);
            }
        }
        {
            let counters = self.counters.borrow();
            if counters.contains_key(key.as_str()) {
                return find(counters.as_value(), path).map(detach);
            }
        }
        find(self.globals.as_value(), path)
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Borrowed(&RUBY_NIL)))
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
            find(self.vars.as_value(), path)
        } else if self.isolated {
            None
        } else {
            self.parent.try_get(path)
        }
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Borrowed(&RUBY_NIL)))
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
        find(assigns.as_value(), path).map(detach)
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Borrowed(&RUBY_NIL)))
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
