// goakit preview client, loaded by every previewed document (also inside the
// sandboxed iframe, whose origin is opaque): reloads when the server says a
// change is applied, reconnects by itself, and tells the shell where it is.
(function () {
  "use strict";
  var shown = window.__goakitVersion;
  var key = window.__goakitKey || "";
  function post(msg) {
    try {
      if (window.parent !== window) window.parent.postMessage(msg, "*");
    } catch (e) { /* the shell is optional */ }
  }
  function tellShell() {
    var overlay = !!document.querySelector(".goakit-overlay");
    var q = new URLSearchParams(location.search);
    q.delete("_goakit");
    var search = q.toString();
    post({ goakit: "page", path: location.pathname + (search ? "?" + search : ""), error: overlay, version: shown === undefined ? null : String(shown) });
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
    es = new EventSource("/_goakit/events?_goakit=" + encodeURIComponent(key));
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
  // Links and forms inside the page that go to another page carry this
  // run's key (from the sandbox, a browser calls every request cross-site,
  // and preview answers cross-site requests only with the key) and the
  // shell's locale (?_locale=); the page never sees either as a param.
  var locale = new URLSearchParams(location.search).get("_locale");
  function previewPath(url) {
    return url.host === location.host && /^\/(pages|shortcuts|description)(\/|$)/.test(url.pathname);
  }
  function carried() {
    var p = [["_goakit", key]];
    if (locale) p.push(["_locale", locale]);
    return p;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a) return;
    var url = new URL(a.href, location.href);
    if (!previewPath(url)) return;
    carried().forEach(function (kv) { if (!url.searchParams.has(kv[0])) url.searchParams.set(kv[0], kv[1]); });
    a.href = url.href;
  }, true);
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.elements) return;
    var action = new URL(form.action || location.href, location.href);
    if (!previewPath(action)) return;
    carried().forEach(function (kv) {
      if (form.elements[kv[0]]) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = kv[0];
      input.value = kv[1];
      form.appendChild(input);
    });
    // A POST sends its fields in the body: the key goes in the action too.
    if ((form.method || "get").toLowerCase() === "post" && !action.searchParams.has("_goakit")) {
      action.searchParams.set("_goakit", key);
      form.action = action.href;
    }
  }, true);
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
