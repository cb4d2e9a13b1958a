//! Rendering the tree as Ruby's `Context` and each tag's
//! `render_to_output_buffer` do: scopes (assign writes the outermost,
//! loops and includes push one, at most 100 deep: `Nesting too deep`),
//! environments (increment/decrement counters live there), registers
//! (cycle, `offset: continue`, ifchanged), interrupts, and errors rendered
//! inline as `BlockBody.render_node` rescues them (`Liquid error: ...`,
//! not printed for blank tags). goakit adds the budget (SPEC 4.4), the
//! per-template `l`, `yield`, and the file and include chain of each error.

use crate::ast::{self, Body, CycleName, Node, Offset, Tag};
use crate::binary::{self, Incompatible, OutBuf};
use crate::condition::{Condition, Relation};
use crate::convert::{self, ConvertError};
use crate::expression::{Expr, Lookup};
use crate::filters::{self, FilterCtx, FilterError};
use crate::value::{ForloopDrop, Hash, TablerowloopDrop, Value};
use crate::variable::Variable;
use crate::{Partial, PartialError, Partials, Template};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Ruby's `Block::MAX_DEPTH` for scopes.
const MAX_SCOPES: usize = 100;
/// SPEC 4: includes deeper than this are reported (the output stays Ruby's).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// The render budget (SPEC 4.4).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_time: Duration,
    /// Bounds the output and every assigned or captured string.
    pub max_bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_time: Duration::from_secs(5),
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

/// An error of one render, at a spot of one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// What Ruby prints in place (`Liquid error: divided by 0`).
    pub message: String,
    /// The template it happened in (the host's name for it).
    pub file: Arc<str>,
    /// Byte offset of the failing tag or output in `file`.
    pub offset: usize,
    /// The include sites that led there, outermost first.
    pub chain: Vec<(Arc<str>, usize)>,
    pub kind: RenderErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderErrorKind {
    /// Rendered inline, the page went on (Ruby's behaviour).
    Inline,
    /// The budget ran out: the render stopped.
    Budget,
    /// Includes nested deeper than SPEC's 32 (output unchanged).
    IncludeDepth,
    /// A snippet could not be loaded or parsed (rendered inline too).
    Partial,
    /// The host's [`Yield::Render`] stopped the render.
    Host,
    /// A Ruby exception escaped `Template#render` (text appended to a
    /// binary output buffer outside every tag: see [`crate::binary`]);
    /// Ruby prints no page.
    Raised,
}

/// The result of a render.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub errors: Vec<RenderError>,
    /// Unknown filters used (name, file, offset), for warnings.
    pub unknown_filters: Vec<(Arc<str>, Arc<str>, usize)>,
}

/// What a render gets from its host.
pub struct RenderOptions<'a> {
    /// The assigns (`Template#render(hash)`): Ruby's first environment.
    pub globals: &'a Hash,
    pub partials: &'a dyn Partials,
    pub budget: Budget,
    /// What `{% yield %}` outputs.
    pub yield_to: Yield<'a>,
    /// The template's own locale hash (goakit's `l`), if it has one; each
    /// partial brings its own.
    pub locale: Option<Value>,
    /// The variable name the locale hash is found under (the host's fact:
    /// goakit's `context::L`).
    pub locale_variable: &'a str,
    /// The template's name in errors.
    pub file: Arc<str>,
}

