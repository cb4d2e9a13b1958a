//! goakit's tags: outputs printed as Ruby prints them, `include`/`render`
//! in Ruby's forms with per-snippet `l`, lenient `for`/`tablerow`, `yield`,
//! and the position wrapper that gives every render error its line.

use super::runtime::{IsolatedRoot, Scope};
use super::value::render_ruby;
use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::model::{KString, KStringRef, Object, Scalar, Value, ValueCow, ValueView};
use liquid_core::parser::{BlockElement, TagToken, TryMatchToken};
use liquid_core::runtime::{Interrupt, InterruptRegister};
use liquid_core::{
    BlockReflection, Error, Expression, Language, ParseBlock, ParseTag, Renderable, Result,
    Runtime, TagBlock, TagReflection, TagTokenIter, Template,
};
use std::collections::HashMap;
use std::io::Write;

/// Snippets nest at most this deep (SPEC 4).
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// Where the innermost failing tag is, filled as an error unwinds; the
/// template boundary turns it into file:line:column.
#[derive(Default, Debug)]
pub struct ErrorTrail {
    pub site: Option<(usize, usize)>,
    pub located: Option<super::TemplateError>,
    /// Once located, the include tag the error passed through.
    pub chain_site: Option<(usize, usize)>,
}

/// The snippets being rendered, outermost first, to catch cycles and depth.
#[derive(Default, Debug)]
pub struct IncludeStack(pub Vec<String>);

/// The HTML `{% yield %}` outputs.
#[derive(Default, Debug)]
pub struct YieldHtml(pub String);

fn take_number(args: &mut TagTokenIter<'_>) -> Result<usize> {
    let token = args.expect_next("position expected")?;
    match token.expect_literal() {
        TryMatchToken::Matches(v) => Ok(v
            .as_scalar()
            .and_then(|s| s.to_integer())
            .unwrap_or(0)
            .max(0) as usize),
        TryMatchToken::Fails(t) => t.raise_error().into_err(),
    }
}

/// Wraps a tag so the line and column that the source rewrite put first
/// in its markup are known when it fails.
#[derive(Clone)]
pub struct PosTag(pub Box<dyn ParseTag>);

#[derive(Clone)]
pub struct PosBlock(pub Box<dyn ParseBlock>);

#[derive(Debug)]
struct Positioned {
    inner: Box<dyn Renderable>,
    line: usize,
    column: usize,
}

impl Renderable for Positioned {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        self.inner.render_to(writer, runtime).inspect_err(|_| {
            let mut trail = runtime.registers().get_mut::<ErrorTrail>();
            let here = Some((self.line, self.column));
            if trail.located.is_some() {
                if trail.chain_site.is_none() {
                    trail.chain_site = here;
                }
            } else if trail.site.is_none() {
                trail.site = here;
            }
        })
    }
}

impl ParseTag for PosTag {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let line = take_number(&mut arguments)?;
        let column = take_number(&mut arguments)?;
        let inner = self.0.parse(arguments, options)?;
        Ok(Box::new(Positioned {
            inner,
            line,
            column,
        }))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self.0.reflection()
    }
}

