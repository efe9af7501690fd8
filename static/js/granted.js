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
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

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
