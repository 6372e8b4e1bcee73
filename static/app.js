// Storefront progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // htmx sends the CSRF token with every request it makes.
  document.addEventListener("htmx:configRequest", function (e) {
    var tok = document.querySelector('input[name="_csrf"]');
    if (tok) { e.detail.headers["X-CSRF-Token"] = tok.value; }
  });
})();
