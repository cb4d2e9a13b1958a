//! `goakit push` and `goakit pull` (SPEC 9): safe sync with the Goaddon API.
//! Nothing is deleted unless asked, remote state is backed up before it
//! changes, every item's result is reported truthfully, and a rerun
//! converges.

pub mod apply;
pub mod backup;
pub mod client;
pub mod diff;
pub mod plan;
pub mod pull;
pub mod push;
pub mod report;
pub mod sync;
pub mod wire;

use crate::project::{Kind, Project};
use client::{ApiError, Client, Token};
use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where the token comes from, for messages (never the token itself).
pub const TOKEN_ENV: &str = "GOAKIT_TOKEN";

/// The token from `--token-file` or GOAKIT_TOKEN.
pub fn load_token(token_file: Option<&Path>) -> Result<Token, String> {
    let token = match token_file {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read --token-file {}: {e}", p.display()))?;
            Token::new(&text)
        }
        None => Token::new(&std::env::var(TOKEN_ENV).unwrap_or_default()),
    };
    if token.is_empty() {
        return Err(format!(
            "no API token: set {TOKEN_ENV} or pass --token-file (it is never read from goakit.toml)"
        ));
    }
    Ok(token)
}

/// Project, client and addon id, or the exit code of a usage error.
pub fn connect(dir: &Path, token_file: Option<&PathBuf>) -> Result<(Project, Client, String), u8> {
    let project = crate::commands::load_project(dir)?;
    let Some(id) = project
        .config
        .addon
        .id
        .clone()
        .filter(|s| !s.trim().is_empty())
    else {
        crate::say_err!(
            "error: goakit.toml has no [addon] id: push and pull need to know which addon"
        );
        return Err(2);
    };
    let token = load_token(token_file.map(PathBuf::as_path)).map_err(|e| {
        crate::say_err!("error: {e}");
        2u8
    })?;
    let client = Client::new(&project.config.addon.api, token).map_err(|e| {
        crate::say_err!("error: {e}");
        2u8
    })?;
    Ok((project, client, id))
}

/// The API root as plans name it: `https://host/api/v1`.
pub fn target(client: &Client) -> String {
    format!(
        "{}{}",
        client.base(),
        wire::API_PREFIX.trim_end_matches('/')
    )
}

/// Retries are announced on standard error, and the whole command gives
/// up after `timeout`.
pub fn watch_retries(client: &mut Client, timeout: std::time::Duration) {
    client.deadline = Some((tokio::time::Instant::now() + timeout, timeout));
    client.on_retry = Some(std::sync::Arc::new(|line: &str| {
        crate::say_err!("{line}");
    }));
}

/// The sync record of the default environment for this addon, if any; a
/// record that cannot be used is a warning, and the sync acts as a first.
pub fn load_record(root: &Path, client: &Client, addon: &str) -> Option<sync::Record> {
    match sync::load(root, sync::DEFAULT_ENV, client.base(), addon) {
        Ok(r) => r,
        Err(e) => {
            crate::say_err!("warning: {e}; acting as on a first sync");
            None
        }
    }
}

/// Every NAME given must name an item, locally or on the remote.
pub fn check_selection(selection: &plan::Selection, plan: &plan::Plan) -> Result<(), u8> {
    let mut unknown = Vec::new();
    for n in selection.names() {
        let one = plan::Selection::new(std::slice::from_ref(n));
        if !plan.items.iter().any(|p| one.wants(p.kind, &p.name)) {
            unknown.push(n.as_str());
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    for n in unknown {
        crate::say_err!(
            "error: no page, snippet or shortcut named {n:?}, locally or on the remote"
        );
    }
    Err(2)
}

/// The remote state of one kind: its items as the server holds them.
pub async fn fetch(client: &Client, kind: Kind) -> Result<Vec<Value>, ApiError> {
    match client
        .request(Method::GET, &wire::list_path(kind), None)
        .await?
    {
        Value::Array(items) => Ok(items),
        // Some APIs wrap lists: {"pages": [...]}.
        Value::Object(mut o) => match o.remove(wire::collection(kind)) {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(ApiError::BadAnswer(format!(
                "expected a JSON array of {}",
                wire::collection(kind)
            ))),
        },
        Value::Null => Ok(Vec::new()),
        _ => Err(ApiError::BadAnswer(format!(
            "expected a JSON array of {}",
            wire::collection(kind)
        ))),
    }
}

/// The whole remote state on a runtime of its own, or the exit code after
/// saying why it could not be read.
pub fn fetch_all_blocking(client: &Client) -> Result<Vec<(Kind, Vec<Value>)>, u8> {
    runtime().block_on(fetch_all(client)).map_err(|(kind, e)| {
        crate::say_err!("error: cannot read remote {}: {e}", wire::collection(kind));
        1
    })
}

/// The whole remote state, every kind.
pub async fn fetch_all(client: &Client) -> Result<Vec<(Kind, Vec<Value>)>, (Kind, ApiError)> {
    let (p, s, c) = tokio::join!(
        fetch(client, Kind::Page),
        fetch(client, Kind::Snippet),
        fetch(client, Kind::Shortcut)
    );
    Ok(vec![
        (Kind::Page, p.map_err(|e| (Kind::Page, e))?),
        (Kind::Snippet, s.map_err(|e| (Kind::Snippet, e))?),
        (Kind::Shortcut, c.map_err(|e| (Kind::Shortcut, e))?),
    ])
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}
