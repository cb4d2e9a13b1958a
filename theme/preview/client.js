// goakit preview client, loaded by every previewed document (also inside the
// sandboxed iframe, whose origin is opaque): reloads when the server says a
// change is applied, reconnects by itself, and tells the shell where it is.
(function () {
  "use strict";
  var shown = window.__goakitVersion;
  function post(msg) {
    try {
      if (window.parent !== window) window.parent.postMessage(msg, "*");
    } catch (e) { /* the shell is optional */ }
  }
  function tellShell() {
    var overlay = !!document.querySelector(".goakit-overlay");
    post({ goakit: "page", path: location.pathname + location.search, error: overlay, version: shown === undefined ? null : String(shown) });
  }
  // Keep the scroll position across reloads. window.name survives a reload
  // of the same page and works in the sandbox (storage does not).
  var MARK = "goakit-scroll:";
  function reload() {
    var keep = window.name.indexOf(MARK) === 0 ? "" : window.name;
    window.name = MARK + Math.round(window.scrollX) + "," + Math.round(window.scrollY) + ":" + location.pathname + location.search + "\n" + keep;
    location.reload();
  }
  (function restore() {
    if (window.name.indexOf(MARK) !== 0) return;
    var nl = window.name.indexOf("\n");
    var head = window.name.slice(MARK.length, nl < 0 ? undefined : nl);
    var rest = nl < 0 ? "" : window.name.slice(nl + 1);
    window.name = rest;
    var colon = head.indexOf(":");
    if (head.slice(colon + 1) !== location.pathname + location.search) return;
    var xy = head.slice(0, colon).split(",");
    function go() { window.scrollTo(Number(xy[0]) || 0, Number(xy[1]) || 0); }
    if (document.readyState === "complete") go(); else window.addEventListener("load", go);
  })();
  var es = null;
  function connect() {
    if (es) return;
    es = new EventSource("/_goakit/events");
    es.addEventListener("hello", function (ev) {
      // Changed while this page was loading or hidden, or the server restarted.
      if (shown !== undefined && String(shown) !== ev.data) { reload(); }
    });
    es.addEventListener("reload", function () { reload(); });
    // EventSource retries on its own; the shell shows the state.
    es.onopen = function () { post({ goakit: "live", on: true }); };
    es.onerror = function () { post({ goakit: "live", on: false }); };
  }
  // A hidden tab gives its connection back (browsers allow about six per
  // host); on return, "hello" reloads the page if anything changed.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (es) { es.close(); es = null; }
    } else {
      connect();
    }
  });
  // Render warnings (unknown filters or tags passed through): in the
  // console and in a small banner the author can close.
  var warnings = window.__goakitWarnings || [];
  warnings.forEach(function (w) { console.warn("goakit: " + w); });
  function banner() {
    if (!warnings.length || !document.body) return;
    var box = document.createElement("div");
    box.className = "goakit-warnings";
    box.setAttribute("role", "status");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.title = "Hide";
    close.onclick = function () { box.remove(); };
    box.appendChild(close);
    var title = document.createElement("strong");
    title.textContent = "goakit: " + warnings.length + " warning" + (warnings.length === 1 ? "" : "s");
    box.appendChild(title);
    var list = document.createElement("ul");
    warnings.forEach(function (w) { var li = document.createElement("li"); li.textContent = w; list.appendChild(li); });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  // Keep the shell's locale (?_locale=) when a link or form inside the page
  // goes to another page; the page itself never sees _locale as a param.
  var locale = new URLSearchParams(location.search).get("_locale");
  function previewPath(url) {
    return url.host === location.host && /^\/(pages|shortcuts)\//.test(url.pathname);
  }
  if (locale) {
    document.addEventListener("click", function (ev) {
      var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a) return;
      var url = new URL(a.href, location.href);
      if (previewPath(url) && !url.searchParams.has("_locale")) {
        url.searchParams.set("_locale", locale);
        a.href = url.href;
      }
    }, true);
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (!form || !form.elements || form.elements._locale) return;
      if (!previewPath(new URL(form.action || location.href, location.href))) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "_locale";
      input.value = locale;
      form.appendChild(input);
    }, true);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", banner);
  } else {
    banner();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tellShell);
  } else {
    tellShell();
  }
  if (document.visibilityState !== "hidden") connect();
})();
