/* Granted's small enhancements. The pages work without JavaScript; this adds live word counts,
   confirmations and htmx settings. No inline scripts (the content security policy forbids them). */
(function () {
  "use strict";

  function countWords(text) {
    // Same rule as the server (applications.eligibility.count_words): runs of non-space characters.
    var words = text.match(/\S+/g);
    return words ? words.length : 0;
  }

  function attachCounter(textarea) {
    if (textarea.dataset.counterReady) return;
    textarea.dataset.counterReady = "1";
    var limit = parseInt(textarea.dataset.wordLimit, 10);
    var counter = document.createElement("p");
    counter.className = "word-count";
    counter.id = textarea.id + "-count";
    counter.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", counter);
    var described = (textarea.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(counter.id);
    textarea.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var n = countWords(textarea.value);
      counter.textContent = n + " of " + limit + " words" + (n > limit ? " — " + (n - limit) + " over the limit" : "");
      counter.classList.toggle("over", n > limit);
    }
    textarea.addEventListener("input", update);
    update();
  }

  // Autosave that loses nothing (the review workspace: form[data-autosave]). What was typed stays on
  // the page until the server has stored it. A save that does not reach the server (a network error,
  // or a 5xx while the web process restarts) says so and is sent again by itself after 1, 2, 4, 8 and
  // then every 15 s, and at once when the browser is back online; leaving the page with unsaved
  // changes asks first. Refusals (4xx: an invalid score, changed in another tab) show the server's
  // message and are not retried.
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000];
  var NOT_SAVED = "Not saved yet: the server cannot be reached. What you typed stays on this page " +
    "and is saved automatically as soon as the server answers again.";
  var NOT_SENT = "Not sent: the server cannot be reached. What you typed stays on this page and is " +
    "saved automatically as soon as the server answers again; then use the button again.";

  function isAutosave(elt) {
    return !!(elt && elt.matches && elt.matches("form[data-autosave]"));
  }

  function snapshot(form) {
    // What the reviewer wrote, without the version and CSRF token (a save changes the version).
    var data = new FormData(form);
    data.delete("version");
    data.delete("csrfmiddlewaretoken");
    return new URLSearchParams(data).toString();
  }

  function nameThisPage(form) {
    // This page's own name for its saves (input "tab"): the server accepts an older version from the
    // page that saved every version since, whose answers were lost. Made here, per page, never by
    // the server: a duplicated tab or a restored session must not share it (and the input does not
    // autocomplete, so the browser does not restore it either).
    var input = form.querySelector("input[name=tab]");
    if (!input || input.value || !window.crypto || !window.crypto.getRandomValues) return;
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    input.value = Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function autosaveState(form) {
    if (!form.grantedAutosave) {
      nameThisPage(form);
      form.grantedAutosave = { saved: snapshot(form), sending: null, failures: 0, timer: null, held: false };
    }
    return form.grantedAutosave;
  }

  function hasUnsavedChanges(form) {
    return !form.dataset.submitting && snapshot(form) !== autosaveState(form).saved;
  }

  function sayNotSaved(form, text) {
    var status = document.querySelector(form.getAttribute("hx-target"));
    if (!status || status.dataset.said === text) return; // said once, not again at every retry
    status.dataset.said = text;
    var message = document.createElement("span");
    message.className = "error";
    message.textContent = text;
    status.replaceChildren(message);
  }

  function retrySoon(form) {
    var state = autosaveState(form);
    if (state.timer) return;
    var delay = RETRY_DELAYS[Math.min(state.failures, RETRY_DELAYS.length) - 1];
    state.timer = window.setTimeout(function () { state.timer = null; retryNow(form); }, delay);
  }

  function retryNow(form) {
    var state = autosaveState(form);
    if (state.timer) {
      window.clearTimeout(state.timer);
      state.timer = null;
    }
    if (form.classList.contains("htmx-request")) return; // its answer decides what comes next
    if (hasUnsavedChanges(form)) {
      window.htmx.trigger(form, "autosave-retry");
    } else {
      // Nothing left to send (the text went back to what the server has): the failure is moot, and
      // must not hold the form's buttons back for good.
      state.failures = 0;
      state.held = false;
    }
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    var form = event.detail && event.detail.elt;
    if (isAutosave(form)) autosaveState(form).sending = snapshot(form);
  });

  // Capture phase: before a submission waiting for this save (below) goes on.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!isAutosave(form)) return;
    var state = autosaveState(form);
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    if (code === 0 || code >= 500) {
      state.failures += 1;
      sayNotSaved(form, state.held ? NOT_SENT : NOT_SAVED);
      retrySoon(form);
      return;
    }
    // The server answered: saved (2xx), or refused with its own message (4xx), which a retry would
    // not change.
    if (code >= 200 && code < 300) state.saved = state.sending;
    state.failures = 0;
    state.held = false;
    if (state.timer) window.clearTimeout(state.timer);
    state.timer = null;
  }, true);

  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      if (autosaveState(form).failures) retryNow(form);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    var forms = document.querySelectorAll("form[data-autosave]");
    for (var i = 0; i < forms.length; i++) {
      if (hasUnsavedChanges(forms[i])) {
        event.preventDefault();
        event.returnValue = ""; // older browsers ask only when this is set
        return;
      }
    }
  });

  function enhance(root) {
    root.querySelectorAll("textarea[data-word-limit]").forEach(attachCounter);
    root.querySelectorAll("form[data-autosave]").forEach(autosaveState);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (isAutosave(form) && autosaveState(form).failures) {
      // The last save did not reach the server: posting the form now would leave this page for the
      // browser's error page. Stay, keep the text, and try the save again at once.
      event.preventDefault();
      delete form.dataset.submitting;
      delete form.dataset.confirmed;
      autosaveState(form).held = true;
      sayNotSaved(form, NOT_SENT);
      retryNow(form);
      return;
    }
    // The form's own question, or that of the button that submitted it (e.g. "Submit review").
    var question = (submitter && submitter.dataset && submitter.dataset.confirm) || (form.dataset && form.dataset.confirm);
    if (question && !form.dataset.confirmed && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute && form.hasAttribute("data-autosave")) {
      // A form that autosaves (the review workspace) is posted with the version it holds: no autosave
      // may start from now on (leaving the field that had focus fires one), and one already on its way
      // is waited for, since its answer raises the version. Otherwise the server sees two saves of
      // the same version and refuses the second as changed elsewhere.
      form.dataset.submitting = "1";
      if (form.classList.contains("htmx-request")) {
        event.preventDefault();
        form.dataset.confirmed = "1";
        form.addEventListener("htmx:afterRequest", function () {
          form.requestSubmit(submitter || undefined);
        }, { once: true });
      }
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.dataset && elt.dataset.submitting) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  if (window.htmx) {
    // Validation errors (4xx) carry the form with what was typed and its messages: swap them in.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "...", swap: false, error: true }
    ];
  }
})();
