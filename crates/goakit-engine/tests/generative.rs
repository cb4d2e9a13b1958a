//! Generative differential test: random templates (every tag, every standard
//! filter, every operator, lookups, ranges, literals, whitespace control, a
//! little lax junk) with random JSON assigns, rendered by Ruby Liquid 5.4
//! (one `tests/ruby/batch.rb` process per batch) and by `render_like_ruby`.
//!
//! Divergences are shrunk (greedy delta debugging over tags, outputs and
//! filters, asking Ruby for each round's candidates in one batch), printed,
//! and grouped into classes by the first differing top-level construct.
//! Ratchet: agreement must stay ≥ `tests/generative_floor.txt`, and goakit
//! must never panic nor take more than 2 s on a case.
//!
//! Env: GOAKIT_GEN_CASES (default 2000), GOAKIT_GEN_SEED (default fixed),
//! GOAKIT_GEN_SHRINK (divergences to shrink, default 5),
//! GOAKIT_GEN_CLASSIFY (divergences to classify, default 400).
//! Run: `cargo test -p goakit-engine --test generative`.

mod support;

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use support::{Outcome, Rng};

// ---------------------------------------------------------------- template tree

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    /// `{{ expr | filters }}`; open/close carry the whitespace control.
    Out {
        open: &'static str,
        expr: String,
        filters: Vec<(String, String)>,
        junk: String,
        close: &'static str,
    },
    /// A tag without a body, or one whose body is not shrunk (raw, comment,
    /// liquid), written out whole.
    Tag {
        name: &'static str,
        text: String,
    },
    /// A block tag: open tag, body, `(section tag, nodes)`s, close tag.
    Block {
        name: &'static str,
        open: String,
        body: Vec<Node>,
        sections: Vec<(String, Vec<Node>)>,
        close: String,
    },
}

fn render_nodes(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Out {
                open,
                expr,
                filters,
                junk,
                close,
            } => {
                out.push_str(open);
                out.push(' ');
                out.push_str(expr);
                for (_, f) in filters {
                    out.push_str(f);
                }
                out.push_str(junk);
                out.push(' ');
                out.push_str(close);
            }
            Node::Tag { text, .. } => out.push_str(text),
            Node::Block {
                open,
                body,
                sections,
                close,
                ..
            } => {
                out.push_str(open);
                render_nodes(body, out);
                for (tag, ns) in sections {
                    out.push_str(tag);
                    render_nodes(ns, out);
                }
                out.push_str(close);
            }
        }
    }
}

fn source(nodes: &[Node]) -> String {
    let mut s = String::new();
    render_nodes(nodes, &mut s);
    s
}

fn construct(n: &Node) -> String {
    match n {
        Node::Text(_) => "text".into(),
        Node::Out { .. } => "output".into(),
        Node::Tag { name, .. } | Node::Block { name, .. } => format!("tag:{name}"),
    }
}

