// goakit preview client, loaded by every previewed document (also inside the
// sandboxed iframe, whose origin is opaque): reloads when the server says a
// change is applied, reconnects by itself, and tells the shell where it is.
(function () {
  "use strict";
  var shown = window.__goakitVersion;
  function tellShell() {
    try {
      if (window.parent !== window) {
        var overlay = !!document.querySelector(".goakit-overlay");
        window.parent.postMessage({ goakit: "page", path: location.pathname + location.search, error: overlay }, "*");
      }
    } catch (e) { /* the shell is optional */ }
  }
  function connect() {
    var es = new EventSource("/_goakit/events");
    es.addEventListener("hello", function (ev) {
      // Changed while this page was loading, or the server restarted.
      if (shown !== undefined && String(shown) !== ev.data) { location.reload(); }
    });
    es.addEventListener("reload", function () { location.reload(); });
    // EventSource retries on its own; nothing else to do on error.
  }
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
  connect();
})();
