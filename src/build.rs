//! A build that browses offline from disk (SPEC 6): where each document
//! goes, links rewritten from Goaddon's URLs (`/pages/x?k=v`, as pages
//! write them) to the files beside them, and the index with the menu.
//! Pure text work; `goakit build` (commands) renders, crawls and writes.

use crate::addon_api::{encoded_query, percent_decode};
use crate::document::escape;
use crate::project::{Kind, Project, valid_name};
use std::collections::BTreeMap;

/// At most this many documents of pages opened with parameters: a page
/// that links to ever new parameters cannot make a build endless.
pub const MAX_VARIANTS: usize = 1000;

/// A page opened with parameters (none: the page itself).
pub type Target = (String, BTreeMap<String, String>);

/// The document of a page with these parameters, relative to the build
/// folder: `pages/orders.html`, `pages/orders__show@id=o-1041.html`.
pub fn page_file(name: &str, params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return format!("pages/{name}.html");
    }
    let q = encoded_query(params);
    // File names end at 255 bytes: a long query is named by its hash.
    if q.len() > 120 {
        use sha2::Digest;
        let h = sha2::Sha256::digest(q.as_bytes());
        let hex: String = h[..8].iter().map(|b| format!("{b:02x}")).collect();
        return format!("pages/{name}@{hex}.html");
    }
    format!("pages/{name}@{q}.html")
}

/// A URL path component for a file name (its `%` and the characters a URL
/// gives meaning to, encoded).
fn url_of_file(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// `a=1&b=x%20y` (HTML entities already decoded) → its pairs; `+` is a
/// space, as in a form's query.
fn parse_query(q: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(&k.replace('+', " "))?;
        let v = percent_decode(&v.replace('+', " "))?;
        if !k.is_empty() {
            out.insert(k, v);
        }
    }
    Some(out)
}

/// The page a link opens: `/pages/x?k=v` or, from inside a page, a
/// relative `x?k=v` naming one of the project's pages.
fn link_target(project: &Project, href: &str) -> Option<(Target, String)> {
    let href = href.replace("&amp;", "&");
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p.to_string(), format!("#{f}")),
        None => (href.clone(), String::new()),
    };
    let (path, query) = path.split_once('?').unwrap_or((&path, ""));
    let name = path
        .strip_prefix("/pages/")
        .or_else(|| (!path.contains('/')).then_some(path))?;
    if !valid_name(Kind::Page, name) || project.page(name).is_none() {
        return None;
    }
    Some(((name.to_string(), parse_query(query)?), fragment))
}

/// Rewrites the `href` and `action` attributes of a document that lies
/// `depth` folders below the build folder, so that Goaddon's page URLs
/// open the built files; returns the pages (with parameters) it links to.
pub fn rewrite_links(project: &Project, html: &str, depth: usize) -> (String, Vec<Target>) {
    let up = "../".repeat(depth);
    let mut out = String::with_capacity(html.len());
    let mut found = Vec::new();
    let mut rest = html;
    loop {
        let next = ["href=", "action="]
            .iter()
            .filter_map(|a| rest.find(a).map(|i| (i, a.len())))
            .min();
        let Some((i, len)) = next else {
            out.push_str(rest);
            break;
        };
        let start = i + len;
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = rest[1..].find(q) else {
            continue;
        };
        let value = &rest[1..1 + end];
        match link_target(project, value) {
            Some((target, fragment)) => {
                let file = page_file(&target.0, &target.1);
                out.push(q);
                out.push_str(&escape(&format!("{up}{}{fragment}", url_of_file(&file))));
                out.push(q);
                found.push(target);
            }
            None => {
                out.push(q);
                out.push_str(value);
                out.push(q);
            }
        }
        rest = &rest[end + 2..];
    }
    (out, found)
}

/// `index.html`: the addon's menu (top-level pages with their menu
/// titles), its shortcuts and description, linking to the built files.
pub fn index_html(project: &Project, locale: &str, has_description: bool) -> String {
    let mut body = String::from(
        "<div class=\"container py-4\">\n<h1 class=\"h4 mb-3\">Addon pages</h1>\n<div class=\"list-group mb-4\" id=\"menu\">\n",
    );
    for (name, _, title) in project.menu(locale) {
        body.push_str(&format!(
            "<a class=\"list-group-item list-group-item-action\" href=\"{}\">{}</a>\n",
            escape(&url_of_file(&page_file(name, &BTreeMap::new()))),
            escape(title)
        ));
    }
    body.push_str("</div>\n");
    if !project.shortcuts.is_empty() {
        body.push_str("<h2 class=\"h5\">Shortcuts</h2>\n<div class=\"list-group mb-4\">\n");
        for name in project.shortcuts.keys() {
            body.push_str(&format!(
                "<a class=\"list-group-item list-group-item-action\" href=\"shortcuts/{n}.html\">{n}</a>\n",
                n = escape(name)
            ));
        }
        body.push_str("</div>\n");
    }
    if has_description {
        body.push_str("<p><a href=\"description.html\">Description</a></p>\n");
    }
    body.push_str("</div>\n");
    body
}

/// Empties a build folder before a new build (it is goakit's own or was
/// empty, `check_build_out` saw to that), so no stale file survives. Links
/// are removed, never followed.
pub fn clear(out: &std::path::Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(out)? {
        let e = e?;
        let p = e.path();
        if std::fs::symlink_metadata(&p)?.is_dir() {
            std::fs::remove_dir_all(&p)?;
        } else {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Project {
        Project::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon"),
        )
        .unwrap()
    }

    #[test]
    fn links_to_pages_open_the_built_files() {
        let p = example();
        let html = r#"<a href="/pages/orders__show?id=o-1041">x</a> <a href='orders?status=paid&amp;page=2#top'>y</a>
<form action="/pages/orders__edit" method="post"></form><a href="https://example.com/pages/x">z</a>
<a href="/pages/nope">n</a><link href="../assets/vendor/x.css">"#;
        let (out, found) = rewrite_links(&p, html, 1);
        assert!(
            out.contains(r#"href="../pages/orders__show@id=o-1041.html""#),
            "{out}"
        );
        assert!(
            out.contains(r#"href='../pages/orders@page=2&amp;status=paid.html#top'"#),
            "{out}"
        );
        assert!(
            out.contains(r#"action="../pages/orders__edit.html""#),
            "{out}"
        );
        assert!(out.contains(r#"href="https://example.com/pages/x""#));
        assert!(
            out.contains(r#"href="/pages/nope""#),
            "not a page: left alone"
        );
        assert!(out.contains(r#"href="../assets/vendor/x.css""#));
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].0, "orders__show");
        assert_eq!(found[0].1["id"], "o-1041");
    }

    #[test]
    fn file_names_and_their_urls() {
        let params: BTreeMap<String, String> = [("q".to_string(), "a/b c".to_string())].into();
        assert_eq!(
            page_file("orders", &params),
            "pages/orders@q=a%2Fb%20c.html"
        );
        assert_eq!(
            url_of_file("pages/orders@q=a%2Fb%20c.html"),
            "pages/orders@q=a%252Fb%2520c.html"
        );
        assert_eq!(page_file("orders", &BTreeMap::new()), "pages/orders.html");
    }
}
