// Storefront progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // htmx sends the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var tok = document.querySelector('input[name="_csrf"]');
    if (tok) { e.detail.headers["X-CSRF-Token"] = tok.value; }
  });

  // A product picture that fails to load (an imported image_url whose host
  // is gone) is replaced by the shop's drawing of the product instead of a
  // broken-image box. Pictures that failed before this script ran are
  // found by their empty natural size.
  var fallBack = function (img) {
    var to = img.getAttribute("data-fallback");
    if (to && img.getAttribute("src") !== to) { img.src = to; }
  };
  document.addEventListener("error", function (e) {
    if (e.target && e.target.tagName === "IMG") { fallBack(e.target); }
  }, true);
  Array.prototype.forEach.call(document.querySelectorAll("img[data-fallback]"), function (img) {
    if (img.complete && img.naturalWidth === 0) { fallBack(img); }
  });

  // Search box completion: products and categories as you type. The form
  // submits as usual without this; arrow keys move through the list, Enter
  // opens the chosen entry, Escape closes it.
  var input = document.querySelector("input[data-suggest]");
  var list = document.getElementById("q-suggest");
  if (input && list && window.fetch) {
    var timer = 0, active = -1, last = "";
    var close = function () { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
    var mark = function (i) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) { return; }
      active = (i + items.length) % items.length;
      items.forEach(function (el, k) { el.setAttribute("aria-selected", k === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    };
    var show = function (entries, q) {
      list.textContent = "";
      list.setAttribute("data-for", q);
      entries.forEach(function (e, i) {
        var li = document.createElement("li");
        li.id = "q-suggest-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "suggest-" + e.kind;
        var a = document.createElement("a");
        a.href = e.url;
        a.tabIndex = -1;
        a.textContent = e.label;
        if (e.hint) {
          var hint = document.createElement("span");
          hint.className = "hint";
          hint.textContent = (e.kind === "category" ? "Category" + (e.hint ? " in " + e.hint : "") : e.hint);
          a.appendChild(hint);
        } else if (e.kind === "category") {
          var h = document.createElement("span");
          h.className = "hint";
          h.textContent = "Category";
          a.appendChild(h);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = entries.length === 0;
      input.setAttribute("aria-expanded", entries.length ? "true" : "false");
      active = -1;
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        last = q;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (entries) { if (last === q) { show(entries || [], q); } })
          .catch(close);
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.href = list.querySelectorAll("[role=option] a")[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // A message the last action left (Flash in templates/layout.templ) is read out
  // by a screen reader only when it changes a live region already on the
  // page: write it into its empty region once the page is up.
  Array.prototype.forEach.call(document.querySelectorAll("[data-announce]"), function (el) {
    setTimeout(function () { el.textContent = el.getAttribute("data-announce"); }, 400);
  });

  // After a failed submit, start at the list of problems.
  var summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }

  // Wide screens show the filters open beside the results (CSS does this
  // where ::details-content is supported; this covers the rest).
  if (window.matchMedia && window.matchMedia("(min-width: 900px)").matches) {
    document.querySelectorAll("details.filter-drawer").forEach(function (d) { d.open = true; });
  }

  // The category bar fades at its end while there is more to scroll to.
  var bar = document.querySelector(".cat-nav");
  function updateBar() {
    if (!bar) { return; }
    bar.classList.toggle("scrolls", bar.scrollWidth > bar.clientWidth + 1);
    bar.classList.toggle("at-end", bar.scrollLeft + bar.clientWidth >= bar.scrollWidth - 2);
  }
  if (bar) {
    bar.addEventListener("scroll", updateBar, { passive: true });
    window.addEventListener("resize", updateBar);
    updateBar();
  }
})();
