//! The context variables a Goaddon template sees (SPEC 4, assumed names),
//! in one place: the renderer builds its globals here, the engine finds
//! each template's locale under [`L`], preview's variables panel shows the
//! same globals (so it can never disagree with the render), and lint knows
//! the names from here.

use crate::project::Project;
use crate::render::{Api, RenderOptions};
use goakit_engine::{Hash, Value};

/// preview/project.json: the subscribed project.
pub const PROJECT: &str = "project";
/// The current locale.
pub const LOCALE: &str = "locale";
/// `{ "name": ... }`: the requested page, also while root renders.
pub const PAGE: &str = "page";
/// The page's query parameters (`--param k=v` in render).
pub const PARAMS: &str = "params";
/// The addon API's answer (SPEC 4.2).
pub const API: &str = "api";
/// The current template's own locale hash.
pub const L: &str = "l";

/// Every name, in the order the panel shows them.
pub const NAMES: [&str; 6] = [PAGE, LOCALE, PARAMS, PROJECT, API, L];

/// The names `api_path` is rendered with (SPEC 4.2).
pub const API_PATH_NAMES: [&str; 5] = ["project_id", "subscription_id", LOCALE, PAGE, PARAMS];

/// The globals of a render of `page` (everything but `l`, which is each
/// template's own).
pub fn globals(project: &Project, page: &str, opts: &RenderOptions, api: &Api) -> Hash {
    let params: Hash = opts
        .params
        .iter()
        .map(|(k, v)| (k.as_str().into(), Value::str(v.as_str())))
        .collect();
    let mut page_hash = Hash::new();
    page_hash.insert("name".into(), Value::str(page));
    let mut g = Hash::new();
    g.insert(
        PROJECT.into(),
        Value::from(crate::engine::hash_of(&project.preview_project_value())),
    );
    g.insert(LOCALE.into(), Value::str(opts.locale.as_str()));
    g.insert(PAGE.into(), Value::from(page_hash));
    g.insert(PARAMS.into(), Value::from(params));
    // Shared, not copied: read once in the JSON's key order.
    g.insert(API.into(), Value::Hash(api.clone()));
    g
}

/// The variables panel's view of a render: the same globals as JSON, the
/// template's `l`, in [`NAMES`] order.
pub fn panel(
    globals: &Hash,
    l: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for name in NAMES {
        if name == L {
            out.insert(L.into(), serde_json::Value::Object(l.clone()));
        } else if let Some(v) = globals.get(name) {
            out.insert(name.into(), goakit_engine::json::to_json(v));
        }
    }
    out
}
