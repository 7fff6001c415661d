// Hubbub keyboard shortcuts. No dependencies; the pages work without it.
(function () {
  "use strict";
  var PAGES = { m: "/", d: "/dashboard", q: "/queries", s: "/sources", w: "/workers" };
  var pendingG = false;
  var gTimer = null;

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function posts() { return Array.prototype.slice.call(document.querySelectorAll("[data-post]")); }

  function select(step) {
    var list = posts();
    if (!list.length) return;
    var current = list.findIndex(function (p) { return p.classList.contains("selected"); });
    var next = current < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, current + step));
    if (current >= 0) list[current].classList.remove("selected");
    list[next].classList.add("selected");
    list[next].focus({ preventScroll: true });
    list[next].scrollIntoView({ block: "nearest" });
  }

  function help() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (pendingG) {
      pendingG = false;
      clearTimeout(gTimer);
      if (PAGES[e.key]) { e.preventDefault(); window.location.assign(PAGES[e.key]); }
      return;
    }
    switch (e.key) {
      case "/": {
        var box = document.getElementById("search-q") || document.getElementById("global-search");
        if (box) { e.preventDefault(); box.focus(); box.select(); }
        break;
      }
      case "g": pendingG = true; gTimer = setTimeout(function () { pendingG = false; }, 1500); break;
      case "j": e.preventDefault(); select(1); break;
      case "k": e.preventDefault(); select(-1); break;
      case "o": {
        var sel = document.querySelector("[data-post].selected .post-link[href]");
        if (sel) window.open(sel.href, "_blank", "noopener,noreferrer");
        break;
      }
      case "?": e.preventDefault(); help(); break;
    }
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-shortcut-help]")) help();
  });

  // Destructive forms ask first.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();

// Query editor: keyboard focus on fresh results, Enter in the test box tests,
// and the backfill progress bar polls until the re-match is over.
(function () {
  "use strict";
  var fresh = document.querySelector("[data-autofocus]");
  if (fresh) fresh.focus();

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.closest) return;
    var box = e.target.closest(".test-box");
    if (!box || e.target.tagName === "BUTTON") return;
    var button = box.querySelector("[data-test-button]");
    if (button) { e.preventDefault(); button.click(); }
  });

  var panel = document.querySelector("[data-backfill-url]");
  if (!panel) return;
  var bar = panel.querySelector("progress");
  var text = panel.querySelector("[role=status]");
  var retry = panel.querySelector(".backfill-retry");

  function describe(s) {
    var n = function (v) { return v === null || v === undefined ? "?" : Number(v).toLocaleString("en"); };
    switch (s.state) {
      case "pending": return "Starting…";
      case "running": return "Checked " + n(s.done) + " of " + n(s.total) + " stored posts (" + s.percent + "%).";
      case "done": return "Done: " + n(s.matched) + " stored post" + (s.matched === 1 ? "" : "s") + " match.";
      case "failed": return "Failed: " + (s.error || "unknown error");
      default: return "Stopped before finishing (its server went away).";
    }
  }

  function poll() {
    fetch(panel.getAttribute("data-backfill-url"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        panel.setAttribute("data-state", s.state);
        bar.value = s.percent;
        bar.textContent = s.percent + "%";
        var message = describe(s);
        if (text.textContent !== message) text.textContent = message;  // textContent: never markup
        if (retry) retry.hidden = !(s.state === "failed" || s.state === "stalled");
        if (s.state === "pending" || s.state === "running") setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  var state = panel.getAttribute("data-state");
  if (state === "pending" || state === "running") setTimeout(poll, 200);
})();
