// Storefront admin enhancements: drag-and-drop slot order, the product
// picker's Pin/Boost/Exclude buttons and the slot form's fields per type.
// Every admin page works without this file (move up/down buttons, the
// picker's own page, every field shown).
(function () {
  "use strict";

  function csrfToken() {
    var el = document.querySelector('input[name="_csrf"]');
    return el ? el.value : "";
  }

  // Drag and drop: post the new order, then reload so the page shows the
  // saved draft (and its new revision) or the conflict notice.
  function initSortable() {
    var list = document.querySelector('[data-testid="layout-list"]');
    if (!list || typeof Sortable === "undefined") { return; }
    var status = document.querySelector('[data-testid="reorder-status"]');
    list.classList.add("sortable");
    Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      ghostClass: "drag-ghost",
      onEnd: function (evt) {
        if (evt.oldIndex === evt.newIndex) { return; }
        var ids = Array.prototype.map.call(list.querySelectorAll('[data-testid="layout-slot"]'), function (li) {
          return li.getAttribute("data-slot-id");
        });
        var body = new URLSearchParams();
        body.set("ids", ids.join(","));
        body.set("revision", list.getAttribute("data-revision"));
        body.set("_csrf", csrfToken());
        if (status) { status.textContent = "Saving the new order…"; }
        var editor = list.getAttribute("data-editor") || "/admin/layout";
        fetch(editor + "/reorder", {
          method: "POST",
          headers: { "X-CSRF-Token": csrfToken(), "X-Requested-With": "fetch", "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString(),
          credentials: "same-origin"
        }).then(function (res) {
          if (res.status === 409) {
            if (status) { status.textContent = "Another merchandiser changed the layout; reloading…"; }
            window.location.assign(editor + "?conflict=1");
            return;
          }
          if (!res.ok) { throw new Error("HTTP " + res.status); }
          window.location.reload();
        }).catch(function () {
          if (status) { status.textContent = "The new order could not be saved. Reload and try again."; }
        });
      }
    });
  }

  // Picker: add a SKU to the pins, boosts or excludes field of the form.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-pick]") : null;
    if (!btn) { return; }
    var input = document.getElementById("f-" + btn.getAttribute("data-pick"));
    if (!input) { return; }
    var sku = btn.getAttribute("data-sku");
    var list = input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (list.indexOf(sku) < 0) { list.push(sku); }
    input.value = list.join(",");
    btn.textContent = "Added";
    btn.disabled = true;
    input.classList.add("just-added");
    setTimeout(function () { input.classList.remove("just-added"); }, 800);
  });

  // Slot form: show only the fields the chosen type uses (a banner is
  // filled with creatives, so strategy, size, filters and products go).
  document.addEventListener("change", function (e) {
    if (!e.target || e.target.id !== "f-type") { return; }
    var type = e.target.value;
    document.querySelectorAll("[data-hide-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-hide-for").split(" ").indexOf(type) >= 0;
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initSortable);
  } else {
    initSortable();
  }
})();
