//! `{% yield %}` (Goaddon): in root, the requested page's HTML.
