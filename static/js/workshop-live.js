/* Follow a workshop's live state: Server-Sent Events, falling back to polling with an ETag.
 * Used by the presenter screen and the facilitator console. */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var MAX_POLL_MS = 15000;

  function follow(options) {
    // A state's version changes with every change to what it shows (workshop revision, votes
    // written in the round, people joined); a state already shown is not drawn again.
    var lastVersion = options.version === undefined ? null : options.version;
    var etag = null;
    var pollTimer = null;
    var pollDelay = POLL_MS;
    var source = null;
    var failures = 0;

    // The first part of a version is the workshop's revision, which only ever grows. A state
    // from an older revision (a stream message overtaken by the answer to a button) is dropped,
    // so the controls never step back to what the room showed before.
    function revision(version) {
      var first = parseInt(String(version).split(".")[0], 10);
      return isNaN(first) ? null : first;
    }

    function deliver(state) {
      if (!state || state.version === lastVersion) { return; }
      var seen = lastVersion === null ? null : revision(lastVersion);
      var offered = revision(state.version);
      if (seen !== null && offered !== null && offered < seen) { return; }
      lastVersion = state.version;
      options.onState(state);
    }

    function setOnline(online) {
      if (options.onConnection) { options.onConnection(online); }
    }

    function poll() {
      var headers = { "Accept": "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(options.stateUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 304) { return null; }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (state) {
          setOnline(true);
          pollDelay = POLL_MS;
          if (state) { deliver(state); }
        })
        .catch(function () {
          setOnline(false);
          pollDelay = Math.min(pollDelay * 2, MAX_POLL_MS);
        })
        .then(function () {
          pollTimer = window.setTimeout(poll, document.hidden ? Math.max(pollDelay, 5000) : pollDelay);
        });
    }

    function startPolling() {
      if (pollTimer === null) { poll(); }
    }

    function startStream() {
      if (!window.EventSource || !options.eventsUrl) { startPolling(); return; }
      source = new EventSource(options.eventsUrl);
      source.addEventListener("state", function (event) {
        failures = 0;
        setOnline(true);
        try { deliver(JSON.parse(event.data)); } catch (e) { /* a malformed message is skipped */ }
      });
      source.addEventListener("open", function () { failures = 0; setOnline(true); });
      source.addEventListener("gone", function () { source.close(); setOnline(false); });
      source.addEventListener("error", function () {
        // The server ends each stream after a few minutes and the browser reconnects by itself;
        // only repeated failures (or a refused stream) mean falling back to polling.
        failures += 1;
        if (source.readyState === EventSource.CLOSED || failures >= 3) {
          source.close();
          setOnline(false);
          startPolling();
        }
      });
    }

    startStream();
    return {
      refresh: function () { lastVersion = null; if (pollTimer === null) { etag = null; } },
      deliver: deliver
    };
  }

  function csrfToken(root) {
    var input = (root || document).querySelector("input[name='csrf_token']");
    return input ? input.value : "";
  }

  window.WorkshopLive = { follow: follow, csrfToken: csrfToken };
})();