/// Every template one shrinking step away from `list`.
fn variants(list: &[Node]) -> Vec<Vec<Node>> {
    let mut out = Vec::new();
    for i in 0..list.len() {
        let with = |n: Vec<Node>| {
            let mut v = list[..i].to_vec();
            v.extend(n);
            v.extend_from_slice(&list[i + 1..]);
            v
        };
        out.push(with(vec![]));
        match &list[i] {
            Node::Block {
                name,
                open,
                body,
                sections,
                close,
            } => {
                out.push(with(body.clone()));
                for (j, (_, ns)) in sections.iter().enumerate() {
                    out.push(with(ns.clone()));
                    let mut s2 = sections.clone();
                    s2.remove(j);
                    out.push(with(vec![Node::Block {
                        name,
                        open: open.clone(),
                        body: body.clone(),
                        sections: s2,
                        close: close.clone(),
                    }]));
                }
                for b in variants(body) {
                    out.push(with(vec![Node::Block {
                        name,
                        open: open.clone(),
                        body: b,
                        sections: sections.clone(),
                        close: close.clone(),
                    }]));
                }
                for (j, (tag, ns)) in sections.iter().enumerate() {
                    for b in variants(ns) {
                        let mut s2 = sections.clone();
                        s2[j] = (tag.clone(), b);
                        out.push(with(vec![Node::Block {
                            name,
                            open: open.clone(),
                            body: body.clone(),
                            sections: s2,
                            close: close.clone(),
                        }]));
                    }
                }
            }
            Node::Out {
                open,
                expr,
                filters,
                junk,
                close,
            } => {
                for j in 0..filters.len() {
                    let mut f2 = filters.clone();
                    f2.remove(j);
                    out.push(with(vec![Node::Out {
                        open,
                        expr: expr.clone(),
                        filters: f2,
                        junk: junk.clone(),
                        close,
                    }]));
                }
                if !junk.is_empty() {
                    out.push(with(vec![Node::Out {
                        open,
                        expr: expr.clone(),
                        filters: filters.clone(),
                        junk: String::new(),
                        close,
                    }]));
                }
            }
            Node::Text(t) if t.len() > 1 => out.push(with(vec![Node::Text("x".into())])),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------- generator

const VARS: &[&str] = &[
    "a", "b", "s", "n", "f", "items", "user", "h", "big", "z", "t",
];
const LOCALS: &[&str] = &["x", "y", "item", "a", "s", "i"];
const KEYS: &[&str] = &["k", "name", "id", "price", "tags", "first", "size", "title"];
const STRINGS: &[&str] = &[
    "",
    "a",
    "abc",
    "Hello World",
    "a,b,c",
    " pad ",
    "<b>x</b>",
    "1",
    "2.5",
    "é✓",
    "x y z",
    "a-b",
    "%20",
    "YQ==",
    "Yf9i",
    "w6k=",
    "10",
    "true",
    "k",
];
const TEXTS: &[&str] = &[
    "a", " ", "\n", "  x  ", "-", ",", "<p>", "\t", "}}", "%}", "\n  \n", "é",
];
const OPS: &[&str] = &[
    "==", "!=", "<>", "<", ">", "<=", ">=", "contains", "==", "contains",
];

/// (name, min args, max args)
const FILTERS: &[(&str, usize, usize)] = &[
    ("size", 0, 0),
    ("downcase", 0, 0),
    ("upcase", 0, 0),
    ("capitalize", 0, 0),
    ("escape", 0, 0),
    ("h", 0, 0),
    ("escape_once", 0, 0),
    ("url_encode", 0, 0),
    ("url_decode", 0, 0),
    ("base64_encode", 0, 0),
    ("base64_decode", 0, 0),
    ("base64_url_safe_encode", 0, 0),
    ("base64_url_safe_decode", 0, 0),
    ("slice", 1, 2),
    ("truncate", 1, 2),
    ("truncatewords", 1, 2),
    ("split", 1, 1),
    ("strip", 0, 0),
    ("lstrip", 0, 0),
    ("rstrip", 0, 0),
    ("strip_html", 0, 0),
    ("strip_newlines", 0, 0),
    ("join", 0, 1),
    ("sort", 0, 1),
    ("sort_natural", 0, 1),
    ("where", 1, 2),
    ("uniq", 0, 1),
    ("reverse", 0, 0),
    ("map", 1, 1),
    ("compact", 0, 1),
    ("replace", 2, 2),
    ("replace_first", 2, 2),
    ("replace_last", 2, 2),
    ("remove", 1, 1),
    ("remove_first", 1, 1),
    ("remove_last", 1, 1),
    ("append", 1, 1),
    ("concat", 1, 1),
    ("prepend", 1, 1),
    ("newline_to_br", 0, 0),
    ("date", 1, 1),
    ("first", 0, 0),
    ("last", 0, 0),
    ("abs", 0, 0),
    ("plus", 1, 1),
    ("minus", 1, 1),
    ("times", 1, 1),
    ("divided_by", 1, 1),
    ("modulo", 1, 1),
    ("round", 0, 1),
    ("ceil", 0, 0),
    ("floor", 0, 0),
    ("at_least", 1, 1),
    ("at_most", 1, 1),
    ("default", 0, 1),
];

struct Gen {
    r: Rng,
}

impl Gen {
    fn string_lit(&mut self) -> String {
        let s = self.r.pick(STRINGS);
        if self.r.chance(50) {
            format!("'{s}'")
        } else {
            format!("\"{s}\"")
        }
    }

    fn literal(&mut self) -> String {
        match self.r.below(14) {
            0..=3 => self.string_lit(),
            4..=6 => format!("{}", self.r.range(0, 13) as i64 - 3),
            7 => self
                .r
                .pick(&[
                    "123456789012345678901234567890",
                    "-98765432109876543210",
                    "9223372036854775807",
                    "-9223372036854775808",
                ])
                .to_string(),
            8 => self
                .r
                .pick(&[
                    "1.5",
                    "-0.0",
                    "2.0",
                    "0.1",
                    "-2.5",
                    "1000000000000000.0",
                    "3.14159",
                ])
                .to_string(),
            9 => "nil".into(),
            10 => self.r.pick(&["true", "false"]).to_string(),
            11 => self.r.pick(&["empty", "blank"]).to_string(),
            _ => self.range(),
        }
    }

    fn range(&mut self) -> String {
        let bound = |g: &mut Gen| match g.r.below(8) {
            0..=4 => format!("{}", g.r.range(0, 5) as i64 - 1),
            5 => format!("{}.size", g.r.pick(VARS)),
            6 => g.r.pick(&["nil", "1.5", "'2'", "-1.5"]).to_string(),
            _ => format!("{}", g.r.range(1, 3)),
        };
        let (lo, hi) = (bound(self), bound(self));
        format!("({lo}..{hi})")
    }

    fn lookup(&mut self) -> String {
        let mut s = if self.r.chance(20) {
            self.r.pick(LOCALS).to_string()
        } else {
            self.r.pick(VARS).to_string()
        };
        for _ in 0..self.r.below(3) {
            match self.r.below(10) {
                0..=2 => {
                    s.push('.');
                    s.push_str(self.r.pick(KEYS));
                }
                3 => s.push_str(".size"),
                4 => s.push_str(self.r.pick(&[".first", ".last"])),
                5 => s.push_str(self.r.pick(&["[0]", "[1]", "[-1]"])),
                6 => s.push_str(&format!("['{}']", self.r.pick(KEYS))),
                7 => s.push_str(&format!("[\"{}\"]", self.r.pick(KEYS))),
                8 => s.push_str(&format!("[{}]", self.r.pick(LOCALS))),
                _ => s.push_str(".k"),
            }
        }
        s
    }

    fn expr(&mut self) -> String {
        match self.r.below(20) {
            0..=9 => self.lookup(),
            10..=18 => self.literal(),
            _ => self
                .r
                .pick(&["-", "@x", "1.5.size", "-.5", "a-b", "a.", "[k]", "'q\\'x'"])
                .to_string(),
        }
    }

    fn filter(&mut self) -> (String, String) {
        let &(name, lo, hi) = self.r.pick_any(FILTERS);
        let n = if self.r.chance(95) {
            self.r.range(lo, hi)
        } else {
            self.r.below(4)
        };
        let args: Vec<String> = (0..n).map(|_| self.expr()).collect();
        let mut text = if self.r.chance(85) {
            format!(" | {name}")
        } else {
            format!("|{name}")
        };
        if !args.is_empty() {
            let sep = if self.r.chance(95) { ": " } else { " " };
            text.push_str(sep);
            text.push_str(&args.join(", "));
        }
        if name == "default" && self.r.chance(30) {
            text.push_str(if args.is_empty() { ": " } else { ", " });
            text.push_str("allow_false: true");
        }
        (name.to_string(), text)
    }

    fn filters(&mut self, max: usize) -> Vec<(String, String)> {
        let n = if self.r.chance(35) {
            0
        } else {
            self.r.range(1, max)
        };
        (0..n).map(|_| self.filter()).collect()
    }

    fn junk(&mut self) -> String {
        if self.r.chance(4) {
            self.r
                .pick(&[" junk", " !!", " ,", " | ", " @"])
                .to_string()
        } else {
            String::new()
        }
    }

    fn cond(&mut self) -> String {
        let mut s = self.comparison();
        for _ in 0..self.r.below(3) {
            s.push_str(self.r.pick(&[" and ", " or "]));
            s.push_str(&self.comparison());
        }
        s.push_str(&self.junk());
        s
    }

    fn comparison(&mut self) -> String {
        let l = self.expr();
        if self.r.chance(30) {
            l
        } else {
            let op = self.r.pick(OPS);
            format!("{l} {op} {}", self.expr())
        }
    }

    fn tag(&mut self, markup: &str) -> String {
        let open = if self.r.chance(12) { "{%-" } else { "{%" };
        let close = if self.r.chance(12) { "-%}" } else { "%}" };
        let sp = if self.r.chance(8) {
            self.r.pick(&["\t", "\n", "  "])
        } else {
            " "
        };
        format!("{open}{sp}{markup}{sp}{close}")
    }

    fn text(&mut self) -> Node {
        Node::Text(self.r.pick(TEXTS).to_string())
    }

    fn out(&mut self) -> Node {
        let open = if self.r.chance(12) { "{{-" } else { "{{" };
        let close = if self.r.chance(12) { "-}}" } else { "}}" };
        let expr = self.expr();
        let filters = self.filters(3);
        let junk = self.junk();
        Node::Out {
            open,
            expr,
            filters,
            junk,
            close,
        }
    }

    fn block(
        &mut self,
        name: &'static str,
        open: String,
        body: Vec<Node>,
        sections: Vec<(String, Vec<Node>)>,
    ) -> Node {
        let close = self.tag(&format!("end{name}"));
        Node::Block {
            name,
            open,
            body,
            sections,
            close,
        }
    }

    fn partial_args(&mut self, name: &str) -> String {
        let mut s = format!("'{name}'");
        match self.r.below(5) {
            0 => s.push_str(&format!(" with {}", self.expr())),
            1 => s.push_str(&format!(" for {}", self.expr())),
            _ => {}
        }
        if self.r.chance(25) {
            s.push_str(&format!(" as {}", self.r.pick(LOCALS)));
        }
        for _ in 0..self.r.below(3) {
            s.push_str(&format!(", {}: {}", self.r.pick(LOCALS), self.expr()));
        }
        s.push_str(&self.junk());
        s
    }

    fn liquid_lines(&mut self) -> String {
        let mut lines = Vec::new();
        for _ in 0..self.r.range(1, 4) {
            match self.r.below(8) {
                0 => lines.push(format!("assign {} = {}", self.r.pick(LOCALS), self.expr())),
                1 | 2 => {
                    let f: String = self.filters(2).into_iter().map(|(_, t)| t).collect();
                    lines.push(format!("echo {}{f}", self.expr()));
                }
                3 => {
                    lines.push(format!("if {}", self.cond()));
                    lines.push(format!("echo {}", self.expr()));
                    lines.push("endif".into());
                }
                4 => {
                    lines.push(format!("for {} in {}", self.r.pick(LOCALS), self.range()));
                    lines.push(format!("echo {}", self.r.pick(LOCALS)));
                    lines.push("endfor".into());
                }
                5 => lines.push(format!("increment {}", self.r.pick(LOCALS))),
                6 => lines.push("# a comment".into()),
                _ => {
                    lines.push(format!("case {}", self.expr()));
                    lines.push(format!("when {}", self.literal()));
                    lines.push("echo 'w'".into());
                    lines.push("endcase".into());
                }
            }
        }
        format!("liquid\n{}\n", lines.join("\n"))
    }

    fn node(&mut self, depth: usize, in_loop: bool, partials: bool) -> Node {
        let leaf = depth >= 2;
        let k = self.r.below(if leaf { 40 } else { 100 });
        match k {
            0..=9 => self.text(),
            10..=24 => self.out(),
            25..=27 => {
                let f: String = self.filters(3).into_iter().map(|(_, t)| t).collect();
                let m = format!("assign {} = {}{f}", self.r.pick(LOCALS), self.expr());
                Node::Tag {
                    name: "assign",
                    text: self.tag(&m),
                }
            }
            28..=29 => {
                let name = self.r.pick(&["increment", "decrement"]);
                let m = format!("{name} {}", self.r.pick(LOCALS));
                Node::Tag {
                    name,
                    text: self.tag(&m),
                }
            }
            30..=31 => {
                let vals: Vec<String> = (0..self.r.range(1, 3)).map(|_| self.expr()).collect();
                let group = if self.r.chance(30) {
                    format!("{}: ", self.expr())
                } else {
                    String::new()
                };
                let m = format!("cycle {group}{}", vals.join(", "));
                Node::Tag {
                    name: "cycle",
                    text: self.tag(&m),
                }
            }
            32..=33 => {
                let f: String = self.filters(3).into_iter().map(|(_, t)| t).collect();
                let m = format!("echo {}{f}", self.expr());
                Node::Tag {
                    name: "echo",
                    text: self.tag(&m),
                }
            }
            34 => Node::Tag {
                name: "#",
                text: self.tag("# note {{ x }}"),
            },
            35..=37 if in_loop => {
                let name = self.r.pick(&["break", "continue"]);
                Node::Tag {
                    name,
                    text: self.tag(name),
                }
            }
            35 => {
                let name = self.r.pick(&["break", "continue"]);
                Node::Tag {
                    name,
                    text: self.tag(name),
                }
            }
            36..=39 if partials => {
                let tagname = self.r.pick(&["include", "render"]);
                let snip = self.r.pick(&["snip", "card", "snip", "nope"]);
                let m = if tagname == "include" && self.r.chance(15) {
                    format!("include {}", self.lookup())
                } else {
                    format!("{tagname} {}", self.partial_args(snip))
                };
                Node::Tag {
                    name: tagname,
                    text: self.tag(&m),
                }
            }
            36..=39 => self.out(),
            // blocks from here on (never at leaf depth)
            40..=49 => {
                let name = self.r.pick(&["if", "if", "unless"]);
                let m = format!("{name} {}", self.cond());
                let open = self.tag(&m);
                let body = self.nodes(depth + 1, in_loop, partials);
                let mut sections = Vec::new();
                for _ in 0..self.r.below(2) {
                    let m = format!("elsif {}", self.cond());
                    let t = self.tag(&m);
                    sections.push((t, self.nodes(depth + 1, in_loop, partials)));
                }
                if self.r.chance(40) {
                    let t = self.tag("else");
                    sections.push((t, self.nodes(depth + 1, in_loop, partials)));
                }
                self.block(name, open, body, sections)
            }
            50..=61 => {
                let var = self.r.pick(LOCALS);
                let coll = match self.r.below(3) {
                    0 => self.range(),
                    _ => self.lookup(),
                };
                let mut m = format!("for {var} in {coll}");
                if self.r.chance(25) {
                    m.push_str(&format!(
                        " limit: {}",
                        self.r.pick(&["0", "1", "2", "nil", "'1'", "n"])
                    ));
                }
                if self.r.chance(20) {
                    m.push_str(&format!(
                        " offset: {}",
                        self.r.pick(&["1", "2", "continue", "nil", "-1"])
                    ));
                }
                if self.r.chance(20) {
                    m.push_str(" reversed");
                }
                m.push_str(&self.junk());
                let open = self.tag(&m);
                let body = self.nodes(depth + 1, true, partials);
                let mut sections = Vec::new();
                if self.r.chance(30) {
                    let t = self.tag("else");
                    sections.push((t, self.nodes(depth + 1, in_loop, partials)));
                }
                self.block("for", open, body, sections)
            }
            62..=67 => {
                let m = format!("case {}", self.expr());
                let open = self.tag(&m);
                let body = if self.r.chance(20) {
                    vec![self.text()]
                } else {
                    vec![]
                };
                let mut sections = Vec::new();
                for _ in 0..self.r.range(1, 3) {
                    let mut w = self.expr();
                    if self.r.chance(25) {
                        w.push_str(&format!("{}{}", self.r.pick(&[", ", " or "]), self.expr()));
                    }
                    let t = self.tag(&format!("when {w}"));
                    sections.push((t, self.nodes(depth + 1, in_loop, partials)));
                }
                if self.r.chance(40) {
                    let t = self.tag("else");
                    sections.push((t, self.nodes(depth + 1, in_loop, partials)));
                }
                self.block("case", open, body, sections)
            }
            68..=71 => {
                let m = format!("capture {}", self.r.pick(LOCALS));
                let open = self.tag(&m);
                let body = self.nodes(depth + 1, in_loop, partials);
                self.block("capture", open, body, vec![])
            }
            72..=74 => {
                let var = self.r.pick(LOCALS);
                let coll = match self.r.below(3) {
                    0 => self.range(),
                    _ => self.lookup(),
                };
                let mut m = format!("tablerow {var} in {coll}");
                if self.r.chance(40) {
                    m.push_str(&format!(
                        " cols: {}",
                        self.r.pick(&["1", "2", "3", "nil", "'2'", "0"])
                    ));
                }
                if self.r.chance(20) {
                    m.push_str(&format!(" limit: {}", self.r.pick(&["1", "2", "nil"])));
                }
                if self.r.chance(20) {
                    m.push_str(&format!(" offset: {}", self.r.pick(&["1", "nil"])));
                }
                let open = self.tag(&m);
                let body = self.nodes(depth + 1, true, partials);
                self.block("tablerow", open, body, vec![])
            }
            75..=76 => {
                let open = self.tag("ifchanged");
                let body = self.nodes(depth + 1, in_loop, partials);
                self.block("ifchanged", open, body, vec![])
            }
            77..=79 => {
                let m = self.liquid_lines();
                Node::Tag {
                    name: "liquid",
                    text: self.tag(&m),
                }
            }
            80..=81 => {
                let inner = self
                    .r
                    .pick(&["{{ x }}", "{% if %}", " a ", "{%- x -%}", "", "{{"])
                    .to_string();
                let text = format!("{}{inner}{}", self.tag("raw"), self.tag("endraw"));
                Node::Tag { name: "raw", text }
            }
            82..=83 => {
                let inner = self.r.pick(&["x", "{% foo %}", "{{ y }}", ""]).to_string();
                let text = format!("{}{inner}{}", self.tag("comment"), self.tag("endcomment"));
                Node::Tag {
                    name: "comment",
                    text,
                }
            }
            _ => self.out(),
        }
    }

    fn nodes(&mut self, depth: usize, in_loop: bool, partials: bool) -> Vec<Node> {
        let n = if depth == 0 {
            self.r.range(1, 5)
        } else {
            self.r.range(0, 2)
        };
        (0..n)
            .map(|_| self.node(depth, in_loop, partials))
            .collect()
    }

    fn value(&mut self, depth: usize) -> Value {
        let k = self.r.below(if depth >= 2 { 9 } else { 12 });
        match k {
            0 | 1 => Value::String(self.r.pick(STRINGS).to_string()),
            2 => Value::from(self.r.range(0, 20) as i64 - 5),
            3 => serde_json::from_str(self.r.pick(&[
                "123456789012345678901234567890",
                "-18446744073709551617",
                "9223372036854775808",
            ]))
            .unwrap(),
            4 => serde_json::from_str(self.r.pick(&[
                "1.5", "-0.0", "2.0", "0.1", "1e15", "1e16", "1.0e-5", "123.456",
            ]))
            .unwrap(),
            5 => Value::Null,
            6 => Value::Bool(self.r.chance(50)),
            7 | 8 => Value::String(self.r.pick(STRINGS).to_string()),
            9 | 10 => {
                let n = self.r.below(5);
                Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
            }
            _ => self.hash(depth + 1),
        }
    }

    fn hash(&mut self, depth: usize) -> Value {
        let mut m = Map::new();
        for _ in 0..self.r.range(1, 4) {
            let k = self.r.pick(KEYS).to_string();
            let v = self.value(depth);
            m.insert(k, v);
        }
        Value::Object(m)
    }

    fn assigns(&mut self) -> Value {
        let mut m = Map::new();
        for &v in VARS {
            if self.r.chance(70) {
                let val = match v {
                    "n" => Value::from(self.r.range(0, 4) as i64),
                    "s" => Value::String(self.r.pick(STRINGS).to_string()),
                    "items" => {
                        let n = self.r.below(4);
                        Value::Array((0..n).map(|_| self.hash(1)).collect())
                    }
                    "user" | "h" => self.hash(1),
                    "big" => serde_json::from_str("123456789012345678901234567890").unwrap(),
                    _ => self.value(0),
                };
                m.insert(v.to_string(), val);
            }
        }
        Value::Object(m)
    }
}

// ---------------------------------------------------------------- cases

#[derive(Clone)]
struct GenCase {
    name: String,
    nodes: Vec<Node>,
    assigns: Value,
    snippets: BTreeMap<String, String>,
}

impl GenCase {
    fn template(&self) -> String {
        source(&self.nodes)
    }
    fn to_case(&self) -> support::Case {
        support::Case {
            name: self.name.clone(),
            template: self.template(),
            assigns: self.assigns.clone(),
            snippets: self.snippets.clone(),
            expected: None,
        }
    }
}

fn generate(seed: u64, count: usize) -> Vec<GenCase> {
    let mut g = Gen { r: Rng(seed) };
    (0..count)
        .map(|i| {
            let mut snippets = BTreeMap::new();
            for name in ["snip", "card"] {
                let body = g.nodes(2, false, false);
                snippets.insert(name.to_string(), source(&body));
            }
            let nodes = g.nodes(0, false, true);
            GenCase {
                name: format!("gen{i}"),
                nodes,
                assigns: g.assigns(),
                snippets,
            }
        })
        .collect()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Renders many (template, assigns, snippets) with Ruby (one process) and
/// goakit; returns (ruby, goakit) per index.
fn both(cases: &[support::Case]) -> Result<Vec<(Outcome, Outcome)>, String> {
    let ruby = support::ruby_cases(cases)?;
    Ok(cases
        .iter()
        .map(|c| {
            let r = ruby
                .get(&c.name)
                .cloned()
                .unwrap_or(Outcome::Raised("missing from batch.rb output".into()));
            (r, support::goakit_case(c))
        })
        .collect())
}

fn diverges(r: &Outcome, g: &Outcome, need_crash: bool) -> bool {
    if need_crash {
        g.is_crash()
    } else {
        !r.matches(g)
    }
}

/// Greedy delta debugging: each round asks Ruby for every one-step variant
/// (of the tree and of the assigns' top-level keys) and keeps the smallest
/// that still diverges.
fn shrink(case: &GenCase, crash: bool) -> Result<(GenCase, Outcome, Outcome, usize), String> {
    let mut cur = case.clone();
    let mut last = both(&[cur.to_case()])?.remove(0);
    let mut rounds = 0;
    for _ in 0..60 {
        rounds += 1;
        let mut cands: Vec<GenCase> = variants(&cur.nodes)
            .into_iter()
            .map(|nodes| GenCase {
                nodes,
                ..cur.clone()
            })
            .collect();
        if let Some(m) = cur.assigns.as_object() {
            for k in m.keys() {
                let mut m2 = m.clone();
                m2.shift_remove(k);
                cands.push(GenCase {
                    assigns: Value::Object(m2),
                    ..cur.clone()
                });
            }
        }
        let mut seen = BTreeSet::new();
        cands.retain(|c| seen.insert((c.template(), c.assigns.to_string())));
        cands.sort_by_key(|c| (c.template().len(), c.assigns.to_string().len()));
        cands.truncate(300);
        for (i, c) in cands.iter_mut().enumerate() {
            c.name = format!("shrink{i}");
        }
        let cs: Vec<support::Case> = cands.iter().map(GenCase::to_case).collect();
        let res = both(&cs)?;
        match res
            .into_iter()
            .enumerate()
            .find(|(_, (r, g))| diverges(r, g, crash))
        {
            Some((i, rg)) => {
                let name = cur.name.clone();
                cur = cands[i].clone();
                cur.name = name;
                last = rg;
            }
            None => break,
        }
    }
    Ok((cur, last.0, last.1, rounds))
}

/// Classes of divergence: for each divergent case, the first top-level
/// construct (or filter of an output) after which Ruby and goakit differ.
fn classify(
    cases: &[(GenCase, Outcome, Outcome)],
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut probes = Vec::new();
    let mut meta = Vec::new(); // (case index, class if this probe is the first to diverge)
    for (ci, (c, _, _)) in cases.iter().enumerate() {
        for i in 0..c.nodes.len() {
            if let Node::Out {
                open,
                expr,
                filters,
                junk,
                close,
            } = &c.nodes[i]
            {
                for j in 0..=filters.len() {
                    let mut ns = c.nodes[..i].to_vec();
                    ns.push(Node::Out {
                        open,
                        expr: expr.clone(),
                        filters: filters[..j].to_vec(),
                        junk: if j == filters.len() {
                            junk.clone()
                        } else {
                            String::new()
                        },
                        close,
                    });
                    let class = if j == 0 {
                        "output".to_string()
                    } else {
                        format!("filter:{}", filters[j - 1].0)
                    };
                    probes.push(GenCase {
                        name: format!("{}#{i}.{j}", c.name),
                        nodes: ns,
                        ..c.clone()
                    });
                    meta.push((ci, class));
                }
            } else {
                probes.push(GenCase {
                    name: format!("{}#{i}", c.name),
                    nodes: c.nodes[..=i].to_vec(),
                    ..c.clone()
                });
                meta.push((ci, construct(&c.nodes[i])));
            }
        }
    }
    let cs: Vec<support::Case> = probes.iter().map(GenCase::to_case).collect();
    let res = both(&cs)?;
    let mut first: BTreeMap<usize, String> = BTreeMap::new();
    for ((ci, class), (r, g)) in meta.into_iter().zip(res) {
        if !first.contains_key(&ci) && !r.matches(&g) {
            let kind = format!("{}/{}", kind(&r), kind(&g));
            first.insert(ci, format!("{class} ({kind})"));
        }
    }
    let mut classes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (ci, (c, r, g)) in cases.iter().enumerate() {
        let class = first
            .get(&ci)
            .cloned()
            .unwrap_or_else(|| format!("whole template ({}/{})", kind(r), kind(g)));
        classes.entry(class).or_default().push(c.name.clone());
    }
    Ok(classes)
}

fn kind(o: &Outcome) -> &'static str {
    match o {
        Outcome::Output(s) if s.contains("Liquid error") => "inline-error",
        Outcome::Output(_) => "output",
        Outcome::Error(_) => "parse-error",
        Outcome::Raised(_) => "raised",
        Outcome::Panic(_) => "panic",
        Outcome::Timeout => "timeout",
    }
}

fn report(c: &GenCase, r: &Outcome, g: &Outcome) {
    println!("  template: {}", support::show(&c.template()));
    println!("  assigns:  {}", c.assigns);
    let t = c.template();
    for (k, v) in &c.snippets {
        if t.contains(k.as_str()) {
            println!("  snippet {k}: {}", support::show(v));
        }
    }
    println!("  ruby:     {}", r.short());
    println!("  goakit:   {}", g.short());
}

fn run() -> Result<(), String> {
    support::ruby_check()?;
    support::quiet_render_panics();
    let count = env_usize("GOAKIT_GEN_CASES", 2000);
    let seed = std::env::var("GOAKIT_GEN_SEED")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0x05EE_D0F1_A11D);
    let shrink_n = env_usize("GOAKIT_GEN_SHRINK", 5);
    let classify_n = env_usize("GOAKIT_GEN_CLASSIFY", 400);
    let floor_path = support::tests_dir().join("generative_floor.txt");
    let floor: f64 = std::fs::read_to_string(&floor_path)
        .map_err(|e| format!("{}: {e}", floor_path.display()))?
        .trim()
        .parse()
        .map_err(|e| format!("{}: {e}", floor_path.display()))?;

    let cases = generate(seed, count);
    let started = std::time::Instant::now();
    let cs: Vec<support::Case> = cases.iter().map(GenCase::to_case).collect();
    if let Ok(path) = std::env::var("GOAKIT_GEN_DUMP") {
        let v: Vec<Value> = cs.iter().map(support::Case::to_ruby_json).collect();
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap())
            .map_err(|e| format!("{path}: {e}"))?;
        println!("wrote the generated cases to {path}");
    }
    let res = both(&cs)?;
    let mut diverging = Vec::new();
    let mut crashes = Vec::new();
    let mut agreed = 0usize;
    let mut ruby_slow = Vec::new();
    for (c, (r, g)) in cases.iter().zip(res) {
        if matches!(&r, Outcome::Raised(m) if m.starts_with("Timeout")) {
            // Ruby itself gave up on the case: it says nothing about goakit.
            ruby_slow.push(c.name.clone());
            continue;
        }
        if g.is_crash() {
            crashes.push((c.clone(), r.clone(), g.clone()));
        }
        if r.matches(&g) {
            agreed += 1;
        } else {
            diverging.push((c.clone(), r, g));
        }
    }
    let judged = count - ruby_slow.len();
    let rate = agreed as f64 / judged.max(1) as f64;
    println!(
        "generative: seed {seed}, {count} cases ({} left out: Ruby timed out{}), {agreed} of {judged} agree with Ruby Liquid 5.4 ({:.2}%), {} diverge, {} crash (panic/timeout); rendered in {:.1}s",
        ruby_slow.len(),
        if ruby_slow.is_empty() {
            String::new()
        } else {
            format!(" on {}", ruby_slow.join(", "))
        },
        rate * 100.0,
        diverging.len(),
        crashes.len(),
        started.elapsed().as_secs_f64()
    );

    // Shrink the crashes first, then the first divergences.
    let mut to_shrink: Vec<(GenCase, bool)> = crashes
        .iter()
        .take(shrink_n)
        .map(|(c, _, _)| (c.clone(), true))
        .collect();
    for (c, _, _) in &diverging {
        if to_shrink.len() >= shrink_n {
            break;
        }
        if !to_shrink.iter().any(|(s, _)| s.name == c.name) {
            to_shrink.push((c.clone(), false));
        }
    }
    for (c, crash) in &to_shrink {
        let (s, r, g, rounds) = shrink(c, *crash)?;
        println!(
            "\n{} {} shrunk in {rounds} rounds ({} → {} bytes):",
            if *crash { "CRASH" } else { "divergence" },
            c.name,
            c.template().len(),
            s.template().len()
        );
        report(&s, &r, &g);
    }

    if !diverging.is_empty() {
        let sample: Vec<_> = diverging.iter().take(classify_n).cloned().collect();
        let classes = classify(&sample)?;
        let mut by_size: Vec<_> = classes.into_iter().collect();
        by_size.sort_by_key(|(k, v)| (std::cmp::Reverse(v.len()), k.clone()));
        println!(
            "\ndivergence classes (first differing construct, ruby/goakit kind) over {} divergences:",
            sample.len()
        );
        for (class, names) in by_size {
            let ex: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
            println!("  {:5}  {class}  e.g. {}", names.len(), ex.join(", "));
        }
    }

    let mut problems = Vec::new();
    if !crashes.is_empty() {
        let names: Vec<String> = crashes
            .iter()
            .take(10)
            .map(|(c, _, g)| format!("{} ({})", c.name, g.short()))
            .collect();
        problems.push(format!(
            "goakit panicked or ran past {:?} on {} cases: {}",
            support::GOAKIT_TIMEOUT,
            crashes.len(),
            names.join("; ")
        ));
    }
    if rate + 1e-12 < floor {
        problems.push(format!(
            "agreement {:.4} fell below the floor {floor} in {}",
            rate,
            floor_path.display()
        ));
    } else if rate > floor + 0.01 {
        println!(
            "\nagreement {rate:.4} is above the floor {floor}: raise {} to ratchet",
            floor_path.display()
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![libtest_mimic::Trial::test(
        "generative_agreement_with_ruby",
        || run().map_err(Into::into),
    )];
    libtest_mimic::run(&args, trials).exit();
}
