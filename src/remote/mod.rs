//! `goakit push` and `goakit pull` (SPEC 9): safe sync with the Goaddon API.
//! Nothing is deleted unless asked, remote state is backed up before it
//! changes, every item's result is reported truthfully, and a rerun
//! converges.

pub mod apply;
pub mod backup;
pub mod client;
pub mod clone;
pub mod diff;
pub mod plan;
pub mod pull;
pub mod push;
pub mod report;
pub mod restore;
pub mod sync;
pub mod wire;

use crate::exit::Failure;
use crate::project::{Kind, Project};
use client::{ApiError, Client, Token};
use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where the token comes from, for messages (never the token itself).
pub const TOKEN_ENV: &str = "GOAKIT_TOKEN";

/// `--env NAME`, shared by push, pull, diff and restore.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct EnvArgs {
    /// The environment of goakit.toml's `[environments.<NAME>]` to work on.
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// Read the API token from this file instead of GOAKIT_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// The token variable of an environment: `GOAKIT_TOKEN_<NAME>` (upper
/// case, `-` as `_`).
pub fn token_env(env: &str) -> String {
    format!("{TOKEN_ENV}_{}", env.to_uppercase().replace('-', "_"))
}

/// The token from `--token-file`, the environment's variable, or
/// GOAKIT_TOKEN.
pub fn load_token(token_file: Option<&Path>, env: Option<&str>) -> Result<Token, String> {
    let token = match token_file {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read --token-file {}: {e}", p.display()))?;
            Token::new(&text)
        }
        None => {
            let own = env.map(token_env).and_then(|v| std::env::var(v).ok());
            Token::new(&own.unwrap_or_else(|| std::env::var(TOKEN_ENV).unwrap_or_default()))
        }
    };
    if token.is_empty() {
        let vars = match env {
            Some(e) => format!("{} or {TOKEN_ENV}", token_env(e)),
            None => TOKEN_ENV.to_string(),
        };
        return Err(format!(
            "no API token: set {vars} or pass --token-file (it is never read from goakit.toml)"
        ));
    }
    Ok(token)
}

/// What push, pull, diff and restore work on.
pub struct Session {
    pub project: Project,
    pub client: Client,
    pub addon: String,
    /// The environment's name (`default` without `[environments]`).
    pub env: String,
    /// Every write needs `--yes`.
    pub protected: bool,
}

impl Session {
    /// The plan's first line: environment (when goakit.toml has them),
    /// then the API root and the addon id.
    pub fn heading(&self) -> String {
        let target = target(&self.client);
        if self.env == sync::DEFAULT_ENV && self.project.config.environments.is_empty() {
            format!("Target: {target} (addon {})", self.addon)
        } else {
            format!(
                "Environment: {}{}, target {target} (addon {})",
                self.env,
                if self.protected { " (protected)" } else { "" },
                self.addon
            )
        }
    }
}