/// What `{% yield %}` outputs (goakit: the page inside root, SPEC 4).
#[derive(Clone, Copy, Default)]
pub enum Yield<'a> {
    #[default]
    Nothing,
    Html(&'a str),
    /// The host renders into the output at the tag (goakit renders the page
    /// straight into root's buffer: no copy of a large page is held apart).
    /// `false` stops this render with a [`RenderErrorKind::Host`] error;
    /// the host knows why.
    Render(&'a dyn Fn(&mut String) -> bool),
}

/// A Ruby exception on its way up.
enum Raise {
    /// Rendered inline by the nearest body: the full text.
    Error { text: String, kind: RenderErrorKind },
    /// Stops everything.
    Budget(String),
    /// The host's yield stopped (it has the reason).
    Host,
    /// Ruby's `Encoding::CompatibilityError`: rendered by the nearest tag
    /// as `Liquid error: internal`, raised out of the render at the top.
    Incompatible,
}

impl From<Incompatible> for Raise {
    fn from(_: Incompatible) -> Self {
        Raise::Incompatible
    }
}

type R<T = ()> = Result<T, Raise>;

fn liquid(msg: impl std::fmt::Display) -> Raise {
    Raise::Error {
        text: format!("Liquid error: {msg}"),
        kind: RenderErrorKind::Inline,
    }
}

fn internal() -> Raise {
    liquid("internal")
}

fn from_convert(e: ConvertError) -> Raise {
    match e {
        ConvertError::Liquid(m) => liquid(m),
        ConvertError::Internal => internal(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Interrupt {
    Break,
    Continue,
}

#[derive(Default)]
struct Registers {
    cycle: HashMap<String, usize>,
    for_offsets: HashMap<Arc<str>, i128>,
    for_stack: Vec<Arc<ForloopDrop>>,
    ifchanged: Option<String>,
}

struct Frame {
    /// The template's identity (for its parse context's whitespace flag).
    tree: usize,
    /// Its parse's whitespace flag at the end (`Template::trim_at_end`).
    trim_at_end: bool,
    file: Arc<str>,
    /// The name it was included by (`order/lines`).
    name: Arc<str>,
    locale: Option<Value>,
    /// Where this template was included from (file, offset).
    site: Option<(Arc<str>, usize)>,
}

struct Ctx<'a> {
    scopes: Vec<HashMap<Arc<str>, Value>>,
    globals: Option<&'a Hash>,
    locale_variable: &'a str,
    env: HashMap<Arc<str>, Value>,
    base_scope_depth: usize,
    registers: Registers,
    interrupts: Vec<Interrupt>,
    disabled_include: usize,
    errors: Vec<RenderError>,
    /// Each recorded error once: a hash of (file, offset, message, chain).
    error_seen: std::collections::HashSet<u64>,
    /// Bytes the error list holds, charged to the byte budget.
    error_bytes: usize,
    unknown_filters: Vec<(Arc<str>, Arc<str>, usize)>,
    frames: Vec<Frame>,
    partials: &'a dyn Partials,
    cache: HashMap<String, Result<Partial, PartialError>>,
    /// Each template's parse-context whitespace flag, as partial loads
    /// leave it (Ruby parses a partial with its includer's context).
    trims: HashMap<usize, bool>,
    yield_to: Yield<'a>,
    filter_ctx: FilterCtx,
    deadline: Instant,
    budget: Budget,
    ticks: u32,
    /// The tag or output being rendered (for errors raised below it).
    at: usize,
    /// Where a spent budget is reported: the innermost loop or include
    /// it passed through.
    budget_site: Option<(Arc<str>, usize)>,
    /// The encoding state of the buffer being written (the page's or a
    /// capture's).
    obuf: OutBuf,
}

/// Renders `t`.
pub fn render(t: &Template, opts: &RenderOptions) -> Result<Rendered, RenderError> {
    let mut out = String::new();
    let mut r = render_into(t, opts, &mut out)?;
    r.html = out;
    Ok(r)
}

/// Renders `t` at the end of `out` (the returned `html` is empty). The
/// byte budget counts all of `out`, what was there before included.
pub fn render_into(
    t: &Template,
    opts: &RenderOptions,
    out: &mut String,
) -> Result<Rendered, RenderError> {
    let deadline = Instant::now() + opts.budget.max_time;
    let mut ctx = Ctx {
        scopes: vec![HashMap::new()],
        globals: Some(opts.globals),
        locale_variable: opts.locale_variable,
        env: HashMap::new(),
        base_scope_depth: 0,
        registers: Registers::default(),
        interrupts: Vec::new(),
        disabled_include: 0,
        errors: Vec::new(),
        error_seen: std::collections::HashSet::new(),
        error_bytes: 0,
        unknown_filters: Vec::new(),
        frames: vec![Frame {
            tree: std::ptr::from_ref(t) as usize,
            trim_at_end: t.trim_at_end,
            file: opts.file.clone(),
            name: opts.file.clone(),
            locale: opts.locale.clone(),
            site: None,
        }],
        partials: opts.partials,
        cache: HashMap::new(),
        trims: HashMap::new(),
        yield_to: opts.yield_to,
        filter_ctx: FilterCtx {
            max_bytes: opts.budget.max_bytes,
            deadline: Some(deadline),
        },
        deadline,
        budget: opts.budget,
        ticks: 0,
        at: 0,
        budget_site: None,
        obuf: OutBuf::at(out.len()),
    };
    let result = ctx.body(&t.root, out);
    ctx.obuf.finish(out);
    match result {
        Ok(()) => Ok(Rendered {
            html: String::new(),
            errors: ctx.errors,
            unknown_filters: ctx.unknown_filters,
        }),
        Err(Raise::Budget(what)) => {
            let (file, offset) = ctx
                .budget_site
                .clone()
                .unwrap_or_else(|| (ctx.file(), ctx.at));
            Err(RenderError {
                message: what,
                file,
                offset,
                chain: ctx.chain(),
                kind: RenderErrorKind::Budget,
            })
        }
        Err(Raise::Host) => Err(RenderError {
            message: "stopped by the host".into(),
            file: ctx.file(),
            offset: ctx.at,
            chain: ctx.chain(),
            kind: RenderErrorKind::Host,
        }),
        Err(Raise::Incompatible) => Err(RenderError {
            message: binary::INCOMPATIBLE_MESSAGE.into(),
            file: ctx.file(),
            offset: ctx.at,
            chain: ctx.chain(),
            kind: RenderErrorKind::Raised,
        }),
        Err(Raise::Error { text, kind }) => Ok({
            // Only a raise outside every body reaches here (never in practice).
            out.push_str(&text);
            let _ = ctx.record(text, kind);
            Rendered {
                html: String::new(),
                errors: ctx.errors,
                unknown_filters: ctx.unknown_filters,
            }
        }),
    }
}

impl<'a> Ctx<'a> {
    fn file(&self) -> Arc<str> {
        self.frames
            .last()
            .map(|f| f.file.clone())
            .unwrap_or_else(|| "".into())
    }

    fn chain(&self) -> Vec<(Arc<str>, usize)> {
        self.frames.iter().filter_map(|f| f.site.clone()).collect()
    }

    /// Lists an error (Ruby's `context.errors`): the same error at the same
    /// place through the same includes once (a failing tag in a loop is one
    /// entry, not one per turn), and the list's bytes charged to the byte
    /// budget (an error under a blank tag prints nothing, so the output
    /// check alone would not bound it).
    fn record(&mut self, message: String, kind: RenderErrorKind) -> R {
        use std::hash::{Hash as _, Hasher as _};
        let file = self.file();
        // Hashed from the frames: a repeat allocates nothing.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&*file, self.at, &message).hash(&mut h);
        for (f, o) in self.frames.iter().filter_map(|f| f.site.as_ref()) {
            (&**f, o).hash(&mut h);
        }
        if !self.error_seen.insert(h.finish()) {
            return Ok(());
        }
        let chain = self.chain();
        self.error_bytes += 64 + message.len() + chain.len() * 24;
        if self.error_bytes > self.budget.max_bytes {
            return Err(Raise::Budget(format!(
                "the render's errors took more than its budget of {} MiB ([render] max_output_mib)",
                self.budget.max_bytes / (1024 * 1024)
            )));
        }
        self.errors.push(RenderError {
            message,
            file,
            offset: self.at,
            chain,
            kind,
        });
        Ok(())
    }

    /// Time and size checks, every so often.
    fn tick(&mut self) -> R {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks.is_multiple_of(256) && Instant::now() >= self.deadline {
            return Err(Raise::Budget(format!(
                "the render took longer than its budget of {} s ([render] max_seconds)",
                self.budget.max_time.as_secs_f64()
            )));
        }
        Ok(())
    }

    fn check_size(&self, bytes: usize) -> R {
        if bytes > self.budget.max_bytes {
            return Err(Raise::Budget(format!(
                "the render produced more than its budget of {} MiB ([render] max_output_mib)",
                self.budget.max_bytes / (1024 * 1024)
            )));
        }
        Ok(())
    }

    /// `BlockBody#render_to_output_buffer`.
    fn body(&mut self, body: &Body, out: &mut String) -> R {
        for node in &body.nodes {
            match node {
                // Outside `render_node`'s rescue: an encoding error here
                // goes up to the enclosing tag (or out of the render).
                Node::Text(t, _) => self.obuf.push_str(out, t)?,
                Node::Output(v, at) => {
                    self.at = *at;
                    let r = self.output(v, out);
                    self.rescue(r, false, out)?;
                    if !self.interrupts.is_empty() {
                        break;
                    }
                }
                Node::Tag(t, at) => {
                    self.at = *at;
                    let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.tag(t, *at, out));
                    self.rescue(r, t.blank(), out)?;
                    if !self.interrupts.is_empty() {
                        break;
                    }
                }
            }
            self.check_size(out.len())?;
            self.tick()?;
        }
        Ok(())
    }

    /// `BlockBody.rescue_render_node`: the error text in place (not for
    /// blank tags), recorded; the budget goes on up.
    fn rescue(&mut self, r: R, blank: bool, out: &mut String) -> R {
        match r {
            Ok(()) => Ok(()),
            Err(Raise::Budget(b)) => Err(Raise::Budget(b)),
            Err(Raise::Host) => Err(Raise::Host),
            Err(Raise::Incompatible) => self.rescue(Err(internal()), blank, out),
            Err(Raise::Error { text, kind }) => {
                if !blank {
                    out.push_str(&text);
                }
                self.record(text, kind)
            }
        }
    }

    // ---- variables and expressions -------------------------------------

    fn set_inner(&mut self, key: &Arc<str>, v: Value) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(key.clone(), v);
        }
    }

    fn set_outer(&mut self, key: &Arc<str>, v: Value) {
        if let Some(s) = self.scopes.first_mut() {
            s.insert(key.clone(), v);
        }
    }

    /// `Context#find_variable`.
    fn find(&self, name: &Value) -> Value {
        let Value::Str(key) = name else {
            return Value::Nil;
        };
        for s in self.scopes.iter().rev() {
            if let Some(v) = s.get(&**key) {
                return v.clone();
            }
        }
        if &**key == self.locale_variable
            && let Some(l) = self.frames.last().and_then(|f| f.locale.clone())
        {
            return l;
        }
        if let Some(v) = self.env.get(&**key) {
            return v.clone();
        }
        match self.globals.and_then(|g| g.get(key)) {
            Some(v) => v.clone(),
            None => Value::Nil,
        }
    }

    fn eval(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Lookup(l) => Ok(self.lookup(l)?),
            Expr::Range(r) => {
                let a = self.range_bound(&r.0)?;
                let b = self.range_bound(&r.1)?;
                Ok(Value::range(a, b))
            }
            Expr::Empty | Expr::Blank => Ok(Value::str("")),
        }
    }

    /// `RangeLookup#to_integer`.
    fn range_bound(&mut self, e: &Expr) -> R<Value> {
        let v = self.eval(e)?;
        match &v {
            Value::Int(_) | Value::BigInt(_) => Ok(v),
            Value::Nil | Value::Str(_) | Value::Bin(_) => {
                convert::ruby_to_i(&v).map_err(from_convert)
            }
            _ => convert::to_integer(&v).map_err(from_convert),
        }
    }

    /// `VariableLookup#evaluate`.
    fn lookup(&mut self, l: &Lookup) -> R<Value> {
        let name = self.eval(&l.name)?;
        let mut obj = self.find(&name);
        for (key, command) in &l.keys {
            let k = self.eval(key)?;
            // `Array#[]` takes a C long: a bigger Integer raises RangeError,
            // which Ruby renders as an internal error.
            if let (Value::Array(_), Value::BigInt(_)) = (&obj, &k) {
                return Err(internal());
            }
            obj = obj.lookup(&k, *command);
            if obj.is_nil() {
                return Ok(Value::Nil);
            }
        }
        Ok(obj)
    }

    /// `Variable#render`: the value after its filters.
    fn variable(&mut self, v: &Variable) -> R<Value> {
        let mut obj = self.eval(&v.name)?;
        for f in &v.filters {
            let mut args = Vec::with_capacity(f.args.len() + 1);
            for a in &f.args {
                args.push(self.eval(a)?);
            }
            if !f.kwargs.is_empty() {
                let mut h = Hash::new();
                for (k, e) in &f.kwargs {
                    let val = self.eval(e)?;
                    h.insert(k.clone(), val);
                }
                args.push(Value::from(h));
            }
            obj = self.invoke(&f.name, obj, &args)?;
        }
        Ok(obj)
    }

    /// `Strainer#invoke`: an unknown filter gives back its input.
    fn invoke(&mut self, name: &Arc<str>, input: Value, args: &[Value]) -> R<Value> {
        let Some(f) = filters::lookup(name) else {
            let file = self.file();
            if !self
                .unknown_filters
                .iter()
                .any(|(n, fl, o)| n == name && *fl == file && *o == self.at)
            {
                self.unknown_filters.push((name.clone(), file, self.at));
            }
            return Ok(input);
        };
        if let Some(e) = filters::arity_error(f, args.len() + 1) {
            return Err(self.filter_raise(e));
        }
        filters::apply(f, &input, args, &self.filter_ctx).map_err(|e| self.filter_raise(e))
    }

    fn filter_raise(&self, e: FilterError) -> Raise {
        match e {
            FilterError::Liquid(m) => liquid(m),
            FilterError::Internal => internal(),
            FilterError::Budget(what) => Raise::Budget(format!(
                "the render exceeded its budget ([render] max_output_mib = {}, max_seconds = {}): {what}",
                self.budget.max_bytes as f64 / (1024.0 * 1024.0),
                self.budget.max_time.as_secs_f64()
            )),
        }
    }

    fn output(&mut self, v: &Variable, out: &mut String) -> R {
        let value = self.variable(v)?;
        self.emit(&value, out)
    }

    /// `output << (obj.is_a?(Array) ? obj.join : obj.to_s)`, with Ruby's
    /// encoding rules for binary strings ([`crate::binary`]).
    fn emit(&mut self, value: &Value, out: &mut String) -> R {
        match value {
            Value::Bin(b) => Ok(self.obuf.push_bin(out, b)?),
            Value::Array(a) if binary::has_binary(a, 0) => {
                match binary::join(a, &Value::Str("".into()), 0)? {
                    Value::Bin(b) => Ok(self.obuf.push_bin(out, &b)?),
                    other => self.emit(&other, out),
                }
            }
            _ => {
                let before = out.len();
                value.write_output(out);
                if self.obuf.binary && !out.as_bytes()[before..].is_ascii() {
                    out.truncate(before);
                    return Err(Raise::Incompatible);
                }
                Ok(())
            }
        }
    }

    // ---- conditions ----------------------------------------------------

    /// `Condition#evaluate`.
    fn condition(&mut self, c: &Condition) -> R<Value> {
        let mut cond = c;
        loop {
            let result = self.interpret(cond)?;
            match &cond.child {
                Some((Relation::Or, child)) if !result.truthy() => cond = child,
                Some((Relation::And, child)) if result.truthy() => cond = child,
                _ => return Ok(result),
            }
        }
    }

    fn interpret(&mut self, c: &Condition) -> R<Value> {
        let Some(op) = &c.op else {
            return self.eval(&c.left);
        };
        let left = self.eval(&c.left)?;
        let right = self.eval(&c.right)?;
        let (lm, rm) = (method_literal(&c.left), method_literal(&c.right));
        Ok(match &**op {
            "==" => equal_variables(&left, lm, &right, rm),
            "!=" | "<>" => Value::Bool(!equal_variables(&left, lm, &right, rm).truthy()),
            "<" | ">" | "<=" | ">=" => {
                if lm.is_some() || rm.is_some() || !left.is_comparable() || !right.is_comparable() {
                    return Ok(Value::Nil);
                }
                let ord = match left.ruby_cmp(&right) {
                    Some(o) => o,
                    None => {
                        // Float NaN compares false; anything else is Ruby's
                        // ArgumentError from Comparable.
                        if matches!(left, Value::Float(_) | Value::Int(_) | Value::BigInt(_))
                            && matches!(right, Value::Float(_) | Value::Int(_) | Value::BigInt(_))
                        {
                            return Ok(Value::Bool(false));
                        }
                        return Err(liquid(format!(
                            "comparison of {} with {} failed",
                            left.class_name(),
                            right.cmperr_name()
                        )));
                    }
                };
                use std::cmp::Ordering::*;
                Value::Bool(match &**op {
                    "<" => ord == Less,
                    ">" => ord == Greater,
                    "<=" => ord != Greater,
                    _ => ord != Less,
                })
            }
            "contains" => Value::Bool(contains(&left, lm.is_some(), &right, rm.is_some())?),
            other => return Err(liquid(format!("Unknown operator {other}"))),
        })
    }

    // ---- tags ----------------------------------------------------------

    fn tag(&mut self, t: &Tag, at: usize, out: &mut String) -> R {
        match t {
            Tag::Assign { to, from } => {
                let v = self.variable(from)?;
                self.charge(&v)?;
                self.set_outer(to, v);
            }
            Tag::Capture { to, body } => {
                let mut s = String::new();
                let saved = std::mem::take(&mut self.obuf);
                let r = self.body(body, &mut s);
                let buf = std::mem::replace(&mut self.obuf, saved);
                r?;
                self.set_outer(to, buf.into_value(s));
            }
            Tag::Case(c) => self.case(c, out)?,
            Tag::Comment | Tag::InlineComment | Tag::Unknown(_) | Tag::Invalid(..) => {}
            Tag::Cycle(c) => self.cycle(c, out)?,
            Tag::Increment(name) => {
                // Ruby stores `value + 1` before it prints `value`.
                let v = self.counter(name);
                let next = add_one(&v, 1)?;
                self.env.insert(name.clone(), next);
                v.write_to_s(out);
            }
            Tag::Decrement(name) => {
                let v = add_one(&self.counter(name), -1)?;
                self.env.insert(name.clone(), v.clone());
                v.write_to_s(out);
            }
            Tag::Echo(v) => self.output(v, out)?,
            Tag::For(f) => self.for_loop(f, at, out)?,
            Tag::If(i) => self.if_tag(i, out)?,
            Tag::Ifchanged(body) => {
                let mut s = String::new();
                let saved = std::mem::take(&mut self.obuf);
                let r = self.body(body, &mut s);
                let buf = std::mem::replace(&mut self.obuf, saved);
                r?;
                // A binary block output is kept as its Latin-1 text: the
                // comparison is byte-wise either way.
                if self.registers.ifchanged.as_deref() != Some(s.as_str()) {
                    if buf.binary {
                        self.obuf.push_bin(out, &binary::from_latin1(&s))?;
                    } else {
                        self.obuf.push_str(out, &s)?;
                    }
                    self.registers.ifchanged = Some(s);
                }
            }
            Tag::Include(i) => self.include(i, at, out)?,
            Tag::Raw(s) => self.obuf.push_str(out, s)?,
            Tag::Render(r) => self.render_tag(r, at, out)?,
            Tag::Tablerow(t) => self.tablerow(t, at, out)?,
            Tag::Break => self.interrupts.push(Interrupt::Break),
            Tag::Continue => self.interrupts.push(Interrupt::Continue),
            Tag::Yield => match self.yield_to {
                Yield::Nothing => {}
                Yield::Html(h) => out.push_str(h),
                Yield::Render(f) => {
                    if !f(out) {
                        return Err(Raise::Host);
                    }
                }
            },
        }
        Ok(())
    }

    /// The size budget for assigned values.
    fn charge(&self, v: &Value) -> R {
        if let Value::Str(s) = v {
            self.check_size(s.len())?;
        }
        Ok(())
    }

    /// `environments.first[@variable] ||= 0`.
    fn counter(&self, name: &str) -> Value {
        let v = match self.env.get(name) {
            Some(v) => v.clone(),
            None => self
                .globals
                .and_then(|g| g.get(name).cloned())
                .unwrap_or_default(),
        };
        if v.truthy() { v } else { Value::Int(0) }
    }

    fn if_tag(&mut self, i: &ast::If, out: &mut String) -> R {
        for (n, (cond, body)) in i.blocks.iter().enumerate() {
            let result = match cond {
                None => true,
                Some(c) => {
                    let r = self.condition(c)?.truthy();
                    if i.unless && n == 0 { !r } else { r }
                }
            };
            if result {
                return self.body(body, out);
            }
        }
        Ok(())
    }

    fn case(&mut self, c: &ast::Case, out: &mut String) -> R {
        let mut run_else = true;
        for (when, index) in &c.blocks {
            let body = &c.bodies[*index];
            match when {
                None => {
                    if run_else {
                        self.body(body, out)?;
                    }
                }
                Some(expr) => {
                    let cond = Condition::simple(c.left.clone(), Some("=="), expr.clone());
                    if self.condition(&cond)?.truthy() {
                        run_else = false;
                        self.body(body, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn cycle(&mut self, c: &ast::Cycle, out: &mut String) -> R {
        let key = match &c.name {
            CycleName::Named(e) => self.eval(e)?.inspect(),
            CycleName::Fixed(s) => Value::Str(s.clone()).inspect(),
            CycleName::Unique(id) => format!("\0{id}"),
        };
        let iteration = self.registers.cycle.get(&key).copied().unwrap_or(0);
        let val = match c.values.get(iteration) {
            Some(e) => self.eval(e)?,
            None => Value::Nil,
        };
        self.emit(&val, out)?;
        let mut next = iteration + 1;
        if next >= c.values.len() {
            next = 0;
        }
        self.registers.cycle.insert(key, next);
        Ok(())
    }

    /// Remembers the innermost loop or include a spent budget leaves.
    fn mark_budget(&mut self, result: &R, at: usize) {
        if matches!(result, Err(Raise::Budget(_))) && self.budget_site.is_none() {
            self.budget_site = Some((self.file(), at));
        }
    }

    fn push_scope(&mut self) -> R {
        if self.base_scope_depth + self.scopes.len() + 1 > MAX_SCOPES {
            return Err(liquid("Nesting too deep"));
        }
        self.scopes.push(HashMap::new());
        Ok(())
    }

    fn pop_scope(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// A loop/for/offset integer (`Utils.to_integer`).
    fn integer(&mut self, e: &Expr) -> R<Option<i128>> {
        let v = self.eval(e)?;
        if v.is_nil() {
            return Ok(None);
        }
        let i = convert::to_integer(&v).map_err(from_convert)?;
        Ok(Some(saturate(&i)))
    }

    fn for_loop(&mut self, f: &ast::For, at: usize, out: &mut String) -> R {
        let from = match &f.offset {
            Offset::Continue => self
                .registers
                .for_offsets
                .get(&f.name)
                .copied()
                .unwrap_or(0),
            Offset::Expr(e) => self.integer(e)?.unwrap_or(0),
            Offset::None => 0,
        };
        let collection = self.eval(&f.collection)?;
        let to = match &f.limit {
            Some(e) => self.integer(e)?.map(|l| l.saturating_add(from)),
            None => None,
        };
        let seg = Segment::slice(&collection, from, to);
        self.registers
            .for_offsets
            .insert(f.name.clone(), from.saturating_add(seg.len as i128));
        if seg.len == 0 {
            if let Some(e) = &f.else_body {
                self.body(e, out)?;
            }
            return Ok(());
        }
        self.push_scope()?;
        let parent = self
            .registers
            .for_stack
            .last()
            .map(|d| Value::Forloop(d.clone()))
            .unwrap_or_default();
        let drop = Arc::new(ForloopDrop::new(f.name.clone(), seg.len as i64, parent));
        self.registers.for_stack.push(drop.clone());
        self.set_inner(&"forloop".into(), Value::Forloop(drop.clone()));
        let mut result = Ok(());
        for n in 0..seg.len {
            let i = if f.reversed { seg.len - 1 - n } else { n };
            let item = seg.get(i);
            self.set_inner(&f.var, item);
            if let Err(e) = self.body(&f.body, out) {
                result = Err(e);
                break;
            }
            drop.increment();
            if let Some(int) = self.interrupts.pop()
                && int == Interrupt::Break
            {
                break;
            }
            if let Err(e) = self.tick() {
                result = Err(e);
                break;
            }
        }
        self.registers.for_stack.pop();
        self.pop_scope();
        self.mark_budget(&result, at);
        result
    }

    fn tablerow(&mut self, t: &ast::Tablerow, at: usize, out: &mut String) -> R {
        let collection = self.eval(&t.collection)?;
        if !collection.truthy() {
            return Ok(());
        }
        let from = match ast::attribute(&t.attributes, "offset") {
            Some(e) => {
                let v = self.eval(e)?;
                saturate(&convert::ruby_to_i(&v).map_err(from_convert)?)
            }
            None => 0,
        };
        let to = match ast::attribute(&t.attributes, "limit") {
            Some(e) => {
                let v = self.eval(e)?;
                Some(from.saturating_add(saturate(&convert::ruby_to_i(&v).map_err(from_convert)?)))
            }
            None => None,
        };
        let seg = Segment::slice(&collection, from, to);
        let cols_v = match ast::attribute(&t.attributes, "cols") {
            Some(e) => self.eval(e)?,
            None => Value::Nil,
        };
        let cols = saturate(&convert::ruby_to_i(&cols_v).map_err(from_convert)?) as i64;
        out.push_str("<tr class=\"row1\">\n");
        self.push_scope()?;
        let drop = Arc::new(TablerowloopDrop::new(seg.len as i64, cols));
        self.set_inner(&"tablerowloop".into(), Value::Tablerowloop(drop.clone()));
        let mut result = Ok(());
        for i in 0..seg.len {
            self.set_inner(&t.var, seg.get(i));
            out.push_str("<td class=\"col");
            out.push_str(&drop.col().to_string());
            out.push_str("\">");
            if let Err(e) = self.body(&t.body, out) {
                result = Err(e);
                break;
            }
            out.push_str("</td>");
            if drop.col_last() && !drop.last() {
                out.push_str("</tr>\n<tr class=\"row");
                out.push_str(&(drop.row() + 1).to_string());
                out.push_str("\">");
            }
            drop.increment();
            // The cell markup grows the output even when the body is empty.
            if let Err(e) = self.check_size(out.len()).and_then(|()| self.tick()) {
                result = Err(e);
                break;
            }
        }
        self.pop_scope();
        self.mark_budget(&result, at);
        result?;
        out.push_str("</tr>\n");
        Ok(())
    }

    /// `PartialCache.load`, once per name per render.
    fn load(&mut self, name: &str) -> R<Partial> {
        if !self.cache.contains_key(name) {
            let includer = self.frames.last().map_or(0, |f| f.tree);
            // The includer's parse context: as its last partial load left
            // it, else as its own parse ended.
            let trim = match self.trims.get(&includer) {
                Some(t) => *t,
                None => self.frames.last().is_some_and(|f| f.trim_at_end),
            };
            let p = self.partials.load(name, trim);
            if let Ok(p) = &p {
                self.trims.insert(includer, p.template.trim_at_end);
            }
            self.cache.insert(name.to_string(), p);
        }
        match &self.cache[name] {
            Ok(p) => Ok(p.clone()),
            Err(PartialError::Missing(msg)) => Err(Raise::Error {
                text: format!("Liquid error: {msg}"),
                kind: RenderErrorKind::Partial,
            }),
            Err(PartialError::Syntax(e)) => Err(Raise::Error {
                text: e.ruby_message(),
                kind: RenderErrorKind::Partial,
            }),
            Err(PartialError::Other(text)) => Err(Raise::Error {
                text: text.clone(),
                kind: RenderErrorKind::Partial,
            }),
        }
    }

    /// Pushes the partial's frame (always: `leave` pops it); the error is
    /// the include-depth report's, if listing it spent the budget.
    fn enter(&mut self, p: &Partial, name: &str, at: usize) -> R {
        let includes = self.frames.len();
        let mut reported = Ok(());
        if includes == MAX_INCLUDE_DEPTH + 1 {
            // Reported at the include site, once; Ruby goes on (to its
            // scope limit), so the output stays Ruby's.
            self.at = at;
            let names: Vec<&str> = self.frames[1..].iter().map(|f| &*f.name).collect();
            let cycle = names.iter().enumerate().find_map(|(i, n)| {
                names[i + 1..]
                    .iter()
                    .position(|m| m == n)
                    .map(|j| names[i..=i + 1 + j].to_vec())
            });
            let message = match cycle {
                Some(c) => format!(
                    "include cycle: '{}' (includes nested deeper than {MAX_INCLUDE_DEPTH})",
                    c.join("' → '")
                ),
                None => format!("includes nested deeper than {MAX_INCLUDE_DEPTH}"),
            };
            reported = self.record(message, RenderErrorKind::IncludeDepth);
        }
        let site = Some((self.file(), at));
        self.frames.push(Frame {
            tree: Arc::as_ptr(&p.template) as usize,
            trim_at_end: p.template.trim_at_end,
            file: p.file.clone(),
            name: name.into(),
            locale: p.locale.clone(),
            site,
        });
        reported
    }

    fn leave(&mut self) {
        self.frames.pop();
    }

    fn include(&mut self, i: &ast::Include, at: usize, out: &mut String) -> R {
        if self.disabled_include > 0 {
            out.push_str("Liquid error: include usage is not allowed in this context");
            return self.record(
                "Liquid error: include usage is not allowed in this context".into(),
                RenderErrorKind::Inline,
            );
        }
        let name = self.eval(&i.template)?;
        if !name.truthy() {
            return Err(liquid(
                "Argument error in tag 'include' - Illegal template name",
            ));
        }
        let name_s = name.to_s().into_owned();
        let partial = self.load(&name_s)?;
        let var_name: Arc<str> = match &i.alias {
            Some(a) => a.clone(),
            None => name_s.rsplit('/').next().unwrap_or("").into(),
        };
        let variable = match &i.variable {
            Some(e) => self.eval(e)?,
            None => self.find(&name),
        };
        self.push_scope()?;
        let mut result = Ok(());
        for (k, e) in &i.attributes {
            match self.eval(e) {
                Ok(v) => self.set_inner(k, v),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() {
            let entered = self.enter(&partial, &name_s, at);
            result = if entered.is_err() {
                entered
            } else {
                match &variable {
                    Value::Array(items) => {
                        let mut r = Ok(());
                        for item in items.iter() {
                            self.set_inner(&var_name, item.clone());
                            r = self.body(&partial.template.root, out);
                            if r.is_err() {
                                break;
                            }
                        }
                        r
                    }
                    other => {
                        self.set_inner(&var_name, other.clone());
                        self.body(&partial.template.root, out)
                    }
                }
            };
            self.leave();
        }
        self.pop_scope();
        self.at = at;
        self.mark_budget(&result, at);
        result
    }

    fn render_tag(&mut self, r: &ast::Render, at: usize, out: &mut String) -> R {
        let partial = self.load(&r.template)?;
        let var_name: Arc<str> = match &r.alias {
            Some(a) => a.clone(),
            None => r.template.rsplit('/').next().unwrap_or("").into(),
        };
        let variable = match &r.variable {
            Some(e) => self.eval(e)?,
            None => Value::Nil,
        };
        let mut attrs = Vec::with_capacity(r.attributes.len());
        for (k, e) in &r.attributes {
            attrs.push((k.clone(), self.eval(e)?));
        }
        let items: Option<Segment> = if r.for_loop {
            match &variable {
                Value::Array(_) | Value::Hash(_) | Value::Range(_) => {
                    Some(Segment::slice(&variable, 0, None))
                }
                _ => None,
            }
        } else {
            None
        };
        self.disabled_include += 1;
        let result = match items {
            Some(seg) => {
                let forloop = Arc::new(ForloopDrop::new(
                    r.template.clone(),
                    seg.len as i64,
                    Value::Nil,
                ));
                let mut res = Ok(());
                for i in 0..seg.len {
                    res = self.render_partial(
                        &partial,
                        &r.template,
                        at,
                        &var_name,
                        seg.get(i),
                        Some(&forloop),
                        &attrs,
                        out,
                    );
                    forloop.increment();
                    if res.is_err() {
                        break;
                    }
                    if let Err(e) = self.tick() {
                        res = Err(e);
                        break;
                    }
                }
                res
            }
            None => self.render_partial(
                &partial,
                &r.template,
                at,
                &var_name,
                variable,
                None,
                &attrs,
                out,
            ),
        };
        self.disabled_include -= 1;
        self.at = at;
        self.mark_budget(&result, at);
        result
    }

    /// `render_partial_func`: an isolated subcontext.
    #[allow(clippy::too_many_arguments)]
    fn render_partial(
        &mut self,
        partial: &Partial,
        name: &str,
        at: usize,
        var_name: &Arc<str>,
        var: Value,
        forloop: Option<&Arc<ForloopDrop>>,
        attrs: &[(Arc<str>, Value)],
        out: &mut String,
    ) -> R {
        if self.base_scope_depth + self.scopes.len() > MAX_SCOPES {
            return Err(liquid("Nesting too deep"));
        }
        let mut scope = HashMap::new();
        if let Some(f) = forloop {
            scope.insert(Arc::<str>::from("forloop"), Value::Forloop(f.clone()));
        }
        for (k, v) in attrs {
            scope.insert(k.clone(), v.clone());
        }
        if !var.is_nil() {
            scope.insert(var_name.clone(), var);
        }
        let saved_scopes = std::mem::replace(&mut self.scopes, vec![scope]);
        let saved_env = std::mem::take(&mut self.env);
        let saved_globals = self.globals.take();
        let saved_registers = std::mem::take(&mut self.registers);
        let saved_interrupts = std::mem::take(&mut self.interrupts);
        self.base_scope_depth += saved_scopes.len();
        let result = self
            .enter(partial, name, at)
            .and_then(|()| self.body(&partial.template.root, out));
        self.leave();
        self.base_scope_depth -= saved_scopes.len();
        self.scopes = saved_scopes;
        self.env = saved_env;
        self.globals = saved_globals;
        self.registers = saved_registers;
        self.interrupts = saved_interrupts;
        result
    }
}

/// `Condition::MethodLiteral` on either side.
fn method_literal(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::Empty => Some("empty?"),
        Expr::Blank => Some("blank?"),
        _ => None,
    }
}

/// `Condition#equal_variables`: a method literal asks the other side
/// (`empty?` where it exists; nothing answers `blank?` without
/// ActiveSupport), else Ruby's `==`.
fn equal_variables(left: &Value, lm: Option<&str>, right: &Value, rm: Option<&str>) -> Value {
    let ask = |m: &str, v: &Value, other_is_literal: bool| -> Value {
        if other_is_literal || m != "empty?" {
            return Value::Nil;
        }
        match v.ruby_empty() {
            Some(b) => Value::Bool(b),
            None => Value::Nil,
        }
    };
    if let Some(m) = lm {
        return ask(m, right, rm.is_some());
    }
    if let Some(m) = rm {
        return ask(m, left, false);
    }
    Value::Bool(left.ruby_eq(right))
}

/// The `contains` operator.
fn contains(
    left: &Value,
    left_literal: bool,
    right: &Value,
    right_literal: bool,
) -> Result<bool, Incompatible> {
    if !left.truthy() || !right.truthy() || left_literal {
        return Ok(false);
    }
    if right_literal {
        // A MethodLiteral's to_s is ''; only a string can hold it.
        return Ok(matches!(left, Value::Str(_) | Value::Bin(_)));
    }
    Ok(match left {
        // `String#include?` checks the encodings first (`rb_enc_check`).
        Value::Str(_) | Value::Bin(_) if binary::any_binary(&[left, right]) => {
            let (l, r) = (binary::rstr(left), binary::rstr(right));
            l.check(&r)?;
            binary::includes(&l.bytes, &r.bytes)
        }
        Value::Str(s) => s.contains(&*right.to_s()),
        Value::Array(a) => a.iter().any(|x| x.ruby_eq(right)),
        Value::Hash(h) => match right {
            Value::Str(k) => h.contains_key(k),
            _ => false,
        },
        Value::Range(r) => {
            matches!(right, Value::Int(_) | Value::BigInt(_) | Value::Float(_))
                && crate::value::num_cmp(&r.first, right).is_some_and(|o| o.is_le())
                && crate::value::num_cmp(right, &r.last).is_some_and(|o| o.is_le())
        }
        _ => false,
    })
}

/// `value + n` for the counters (Integer and Float add; nil was 0).
fn add_one(v: &Value, n: i64) -> R<Value> {
    match v {
        Value::Int(i) => Ok(match i.checked_add(n) {
            Some(s) => Value::Int(s),
            None => Value::from_bigint(BigInt::from(*i) + n),
        }),
        Value::BigInt(b) => Ok(Value::from_bigint(&**b + n)),
        Value::Float(f) => Ok(Value::Float(f + n as f64)),
        _ => Err(internal()),
    }
}

fn saturate(v: &Value) -> i128 {
    match v {
        Value::Int(i) => *i as i128,
        Value::BigInt(b) => b
            .to_i128()
            .unwrap_or(if b.sign() == num_bigint::Sign::Minus {
                i128::MIN / 2
            } else {
                i128::MAX / 2
            }),
        _ => 0,
    }
}

/// `Utils.slice_collection_using_each`, lazily: which items a loop visits.
struct Segment {
    source: Value,
    start: i128,
    len: usize,
}

impl Segment {
    fn slice(collection: &Value, from: i128, to: Option<i128>) -> Segment {
        let total: i128 = match collection {
            Value::Str(s) => {
                // A string is one item (or none when empty), whatever the slice.
                let n = usize::from(!s.is_empty());
                return Segment {
                    source: Value::from(vec![collection.clone()]),
                    start: 0,
                    len: n,
                };
            }
            // A binary string is one item too (it is never empty).
            Value::Bin(_) => {
                return Segment {
                    source: Value::from(vec![collection.clone()]),
                    start: 0,
                    len: 1,
                };
            }
            Value::Array(a) => a.len() as i128,
            Value::Hash(h) => h.len() as i128,
            Value::Range(r) => r.len().to_i128().unwrap_or(i128::MAX / 2),
            _ => 0,
        };
        let from = from.max(0);
        let end = match to {
            Some(t) => t.min(total),
            None => total,
        };
        let len = (end - from).max(0);
        Segment {
            source: collection.clone(),
            start: from,
            len: usize::try_from(len).unwrap_or(usize::MAX),
        }
    }

    fn get(&self, i: usize) -> Value {
        let idx = self.start + i as i128;
        match &self.source {
            Value::Array(a) => a.get(idx as usize).cloned().unwrap_or_default(),
            Value::Hash(h) => h
                .get_index(idx as usize)
                .map(|(k, v)| Value::from(vec![Value::Str(k.clone()), v.clone()]))
                .unwrap_or_default(),
            Value::Range(r) => u64::try_from(idx)
                .ok()
                .and_then(|i| r.nth(i))
                .unwrap_or_default(),
            _ => Value::Nil,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseOptions, SourcePartials, parse};
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn run(src: &str, max_bytes: usize) -> Result<Rendered, RenderError> {
        let t = parse(src, ParseOptions::RUBY).expect("parses");
        let sources = BTreeMap::new();
        let partials = SourcePartials {
            sources: &sources,
            opts: ParseOptions::RUBY,
        };
        render(
            &t,
            &RenderOptions {
                globals: &Hash::new(),
                partials: &partials,
                budget: Budget {
                    max_time: Duration::from_secs(5),
                    max_bytes,
                },
                yield_to: Yield::Nothing,
                locale: None,
                locale_variable: "l",
                file: "t".into(),
            },
        )
    }

    #[test]
    fn an_error_repeated_in_a_loop_is_listed_once_and_printed_each_turn() {
        let r = run(
            "{% for i in (1..3) %}{{ 1 | divided_by: 0 }}{% endfor %}",
            1 << 20,
        )
        .unwrap();
        assert_eq!(r.html, "Liquid error: divided by 0".repeat(3));
        assert_eq!(r.errors.len(), 1);
        // Two places, two entries.
        let r = run("{{ 1 | divided_by: 0 }}{{ 1 | divided_by: 0 }}", 1 << 20).unwrap();
        assert_eq!(r.errors.len(), 2);
    }

    #[test]
    fn the_error_list_is_charged_to_the_byte_budget() {
        // Blank tags print nothing: only the list grows (each place once).
        let src = "{% assign x = 1 | divided_by: 0 %}".repeat(200);
        let e = run(&src, 4096).unwrap_err();
        assert!(e.message.contains("errors took more than"), "{}", e.message);
        assert!(run(&src, 1 << 20).is_ok());
    }
}
