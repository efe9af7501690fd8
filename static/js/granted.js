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

  function enhance(root) {
    root.querySelectorAll("textarea[data-word-limit]").forEach(attachCounter);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
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
