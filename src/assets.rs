//! The libraries Goaddon preloads, at its exact versions, embedded in the
//! binary so preview and build need no network (`theme/vendor/`, refreshed by
//! `theme/vendor/fetch.sh`).

/// One embedded file; `path` is relative to `theme/vendor/`.
#[derive(Debug)]
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/theme/vendor/", $path)),
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("bootstrap-4.3.1/LICENSE", "text/plain; charset=utf-8"),
    asset!(
        "bootstrap-4.3.1/dist/css/bootstrap.min.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "bootstrap-4.3.1/dist/js/bootstrap.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "fontawesome-free-5.4.2/LICENSE.txt",
        "text/plain; charset=utf-8"
    ),
    asset!(
        "fontawesome-free-5.4.2/css/all.min.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-brands-400.eot",
        "application/vnd.ms-fontobject"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-brands-400.svg",
        "image/svg+xml"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-brands-400.ttf",
        "font/ttf"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-brands-400.woff",
        "font/woff"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-brands-400.woff2",
        "font/woff2"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-regular-400.eot",
        "application/vnd.ms-fontobject"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-regular-400.svg",
        "image/svg+xml"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-regular-400.ttf",
        "font/ttf"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-regular-400.woff",
        "font/woff"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-regular-400.woff2",
        "font/woff2"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-solid-900.eot",
        "application/vnd.ms-fontobject"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-solid-900.svg",
        "image/svg+xml"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-solid-900.ttf",
        "font/ttf"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-solid-900.woff",
        "font/woff"
    ),
    asset!(
        "fontawesome-free-5.4.2/webfonts/fa-solid-900.woff2",
        "font/woff2"
    ),
    asset!("jquery-3.3.1/LICENSE.txt", "text/plain; charset=utf-8"),
    asset!(
        "jquery-3.3.1/dist/jquery.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("popper.js-1.14.7/LICENSE.md", "text/plain; charset=utf-8"),
    asset!(
        "popper.js-1.14.7/dist/umd/popper.min.js",
        "text/javascript; charset=utf-8"
    ),
];

/// Stylesheets in the order Goaddon loads them (SPEC 4.3).
pub const STYLESHEETS: &[&str] = &[
    "bootstrap-4.3.1/dist/css/bootstrap.min.css",
    "fontawesome-free-5.4.2/css/all.min.css",
];

/// Scripts in the order Goaddon loads them (SPEC 4.3).
pub const SCRIPTS: &[&str] = &[
    "jquery-3.3.1/dist/jquery.min.js",
    "popper.js-1.14.7/dist/umd/popper.min.js",
    "bootstrap-4.3.1/dist/js/bootstrap.min.js",
];

/// Every embedded file.
pub fn all() -> &'static [Asset] {
    ASSETS
}

/// The embedded file at exactly `path` (no normalisation: `..` never matches).
pub fn get(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_lists_are_embedded() {
        for p in STYLESHEETS.iter().chain(SCRIPTS) {
            assert!(get(p).is_some_and(|a| a.bytes.len() > 1000), "{p}");
        }
        assert!(get("../Cargo.toml").is_none());
        assert!(get("bootstrap-4.3.1/../../Cargo.toml").is_none());
    }
}