impl ParseBlock for PosBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        block: TagBlock,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let line = take_number(&mut arguments)?;
        let column = take_number(&mut arguments)?;
        let inner = self.0.parse(arguments, block, options)?;
        Ok(Box::new(Positioned {
            inner,
            line,
            column,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self.0.reflection()
    }
}

macro_rules! simple_tag {
    ($ty:ident, $name:expr) => {
        impl TagReflection for $ty {
            fn tag(&self) -> &str {
                $name
            }
            fn description(&self) -> &str {
                ""
            }
        }
    };
}

/// `{{ expr }}` and `{% echo expr %}`, printed as Ruby prints values.
#[derive(Clone, Copy)]
pub struct OutputTag;
simple_tag!(OutputTag, super::OUTPUT_TAG);

#[derive(Debug)]
struct Output(liquid_core::parser::FilterChain);

impl ParseTag for OutputTag {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let chain = arguments
            .expect_next("expression expected")?
            .expect_filter_chain(options)
            .into_result()?;
        // Lax: Ruby ignores what follows a complete expression.
        Ok(Box::new(Output(chain)))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

impl Renderable for Output {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let value = self.0.evaluate(runtime)?;
        let view = value.as_view();
        // Strings (most outputs) go straight out; the rest as Ruby prints them.
        if let Some(s) = view.as_scalar()
            && s.type_name() == "string"
        {
            return writer
                .write_all(s.to_kstr().as_bytes())
                .replace("Failed to render");
        }
        let mut out = String::new();
        render_ruby(view, &mut out);
        writer.write_all(out.as_bytes()).replace("Failed to render")
    }
}

/// `{% yield %}`: the page rendered before root.
#[derive(Clone, Copy)]
pub struct YieldTag;
simple_tag!(YieldTag, "yield");

#[derive(Debug)]
struct Yield;

impl ParseTag for YieldTag {
    fn parse(&self, _arguments: TagTokenIter, _options: &Language) -> Result<Box<dyn Renderable>> {
        Ok(Box::new(Yield))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

impl Renderable for Yield {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let html = runtime.registers().get_mut::<YieldHtml>().0.clone();
        writer
            .write_all(html.as_bytes())
            .replace("Failed to render")
    }
}

/// `include` (shares the includer's scope) and `render` (isolated), with
/// Ruby's `'name', k: v`, `with x [as y]` and `for xs [as y]` forms.
#[derive(Clone, Copy)]
pub struct IncludeTag {
    pub isolated: bool,
}

impl TagReflection for IncludeTag {
    fn tag(&self) -> &str {
        if self.isolated { "render" } else { "include" }
    }
    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
struct Include {
    isolated: bool,
    name: Expression,
    variable: Option<Expression>,
    is_for: bool,
    alias: Option<KString>,
    attributes: Vec<(KString, Expression)>,
}

fn value_of(token: TagToken<'_>) -> Result<Expression> {
    match token.expect_value() {
        TryMatchToken::Matches(e) => Ok(e),
        TryMatchToken::Fails(t) => t.raise_error().into_err(),
    }
}

impl ParseTag for IncludeTag {
    fn parse(&self, arguments: TagTokenIter, _options: &Language) -> Result<Box<dyn Renderable>> {
        let mut tokens: std::collections::VecDeque<TagToken<'_>> = arguments.collect();
        let name = match tokens.pop_front() {
            Some(t) => value_of(t)?,
            None => return Error::with_msg("snippet name expected").into_err(),
        };
        let mut include = Include {
            isolated: self.isolated,
            name,
            variable: None,
            is_for: false,
            alias: None,
            attributes: Vec::new(),
        };
        while let Some(t) = tokens.pop_front() {
            let word = t.as_str().to_string();
            match word.as_str() {
                "," => {}
                "with" | "for" => {
                    include.is_for = word == "for";
                    if let Some(v) = tokens.pop_front() {
                        include.variable = Some(value_of(v)?);
                    }
                }
                "as" => {
                    if let Some(a) = tokens.pop_front() {
                        include.alias = Some(KString::from_ref(a.as_str()));
                    }
                }
                _ if tokens.front().is_some_and(|n| n.as_str() == ":") => {
                    tokens.pop_front();
                    if let Some(v) = tokens.pop_front() {
                        include
                            .attributes
                            .push((KString::from_ref(&word), value_of(v)?));
                    }
                }
                // Lax: Ruby ignores stray markup.
                _ => {}
            }
        }
        Ok(Box::new(include))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

impl Include {
    fn render_one(
        &self,
        writer: &mut dyn Write,
        parent: &dyn Runtime,
        snippet: &dyn Renderable,
        vars: &HashMap<KStringRef<'_>, &dyn ValueView>,
    ) -> Result<()> {
        if self.isolated {
            let root = IsolatedRoot {
                parent,
                assigns: Default::default(),
            };
            let scope = Scope::isolated(&root, vars);
            snippet.render_to(writer, &scope)
        } else {
            let scope = Scope::new(parent, vars);
            snippet.render_to(writer, &scope)
        }
    }
}

impl Renderable for Include {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let name = self
            .name
            .try_evaluate(runtime)
            .map(|v| v.to_kstr().into_owned())
            .unwrap_or_default();
        let name = name.as_str().to_string();
        {
            let stack = runtime.registers().get_mut::<IncludeStack>();
            let chain = |last: &str| {
                let mut names: Vec<String> = stack.0.iter().map(|n| format!("'{n}'")).collect();
                names.push(format!("'{last}'"));
                names.join(" → ")
            };
            // Ruby allows recursion that ends (a tree of categories, say);
            // a cycle that does not end stops at the depth limit.
            if stack.0.len() >= MAX_INCLUDE_DEPTH {
                let message = match stack.0.iter().position(|n| *n == name) {
                    Some(first) => {
                        let cycle: Vec<String> = stack.0[first..]
                            .iter()
                            .enumerate()
                            .take_while(|(i, n)| *i == 0 || **n != name)
                            .map(|(_, n)| n)
                            .map(|n| format!("'{n}'"))
                            .collect();
                        format!(
                            "include cycle: {} → '{name}' never ends (nesting deeper than {MAX_INCLUDE_DEPTH})",
                            cycle.join(" → ")
                        )
                    }
                    None => format!(
                        "includes nest deeper than {MAX_INCLUDE_DEPTH}: {}",
                        chain(&name)
                    ),
                };
                return Error::with_msg(message).into_err();
            }
        }
        let Some(snippet) = runtime.partials().try_get(&name) else {
            let stack = runtime.registers().get_mut::<IncludeStack>();
            let via = if stack.0.is_empty() {
                String::new()
            } else {
                format!(
                    " (included via {})",
                    stack
                        .0
                        .iter()
                        .map(|n| format!("'{n}'"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                )
            };
            return Error::with_msg(format!(
                "snippet '{name}' not found (expected templates/snippets/{name}.html){via}"
            ))
            .into_err();
        };
        let var_name: KString = self
            .alias
            .clone()
            .unwrap_or_else(|| KString::from_ref(name.rsplit('/').next().unwrap_or(&name)));
        // Arguments stay borrowed from the includer's scope: no copies.
        let nil = Value::Nil;
        let attributes: Vec<(&KString, Option<ValueCow<'_>>)> = self
            .attributes
            .iter()
            .map(|(k, e)| (k, e.try_evaluate(runtime)))
            .collect();
        let variable: Option<ValueCow<'_>> = match &self.variable {
            Some(e) => e.try_evaluate(runtime),
            // Ruby's include passes the variable named like the snippet.
            None if !self.isolated => runtime.try_get(&[Scalar::new(name.clone())]),
            None => None,
        };
        runtime.registers().get_mut::<IncludeStack>().0.push(name);
        let result = (|| {
            let items = variable
                .as_ref()
                .and_then(|v| v.as_view().as_array())
                .filter(|_| !self.isolated || self.is_for);
            match items {
                Some(items) => {
                    let len = items.size() as usize;
                    for (i, item) in items.values().enumerate() {
                        let fl = self.isolated.then(|| forloop(i, len));
                        let vars = vars_for(
                            &attributes,
                            &nil,
                            &var_name,
                            self.isolated,
                            Some(item),
                            fl.as_ref(),
                        );
                        self.render_one(writer, runtime, snippet.as_ref(), &vars)?;
                    }
                    Ok(())
                }
                None => {
                    let item = variable
                        .as_ref()
                        .map(|v| v.as_view())
                        .filter(|v| !v.is_nil());
                    let vars = vars_for(&attributes, &nil, &var_name, self.isolated, item, None);
                    self.render_one(writer, runtime, snippet.as_ref(), &vars)
                }
            }
        })();
        runtime.registers().get_mut::<IncludeStack>().0.pop();
        result
    }
}

/// The scope a snippet gets: its arguments, the loop item and `forloop`.
fn vars_for<'a>(
    attributes: &'a [(&'a KString, Option<ValueCow<'a>>)],
    nil: &'a Value,
    var_name: &'a KString,
    isolated: bool,
    item: Option<&'a dyn ValueView>,
    fl: Option<&'a Value>,
) -> HashMap<KStringRef<'a>, &'a dyn ValueView> {
    let mut vars: HashMap<KStringRef<'a>, &'a dyn ValueView> =
        HashMap::with_capacity(attributes.len() + 2);
    for (k, v) in attributes {
        vars.insert(
            (*k).as_ref(),
            v.as_ref().map_or(nil as &dyn ValueView, |v| v.as_view()),
        );
    }
    if let Some(f) = fl {
        vars.insert(KStringRef::from_static("forloop"), f);
    }
    match item {
        Some(i) => {
            vars.insert(var_name.as_ref(), i);
        }
        // include shadows the name with nil; render leaves it out.
        None if !isolated => {
            vars.insert(var_name.as_ref(), nil);
        }
        None => {}
    }
    vars
}

fn forloop(i: usize, len: usize) -> Value {
    let (i, len) = (i as i64, len as i64);
    let mut o = Object::new();
    o.insert("length".into(), Value::scalar(len));
    o.insert("index".into(), Value::scalar(i + 1));
    o.insert("index0".into(), Value::scalar(i));
    o.insert("rindex".into(), Value::scalar(len - i));
    o.insert("rindex0".into(), Value::scalar(len - i - 1));
    o.insert("first".into(), Value::scalar(i == 0));
    o.insert("last".into(), Value::scalar(i == len - 1));
    Value::Object(o)
}

/// What a `for`/`tablerow` iterates over.
#[derive(Debug)]
enum Collection {
    Value(Expression),
    Range(Expression, Expression),
}

fn collection_of(token: TagToken<'_>) -> Result<Collection> {
    match token.expect_value() {
        TryMatchToken::Matches(e) => Ok(Collection::Value(e)),
        TryMatchToken::Fails(t) => match t.expect_range() {
            TryMatchToken::Matches((a, b)) => Ok(Collection::Range(a, b)),
            TryMatchToken::Fails(t) => t.raise_error().into_err(),
        },
    }
}

fn int_of(e: &Expression, runtime: &dyn Runtime) -> i64 {
    e.try_evaluate(runtime)
        .map(|v| match super::filters::to_number(v.as_view()) {
            super::filters::Num::Int(i) => i,
            n => {
                let f: f64 = match n {
                    super::filters::Num::Dec { m, scale } => m as f64 / 10f64.powi(scale as i32),
                    _ => 0.0,
                };
                f as i64
            }
        })
        .unwrap_or(0)
}

/// A collection as evaluated: borrowed from the scope where possible, so
/// a loop over 500 rows does not copy them.
enum Items<'r> {
    Owned(Vec<Value>),
    Borrowed(ValueCow<'r>),
    Empty,
}

impl Items<'_> {
    fn views(&self) -> Vec<&dyn ValueView> {
        match self {
            Items::Owned(v) => v.iter().map(|x| x as &dyn ValueView).collect(),
            Items::Borrowed(c) => {
                let v = c.as_view();
                match v.as_array() {
                    Some(a) => a.values().collect(),
                    None => vec![v],
                }
            }
            Items::Empty => Vec::new(),
        }
    }
}

impl Collection {
    fn evaluate<'r>(&'r self, runtime: &'r dyn Runtime) -> Items<'r> {
        match self {
            Collection::Range(a, b) => {
                let (a, b) = (int_of(a, runtime), int_of(b, runtime));
                Items::Owned((a..=b).map(Value::scalar).collect())
            }
            Collection::Value(e) => match e.try_evaluate(runtime) {
                None => Items::Empty,
                Some(v) => {
                    let view = v.as_view();
                    if view.as_array().is_some() {
                        Items::Borrowed(v)
                    } else if let Some(o) = view.as_object() {
                        // Ruby iterates a hash as [key, value] pairs.
                        Items::Owned(
                            o.iter()
                                .map(|(k, x)| {
                                    Value::Array(vec![Value::scalar(k.into_owned()), x.to_value()])
                                })
                                .collect(),
                        )
                    } else if view.is_nil()
                        || view
                            .as_scalar()
                            .is_some_and(|s| s.type_name() == "string" && s.to_kstr().is_empty())
                    {
                        Items::Empty
                    } else {
                        Items::Borrowed(v)
                    }
                }
            },
        }
    }
}

/// Parses `limit: x`, `offset: x`, `cols: x`, `reversed`.
type Attributes = Vec<(String, Option<Expression>)>;

fn attributes(arguments: &mut TagTokenIter<'_>) -> Result<(Attributes, bool)> {
    let mut attrs = Vec::new();
    let mut reversed = false;
    let mut first = true;
    while let Some(token) = arguments.next() {
        let word = token.as_str().to_string();
        let was_first = std::mem::replace(&mut first, false);
        match word.as_str() {
            // Ruby's lax `for` syntax sees `reversed` only right after the
            // collection; anywhere else it is ignored.
            "reversed" => reversed |= was_first,
            "," => {}
            _ => {
                let mut value = None;
                if let Some(colon) = arguments.next()
                    && colon.as_str() == ":"
                    && let Some(v) = arguments.next()
                {
                    value = match v.expect_value() {
                        TryMatchToken::Matches(e) => Some(e),
                        TryMatchToken::Fails(_) => None,
                    };
                }
                attrs.push((word, value));
            }
        }
    }
    Ok((attrs, reversed))
}

#[derive(Clone, Copy)]
pub struct ForBlock;

impl BlockReflection for ForBlock {
    fn start_tag(&self) -> &str {
        "for"
    }
    fn end_tag(&self) -> &str {
        "endfor"
    }
    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
struct For {
    var: KString,
    collection: Collection,
    limit: Option<Expression>,
    offset: Option<Expression>,
    reversed: bool,
    body: Template,
    else_body: Option<Template>,
}

fn loop_head(arguments: &mut TagTokenIter<'_>) -> Result<(KString, Collection)> {
    let var = arguments
        .expect_next("loop variable expected")?
        .expect_identifier()
        .into_result()?;
    let var = KString::from_ref(
        var.strip_prefix(super::runtime::KEYWORD_PREFIX)
            .unwrap_or(var),
    );
    arguments
        .expect_next("\"in\" expected")?
        .expect_str("in")
        .into_result_custom_msg("\"in\" expected")?;
    let collection = collection_of(arguments.expect_next("collection expected")?)?;
    Ok((var, collection))
}

fn find_attr(attrs: &mut Vec<(String, Option<Expression>)>, name: &str) -> Option<Expression> {
    let i = attrs.iter().position(|(k, _)| k == name)?;
    attrs.remove(i).1
}

impl ParseBlock for ForBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        mut tokens: TagBlock,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (var, collection) = loop_head(&mut arguments)?;
        let (mut attrs, reversed) = attributes(&mut arguments)?;
        let mut body = Vec::new();
        let mut else_body = None;
        while let Some(element) = tokens.next()? {
            match element {
                BlockElement::Tag(mut tag) if tag.name() == "else" => {
                    tag.tokens().expect_nothing()?;
                    else_body = Some(Template::new(tokens.parse_all(options)?));
                    break;
                }
                BlockElement::Tag(tag) => body.push(tag.parse(&mut tokens, options)?),
                element => body.push(element.parse(&mut tokens, options)?),
            }
        }
        tokens.assert_empty();
        Ok(Box::new(For {
            var,
            collection,
            limit: find_attr(&mut attrs, "limit"),
            offset: find_attr(&mut attrs, "offset"),
            reversed,
            body: Template::new(body),
            else_body,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

fn slice<T>(mut items: Vec<T>, offset: i64, limit: Option<i64>) -> Vec<T> {
    let start = (offset.max(0) as usize).min(items.len());
    items.drain(..start);
    if let Some(limit) = limit {
        items.truncate(limit.max(0) as usize);
    }
    items
}

impl Renderable for For {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let offset = self.offset.as_ref().map_or(0, |e| int_of(e, runtime));
        let limit = self.limit.as_ref().map(|e| int_of(e, runtime));
        let evaluated = self.collection.evaluate(runtime);
        let mut items = slice(evaluated.views(), offset, limit);
        if self.reversed {
            items.reverse();
        }
        if items.is_empty() {
            if let Some(e) = &self.else_body {
                e.render_to(writer, runtime)?;
            }
            return Ok(());
        }
        let parent = runtime
            .try_get(&[Scalar::new("forloop")])
            .map(|v| v.into_owned());
        let len = items.len();
        for (i, item) in items.into_iter().enumerate() {
            let mut fl = forloop(i, len);
            if let (Value::Object(o), Some(p)) = (&mut fl, &parent) {
                o.insert("parentloop".into(), p.clone());
            }
            let mut vars: HashMap<KStringRef<'_>, &dyn ValueView> = HashMap::with_capacity(2);
            vars.insert(KStringRef::from_static("forloop"), &fl);
            vars.insert(self.var.as_ref(), item);
            let scope = Scope::new(runtime, &vars);
            self.body.render_to(writer, &scope)?;
            let interrupt = runtime.registers().get_mut::<InterruptRegister>().reset();
            if interrupt == Some(Interrupt::Break) {
                break;
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
pub struct TableRowBlock;

impl BlockReflection for TableRowBlock {
    fn start_tag(&self) -> &str {
        "tablerow"
    }
    fn end_tag(&self) -> &str {
        "endtablerow"
    }
    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
struct TableRow {
    var: KString,
    collection: Collection,
    cols: Option<Expression>,
    limit: Option<Expression>,
    offset: Option<Expression>,
    body: Template,
}

impl ParseBlock for TableRowBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        mut tokens: TagBlock,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (var, collection) = loop_head(&mut arguments)?;
        let (mut attrs, _) = attributes(&mut arguments)?;
        let body = Template::new(tokens.parse_all(options)?);
        tokens.assert_empty();
        Ok(Box::new(TableRow {
            var,
            collection,
            cols: find_attr(&mut attrs, "cols"),
            limit: find_attr(&mut attrs, "limit"),
            offset: find_attr(&mut attrs, "offset"),
            body,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

impl Renderable for TableRow {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let offset = self.offset.as_ref().map_or(0, |e| int_of(e, runtime));
        let limit = self.limit.as_ref().map(|e| int_of(e, runtime));
        let evaluated = self.collection.evaluate(runtime);
        let items = slice(evaluated.views(), offset, limit);
        let len = items.len();
        let cols = self
            .cols
            .as_ref()
            .map(|e| int_of(e, runtime))
            .filter(|c| *c > 0)
            .map_or(len.max(1), |c| c as usize);
        let mut out = String::from("<tr class=\"row1\">\n");
        for (i, item) in items.into_iter().enumerate() {
            let col0 = i % cols;
            let row = i / cols + 1;
            let mut fl = match forloop(i, len) {
                Value::Object(o) => o,
                _ => Object::new(),
            };
            fl.insert("col".into(), Value::scalar((col0 + 1) as i64));
            fl.insert("col0".into(), Value::scalar(col0 as i64));
            fl.insert("row".into(), Value::scalar(row as i64));
            fl.insert("col_first".into(), Value::scalar(col0 == 0));
            let col_last = col0 + 1 == cols || i + 1 == len;
            fl.insert("col_last".into(), Value::scalar(col_last));
            let fl = Value::Object(fl);
            let mut vars: HashMap<KStringRef<'_>, &dyn ValueView> = HashMap::with_capacity(2);
            vars.insert(KStringRef::from_static("tablerowloop"), &fl);
            vars.insert(self.var.as_ref(), item);
            let scope = Scope::new(runtime, &vars);
            out.push_str(&format!("<td class=\"col{}\">", col0 + 1));
            out.push_str(&self.body.render(&scope)?);
            out.push_str("</td>");
            if col0 + 1 == cols && i + 1 != len {
                out.push_str(&format!("</tr>\n<tr class=\"row{}\">", row + 1));
            }
        }
        out.push_str("</tr>\n");
        writer.write_all(out.as_bytes()).replace("Failed to render")
    }
}

/// `case`/`when` as Ruby runs it: every matching `when` value renders its
/// body (`when 'a', 'a'` twice, two matching `when`s both), `else` only
/// when nothing matched.
#[derive(Clone, Copy)]
pub struct CaseBlock;

impl BlockReflection for CaseBlock {
    fn start_tag(&self) -> &str {
        "case"
    }
    fn end_tag(&self) -> &str {
        "endcase"
    }
    fn description(&self) -> &str {
        ""
    }
}

#[derive(Debug)]
struct Case {
    target: Expression,
    whens: Vec<(Vec<Expression>, Template)>,
    else_body: Option<Template>,
}

fn when_values(arguments: &mut TagTokenIter<'_>) -> Result<Vec<Expression>> {
    let mut values = vec![
        arguments
            .expect_next("Value expected")?
            .expect_value()
            .into_result()?,
    ];
    while let Some(token) = arguments.next() {
        if let TryMatchToken::Fails(token) = token.expect_str("or") {
            token
                .expect_str(",")
                .into_result_custom_msg("\"or\" or \",\" expected.")?;
        }
        values.push(
            arguments
                .expect_next("Value expected")?
                .expect_value()
                .into_result()?,
        );
    }
    Ok(values)
}

impl ParseBlock for CaseBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter,
        mut tokens: TagBlock,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let target = arguments
            .expect_next("Value expected.")?
            .expect_value()
            .into_result()?;
        arguments.expect_nothing()?;
        let mut whens = Vec::new();
        let mut current: Option<Vec<Expression>> = None;
        let mut body = Vec::new();
        let mut else_body = None;
        while let Some(element) = tokens.next()? {
            match element {
                BlockElement::Tag(mut tag) if tag.name() == "when" => {
                    if let Some(values) = current.take() {
                        whens.push((values, Template::new(std::mem::take(&mut body))));
                    }
                    // Text before the first `when` is never rendered.
                    body.clear();
                    current = Some(when_values(tag.tokens())?);
                }
                BlockElement::Tag(mut tag) if tag.name() == "else" => {
                    tag.tokens().expect_nothing()?;
                    else_body = Some(Template::new(tokens.parse_all(options)?));
                    break;
                }
                BlockElement::Tag(tag) => body.push(tag.parse(&mut tokens, options)?),
                element => body.push(element.parse(&mut tokens, options)?),
            }
        }
        if let Some(values) = current {
            whens.push((values, Template::new(body)));
        }
        tokens.assert_empty();
        Ok(Box::new(Case {
            target,
            whens,
            else_body,
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

impl Renderable for Case {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let target = self.target.evaluate(runtime)?.to_value();
        let mut matched = false;
        for (values, body) in &self.whens {
            for v in values {
                let v = v.evaluate(runtime)?;
                if v == liquid_core::model::ValueViewCmp::new(&target) {
                    matched = true;
                    body.render_to(writer, runtime)?;
                }
            }
        }
        if !matched && let Some(e) = &self.else_body {
            e.render_to(writer, runtime)?;
        }
        Ok(())
    }
}
