//! A fake Goaddon API for tests: a real axum server on 127.0.0.1:0 with its
//! state in memory, a request log and fault injection.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this status (and Retry-After seconds) instead.
    Status(u16, Option<u64>),
    /// Apply the request, then break the connection before answering.
    DropAfterApply,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: String,
}

#[derive(Default)]
pub struct Inner {
    pub items: BTreeMap<String, Vec<Value>>,
    pub log: Vec<Logged>,
    /// Faults by "METHOD kind[/name]"; each entry is used once.
    pub faults: BTreeMap<String, VecDeque<Fault>>,
    pub next_id: u64,
    pub token: String,
    pub latency: Duration,
}

#[derive(Clone)]
pub struct Fake {
    pub addr: SocketAddr,
    pub inner: Arc<Mutex<Inner>>,
    _rt: Arc<tokio::runtime::Runtime>,
}

impl Fake {
    pub fn start(token: &str) -> Fake {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let inner = Arc::new(Mutex::new(Inner {
            token: token.to_string(),
            next_id: 1,
            ..Default::default()
        }));
        for k in ["pages", "snippets", "shortcuts"] {
            inner.lock().unwrap().items.insert(k.into(), Vec::new());
        }
        let app = Router::new()
            .route("/api/v1/{kind}", get(list).post(create).put(replace))
            .route(
                "/api/v1/{kind}/{id}",
                get(one).patch(update).delete(destroy),
            )
            .with_state(inner.clone());
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fake {
            addr,
            inner,
            _rt: Arc::new(rt),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn fault(&self, key: &str, f: Fault) {
        self.inner
            .lock()
            .unwrap()
            .faults
            .entry(key.into())
            .or_default()
            .push_back(f);
    }

    pub fn log(&self) -> Vec<Logged> {
        self.inner.lock().unwrap().log.clone()
    }

    pub fn clear_log(&self) {
        self.inner.lock().unwrap().log.clear();
    }

    /// Requests that change state (anything but GET).
    pub fn writes(&self) -> Vec<Logged> {
        self.log()
            .into_iter()
            .filter(|l| l.method != "GET")
            .collect()
    }

    pub fn items(&self, kind: &str) -> Vec<Value> {
        self.inner.lock().unwrap().items[kind].clone()
    }

    pub fn names(&self, kind: &str) -> Vec<String> {
        let mut n: Vec<String> = self
            .items(kind)
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    }

    /// Someone else's edit on the server: sets `field` of the item `name`.
    pub fn edit(&self, kind: &str, name: &str, field: &str, value: Value) {
        let mut inner = self.inner.lock().unwrap();
        let item = inner
            .items
            .get_mut(kind)
            .unwrap()
            .iter_mut()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"));
        item[field] = value;
    }

    pub fn insert(&self, kind: &str, mut item: Value) {
        let mut inner = self.inner.lock().unwrap();
        let id = format!("{:024x}", inner.next_id);
        inner.next_id += 1;
        item["_id"] = json!(id);
        inner.items.get_mut(kind).unwrap().push(item);
    }
}

type S = State<Arc<Mutex<Inner>>>;

/// Logs, checks auth, applies latency and faults. Err = answer now.
async fn gate(
    s: &Arc<Mutex<Inner>>,
    method: Method,
    path: String,
    headers: &HeaderMap,
    body: &str,
    fault_key: String,
) -> Result<Option<Fault>, Response> {
    let latency = {
        let mut inner = s.lock().unwrap();
        inner.log.push(Logged {
            method: method.to_string(),
            path,
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: body.to_string(),
        });
        inner.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut inner = s.lock().unwrap();
    use base64::Engine as _;
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(inner.token.as_bytes())
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(want.as_str()) {
        return Err((StatusCode::UNAUTHORIZED, "Unauthorized").into_response());
    }
    let fault = inner
        .faults
        .get_mut(&fault_key)
        .and_then(VecDeque::pop_front)
        .or_else(|| {
            let general = fault_key.split('/').next().unwrap_or("").to_string();
            inner.faults.get_mut(&general).and_then(VecDeque::pop_front)
        });
    match fault {
        Some(Fault::Status(code, retry_after)) => {
            let mut r = (
                StatusCode::from_u16(code).unwrap(),
                axum::Json(json!({"message": format!("injected {code}")})),
            )
                .into_response();
            if let Some(s) = retry_after {
                r.headers_mut()
                    .insert("retry-after", s.to_string().parse().unwrap());
            }
            Err(r)
        }
        other => Ok(other),
    }
}

/// A response whose body fails: the client sees the connection break.
fn broken() -> Response {
    let stream = futures_util::stream::iter(vec![Err::<axum::body::Bytes, std::io::Error>(
        std::io::Error::other("connection dropped"),
    )]);
    Response::builder()
        .status(200)
        .header("content-length", "100")
        .body(Body::from_stream(stream))
        .unwrap()
}

async fn list(State(s): S, Path(kind): Path<String>, headers: HeaderMap) -> Response {
    let fault = match gate(
        &s,
        Method::GET,
        format!("/api/v1/{kind}"),
        &headers,
        "",
        format!("GET {kind}"),
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    if fault == Some(Fault::DropAfterApply) {
        return broken();
    }
    let inner = s.lock().unwrap();
    match inner.items.get(&kind) {
        Some(items) => axum::Json(Value::Array(items.clone())).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn one(
    State(s): S,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = gate(
        &s,
        Method::GET,
        format!("/api/v1/{kind}/{id}"),
        &headers,
        "",
        format!("GET {kind}"),
    )
    .await
    {
        return r;
    }
    let inner = s.lock().unwrap();
    match inner
        .items
        .get(&kind)
        .and_then(|v| v.iter().find(|i| i["_id"] == id.as_str()))
    {
        Some(i) => axum::Json(i.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn create(
    State(s): S,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let name = v["name"].as_str().unwrap_or("").to_string();
    let fault = match gate(
        &s,
        Method::POST,
        format!("/api/v1/{kind}"),
        &headers,
        &body,
        format!("POST {kind}/{name}"),
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    if name.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"message": "name is required"})),
        )
            .into_response();
    }
    let mut inner = s.lock().unwrap();
    if inner.items[&kind]
        .iter()
        .any(|i| i["name"] == name.as_str())
    {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"message": "name is already taken"})),
        )
            .into_response();
    }
    let id = format!("{:024x}", inner.next_id);
    inner.next_id += 1;
    let mut item = v;
    item["_id"] = json!(id);
    inner.items.get_mut(&kind).unwrap().push(item.clone());
    if fault == Some(Fault::DropAfterApply) {
        return broken();
    }
    (StatusCode::CREATED, axum::Json(item)).into_response()
}

async fn update(
    State(s): S,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let name = v["name"].as_str().unwrap_or("").to_string();
    let fault = match gate(
        &s,
        Method::PATCH,
        format!("/api/v1/{kind}/{id}"),
        &headers,
        &body,
        format!("PATCH {kind}/{name}"),
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut inner = s.lock().unwrap();
    let Some(item) = inner
        .items
        .get_mut(&kind)
        .and_then(|v| v.iter_mut().find(|i| i["_id"] == id.as_str()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    for (k, val) in v.as_object().unwrap() {
        item[k] = val.clone();
    }
    let item = item.clone();
    if fault == Some(Fault::DropAfterApply) {
        return broken();
    }
    axum::Json(item).into_response()
}

async fn destroy(
    State(s): S,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let fault = match gate(
        &s,
        Method::DELETE,
        format!("/api/v1/{kind}/{id}"),
        &headers,
        "",
        format!("DELETE {kind}"),
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut inner = s.lock().unwrap();
    let items = inner.items.get_mut(&kind).unwrap();
    let before = items.len();
    items.retain(|i| i["_id"] != id.as_str());
    if items.len() == before {
        return StatusCode::NOT_FOUND.into_response();
    }
    if fault == Some(Fault::DropAfterApply) {
        return broken();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn replace(
    State(s): S,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Err(r) = gate(
        &s,
        Method::PUT,
        format!("/api/v1/{kind}"),
        &headers,
        &body,
        format!("PUT {kind}"),
    )
    .await
    {
        return r;
    }
    if kind == "shortcuts" {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "expected an array").into_response();
    };
    let mut inner = s.lock().unwrap();
    let mut items = Vec::new();
    for mut v in list {
        let id = format!("{:024x}", inner.next_id);
        inner.next_id += 1;
        v["_id"] = json!(id);
        items.push(v);
    }
    inner.items.insert(kind, items.clone());
    axum::Json(Value::Array(items)).into_response()
}
