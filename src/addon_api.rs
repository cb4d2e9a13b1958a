//! The call to the addon's own API (SPEC 4.2, assumed wire), in one place:
//! `api_path` rendered as Liquid (`project_id`, `subscription_id`,
//! `locale`, `page`, `params`, each value one percent-encoded path
//! segment), the request (GET: the page's parameters as the query; POST:
//! `{"project", "params", "locale", "page"}`), the answer (a JSON object),
//! root's hash merged under the page's, and offline the fixtures
//! `preview/api/<page>.json` and `preview/api/<page>/<k>=<v>.json` (the
//! most specific match wins). What was sent is kept for the variables
//! panel.

use crate::engine::{self, Engine, RenderInput, SnippetResolver, TemplateError, Yield};
use crate::project::{Project, ROOT_PAGE, Template};
use crate::render::{
    Api, ErrorLocation, RenderError, RenderOptions, check_json_object, check_locale,
};
use goakit_engine::Value as LValue;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long goakit waits for the addon's own API.
pub const API_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of a failing API answer an error quotes.
const BODY_EXCERPT: usize = 200;
/// Where offline answers live.
pub const FIXTURES: &str = "preview/api";

/// One request made (or one fixture read) for a page's `api`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sent {
    /// The page whose `api_path` it was (root or the page).
    pub page: String,
    /// `GET`/`POST`, or `offline`.
    pub method: String,
    /// The URL called, or the fixture file read (`null`: none, an empty hash).
    pub url: Option<String>,
    /// The POST body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The `api` hash and how it was obtained.
#[derive(Debug, Clone)]
pub struct Answer {
    pub api: Api,
    pub sent: Vec<Sent>,
}

