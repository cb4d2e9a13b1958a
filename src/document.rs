//! The full HTML document a page is shown in (SPEC 4.3): Goaddon's
//! libraries first, in Goaddon's order, then the addon's own stylesheets and
//! scripts, so inline scripts in a page can use `$` at once.

use crate::assets;
use std::fmt::Write;

pub struct DocumentOptions<'a> {
    pub title: &'a str,
    /// URL prefix of the embedded libraries: "/_goakit/vendor/" in preview,
    /// a relative path in build.
    pub asset_base: &'a str,
    pub addon_stylesheets: &'a [String],
    pub addon_scripts: &'a [String],
    /// Extra HTML for `<head>` (preview's reload and overlay client).
    pub extra_head: &'a str,
    pub lang: &'a str,
}

/// Escapes text for an HTML attribute value or text node.
pub fn escape(s: &str) -> String {
    crate::engine::escape_html(s)
}

pub fn wrap(body: &str, opts: &DocumentOptions) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1, shrink-to-fit=no\">\n\
         <title>{}</title>\n",
        escape(opts.lang),
        escape(opts.title)
    );
    for css in assets::STYLESHEETS {
        let _ = writeln!(
            out,
            "<link rel=\"stylesheet\" href=\"{}\">",
            escape(&format!("{}{}", opts.asset_base, css))
        );
    }
    for css in opts.addon_stylesheets {
        let _ = writeln!(out, "<link rel=\"stylesheet\" href=\"{}\">", escape(css));
    }
    for js in assets::SCRIPTS {
        let _ = writeln!(
            out,
            "<script src=\"{}\"></script>",
            escape(&format!("{}{}", opts.asset_base, js))
        );
    }
    for js in opts.addon_scripts {
        let _ = writeln!(out, "<script src=\"{}\"></script>", escape(js));
    }
    out.push_str(opts.extra_head);
    out.push_str("</head>\n<body>\n");
    out.push_str(body);
    out.push_str("\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_escaping() {
        let doc = wrap(
            "<p>hi</p>",
            &DocumentOptions {
                title: "a<b",
                asset_base: "/v/",
                addon_stylesheets: &["https://x/a.css?x=1&y=\"2\"".to_string()],
                addon_scripts: &["https://x/a.js".to_string()],
                extra_head: "<!--extra-->",
                lang: "en",
            },
        );
        let order = [
            "bootstrap.min.css",
            "all.min.css",
            "https://x/a.css",
            "jquery.min.js",
            "popper.min.js",
            "bootstrap.min.js",
            "https://x/a.js",
            "<!--extra-->",
            "<p>hi</p>",
        ];
        let mut at = 0;
        for n in order {
            at += doc[at..]
                .find(n)
                .unwrap_or_else(|| panic!("{n} out of order"));
        }
        assert!(doc.contains("<title>a&lt;b</title>"));
        assert!(doc.contains("x=1&amp;y=&quot;2&quot;"));
    }
}
