/* The participant's phone: send votes without leaving the page, and follow the facilitator.
 * Where the server streams to phones (data-events-url), the phone holds one event stream and
 * the server pushes its screen when the room's screen changes, and the count now and then; the
 * browser reconnects by itself after sleep or a lost network, and the first message after a
 * reconnect is the screen the phone should show, with its vote marked. Elsewhere it polls the
 * small state endpoint with its ETag, as often as the server advises for the room's size
 * (data-poll-ms, then each answer's poll_ms). The poll says which screen the phone shows, and
 * the answer carries the new screen's HTML when it has changed; a vote's answer carries the
 * screen with the vote marked. So following a round, or voting, is one request. Without
 * JavaScript the form still works. */
(function () {
  "use strict";

  var host = document.getElementById("participant-live");
  var status = document.getElementById("vote-status");
  if (!host || !status || !window.fetch) { return; }

  var stateUrl = host.getAttribute("data-state-url");
  var fragmentUrl = host.getAttribute("data-fragment-url");
  var voteUrl = host.getAttribute("data-vote-url");
  var eventsUrl = host.getAttribute("data-events-url");
  var BASE_MS = Math.max(1000, parseInt(host.getAttribute("data-poll-ms"), 10) || 2000);
  var etag = null;
  var delay = BASE_MS;
  var timer = null;
  var stopped = false;
  var streaming = false;
  var lastButton = null;

  function screen() {
    var panel = host.querySelector("[data-screen]");
    return panel ? panel.getAttribute("data-screen") : "";
  }

  function announce(text, isError) {
    status.className = "app-vote-status" + (isError ? " app-vote-status--error" : "");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  function setCount(state) {
    var count = document.getElementById("vote-count");
    var label = document.getElementById("vote-count-label");
    if (count && state.count) {
      count.textContent = String(state.count.total);
      if (label) { label.textContent = state.count.total === 1 ? "vote" : "votes"; }
    }
  }

  function describe(state) {
    if (state.workshop.status === "closed") { return "The workshop has ended."; }
    if (!state.round) { return ""; }
    if (state.round.state === "open") { return "Voting is open: " + state.round.title + "."; }
    if (state.round.state === "closed") { return "Voting on " + state.round.title + " has closed."; }
    return "Next: " + state.round.title + ". Voting has not opened yet.";
  }

  function replacePanel(html, roundChanged, focusId) {
    var focused = focusId || (document.activeElement && document.activeElement.id);
    host.innerHTML = html;
    bind();
    var again = focused ? document.getElementById(focused) : null;
    if (again) {
      again.focus();
    } else if (roundChanged) {
      var title = host.querySelector("h1");
      if (title) { title.focus(); }
    }
  }

  function redraw(state, roundChanged) {
    if (state.panel) {
      replacePanel(state.panel, roundChanged);
      return Promise.resolve();
    }
    // An older server, or an answer without the screen: fetch the screen on its own.
    return fetch(fragmentUrl, { headers: { "Accept": "text/html" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { replacePanel(html, roundChanged); });
  }

  function apply(state, asked) {
    var before = screen();
    var roundBefore = before.split("|")[1];
    setCount(state);
    // The page changed while the poll was on its way (a vote's answer drew its screen): an
    // answer that only repeats the screen the poll asked from is older, not news.
    if (state.screen === asked && asked !== before) { return Promise.resolve(); }
    if (state.screen !== before) {
      var roundChanged = String(state.round ? state.round.id : "-") !== roundBefore;
      var stateChanged = before.split("|").slice(0, 3).join("|") !== state.screen.split("|").slice(0, 3).join("|");
      return redraw(state, roundChanged).then(function () {
        if (stateChanged) { announce(describe(state), false); }
      });
    }
    return Promise.resolve();
  }

  function schedule(ms) {
    if (stopped) { return; }
    window.clearTimeout(timer);
    // While the stream is up the server pushes every change; one poll still follows a refused
    // vote at once, in case the round closed under the phone.
    timer = window.setTimeout(streaming ? pollOnce : poll, ms);
  }

  function pollOnce() { poll(true); }

  function poll(once) {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    var asked = screen();
    var url = stateUrl + (stateUrl.indexOf("?") === -1 ? "?" : "&") + "screen=" + encodeURIComponent(asked);
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          stopped = true;
          return response.json().then(function (body) { announce(body.message, true); return null; });
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (state && state.poll_ms) { BASE_MS = Math.max(1000, state.poll_ms); }
        delay = BASE_MS;
        return state ? apply(state, asked) : null;
      })
      .catch(function () { delay = Math.min(delay * 2, 20000); })
      .then(function () {
        if (once === true || streaming) { return; }
        // A little jitter so a room of phones does not poll in lockstep.
        schedule((document.hidden ? Math.max(delay, 8000) : delay) + Math.floor(Math.random() * 400));
      });
  }

  function stream() {
    var source = new window.EventSource(eventsUrl + (eventsUrl.indexOf("?") === -1 ? "?" : "&") + "screen=" + encodeURIComponent(screen()));
    streaming = true;
    window.clearTimeout(timer);
    source.addEventListener("state", function (event) {
      var state;
      try { state = JSON.parse(event.data); } catch (error) { return; }
      apply(state, null);
    });
    source.addEventListener("count", function (event) {
      try { setCount({ count: JSON.parse(event.data) }); } catch (error) { /* a broken message: the next one counts */ }
    });
    source.addEventListener("gone", function (event) {
      source.close();
      streaming = false;
      stopped = true;
      try { announce(JSON.parse(event.data).message, true); } catch (error) { /* nothing more to say */ }
    });
    source.addEventListener("error", function () {
      // CONNECTING: the browser tries again by itself. CLOSED: the server refused the stream
      // (not joined, workshop gone, or no streams here): poll, which says why or follows.
      if (source.readyState === window.EventSource.CLOSED) {
        streaming = false;
        schedule(0);
      }
    });
  }

  function setPressed(form, button) {
    var buttons = form.querySelectorAll("button[name='stage']");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].setAttribute("aria-pressed", buttons[i] === button ? "true" : "false");
    }
  }

  function submitVote(event) {
    var form = event.currentTarget;
    var button = event.submitter || lastButton;
    if (!button || button.name !== "stage") { return; }
    event.preventDefault();
    var roundInput = form.querySelector("input[name='round_id']");
    var token = form.querySelector("input[name='csrf_token']");
    var buttonId = button.id;
    var redrawn = false;
    button.disabled = true;
    fetch(voteUrl + (voteUrl.indexOf("?") === -1 ? "?" : "&") + "panel=1", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: JSON.stringify({ round_id: roundInput ? roundInput.value : null, stage: button.value })
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          if (result.body.panel) {
            replacePanel(result.body.panel, false, buttonId);
            redrawn = true;
          } else {
            setPressed(form, button);
          }
          announce(result.body.message, false);
        } else {
          announce(result.body.message || "Your vote was not counted. Try again.", true);
        }
      })
      .catch(function () {
        announce("Your vote could not be sent. Check your connection and try again.", true);
      })
      .then(function () {
        if (redrawn) {
          if (!streaming) { schedule(BASE_MS); }
          return;
        }
        button.disabled = false;
        if (document.activeElement !== button && document.body.contains(button)) { button.focus(); }
        schedule(150);
      });
  }

  function bind() {
    var form = host.querySelector("form.app-vote-form");
    if (!form) { return; }
    form.addEventListener("submit", submitVote);
    form.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("button") : null;
      if (target) { lastButton = target; }
    });
  }

  bind();
  if (eventsUrl && window.EventSource) {
    stream();
  } else {
    schedule(BASE_MS);
  }
})();