/// A value as one path segment of `api_path` (SPEC 4.2): every byte but
/// RFC 3986's unreserved characters percent-encoded, so no value can add a
/// segment, a query or a fragment. A value that is only dots would still
/// climb (`%2E%2E` is `..` to URL parsers) and is refused.
pub fn path_segment(value: &str) -> Result<String, String> {
    if !value.is_empty() && value.chars().all(|c| c == '.') {
        return Err(format!("{value:?} cannot be a path segment"));
    }
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// The `api` hash for `page`: root's hash (if root has an api_path) with
/// the page's merged over it. Calls the addon API, or reads the fixtures
/// with `offline` or when no addon_api is set.
pub async fn api_vars(
    project: &Project,
    page: &str,
    opts: &RenderOptions,
) -> Result<Answer, RenderError> {
    check_locale(project, &opts.locale)?;
    let mut merged = Api::default();
    let mut sent = Vec::new();
    let mut names = vec![ROOT_PAGE];
    if page != ROOT_PAGE {
        names.push(page);
    }
    for name in names {
        let Some(t) = project.page(name) else {
            continue;
        };
        // A broken settings file would silently drop the api_path.
        if let Some(f) = &t.settings {
            check_json_object(f)?;
        }
        let Some(path) = t.api_path() else {
            continue;
        };
        let hash = match (&project.config.preview.addon_api, opts.offline) {
            (Some(base), false) => fetch_api(project, t, path, base, page, opts, &mut sent).await?,
            _ => offline_api(project, name, &opts.params, &mut sent)?,
        };
        merge_page_over_root(&mut merged, hash);
    }
    Ok(Answer { api: merged, sent })
}

/// Page keys win over root keys (a shallow merge, as SPEC 4.2 describes).
/// A hash alone is taken as it is (shared, not copied).
fn merge_page_over_root(base: &mut Api, over: Api) {
    if base.is_empty() {
        *base = over;
        return;
    }
    let base = Arc::make_mut(base);
    for (k, v) in over.iter() {
        base.insert(k.clone(), v.clone());
    }
}

/// Parameters as `a=1&b=2`, keys sorted, each key and value
/// percent-encoded like a path segment: a GET's query string, and the
/// fixture name for those parameters.
pub fn encoded_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", query_component(k), query_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One key or value of a query: as a path segment, and a value of dots
/// (which a path refuses) with its dots encoded, so no two values share a
/// name.
fn query_component(v: &str) -> String {
    path_segment(v).unwrap_or_else(|_| "%2E".repeat(v.len()))
}

/// Stands for a parameter that cannot be a path segment while api_path
/// renders: an error only if the path uses it.
const UNSAFE_PARAM: &str = "\u{1}goakit:unsafe-param\u{1}";

/// `a=1&b=2` → its pairs, decoded; `None` when it is not such a list.
fn fixture_pairs(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

/// `%XX` decoded; `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The fixture for `page` with these parameters: among
/// `preview/api/<page>/<pairs>.json`, the one with the most pairs that the
/// parameters all include (ties: the first by name), else
/// `preview/api/<page>.json`.
pub fn fixture_for<'a>(
    project: &'a Project,
    page: &str,
    params: &BTreeMap<String, String>,
) -> Option<(&'a str, &'a crate::project::DataFile)> {
    let prefix = format!("{page}/");
    let best = project
        .preview_api
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, f)| {
            let pairs = fixture_pairs(&k[prefix.len()..])?;
            pairs
                .iter()
                .all(|(pk, pv)| params.get(pk) == Some(pv))
                .then_some((pairs.len(), k.as_str(), &**f))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
    match best {
        Some((_, k, f)) => Some((k, f)),
        None => project
            .preview_api
            .get_key_value(page)
            .map(|(k, f)| (k.as_str(), &**f)),
    }
}

fn offline_api(
    project: &Project,
    name: &str,
    params: &BTreeMap<String, String>,
    sent: &mut Vec<Sent>,
) -> Result<Api, RenderError> {
    let found = fixture_for(project, name, params);
    sent.push(Sent {
        page: name.to_string(),
        method: "offline".into(),
        url: found.map(|(_, f)| f.path.clone()),
        body: None,
    });
    match found {
        Some((_, f)) => {
            check_json_object(f)?;
            match &f.value {
                Some(LValue::Hash(h)) => Ok(h.clone()),
                _ => Ok(Api::default()),
            }
        }
        // No data file: the page sees an empty api hash.
        None => Ok(Api::default()),
    }
}

/// Renders the api_path as Liquid with project_id, subscription_id,
/// locale, page and params, every value one encoded path segment.
fn expand_api_path(
    project: &Project,
    template: &Template,
    path: &str,
    page: &str,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let proj = project.preview_project_value();
    let file = template.kind.settings_path(&template.name);
    let segment = |v: Option<&Value>| -> Result<Value, RenderError> {
        let text = match v {
            None | Some(Value::Null) => return Ok(Value::Null),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        path_segment(&text).map(Value::String).map_err(|why| {
            RenderError::Json(
                ErrorLocation {
                    file: file.clone(),
                    line: 1,
                    column: 1,
                    source_line: String::new(),
                },
                format!("api_path: {why}"),
            )
        })
    };
    // A parameter that cannot be a segment fails the page only when the
    // path uses it (a `?q=..` the path never reads is harmless).
    let mut params = serde_json::Map::new();
    let mut unsafe_params = Vec::new();
    for (k, v) in &opts.params {
        let seg = match path_segment(v) {
            Ok(s) => Value::String(s),
            Err(_) => {
                unsafe_params.push(k.clone());
                Value::String(format!("{UNSAFE_PARAM}{k}{UNSAFE_PARAM}"))
            }
        };
        params.insert(k.clone(), seg);
    }
    let vars = json!({
        "project_id": segment(proj.get("_id"))?,
        "subscription_id": segment(proj.get("subscription_id"))?,
        "locale": segment(Some(&Value::String(opts.locale.clone())))?,
        "page": segment(Some(&Value::String(page.to_string())))?,
        "params": Value::Object(params),
    });
    let engine = Engine::new();
    let compiled = engine.compile(&format!("{file} (api_path)"), path)?;
    let globals = engine::hash_of(vars.as_object().expect("object literal"));
    struct NoSnippets;
    impl SnippetResolver for NoSnippets {
        fn snippet(&self, _: &str) -> Option<Result<engine::Snippet, TemplateError>> {
            None
        }
    }
    let out = engine::render(
        &compiled,
        &RenderInput {
            globals: &globals,
            locale: LValue::from(goakit_engine::Hash::new()),
            snippets: &NoSnippets,
            yield_to: Yield::Nothing,
            budget: project.config.render.budget(),
        },
    )?;
    if let Some(e) = out.errors.into_iter().next() {
        return Err(RenderError::Template(e));
    }
    if out.html.contains(UNSAFE_PARAM) {
        let used = unsafe_params
            .iter()
            .find(|k| {
                out.html
                    .contains(&format!("{UNSAFE_PARAM}{k}{UNSAFE_PARAM}"))
            })
            .cloned()
            .unwrap_or_default();
        return Err(RenderError::Json(
            ErrorLocation {
                file,
                line: 1,
                column: 1,
                source_line: String::new(),
            },
            format!(
                "api_path: params.{used} = {:?} cannot be a path segment",
                opts.params.get(&used).cloned().unwrap_or_default()
            ),
        ));
    }
    Ok(out.html.trim().to_string())
}

fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// A GET carries the page's parameters as its query string, after any
/// query the api_path has.
fn with_query(url: &str, params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encoded_query(params))
}

fn excerpt(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(BODY_EXCERPT) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}

/// The POST body: the project, the page's parameters, the locale and the
/// page requested.
pub fn post_body(project: &Project, page: &str, opts: &RenderOptions) -> Value {
    json!({
        "project": Value::Object(project.preview_project_value()),
        "params": opts.params,
        "locale": opts.locale,
        "page": page,
    })
}

async fn fetch_api(
    project: &Project,
    template: &Template,
    path: &str,
    base: &str,
    page: &str,
    opts: &RenderOptions,
    sent: &mut Vec<Sent>,
) -> Result<Api, RenderError> {
    let path = expand_api_path(project, template, path, page, opts)?;
    let method = template.api_method();
    let url = match method.as_str() {
        "GET" => with_query(&join_url(base, &path), &opts.params),
        _ => join_url(base, &path),
    };
    let fail = |status: Option<u16>, message: String, body: &str| RenderError::Api {
        page: template.name.clone(),
        url: url.clone(),
        status,
        message,
        body_start: excerpt(body),
    };
    let client = reqwest::Client::builder()
        .timeout(API_TIMEOUT)
        .build()
        .map_err(|e| fail(None, format!("cannot create HTTP client: {e}"), ""))?;
    let (mut req, body) = match method.as_str() {
        "POST" => {
            let body = post_body(project, page, opts);
            (client.post(&url).json(&body), Some(body))
        }
        "GET" => (client.get(&url), None),
        other => {
            return Err(fail(
                None,
                format!("api_method must be GET or POST, not {other:?}"),
                "",
            ));
        }
    };
    sent.push(Sent {
        page: template.name.clone(),
        method: method.clone(),
        url: Some(url.clone()),
        body,
    });
    req = req.header(reqwest::header::ACCEPT, "application/json");
    if let Ok(token) = std::env::var("GOAKIT_WEBHOOK_TOKEN")
        && !token.is_empty()
    {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(token.as_bytes());
        req = req.header(reqwest::header::AUTHORIZATION, format!("Basic {encoded}"));
    }
    let resp = req.send().await.map_err(|e| {
        let message = if e.is_timeout() {
            format!("no answer within {} s", API_TIMEOUT.as_secs())
        } else if e.is_connect() {
            "connection refused or host unreachable".to_string()
        } else {
            format!("request failed: {}", e.without_url())
        };
        fail(None, message, "")
    })?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| {
        let message = if e.is_timeout() {
            format!("answer not complete within {} s", API_TIMEOUT.as_secs())
        } else {
            format!("reading the answer failed: {}", e.without_url())
        };
        fail(Some(status.as_u16()), message, "")
    })?;
    if !status.is_success() {
        return Err(fail(
            Some(status.as_u16()),
            format!("answered {status}"),
            &body,
        ));
    }
    match goakit_engine::json::from_str(&body) {
        Ok(LValue::Hash(map)) => Ok(map),
        Ok(other) => Err(fail(
            Some(status.as_u16()),
            format!(
                "answer is JSON but not an object (it is {})",
                json_kind(&other)
            ),
            &body,
        )),
        Err(e) => Err(fail(
            Some(status.as_u16()),
            format!("answer is not JSON: {e}"),
            &body,
        )),
    }
}

