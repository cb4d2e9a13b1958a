//! The libraries Goaddon preloads are embedded at Goaddon's exact versions,
//! with their licences, and nothing outside them is served.

use goakit::assets;

fn text(path: &str) -> String {
    String::from_utf8_lossy(
        assets::get(path)
            .unwrap_or_else(|| panic!("{path} embedded"))
            .bytes,
    )
    .into_owned()
}

#[test]
fn exact_versions_with_licences() {
    let head = |p: &str| text(p).chars().take(400).collect::<String>();
    assert!(head("bootstrap-4.3.1/dist/css/bootstrap.min.css").contains("Bootstrap v4.3.1"));
    assert!(head("bootstrap-4.3.1/dist/js/bootstrap.min.js").contains("Bootstrap v4.3.1"));
    assert!(head("jquery-3.3.1/dist/jquery.min.js").contains("jQuery v3.3.1"));
    assert!(head("popper.js-1.14.7/dist/umd/popper.min.js").contains("Federico Zivolo"));
    // popper.min.js has no version string; its package.json (vendored beside it) does.
    let pkg = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/theme/vendor/popper.js-1.14.7/package.json"
    ))
    .unwrap();
    assert!(pkg.contains("\"version\": \"1.14.7\""));
    assert!(head("fontawesome-free-5.4.2/css/all.min.css").contains("Font Awesome Free 5.4.2"));
    for licence in [
        "bootstrap-4.3.1/LICENSE",
        "jquery-3.3.1/LICENSE.txt",
        "popper.js-1.14.7/LICENSE.md",
        "fontawesome-free-5.4.2/LICENSE.txt",
    ] {
        assert!(text(licence).len() > 200, "{licence}");
    }
}

#[test]
fn every_webfont_the_css_references_is_embedded() {
    let css = text("fontawesome-free-5.4.2/css/all.min.css");
    let mut n = 0;
    for part in css.split("url(../webfonts/").skip(1) {
        let file = part.split([')', '?', '#']).next().unwrap();
        assert!(
            assets::get(&format!("fontawesome-free-5.4.2/webfonts/{file}")).is_some(),
            "{file}"
        );
        n += 1;
    }
    assert!(n >= 15, "{n} font references");
}

#[test]
fn only_embedded_files_are_reachable() {
    for p in [
        "../Cargo.toml",
        "/etc/passwd",
        "bootstrap-4.3.1/../../Cargo.toml",
        "fetch.sh",
        "",
    ] {
        assert!(assets::get(p).is_none(), "{p}");
    }
    assert_eq!(assets::STYLESHEETS.len() + assets::SCRIPTS.len(), 5);
}
