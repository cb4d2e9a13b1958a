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
  (window.__goakitWarnings || []).forEach(function (w) { console.warn("goakit: " + w); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tellShell);
  } else {
    tellShell();
  }
  connect();
})();
