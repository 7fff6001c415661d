// Hubbub keyboard shortcuts. No dependencies; the pages work without it.
(function () {
  "use strict";
  var PAGES = { m: "/", d: "/dashboard", q: "/queries", s: "/sources" };
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
