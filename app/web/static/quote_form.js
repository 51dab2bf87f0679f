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
