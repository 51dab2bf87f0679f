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
// which approvals it would need (nothing is stored), and show it beside the form.
(function () {
  var form = document.getElementById("quote-form");
  var panel = document.getElementById("live-totals");
  if (!form || !panel) return;
  var timer = null;
  var asked = 0;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function show(answer) {
    panel.replaceChildren();
    panel.hidden = false;
    panel.appendChild(text("h2", "Totals"));
    if (answer.errors) {
      var keys = Object.keys(answer.errors);
      panel.appendChild(text("p", keys.length + " field(s) to complete before the totals: " +
        keys.map(function (k) { return k + ": " + answer.errors[k]; }).join("; "), "muted"));
      return;
    }
    var list = document.createElement("dl");
    list.className = "totals";
    [["Subtotal", "subtotal"], ["Discount", "discount"], ["Tax", "tax"], ["Total", "total"]]
      .forEach(function (pair) {
        list.appendChild(text("dt", pair[0]));
        list.appendChild(text("dd", answer.totals[pair[1]], pair[1] === "total" ? "grand" : ""));
      });
    panel.appendChild(list);
    if (answer.approvals.length) {
      answer.approvals.forEach(function (a) {
        panel.appendChild(text("p", "Needs approval by a " + a.role + ": " + a.reason + ".",
          "needs-approval"));
      });
    } else {
      panel.appendChild(text("p", "No approval needed: it can be sent once generated."));
    }
  }

  function ask() {
    var mine = ++asked;
    var body = new FormData(form);
    fetch(panel.dataset.previewUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": body.get("csrf_token") },
      credentials: "same-origin",
    }).then(function (response) { return response.json(); })
      .then(function (answer) { if (mine === asked) show(answer); })
      .catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
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
(function () {
  var button = document.getElementById("preview-pdf");
  var form = document.getElementById("quote-form");
  var panel = document.getElementById("pdf-preview");
  var frame = document.getElementById("pdf-frame");
  if (!button || !form || !panel || !frame) return;
  button.addEventListener("click", function () {
    var body = new FormData(form);
    fetch(button.dataset.url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": body.get("csrf_token") },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("the form has fields to complete");
      return response.blob();
    }).then(function (pdf) {
      if (frame.dataset.url) URL.revokeObjectURL(frame.dataset.url);
      frame.dataset.url = URL.createObjectURL(pdf);
      frame.src = frame.dataset.url;
      panel.hidden = false;
      panel.scrollIntoView({ block: "nearest" });
    }).catch(function (error) {
      panel.hidden = false;
      frame.removeAttribute("src");
      panel.querySelector("h2").textContent = "Preview: " + error.message;
    });
  });
})();
