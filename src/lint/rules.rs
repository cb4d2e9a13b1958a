//! The rule registry (SPEC 7): every rule goakit checks, with its stable
//! id, default severity and its documentation (what it checks, why, an
//! example that triggers it, the fix). `goakit lint --rules` lists it,
//! `goakit lint --explain RULE` prints one; a finding's rule is always one
//! of these (tested).

use crate::diagnostic::Severity;

/// One rule and its documentation.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// What it checks, in one line.
    pub summary: &'static str,
    /// Why it matters on Goaddon.
    pub why: &'static str,
    /// A template or file that triggers it.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    why: &'static str,
    example: &'static str,
    fix: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        summary,
        why,
        example,
        fix,
    }
}

use Severity::{Error as E, Warning as W};

/// Every rule, by id.
pub static RULES: &[Rule] = &[
    rule(
        "duplicate-name",
        E,
        "two templates of a kind whose names Goaddon sees as one",
        "Goaddon keeps one template per name and kind; the other is lost on push",
        "templates/pages/Orders.html next to templates/pages/orders.html",
        "rename one of them",
    ),
    rule(
        "dynamic-include",
        W,
        "an include whose snippet name is a variable",
        "goakit cannot check that such a snippet exists; a wrong name is an error only Goaddon shows",
        "{% include snippet_name %}",
        "name the snippet in quotes: {% include 'order/row' %}",
    ),
    rule(
        "erb-style-tag",
        E,
        "`<% ... %>` in a template",
        "it is not Liquid: Goaddon prints it as text",
        "<% if order.paid %>",
        "write Liquid: {% if order.paid %}",
    ),
    rule(
        "include-cycle",
        E,
        "snippets that include each other in a circle",
        "the render never ends; Ruby Liquid stops it with `Nesting too deep`",
        "a.html: {% include 'b' %}, b.html: {% include 'a' %}",
        "break the circle",
    ),
    rule(
        "insecure-asset-url",
        E,
        "an `http://` script or stylesheet in goakit.toml",
        "Goaddon is served over https: the browser blocks mixed content",
        "scripts = [\"http://cdn.example.com/chart.js\"]",
        "use the https:// URL",
    ),
    rule(
        "invalid-api-method",
        E,
        "an `api_method` other than GET or POST",
        "the addon API is called with GET or POST only",
        "{\"api_method\": \"PUT\"}",
        "use \"GET\" or \"POST\"",
    ),
    rule(
        "invalid-api-path",
        E,
        "an `api_path` that is not a path starting with `/`",
        "Goaddon appends the path to the addon's API URL",
        "{\"api_path\": \"goa/orders\"}",
        "start it with /: \"/goa/orders\"",
    ),
    rule(
        "invalid-locale-json",
        E,
        "a locale file that is not JSON, or not {\"en\": {...}, ...}",
        "`l` would be empty: the page shows nothing where its texts go",
        "{\"en\": \"Orders\"}",
        "an object of locales, each an object of texts: {\"en\": {\"headline\": \"Orders\"}}",
    ),
    rule(
        "invalid-name",
        E,
        "a template name Goaddon does not accept",
        "page and shortcut names are [a-z0-9_]+, snippet names such segments joined by /",
        "templates/pages/My-Orders.html",
        "rename it: my_orders.html",
    ),
    rule(
        "invalid-settings",
        E,
        "a settings file that is not a JSON object, or has keys Goaddon does not know",
        "push sends only the known fields; the rest is silently lost",
        "{\"menu_tilte\": {\"en\": \"Orders\"}}",
        "use the documented keys (menu_title, api_path, api_method)",
    ),
    rule(
        "lax-syntax",
        W,
        "markup Ruby Liquid's lax parser accepts while ignoring part of it",
        "the ignored part does nothing on Goaddon, silently",
        "{{ order.number |  order.id }}",
        "write what Ruby reads: {{ order.number }}",
    ),
    rule(
        "liquid-syntax",
        E,
        "a template Ruby Liquid refuses to parse",
        "Goaddon cannot render the page at all",
        "{% if order %}...",
        "close every block: {% if order %}...{% endif %}",
    ),
    rule(
        "locale-missing-en",
        W,
        "a locale file without \"en\"",
        "English is the fallback Goaddon uses for every other locale",
        "{\"da\": {\"headline\": \"Ordrer\"}}",
        "add the English texts under \"en\"",
    ),
    rule(
        "menu-title-on-sub-page",
        W,
        "a sub page (parent__child) with a menu_title",
        "sub pages are not in the menu: the title is never shown",
        "settings/pages/orders__show.json: {\"menu_title\": {...}}",
        "remove the menu_title",
    ),
    rule(
        "missing-locale-key",
        W,
        "an `l.x` the template's own locale does not have",
        "it prints nothing on Goaddon",
        "{{ l.headlin }} with {\"en\": {\"headline\": \"Orders\"}}",
        "add the key to the template's locale file, or fix the name",
    ),
    rule(
        "missing-menu-title",
        W,
        "a top-level page without a menu_title",
        "the menu shows the page's bare name",
        "settings/pages/orders.json without menu_title",
        "add {\"menu_title\": {\"en\": \"Orders\"}}",
    ),
    rule(
        "missing-required-page",
        E,
        "no root or no frontpage page",
        "Goaddon renders every page into root and opens frontpage first",
        "a project without templates/pages/root.html",
        "add the page (goakit init shows one)",
    ),
    rule(
        "missing-translation",
        W,
        "an en key another locale of the template lacks, or a locale other templates have and this one lacks",
        "in that locale the page shows the English text",
        "{\"en\": {\"a\": \"A\", \"b\": \"B\"}, \"da\": {\"a\": \"Å\"}}",
        "add the translation",
    ),
    rule(
        "orphan-sub-page",
        W,
        "a sub page whose parent page does not exist",
        "Goaddon's sub pages live under their parent",
        "templates/pages/orders__show.html without orders.html",
        "add the parent or rename the page",
    ),
    rule(
        "root-without-yield",
        E,
        "a root page without {% yield %}",
        "no page would ever show: root renders them at its yield",
        "templates/pages/root.html without {% yield %}",
        "put {% yield %} where pages go",
    ),
    rule(
        "token-in-project",
        E,
        "the API token written in a project file",
        "project files are pushed and shared; the token is a secret",
        "goakit.toml: token = \"a-...\"",
        "remove it; goakit reads GOAKIT_TOKEN",
    ),
    rule(
        "unknown-filter",
        W,
        "a filter Ruby Liquid 5.4 does not have",
        "Liquid passes the input through unchanged",
        "{{ name | upcse }}",
        "use a standard filter: {{ name | upcase }}",
    ),
    rule(
        "unknown-snippet",
        E,
        "an include of a snippet that does not exist",
        "Goaddon prints a Liquid error where the snippet goes",
        "{% include 'order/rw' %}",
        "fix the name or add templates/snippets/order/rw.html",
    ),
    rule(
        "unknown-tag",
        W,
        "a tag Ruby Liquid 5.4 does not have",
        "Goaddon's Liquid refuses or ignores it",
        "{% form %}",
        "use a standard tag",
    ),
    rule(
        "unsafe-markdown",
        W,
        "HTML in description.md that sanitising strips",
        "Goaddon shows the description sanitised: that part disappears",
        "<script>...</script> in description.md",
        "use Markdown, or HTML that survives sanitising",
    ),
    rule(
        "unused-locale-key",
        W,
        "an en text no `l.` of the template reads",
        "dead texts drift from the template and still need translating",
        "{\"en\": {\"old\": \"...\"}} never read as l.old",
        "remove the key, or use it",
    ),
    rule(
        "unused-snippet",
        W,
        "a snippet no template includes",
        "it is pushed and kept for nothing",
        "templates/snippets/old.html included nowhere",
        "remove it, or include it",
    ),
    rule(
        "yield-outside-root",
        E,
        "{% yield %} in a page other than root",
        "only root yields; elsewhere it renders nothing",
        "{% yield %} in templates/pages/orders.html",
        "remove it",
    ),
];

pub fn get(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// `--explain RULE`: the rule's documentation.
pub fn explain(r: &Rule) -> String {
    format!(
        "{} ({})\n\n{}\n\nWhy: {}\n\nExample:\n    {}\n\nFix: {}\n",
        r.id,
        match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        r.summary,
        r.why,
        r.example,
        r.fix
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_documented() {
        for w in RULES.windows(2) {
            assert!(w[0].id < w[1].id, "{} before {}", w[0].id, w[1].id);
        }
        for r in RULES {
            assert!(
                !r.summary.is_empty()
                    && !r.why.is_empty()
                    && !r.example.is_empty()
                    && !r.fix.is_empty(),
                "{}",
                r.id
            );
        }
    }
}
