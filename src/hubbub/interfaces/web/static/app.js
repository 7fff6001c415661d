// Hubbub keyboard shortcuts. No dependencies; the pages work without it.
(function () {
  "use strict";
  var PAGES = {
    i: "/inbox", m: "/", d: "/dashboard", q: "/queries", s: "/sources", w: "/workers",
    t: "/topics", r: "/rules"
  };
  var pendingG = false;
  var gTimer = null;

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT" && (el.type === "checkbox" || el.type === "radio")) return false;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  // j/k move through conversations in the inbox, else through posts
  function items() {
    var rows = document.querySelectorAll("[data-conversation]");
    if (!rows.length) rows = document.querySelectorAll("[data-post]");
    return Array.prototype.slice.call(rows);
  }

  function select(step) {
    var list = items();
    if (!list.length) return;
    var current = list.findIndex(function (p) { return p.classList.contains("selected"); });
    var next = current < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, current + step));
    if (current >= 0) {
      list[current].classList.remove("selected");
      list[current].removeAttribute("aria-current");
    }
    list[next].classList.add("selected");
    list[next].setAttribute("aria-current", "true");
    list[next].focus({ preventScroll: true });
    list[next].scrollIntoView({ block: "nearest" });
  }

  function focusedRow() { return document.querySelector("[data-conversation].selected"); }

  function announce(message) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = message;  // textContent: never markup
  }

  function toggleSelected() {
    var row = focusedRow();
    var box = row && row.querySelector("[data-select]");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // e / a in the inbox: act on the ticked conversations, else on the focused one
  function bulk(action) {
    var form = document.getElementById("bulk-form");
    if (!form) return false;
    var ticked = document.querySelectorAll("[data-select]:checked");
    if (!ticked.length) {
      var row = focusedRow();
      var box = row && row.querySelector("[data-select]");
      if (!box) return false;
      box.checked = true;
    }
    var button = form.querySelector('[data-bulk="' + action + '"]');
    if (!button) return false;
    announce(action === "resolve" ? "Resolving…" : "Assigning…");
    form.requestSubmit(button);
    return true;
  }

  // e / a on a conversation's page
  function submitForm(selector) {
    var form = document.querySelector(selector);
    if (!form) return false;
    form.requestSubmit();
    return true;
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) return false;
    field.focus();
    field.scrollIntoView({ block: "center" });
    return true;
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
      case "Enter":
      case "o": {
        var row = focusedRow();
        // Enter on a focused link or button keeps its own meaning
        var onRow = e.key === "o" || e.target === row || e.target === document.body;
        if (row && onRow) { e.preventDefault(); window.location.assign(row.getAttribute("data-href")); break; }
        if (e.key !== "o") break;
        var sel = document.querySelector("[data-post].selected .post-link[href]");
        if (sel) window.open(sel.href, "_blank", "noopener,noreferrer");
        break;
      }
      case "x": if (focusedRow()) { e.preventDefault(); toggleSelected(); } break;
      case "e":
        if (bulk("resolve") || submitForm("[data-resolve-form]")) e.preventDefault();
        break;
      case "a":
        if (bulk("assign_me") || submitForm("[data-assign-me-form]")) e.preventDefault();
        break;
      case "r": if (focusField("reply-body")) e.preventDefault(); break;
      case "n": if (focusField("note-body")) e.preventDefault(); break;
      case "?": e.preventDefault(); help(); break;
    }
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-shortcut-help]")) help();
  });

  // The inbox's bulk bar says how many are ticked (aria-live).
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("[data-select]")) return;
    var row = e.target.closest("[data-conversation]");
    if (row) row.classList.toggle("ticked", e.target.checked);
    var label = document.querySelector("[data-selected-count]");
    var n = document.querySelectorAll("[data-select]:checked").length;
    if (label) label.textContent = n ? n + " selected:" : "With selected:";
  });

  // A saved reply fills the reply box with its text for this conversation.
  document.addEventListener("change", function (e) {
    var picker = e.target;
    if (!picker.matches || !picker.matches("select[data-preview-url]") || !picker.value) return;
    var box = document.getElementById("reply-body");
    var url = picker.getAttribute("data-preview-url") + "?saved_reply_id=" + encodeURIComponent(picker.value);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) return Promise.reject(r.status);
        var type = r.headers.get("content-type") || "";
        return type.indexOf("json") >= 0
          ? r.json().then(function (d) { return d.body || d.text || ""; })
          : r.text();
      })
      .then(function (text) {
        if (box) { box.value = text; box.focus(); }  // value: never markup
        announce("Saved reply inserted.");
      })
      .catch(function () { announce("Could not load that saved reply."); });
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
