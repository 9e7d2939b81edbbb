// The console's live pages: listen to /events and fetch the part of the page that
// changed (data-fragment), keeping what the person was doing: focus, open forms and
// what they typed. Everything works without this script; it only keeps pages fresh.
(function () {
  "use strict";

  var said = document.getElementById("said");
  if (said && said.textContent.trim()) { said.focus(); }

  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource || !window.fetch) { return; }
  var state = document.getElementById("live-state");
  var onAlert = root.getAttribute("data-live") === "alert";
  var alertId = root.getAttribute("data-alert");
  var busy = false;
  var again = false;
  var changed = [];

  function say(text) { if (state) { state.textContent = text; } }

  function edited(el) {
    if (el.type === "radio" || el.type === "checkbox") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  function remember() {
    var kept = { focus: document.activeElement ? document.activeElement.id : "", open: [], values: {} };
    root.querySelectorAll("details[open]").forEach(function (d) { if (d.id) { kept.open.push(d.id); } });
    root.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.id && edited(el)) { kept.values[el.id] = el.type === "radio" ? el.checked : el.value; }
    });
    return kept;
  }

  function restore(kept) {
    kept.open.forEach(function (id) {
      var d = document.getElementById(id);
      if (d) { d.open = true; }
    });
    Object.keys(kept.values).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) { return; }
      if (el.type === "radio") { el.checked = kept.values[id]; } else { el.value = kept.values[id]; }
    });
    var focused = kept.focus && document.getElementById(kept.focus);
    if (focused && root.contains(focused)) { focused.focus({ preventScroll: true }); }
  }

  function mark(ids) {
    ids.forEach(function (id) {
      var row = document.getElementById("row-" + id);
      if (!row) { return; }
      row.classList.add("changed");
      window.setTimeout(function () { row.classList.remove("changed"); }, 2500);
    });
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var ids = changed;
    changed = [];
    fetch(root.getAttribute("data-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 404) {
          window.location.reload();  // signed out, or the alert is no longer theirs to see
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var kept = remember();
        root.innerHTML = html;
        restore(kept);
        mark(ids);
        say("Updated " + new Date().toLocaleTimeString());
      })
      .catch(function () { say("Could not refresh; trying again at the next change"); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    var source = new EventSource("/events");
    source.addEventListener("ready", function () { say("Updates live"); refresh(); });
    source.addEventListener("change", function (event) {
      var data = JSON.parse(event.data);
      if (onAlert && data.alerts.indexOf(alertId) < 0) { return; }
      changed = changed.concat(data.alerts);
      refresh();
    });
    source.addEventListener("reload", function () { window.location.reload(); });
    source.addEventListener("error", function () {
      say("Reconnecting…");
      if (source.readyState === EventSource.CLOSED) { window.setTimeout(listen, 5000); }
    });
  }

  listen();
}());
