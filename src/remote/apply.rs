//! Applying a push plan: the requests, with bounded concurrency, and what
//! each one's answer means (applied, failed, or unknown when the request
//! may have reached the server but its answer was lost).

use super::client::{ApiError, Client};
use super::plan::Plan;
use super::sync::Write;
use super::wire;
use crate::project::{Kind, Project};
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;

/// Requests in flight at once while applying.
pub const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Create,
    Update,
    Delete,
    Replace,
}

impl Op {
    pub fn label(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Replace => "replace",
        }
    }

    /// The word for a done action: "created", "updated", ...
    pub fn done(self) -> &'static str {
        match self {
            Op::Create => "created",
            Op::Update => "updated",
            Op::Delete => "deleted",
            Op::Replace => "replaced",
        }
    }
}

impl From<Write> for Op {
    fn from(w: Write) -> Op {
        match w {
            Write::Create => Op::Create,
            Write::Update => Op::Update,
            Write::Delete => Op::Delete,
        }
    }
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct Action {
    pub kind: Kind,
    pub name: String,
    pub op: Op,
    pub id: Option<String>,
    pub body: Value,
    /// For a replace-all: the items it sends (created or updated) and the
    /// remote items it removes.
    pub covers: Vec<String>,
    pub removes: Vec<String>,
}

/// The requests for a plan: one per written item, or one replace-all per
/// kind in `plan.replace` that has anything to write.
pub fn actions(project: &Project, plan: &Plan, force: bool) -> Vec<Action> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let writes: Vec<_> = plan
            .of(kind)
            .filter_map(|p| p.write(force).map(|w| (p, w)))
            .collect();
        if writes.is_empty() {
            continue;
        }
        if plan.replace.contains(&kind) {
            let all: Vec<Value> = wire::local_items(project, kind)
                .iter()
                .map(wire::body)
                .collect();
            out.push(Action {
                kind,
                name: format!("all {}", wire::collection(kind)),
                op: Op::Replace,
                id: None,
                body: Value::Array(all),
                covers: writes
                    .iter()
                    .filter(|(_, w)| *w != Write::Delete)
                    .map(|(p, _)| p.name.clone())
                    .collect(),
                removes: writes
                    .iter()
                    .filter(|(_, w)| *w == Write::Delete)
                    .map(|(p, _)| p.name.clone())
                    .collect(),
            });
            continue;
        }
        for (p, w) in writes {
            out.push(Action {
                kind,
                name: p.name.clone(),
                op: w.into(),
                id: p.id.clone(),
                body: match (w, &p.local) {
                    (Write::Delete, _) | (_, None) => Value::Null,
                    (Write::Update, Some(l)) => wire::update_body(l, p.remote.as_ref()),
                    (Write::Create, Some(l)) => wire::body(l),
                },
                covers: Vec::new(),
                removes: Vec::new(),
            });
        }
    }
    out
}

/// How one request ended.
#[derive(Debug, Clone)]
pub enum Ended {
    Applied,
    /// The server answered that it did not apply it.
    Failed(ApiError),
    /// The request may have reached the server; its answer was lost.
    Unknown(ApiError),
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub action: Action,
    pub result: Ended,
}

impl Outcome {
    pub fn applied(&self) -> bool {
        matches!(self.result, Ended::Applied)
    }

    pub fn error(&self) -> Option<&ApiError> {
        match &self.result {
            Ended::Applied => None,
            Ended::Failed(e) | Ended::Unknown(e) => Some(e),
        }
    }

    pub fn word(&self) -> &'static str {
        match self.result {
            Ended::Applied => "applied",
            Ended::Failed(_) => "failed",
            Ended::Unknown(_) => "unknown",
        }
    }
}

async fn apply_one(client: &Client, a: &Action) -> Result<(), ApiError> {
    let id = || {
        a.id.clone().ok_or_else(|| {
            ApiError::BadAnswer(format!("remote {} '{}' has no _id", a.kind.label(), a.name))
        })
    };
    let (method, path, body) = match a.op {
        Op::Create => (Method::POST, wire::list_path(a.kind), Some(&a.body)),
        Op::Update => (
            Method::PATCH,
            wire::item_path(a.kind, &id()?),
            Some(&a.body),
        ),
        Op::Delete => (Method::DELETE, wire::item_path(a.kind, &id()?), None),
        Op::Replace => (Method::PUT, wire::list_path(a.kind), Some(&a.body)),
    };
    client.request(method, &path, body).await.map(drop)
}

/// Applies actions with at most CONCURRENCY in flight; `done` is called as
/// each finishes. Sorted by kind and name.
pub async fn apply(
    client: &Client,
    actions: Vec<Action>,
    mut done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for a in actions {
        let client = client.clone();
        let sem = sem.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let result = match apply_one(&client, &a).await {
                Ok(()) => Ended::Applied,
                Err(e) if e.maybe_applied() => Ended::Unknown(e),
                Err(e) => Ended::Failed(e),
            };
            Outcome { action: a, result }
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(o) = r {
            done(&o);
            out.push(o);
        }
    }
    out.sort_by(|a, b| (a.action.kind, &a.action.name).cmp(&(b.action.kind, &b.action.name)));
    out
}
