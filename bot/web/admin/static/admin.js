// 镇街权责助手维护控制台: progressive enhancement only; every page works without it.
"use strict";
(function () {
  // <form data-confirm="确定删除？">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // <select data-autosubmit>: submit its form when changed (filters).
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit")) event.target.form.submit();
  });
  // For pages that call the console from a script: zqAdmin.post(url, {field: value}) sends the CSRF header.
  window.zqAdmin = {
    csrfToken: function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.content : "";
    },
    post: function (url, data) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": window.zqAdmin.csrfToken() },
        body: new URLSearchParams(data || {}),
      });
    },
  };
})();
