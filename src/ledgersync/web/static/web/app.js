// ledgersync's few behaviours that htmx does not cover. No build step: plain ES2017.
(function () {
  "use strict";

  function dialog() { return document.getElementById("dialog"); }

  // The left menu is a <details> that CSS shows open on wide screens through
  // ::details-content; a browser without that selector gets it opened here instead.
  if (!(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
    var wide = window.matchMedia("(min-width: 901px)");
    var keepMenuOpen = function () {
      var menu = document.getElementById("navmenu");
      if (menu && wide.matches) { menu.open = true; }
    };
    document.addEventListener("DOMContentLoaded", keepMenuOpen);
    if (wide.addEventListener) { wide.addEventListener("change", keepMenuOpen); }
  }

  // A popup loaded into #dialog-body opens the modal dialog and takes focus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "dialog-body") {
      var box = dialog();
      if (!box.open) { box.showModal(); }
      var focus = box.querySelector("[autofocus], .notice.error, h2");
      if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var named = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (named && !named.open) { named.showModal(); }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var box = closer.closest("dialog");
      if (box) { box.close(); }
      return;
    }
    // Anywhere on a grid row except the Nav panel (and its own controls) opens the actions.
    var row = event.target.closest("tr.row");
    if (row && !event.target.closest(".nav-cell, a, button, input, label")) {
      var rowButton = row.querySelector(".rowbutton");
      if (rowButton) { rowButton.click(); }
    }
    var printer = event.target.closest("[data-print]");
    if (printer) { window.print(); }
  });

  // AccsID on a record: read-only until its label is double-clicked (or Enter on the label),
  // so a stray click never changes the link.
  function unlock(label) {
    var input = document.getElementById(label.getAttribute("for"));
    if (!input) { return; }
    input.readOnly = false;
    input.classList.add("unlocked");
    label.setAttribute("aria-pressed", "true");
    var hint = document.getElementById(input.id + "-hint");
    if (hint) { hint.textContent = "Editing: clear it to unlink, or type the correct AccsID, then Save."; }
    input.focus();
  }
  document.addEventListener("dblclick", function (event) {
    var label = event.target.closest("[data-unlock]");
    if (label) { event.preventDefault(); unlock(label); }
  });
  document.addEventListener("keydown", function (event) {
    var label = event.target.closest && event.target.closest("[data-unlock]");
    if (label && event.key === "Enter") { event.preventDefault(); unlock(label); }
  });
  // A single click on the label would focus the read-only input; keep it visibly locked.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-unlock]")) { event.preventDefault(); }
  });

  // Document form: line and document totals follow every keystroke, worked out by the
  // server with the rules a save uses (records/money.py): this script only shows them.
  var totalsTimers = new WeakMap(), totalsAsked = new WeakMap();
  function recalc(form) {
    clearTimeout(totalsTimers.get(form));
    totalsTimers.set(form, setTimeout(function () { askTotals(form); }, 150));
  }
  function askTotals(form) {
    var asked = (totalsAsked.get(form) || 0) + 1;
    totalsAsked.set(form, asked);
    fetch(form.dataset.totals, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (totals) {
        if (!totals || totalsAsked.get(form) !== asked) { return; }  // a later answer is coming
        form.querySelectorAll("#lines-body tr.line").forEach(function (row, index) {
          var line = totals.lines[String(index)];
          row.querySelector("[data-out=net]").textContent = line ? line.net : "0.00";
          row.querySelector("[data-out=gross]").textContent = line ? line.gross : "0.00";
        });
        form.querySelector("#total-net").textContent = totals.net;
        form.querySelector("#total-tax").textContent = totals.tax;
        form.querySelector("#total-gross").textContent = totals.gross;
        var problem = form.querySelector("#totals-problem");
        problem.textContent = totals.problem;
        problem.hidden = !totals.problem;
      })
      .catch(function () { /* the save works the totals out anyway */ });
  }
  function addLine(form) {
    var template = form.querySelector("#line-template");
    var body = form.querySelector("#lines-body");
    var index = body.querySelectorAll("tr.line").length;
    var html = template.innerHTML.replace(/__n__/g, String(index)).replace(/__pos__/g, String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    form.querySelector("[name=line_count]").value = String(index + 1);
    recalc(form);
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-totals]");
    if (form) { recalc(form); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-totals]");
    if (form) { recalc(form); }
    var party = event.target.closest("[data-doc-type]");
    if (party) { showParty(party.closest("form")); }
  });
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-line]");
    if (add) { event.preventDefault(); addLine(add.closest("form")); }
  });
  function showParty(form) {
    if (!form) { return; }
    var select = form.querySelector("[data-doc-type]");
    if (!select) { return; }
    var supplier = select.value === "supplier_invoice";
    form.querySelectorAll("[data-for=supplier]").forEach(function (el) { el.hidden = !supplier; });
    form.querySelectorAll("[data-for=account]").forEach(function (el) { el.hidden = supplier; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-totals]").forEach(function (form) { recalc(form); showParty(form); });
  });
})();
