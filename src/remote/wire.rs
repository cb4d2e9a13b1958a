//! Everything about the Goaddon API wire for pages, snippets and shortcuts
//! (SPEC 9, assumed): paths, methods, field names and body shapes. If
//! Goaddon differs, this is the one place to change.

use crate::project::{JsonFile, Kind, Project, Template};
use serde_json::{Map, Value};

/// The API prefix under `[addon].api`.
pub const API_PREFIX: &str = "/api/v1/";

/// The collection name of a kind in URLs.
pub fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Page => "pages",
        Kind::Snippet => "snippets",
        Kind::Shortcut => "shortcuts",
    }
}

/// `GET` (list) and `POST` (create) path; `PUT` (replace all) where supported.
pub fn list_path(kind: Kind) -> String {
    format!("{API_PREFIX}{}", collection(kind))
}

/// `GET`/`PATCH`/`DELETE` path of one item.
pub fn item_path(kind: Kind, id: &str) -> String {
    format!("{API_PREFIX}{}/{}", collection(kind), id)
}

/// Shortcuts have no "replace all" endpoint.
pub fn has_replace_all(kind: Kind) -> bool {
    kind != Kind::Shortcut
}

pub const ID: &str = "_id";
pub const NAME: &str = "name";
pub const HTML: &str = "html";
pub const LOCALE: &str = "locale";

/// Fields that come from `settings/<kind>/<name>.json`.
pub fn settings_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Page => &["menu_title", "api_path", "api_method"],
        Kind::Snippet => &[],
        Kind::Shortcut => &[
            "headline",
            "subheadline",
            "description",
            "webhooks",
            "scripts",
            "stylesheets",
        ],
    }
}

/// An item's content as compared and sent: name, html, locale and its
/// settings fields. Absent, null and empty-object fields are left out, so
/// "no locale file" equals `"locale": {}` on the server.
pub type Content = Map<String, Value>;

fn keep(v: &Value) -> bool {
    !(v.is_null() || v.as_object().is_some_and(Map::is_empty))
}

/// The content of a local template.
pub fn local_content(t: &Template) -> Content {
    let mut c = Content::new();
    c.insert(NAME.into(), Value::String(t.name.clone()));
    c.insert(HTML.into(), Value::String(t.source.text.clone()));
    if let Some(locale) = t.locale.as_ref().and_then(JsonFile::object) {
        let v = Value::Object(locale.clone());
        if keep(&v) {
            c.insert(LOCALE.into(), v);
        }
    }
    if let Some(settings) = t.settings.as_ref().and_then(JsonFile::object) {
        for f in settings_fields(t.kind) {
            if let Some(v) = settings.get(*f).filter(|v| keep(v)) {
                c.insert((*f).into(), v.clone());
            }
        }
    }
    c
}

/// The comparable content of a remote item (unknown fields ignored).
pub fn remote_content(kind: Kind, item: &Value) -> Content {
    let mut c = Content::new();
    let Some(o) = item.as_object() else { return c };
    for f in [NAME, HTML, LOCALE].iter().chain(settings_fields(kind)) {
        if let Some(v) = o.get(*f).filter(|v| keep(v)) {
            c.insert((*f).into(), v.clone());
        }
    }
    c
}

pub fn remote_name(item: &Value) -> Option<&str> {
    item.get(NAME).and_then(Value::as_str)
}

pub fn remote_id(item: &Value) -> Option<String> {
    match item.get(ID)? {
        Value::String(s) => Some(s.clone()),
        // BSON ids sometimes arrive as {"$oid": "..."}.
        Value::Object(o) => o.get("$oid").and_then(Value::as_str).map(str::to_string),
        other => Some(other.to_string()),
    }
}

/// The body of a create or update: a plain JSON object of the content.
pub fn body(content: &Content) -> Value {
    Value::Object(content.clone())
}

/// The body of an update: the local content, and a field the remote has
/// that the local item no longer has sent empty (`{}` for the locale,
/// `null` for a setting), so that a PATCH clears it rather than keeps it.
pub fn update_body(local: &Content, remote: Option<&Content>) -> Value {
    let mut c = local.clone();
    for key in remote.into_iter().flat_map(|r| r.keys()) {
        if !c.contains_key(key) {
            let empty = if key == LOCALE {
                Value::Object(Map::new())
            } else {
                Value::Null
            };
            c.insert(key.clone(), empty);
        }
    }
    Value::Object(c)
}

/// One file of an item's layout, as `pull` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePart {
    /// The template: compared and written byte for byte.
    Html,
    /// The locale hash: compared as data.
    Locale,
    /// The settings fields: compared as data, only the wire's fields.
    Settings,
}

/// The files of a remote item: (part, relative path, text). The locale and
/// settings files come as `None` when the server holds nothing for them
/// (an empty hash), so pull can tell a local file that says otherwise.
pub fn files_for(kind: Kind, item: &Value) -> Vec<(FilePart, String, Option<String>)> {
    let Some(name) = remote_name(item) else {
        return Vec::new();
    };
    let c = remote_content(kind, item);
    let html = c
        .get(HTML)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let settings: Map<String, Value> = settings_fields(kind)
        .iter()
        .filter_map(|f| c.get(*f).map(|v| ((*f).to_string(), v.clone())))
        .collect();
    let mut files = vec![
        (FilePart::Html, kind.template_path(name), Some(html)),
        (
            FilePart::Locale,
            kind.locale_path(name),
            c.get(LOCALE).map(pretty),
        ),
    ];
    if !settings_fields(kind).is_empty() {
        files.push((
            FilePart::Settings,
            kind.settings_path(name),
            (!settings.is_empty()).then(|| pretty(&Value::Object(settings))),
        ));
    }
    files
}

/// What a locale or settings file says, as push would send it: `None` when
/// it is not a JSON object (a local file pull must not silently replace).
pub fn json_part(kind: Kind, part: FilePart, text: &str) -> Option<Content> {
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    Some(match part {
        FilePart::Html => Content::new(),
        FilePart::Locale => o,
        FilePart::Settings => settings_fields(kind)
            .iter()
            .filter_map(|f| {
                o.get(*f)
                    .filter(|v| keep(v))
                    .map(|v| ((*f).to_string(), v.clone()))
            })
            .collect(),
    })
}

/// JSON as goakit writes it: two-space indent, trailing newline.
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

/// Every local item of `kind`.
pub fn local_items(project: &Project, kind: Kind) -> Vec<Content> {
    project
        .templates(kind)
        .values()
        .map(|t| local_content(t))
        .collect()
}
