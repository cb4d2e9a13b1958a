//! goakit: build, lint, preview and push Goaddon addons.
//!
//! Modules: `project` (the addon on disk), `engine` (Liquid like Ruby
//! Liquid 5.4), `render` (Goaddon's page model), `addon_api` (the call to
//! the addon's own API and its offline fixtures), `document`/`assets` (the
//! HTML document and the bundled libraries), `lint`, `preview`, `remote`
//! (push/pull), `commands` and `cli`.

/// Where `goakit preview` serves the bundled libraries (Bootstrap, jQuery,
/// Popper, FontAwesome); also the default `render --document` asset base.
pub const VENDOR_URL_BASE: &str = "/_goakit/vendor/";

pub mod addon_api;
pub mod assets;
pub mod build;
pub mod cli;
pub mod commands;
pub mod context;
pub mod diagnostic;
pub mod document;
pub mod engine;
pub mod exit;
pub mod links;
pub mod lint;
pub mod preview;
pub mod project;
pub mod remote;
pub mod render;
pub mod scaffold;
pub mod suggest;