/// The environment names are file names (`.goakit/sync/<env>.json`).
fn valid_env_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Project, client, addon and environment, or the exit code of a usage
/// error. With `[environments]` defined, `--env` is required: never a
/// silent default.
pub fn connect(dir: &Path, args: &EnvArgs) -> Result<Session, Failure> {
    let project = crate::project::Project::load(dir)?;
    let envs = &project.config.environments;
    let usage = |msg: String| {
        crate::say_err!("error: {msg}");
        Failure::Usage
    };
    let names = || envs.keys().cloned().collect::<Vec<_>>().join(", ");
    let (env, id, api, protected) = match (&args.env, envs.is_empty()) {
        (None, true) => (
            sync::DEFAULT_ENV.to_string(),
            project.config.addon.id.clone(),
            project.config.addon.api.clone(),
            false,
        ),
        (None, false) => {
            return Err(usage(format!(
                "goakit.toml defines environments ({}): choose one with --env NAME",
                names()
            )));
        }
        (Some(e), true) => {
            return Err(usage(format!(
                "--env {e}: goakit.toml defines no [environments.<name>] tables"
            )));
        }
        (Some(e), false) => match envs.get(e) {
            Some(c) => (
                e.clone(),
                Some(c.id.clone()),
                c.api
                    .clone()
                    .unwrap_or_else(|| project.config.addon.api.clone()),
                c.protected,
            ),
            None => {
                return Err(usage(format!(
                    "no environment named {e:?} in goakit.toml; environments: {}",
                    names()
                )));
            }
        },
    };
    if !valid_env_name(&env) {
        return Err(usage(format!(
            "environment name {env:?}: use lower-case letters, digits, '-' and '_'"
        )));
    }
    let Some(addon) = id.filter(|s| !s.trim().is_empty()) else {
        return Err(usage(
            "goakit.toml has no [addon] id: push and pull need to know which addon".into(),
        ));
    };
    let token_for = (env != sync::DEFAULT_ENV || !envs.is_empty()).then_some(env.as_str());
    let token = load_token(args.token_file.as_deref(), token_for).map_err(usage)?;
    let client = Client::new(&api, token).map_err(usage)?;
    Ok(Session {
        project,
        client,
        addon,
        env,
        protected,
    })
}

/// Before writing: a protected environment needs `--yes`, also on a
/// terminal; what `asks` lists (deletions, replaced remote content) needs
/// `--yes` or a yes at the prompt. `Err` holds why it was refused (said).
pub fn confirm(command: &str, s: &Session, asks: &[String], yes: bool) -> Result<(), &'static str> {
    use std::io::{IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if s.protected {
        crate::say_err!(
            "{command} refused: environment {} is protected; every write to it needs --yes (also on a terminal)",
            s.env
        );
        return Err("protected environment");
    }
    if asks.is_empty() {
        return Ok(());
    }
    let what = report::list(asks);
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        eprint!(
            "This {command} will {}. Continue? [y/N] ",
            crate::diagnostic::terminal_safe(&what)
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(());
        }
        crate::say_err!("{command} cancelled: nothing written");
        return Err("cancelled");
    }
    crate::say_err!("{command} refused: it would {what}; pass --yes to confirm");
    Err("needs --yes")
}

/// Saves the remote state before it changes; the file's path, or exit 1
/// after saying why nothing was written.
pub fn backup_remote(
    s: &Session,
    remote: &[(Kind, Vec<Value>)],
    human: bool,
) -> Result<String, Failure> {
    match backup::remote(&s.project.root, &target(&s.client), &s.addon, remote) {
        Ok(p) => {
            if human {
                crate::say!("Backup of the remote state: {}", p.display());
            }
            Ok(p.display().to_string())
        }
        Err(e) => {
            crate::say_err!(
                "error: cannot write the backup under .goakit/backups: {e}; nothing written"
            );
            Err(Failure::Failed)
        }
    }
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

/// The sync record of the session's environment and addon, if any; a
/// record that cannot be used is a warning, and the sync acts as a first.
pub fn load_record(s: &Session) -> Option<sync::Record> {
    match sync::load(&s.project.root, &s.env, s.client.base(), &s.addon) {
        Ok(r) => r,
        Err(e) => {
            crate::say_err!("warning: {e}; acting as on a first sync");
            None
        }
    }
}

/// Every NAME given must name an item, locally or on the remote.
pub fn check_selection(selection: &plan::Selection, plan: &plan::Plan) -> Result<(), Failure> {
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
    Err(Failure::Usage)
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

/// The whole remote state on a runtime of its own, or why it could not be
/// read.
pub fn fetch_all_blocking(client: &Client) -> Result<Vec<(Kind, Vec<Value>)>, Failure> {
    runtime().block_on(fetch_all(client)).map_err(fetch_failure)
}

/// A remote state that could not be read, as a command's failure.
pub fn fetch_failure((kind, e): (Kind, ApiError)) -> Failure {
    Failure::Error(format!(
        "cannot read remote {}: {e}",
        wire::collection(kind)
    ))
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
