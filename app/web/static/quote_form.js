// "Add a product": copy the last product row with the next index.
(function () {
  var button = document.getElementById("add-line");
  var body = document.querySelector("#lines tbody");
  if (!button || !body) return;
  button.addEventListener("click", function () {
    var rows = body.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    var index = rows.length;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("[id], [name], [for]").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/lines-\d+-/, "lines-" + index + "-"));
      });
    });
    copy.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    copy.querySelector("select").value = "";
    copy.querySelector("input[name$=quantity]").value = "1";
    copy.querySelector("input[name$=discount_percent]").value = "0";
    body.appendChild(copy);
    copy.querySelector("select").focus();
  });
})();

// Live totals: as the form changes, ask the service what the quote would come to and
// which approvals it would need (nothing is stored). The service answers with the part of
// the page to show, written in the user's language, or what is still missing.
var liveTotals = (function () {
  var form = document.getElementById("quote-form");
  var panel = document.getElementById("live-totals");
  if (!form || !panel) return null;
  var timer = null;
  var asked = 0;

  function ask() {
    var mine = ++asked;
    var body = new FormData(form);
    return fetch(panel.dataset.previewUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": body.get("csrf_token") },
      credentials: "same-origin",
    }).then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine === asked) panel.innerHTML = html;
        var answer = panel.querySelector("[data-complete]");
        return Boolean(answer) && answer.dataset.complete === "true";
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { ask().catch(function () {}); }, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  return { ask: ask };
})();

// "Find an account": keep the accounts whose name or country holds what is typed; also
// what was typed before this script ran (a slow page) or kept by the browser (back).
(function () {
  var search = document.getElementById("account-search");
  var select = document.getElementById("account");
  if (!search || !select) return;
  function narrow() {
    var wanted = search.value.trim().toLowerCase();
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var show = !option.value || option.text.toLowerCase().indexOf(wanted) !== -1;
      option.hidden = !show;
      if (show && option.value && !first) first = option;
    });
    var current = select.selectedOptions[0];
    if (wanted && first && (!select.value || (current && current.hidden))) {
      select.value = first.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  search.addEventListener("input", narrow);
  if (search.value) narrow();
})();

// "Preview PDF": the quote as it would be generated, shown in the page, nothing stored.
// The totals are asked first, so that a form with fields to complete says so instead of
// asking for a PDF that cannot be made.
(function () {
  var button = document.getElementById("preview-pdf");
  var form = document.getElementById("quote-form");
  var panel = document.getElementById("pdf-preview");
  var frame = document.getElementById("pdf-frame");
  if (!button || !form || !panel || !frame || !liveTotals) return;
  var heading = panel.querySelector("h2");
  var title = heading.innerHTML;

  function fail(message) {
    panel.hidden = false;
    frame.removeAttribute("src");
    heading.textContent = message;
  }

  button.addEventListener("click", function () {
    liveTotals.ask().then(function (complete) {
      if (!complete) {
        fail(button.dataset.incomplete);
        return null;
      }
      var body = new FormData(form);
      return fetch(button.dataset.url, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": body.get("csrf_token") },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.blob();
      }).then(function (pdf) {
        if (frame.dataset.url) URL.revokeObjectURL(frame.dataset.url);
        frame.dataset.url = URL.createObjectURL(pdf);
        frame.src = frame.dataset.url;
        heading.innerHTML = title;
        panel.hidden = false;
        panel.scrollIntoView({ block: "nearest" });
      });
    }).catch(function () { fail(button.dataset.failed); });
  });
})();
