// 未答问题: search the items as you type and offer the results as choices (the form works without it).
"use strict";
(function () {
  var timers = new WeakMap();
  function show(box, items) {
    var picked = box.querySelector("input:checked");  // a choice made meanwhile survives a new result
    var pickedCode = picked ? picked.value : null;
    box.textContent = "";
    if (items.length) {
      var title = document.createElement("p");
      title.className = "muted";
      title.textContent = "搜索结果：";
      box.appendChild(title);
    }
    items.forEach(function (item) {
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "code";
      radio.value = item.code;
      radio.checked = item.code === pickedCode;
      var code = document.createElement("code");
      code.textContent = item.code;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + item.name + " "));
      label.appendChild(code);
      box.appendChild(label);
    });
    if (!items.length) box.textContent = "没有找到匹配的事项。";
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("item-search")) return;
    var box = input.closest("fieldset").querySelector(".found");
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var q = input.value.trim();
      if (!q) { box.textContent = ""; return; }
      fetch("/admin/api/items?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (input.value.trim() === q && box.dataset.shown !== q) {
            box.dataset.shown = q;  // the same results again would replace the choices under the user's click
            show(box, data.items || []);
          }
        });
    }, 200));
  });
})();
