//! goakit: build, lint, preview and push Goaddon addons.
pub mod diagnostic;
pub mod project;
