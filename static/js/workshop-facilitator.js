/* The facilitator console: buttons sent with fetch (the X-CSRFToken header), keyboard
 * shortcuts, and the live part of the page redrawn whenever the workshop's state changes (or,
 * while only votes come in, its figures changed in place). */
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root || !window.fetch || !window.WorkshopLive) { return; }

  var message = document.getElementById("console-message");
  var statusHost = document.getElementById("console-status");
  var fragmentUrl = root.getAttribute("data-fragment-url");
  var handCount = document.getElementById("hand-count-form");
  var handCountTouched = false;
  var current = null;
  var redrawing = null;
  var redrawAgain = false;

  function say(text, isError) {
    message.className = "app-console-message" + (isError ? " app-console-message--error" : "");
    message.textContent = "";
    window.setTimeout(function () { message.textContent = text; }, 30);
  }

  function shows(key, state) {
    var round = state.round;
    var live = state.workshop.status !== "closed";
    switch (key) {
      case "start": return state.workshop.status === "setup";
      case "open": return live && !!round && round.state !== "open" && !round.shown;
      case "close": return live && !!round && round.state === "open";
      case "reveal": return !!round && !round.revealed;
      case "hide": return !!round && round.revealed;
      case "revote": return live && !!round && round.state === "closed" && round.revealed && !round.element && !round.revoted;
      case "previous": return live && !!round && round.position > 1;
      case "next": return live && !!round && round.position < round.of;
      default: return true;
    }
  }

  function updateControls(state) {
    var forms = document.querySelectorAll("form.app-control[data-control]");
    for (var i = 0; i < forms.length; i += 1) {
      var form = forms[i];
      var key = form.getAttribute("data-control");
      if (statusHost.contains(form)) { continue; }
      form.hidden = !shows(key, state);
      var roundInput = form.querySelector("[data-round-input]");
      if (roundInput) { roundInput.value = state.round ? String(state.round.id) : ""; }
      if (key === "open") {
        var label = form.querySelector("button");
        if (label && label.firstChild) {
          label.firstChild.nodeValue = (state.round && state.round.state === "closed" ? "Reopen voting" : "Open voting") + " ";
        }
      }
    }
    if (handCount && !handCountTouched && state.round) {
      var select = handCount.querySelector("select[name='round_id']");
      if (select) { select.value = String(state.round.id); }
    }
  }

  function redraw() {
    if (redrawing) { redrawAgain = true; return redrawing; }
    redrawing = fetch(fragmentUrl, { headers: { "Accept": "text/html" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var focused = document.activeElement && statusHost.contains(document.activeElement) ? document.activeElement.id : null;
        // A preview the facilitator opened stays open while the page redraws around it.
        var opened = Array.prototype.map.call(statusHost.querySelectorAll("details[id][open]"), function (d) { return d.id; });
        statusHost.innerHTML = html;
        opened.forEach(function (id) {
          var details = document.getElementById(id);
          if (details) { details.open = true; }
        });
        if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
      })
      .catch(function () { /* the next state brings another try */ })
      .then(function () {
        redrawing = null;
        if (redrawAgain) { redrawAgain = false; redraw(); }
      });
    return redrawing;
  }

  // A version is "revision.writes.joined"; within one revision the other parts only grow.
  function parts(version) {
    return String(version || "").split(".").map(function (part) { return parseInt(part, 10); });
  }

  // While voting is open and nothing of the result shows, a state that only counts more votes
  // (the same revision and round as the part drawn) changes the figures in place, without
  // fetching the part again: on a day of many rooms those fetches cost more than the votes.
  // True when the state was dealt with here; false when the part must be drawn again.
  function updateCounts(state) {
    var drawn = statusHost.querySelector(".app-console-status");
    if (!drawn || !drawn.hasAttribute("data-counts-live") || !state.round || state.round.state !== "open" ||
        state.result || state.preview || state.withheld || !state.count ||
        drawn.getAttribute("data-round-id") !== String(state.round.id)) { return false; }
    var had = parts(drawn.getAttribute("data-version"));
    var now = parts(state.version);
    if (had[0] !== now[0]) { return false; }
    if (now[1] < had[1] || now[2] < had[2]) { return true; }  // older than what is drawn
    var found = {};
    var names = ["total", "votes-word", "joined", "round-count", "org-types", "org-types-note", "nobody-voted"];
    for (var i = 0; i < names.length; i += 1) {
      found[names[i]] = drawn.querySelector("[data-live='" + names[i] + "']");
      if (!found[names[i]]) { return false; }
    }
    var total = state.count.total;
    found.total.textContent = String(total);
    found["votes-word"].textContent = total === 1 ? "vote" : "votes";
    found.joined.textContent = state.joined + (state.joined === 1 ? " person has" : " people have") + " joined.";
    found["round-count"].textContent = String(total);
    var kinds = state.org_types_voted || [];
    var list = found["org-types"];
    while (list.firstChild) { list.removeChild(list.firstChild); }
    kinds.forEach(function (item) {
      var entry = document.createElement("li");
      entry.textContent = item.label + ": " + item.count;
      list.appendChild(entry);
    });
    list.hidden = kinds.length === 0;
    found["org-types-note"].hidden = kinds.length === 0;
    found["nobody-voted"].hidden = kinds.length > 0;
    drawn.setAttribute("data-version", state.version);
    return true;
  }

  function onState(state) {
    current = state;
    updateControls(state);
    if (redrawing || !updateCounts(state)) { redraw(); }
  }

  var live = window.WorkshopLive.follow({
    eventsUrl: root.getAttribute("data-events-url"),
    stateUrl: root.getAttribute("data-state-url"),
    version: root.getAttribute("data-version"),
    onState: onState,
    onConnection: function (online) { root.classList.toggle("app-offline", !online); }
  });

  function send(form) {
    var data = new FormData(form);
    var buttons = form.querySelectorAll("button, input[type='submit']");
    for (var i = 0; i < buttons.length; i += 1) { buttons[i].disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": data.get("csrf_token") || "" }
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) { say(result.body.message || "That did not work. Reload the page and try again.", true); return; }
        say(result.body.message, false);
        if (form === handCount) {
          handCount.reset();
          handCountTouched = false;
        }
        if (result.body.state) { live.deliver(result.body.state); }
      })
      .catch(function () { say("The console could not reach the server. Check the connection and try again.", true); })
      .then(function () {
        for (var j = 0; j < buttons.length; j += 1) { buttons[j].disabled = false; }
        if (current && form === handCount) { updateControls(current); }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("app-control")) { return; }
    event.preventDefault();
    send(form);
  });

  if (handCount) {
    handCount.addEventListener("change", function () { handCountTouched = true; });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) { return; }
    var key = (event.key || "").toLowerCase();
    if (key.length !== 1) { return; }
    var button = document.querySelector("button[data-shortcut='" + key + "']");
    if (!button) { return; }
    var form = button.form;
    if (!form || form.hidden) { return; }
    event.preventDefault();
    send(form);
  });
})();