fn json_kind(v: &LValue) -> &'static str {
    match v {
        LValue::Nil => "null",
        LValue::Bool(_) => "a boolean",
        LValue::Int(_) | LValue::BigInt(_) | LValue::Float(_) => "a number",
        LValue::Str(_) => "a string",
        LValue::Array(_) => "an array",
        _ => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_and_excerpt() {
        assert_eq!(join_url("http://h:1/", "/goa/x"), "http://h:1/goa/x");
        assert_eq!(join_url("http://h:1", "goa/x"), "http://h:1/goa/x");
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), BODY_EXCERPT + 1);
    }

    #[test]
    fn get_query_follows_any_query_of_the_path() {
        let p: BTreeMap<String, String> = [
            ("id".to_string(), "10 41".to_string()),
            ("a".into(), "&".into()),
        ]
        .into();
        assert_eq!(with_query("http://h/x", &p), "http://h/x?a=%26&id=10%2041");
        assert_eq!(
            with_query("http://h/x?v=1", &p),
            "http://h/x?v=1&a=%26&id=10%2041"
        );
        assert_eq!(with_query("http://h/x", &BTreeMap::new()), "http://h/x");
    }

    #[test]
    fn fixture_names_round_trip() {
        let p: BTreeMap<String, String> = [
            ("id".to_string(), "1041".to_string()),
            ("tab".into(), "a b".into()),
        ]
        .into();
        assert_eq!(encoded_query(&p), "id=1041&tab=a%20b");
        assert_eq!(
            fixture_pairs("id=1041&tab=a%20b").unwrap(),
            [
                ("id".to_string(), "1041".to_string()),
                ("tab".into(), "a b".into())
            ]
        );
        assert_eq!(fixture_pairs("nonsense"), None);
    }
}
