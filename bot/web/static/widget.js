/*
 * 镇街权责助手 — embeddable chat widget.
 *
 * Embed on any intranet page with one tag:
 *   <script src="http://HOST:8080/widget.js" defer></script>
 * Optional attributes: data-open="true" (start opened), data-title="…".
 *
 * Plain JavaScript, no dependencies, no build step. The widget lives in a
 * shadow root so the host page's CSS and the widget's CSS never meet. It talks
 * only to the server it was loaded from (/api/chat, /api/units, /api/unit,
 * /api/feedback), and keeps the conversation in localStorage.
 */
(function () {
  "use strict";

  if (window.__zjqzWidgetLoaded) return;
  window.__zjqzWidgetLoaded = true;

  var script = document.currentScript || findScript();
  var BASE = new URL(".", script ? script.src : window.location.href).href;
  var CONFIG = {
    title: (script && script.getAttribute("data-title")) || "镇街权责助手",
    open: script && script.getAttribute("data-open") === "true",
  };
  var KEY = {
    sender: "zjqz.sender",
    unit: "zjqz.unit",
    history: "zjqz.history.v1",
    open: "zjqz.open",
  };
  var MAX_HISTORY = 200;
  var MAX_CHARS = 4000;
  var VERDICTS = {
    yes: { label: "可以", cls: "yes" },
    no: { label: "不可以", cls: "no" },
    assist: { label: "协助办理", cls: "assist" },
    unknown: { label: "未找到", cls: "unknown" },
  };
  var DISCLAIMER = "※ 演示数据：仅作示例，不是官方权责清单，请以正式发布的清单为准。";
  var EXAMPLES = ["天河区石牌街道能不能处罚占道经营？", "宅基地审批是镇里批还是区里批？", "餐饮油烟归哪个办公室管？"];

  function findScript() {
    var all = document.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  }

  // ---------------------------------------------------------------- storage

  var store = {
    get: function (key, fallback) {
      try {
        var raw = window.localStorage.getItem(key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    set: function (key, value) {
      try {
        window.localStorage.setItem(key, JSON.stringify(value));
      } catch (e) {
        /* storage full or disabled: the conversation still works, it just is not kept */
      }
    },
  };

  function newSender() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return "web-" + hex;
  }

  var state = {
    sender: store.get(KEY.sender, null) || newSender(),
    unit: store.get(KEY.unit, null),
    history: store.get(KEY.history, []),
    open: store.get(KEY.open, null),
    busy: false,
    lastQuestion: null,
  };
  if (!Array.isArray(state.history)) state.history = [];
  store.set(KEY.sender, state.sender);
  for (var h = state.history.length - 1; h >= 0; h--) {
    if (state.history[h].role === "user" && state.history[h].question) {
      state.lastQuestion = state.history[h].question;
      break;
    }
  }

  function saveHistory() {
    if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
    store.set(KEY.history, state.history);
  }

  // ------------------------------------------------------------------- DOM

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name === "class") node.className = value;
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(path, size) {
    var ns = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("width", size || 18);
    s.setAttribute("height", size || 18);
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    p.setAttribute("fill", "currentColor");
    s.appendChild(p);
    return s;
  }

  var ICON = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.5 3.6A.9.9 0 0 1 3 20.9V6a2 2 0 0 1 1-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z",
    close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
    send: "M3.4 20.4 21 12 3.4 3.6 3.4 10.2 15 12 3.4 13.8z",
    up: "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z",
    down: "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1L17.4 16.4c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z",
    place: "M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z",
    reset: "M12 5V1L7 6l5 5V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z",
  };

  var host = el("div", { id: "zjqz-widget" });
  host.style.display = "none"; // shown once the stylesheet has loaded: no flash of unstyled content
  var root = host.attachShadow({ mode: "open" });
  var css = el("link", { rel: "stylesheet", href: new URL("widget.css", BASE).href });
  var shown = false;
  function reveal() {
    if (shown) return;
    shown = true;
    host.style.display = "";
  }
  css.addEventListener("load", reveal);
  css.addEventListener("error", reveal);
  root.appendChild(css);

  var ids = { panel: "zq-panel", input: "zq-input", unitInput: "zq-unit-input", title: "zq-title" };

  var launcher = el("button", {
    type: "button",
    class: "zq-launcher",
    "aria-controls": ids.panel,
    "aria-expanded": "false",
    "aria-label": "打开" + CONFIG.title,
    onclick: function () {
      setOpen(true);
    },
  }, [svg(ICON.chat, 22), el("span", { class: "zq-launcher-text", text: "权责助手" })]);

  // header
  var resetButton = el("button", {
    type: "button", class: "zq-icon-btn", "aria-label": "开始新对话", title: "开始新对话",
    onclick: function () { resetConversation(); },
  }, [svg(ICON.reset)]);
  var closeButton = el("button", {
    type: "button", class: "zq-icon-btn", "aria-label": "关闭" + CONFIG.title, title: "关闭",
    onclick: function () { setOpen(false); launcher.focus(); },
  }, [svg(ICON.close)]);
  var header = el("div", { class: "zq-header" }, [
    el("div", { class: "zq-brand" }, [
      el("span", { class: "zq-logo", "aria-hidden": "true" }, [svg(ICON.chat, 18)]),
      el("div", {}, [
        el("h2", { class: "zq-title", id: ids.title, text: CONFIG.title }),
        el("p", { class: "zq-subtitle", text: "镇街能不能办、谁来办、依据哪条法律" }),
      ]),
    ]),
    el("div", { class: "zq-header-actions" }, [resetButton, closeButton]),
  ]);

  // unit bar and its form
  var unitValue = el("strong", { class: "zq-unit-value" });
  var unitChange = el("button", {
    type: "button", class: "zq-link-btn", "aria-expanded": "false", "aria-controls": "zq-unit-form",
    onclick: function () { toggleUnitForm(); },
  });
  var unitInput = el("input", {
    id: ids.unitInput, type: "text", class: "zq-unit-input", autocomplete: "off", maxlength: "40",
    placeholder: "如：江高镇、石牌街道", "aria-describedby": "zq-unit-status",
  });
  var unitStatus = el("div", { id: "zq-unit-status", class: "zq-unit-status", role: "status" });
  var unitChoices = el("div", { class: "zq-unit-choices", role: "group", "aria-label": "候选镇街" });
  var unitForm = el("form", {
    id: "zq-unit-form", class: "zq-unit-form", hidden: true, novalidate: true,
    onsubmit: function (event) { event.preventDefault(); lookUpUnit(unitInput.value); },
  }, [
    el("label", { for: ids.unitInput, class: "zq-unit-label", text: "所在镇街" }),
    el("div", { class: "zq-unit-row" }, [
      unitInput,
      el("button", { type: "submit", class: "zq-btn zq-btn-primary", text: "确定" }),
      el("button", {
        type: "button", class: "zq-btn", text: "取消",
        onclick: function () { toggleUnitForm(false); unitChange.focus(); },
      }),
    ]),
    unitStatus,
    unitChoices,
  ]);
  var unitBar = el("div", { class: "zq-unitbar" }, [
    el("span", { class: "zq-unit-icon", "aria-hidden": "true" }, [svg(ICON.place, 16)]),
    el("span", { class: "zq-unit-caption", text: "所在镇街：" }),
    unitValue,
    unitChange,
  ]);

  // conversation log
  var log = el("div", {
    class: "zq-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "对话记录",
    tabindex: "0",
  });

  // composer
  var input = el("textarea", {
    id: ids.input, class: "zq-input", rows: "1", maxlength: String(MAX_CHARS), autocomplete: "off",
    placeholder: "输入问题，按 Enter 发送", "aria-describedby": "zq-hint",
  });
  var sendButton = el("button", { type: "submit", class: "zq-send", "aria-label": "发送", title: "发送" }, [
    svg(ICON.send, 20),
  ]);
  var composer = el("form", {
    class: "zq-composer", novalidate: true,
    onsubmit: function (event) { event.preventDefault(); submitInput(); },
  }, [
    el("label", { for: ids.input, class: "zq-sr-only", text: "输入问题" }),
    input,
    sendButton,
  ]);
  var hint = el("p", { id: "zq-hint", class: "zq-hint", text: "Enter 发送，Shift+Enter 换行。演示数据，仅供参考。" });

  var panel = el("section", {
    id: ids.panel, class: "zq-panel", role: "region", "aria-labelledby": ids.title, hidden: true,
  }, [header, unitBar, unitForm, log, composer, hint]);

  root.appendChild(launcher);
  root.appendChild(panel);

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitInput();
    }
  });
  input.addEventListener("input", autoGrow);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (!unitForm.hidden) {
        toggleUnitForm(false);
        unitChange.focus();
      } else {
        setOpen(false);
        launcher.focus();
      }
    }
  });

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  function setOpen(open, focus) {
    state.open = open;
    store.set(KEY.open, open);
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    host.classList.toggle("zq-open", open);
    if (open) {
      scrollToEnd();
      // a panel restored on page load must not take the focus from the page
      if (focus !== false) input.focus();
    }
  }

  // ------------------------------------------------------------------ unit

  function renderUnit() {
    unitValue.textContent = state.unit || "未设置";
    unitValue.classList.toggle("zq-unset", !state.unit);
    unitChange.textContent = state.unit ? "更改" : "设置";
    unitChange.setAttribute("aria-label", (state.unit ? "更改" : "设置") + "所在镇街");
  }

  function toggleUnitForm(show) {
    var open = show === undefined ? unitForm.hidden : show;
    unitForm.hidden = !open;
    unitChange.setAttribute("aria-expanded", open ? "true" : "false");
    unitStatus.textContent = "";
    unitStatus.classList.remove("zq-error");
    unitChoices.textContent = "";
    if (open) {
      unitInput.value = "";
      unitInput.focus();
    }
  }

  function unitMessage(text, isError) {
    unitStatus.textContent = text;
    unitStatus.classList.toggle("zq-error", !!isError);
  }

  function lookUpUnit(text) {
    text = (text || "").trim();
    unitChoices.textContent = "";
    if (!text) {
      unitMessage("请输入镇街名称。", true);
      return;
    }
    unitMessage("正在查找…");
    api("GET", "api/units?q=" + encodeURIComponent(text)).then(function (data) {
      var units = data.units || [];
      if (units.length === 0) {
        unitMessage("没有找到“" + text + "”，请写镇街全称，例如“白云区江高镇”。", true);
      } else if (units.length === 1) {
        applyUnit(units[0]);
      } else {
        unitMessage("“" + text + "”对应多个镇街，请选择：");
        units.forEach(function (name) {
          unitChoices.appendChild(el("button", {
            type: "button", class: "zq-option", text: name,
            onclick: function () { applyUnit(name); },
          }));
        });
        unitChoices.firstChild.focus();
      }
    }, function (err) {
      unitMessage(err.message, true);
    });
  }

  function applyUnit(name) {
    unitMessage("正在设置…");
    api("POST", "api/unit", { sender: state.sender, unit: name }).then(function (data) {
      state.unit = data.unit;
      store.set(KEY.unit, state.unit);
      renderUnit();
      toggleUnitForm(false);
      var note = "所在镇街已设为 " + data.unit + "。";
      if (!data.synced) {
        // The server could not tell the running conversation: start a new one,
        // where the unit is sent along with each message.
        state.sender = newSender();
        store.set(KEY.sender, state.sender);
        note += "已开始新的对话。";
      }
      addEntry({ role: "note", text: note });
      unitChange.focus();
    }, function (err) {
      unitMessage(err.message, true);
    });
  }

  // ------------------------------------------------------------- messaging

  function api(method, path, body) {
    var options = { method: method, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return window.fetch(new URL(path, BASE).href, options).then(function (response) {
      return response.json().then(
        function (data) {
          if (!response.ok) throw new Error((data && data.error) || "请求失败（HTTP " + response.status + "）。");
          return data;
        },
        function () {
          throw new Error(response.ok ? "服务器回复的格式不对。" : "请求失败（HTTP " + response.status + "）。");
        }
      );
    }, function () {
      throw new Error("网络连接失败，请检查网络后重试。");
    });
  }

  function submitInput() {
    var text = input.value.trim();
    if (!text || state.busy) return;
    if (text.length > MAX_CHARS) {
      addEntry({ role: "error", text: "问题太长了，请控制在 " + MAX_CHARS + " 字以内。" }, false);
      return;
    }
    input.value = "";
    autoGrow();
    state.lastQuestion = text;
    send(text, { role: "user", text: text, question: text });
  }

  function choose(entry, button) {
    if (state.busy) return;
    entry.chosen = button.title;
    saveHistory();
    renderAll();
    var question = state.lastQuestion ? state.lastQuestion + "（选择：" + button.title + "）" : button.title;
    send(button.payload, { role: "user", text: button.title, choice: true, question: question });
  }

  function send(message, userEntry) {
    var asked = addEntry(userEntry);
    setBusy(true);
    var metadata = state.unit ? { unit: state.unit } : {};
    api("POST", "api/chat", { sender: state.sender, message: message, metadata: metadata }).then(function (data) {
      setBusy(false);
      var entries = entriesFromMessages(data.messages || [], userEntry.question);
      if (entries.length === 0) entries.push({ role: "bot", type: "text", text: "（没有回复）" });
      entries.forEach(function (entry) { addEntry(entry); });
      // a long answer is read from the question and the verdict down, not from its last line
      if (asked.offsetTop < log.scrollTop) log.scrollTop = Math.max(0, asked.offsetTop - 12);
    }, function (err) {
      setBusy(false);
      addEntry({ role: "error", text: err.message }, false);
    });
  }

  /* Rasa's messages → history entries. An answer's payload carries everything the
     card shows, so the chat text sent before it is dropped; a clarify payload gives
     the question to show above the buttons of its text message. */
  function entriesFromMessages(messages, question) {
    var entries = [];
    messages.forEach(function (m) {
      var custom = m.custom;
      if (custom && custom.type === "power_answer") {
        var prev = entries[entries.length - 1];
        if (prev && prev.type === "text" && !(prev.buttons && prev.buttons.length)) entries.pop();
        entries.push({ role: "bot", type: "answer", payload: custom, question: question, rating: null });
      } else if (custom && custom.type === "clarify") {
        var last = entries[entries.length - 1];
        if (last && last.type === "text") {
          last.need = custom.need;
          if (typeof custom.prompt === "string" && custom.prompt) last.text = custom.prompt;
        }
      } else if (m.text || (m.buttons && m.buttons.length)) {
        entries.push({
          role: "bot", type: "text", text: m.text || "",
          buttons: (m.buttons || []).map(function (b) { return { title: String(b.title), payload: String(b.payload) }; }),
          chosen: null,
        });
      }
    });
    return entries;
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
    var typing = log.querySelector(".zq-typing");
    if (busy && !typing) {
      log.appendChild(el("div", { class: "zq-row zq-row-bot zq-typing" }, [
        el("div", { class: "zq-bubble zq-bubble-bot" }, [
          el("span", { class: "zq-dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
          el("span", { class: "zq-sr-only", text: "正在查询…" }),
        ]),
      ]));
      scrollToEnd();
    } else if (!busy && typing) {
      typing.remove();
    }
  }

  function addEntry(entry, keep) {
    if (keep !== false) {
      state.history.push(entry);
      saveHistory();
    }
    var welcome = log.querySelector(".zq-welcome");
    if (welcome && entry.role === "user") welcome.remove();
    var typing = log.querySelector(".zq-typing");
    var node = renderEntry(entry);
    if (typing) log.insertBefore(node, typing);
    else log.appendChild(node);
    scrollToEnd();
    return node;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function resetConversation() {
    state.sender = newSender();
    state.history = [];
    state.lastQuestion = null;
    store.set(KEY.sender, state.sender);
    saveHistory();
    renderAll();
    input.focus();
  }

  // ------------------------------------------------------------- rendering

  function renderAll() {
    log.textContent = "";
    var asked = state.history.some(function (entry) { return entry.role === "user"; });
    if (!asked) log.appendChild(renderWelcome());
    state.history.forEach(function (entry) { log.appendChild(renderEntry(entry)); });
    scrollToEnd();
  }

  function renderWelcome() {
    return el("div", { class: "zq-welcome" }, [
      el("p", { class: "zq-welcome-title", text: "您好，我是镇街权责助手。" }),
      el("p", { text: "可以问我：镇街能不能行使某项权力、由哪个办公室承办、依据哪条法律。设置“所在镇街”后，可直接问“我们能不能……”。" }),
      el("div", { class: "zq-examples", role: "group", "aria-label": "示例问题" }, EXAMPLES.map(function (q) {
        return el("button", {
          type: "button", class: "zq-chip", text: q,
          onclick: function () {
            if (state.busy) return;
            state.lastQuestion = q;
            send(q, { role: "user", text: q, question: q });
          },
        });
      })),
    ]);
  }

  function renderEntry(entry) {
    if (entry.role === "user") {
      return el("div", { class: "zq-row zq-row-user" }, [
        el("span", { class: "zq-sr-only", text: "我：" }),
        el("div", { class: "zq-bubble zq-bubble-user" + (entry.choice ? " zq-bubble-choice" : ""), text: entry.text }),
      ]);
    }
    if (entry.role === "note") {
      return el("div", { class: "zq-note", role: "note", text: entry.text });
    }
    if (entry.role === "error") {
      return el("div", { class: "zq-row zq-row-bot" }, [
        el("div", { class: "zq-bubble zq-bubble-error", role: "alert", text: entry.text }),
      ]);
    }
    if (entry.type === "answer") return renderAnswer(entry);
    return renderText(entry);
  }

  function renderText(entry) {
    var buttons = entry.buttons || [];
    var text = entry.text || "";
    if (buttons.length) {
      // the numbered list in the text repeats the buttons
      text = text.split("\n").filter(function (line) { return !/^\s*\d+\.\s/.test(line); }).join("\n");
    }
    var children = [el("span", { class: "zq-sr-only", text: "助手：" }), el("div", { class: "zq-text", text: text })];
    if (buttons.length) {
      children.push(el("div", { class: "zq-options", role: "group", "aria-label": "可选项" }, buttons.map(function (b) {
        var chosen = entry.chosen === b.title;
        return el("button", {
          type: "button", class: "zq-option" + (chosen ? " zq-option-chosen" : ""), text: b.title,
          disabled: entry.chosen ? true : null, "aria-pressed": entry.chosen ? String(chosen) : null,
          onclick: function () { choose(entry, b); },
        });
      })));
    }
    return el("div", { class: "zq-row zq-row-bot" }, [el("div", { class: "zq-bubble zq-bubble-bot" }, children)]);
  }

  function str(value) {
    return typeof value === "string" ? value : "";
  }

  /* What the card shows besides the fields: from the payload. Answers kept in the
     history by a version before the payload carried these came with their chat text. */
  function answerParts(entry, verdict) {
    var p = entry.payload || {};
    var understood = p.understood && typeof p.understood === "object" ? str(p.understood.text) : str(p.understood);
    if (typeof p.headline === "string") {
      return { headline: p.headline, understood: understood, disclaimer: str(p.disclaimer), nextStep: str(p.next_step) };
    }
    var lines = (entry.text || "").split("\n");
    var parts = { headline: (lines[0] || "").replace(new RegExp("^" + verdict.label + "[。，,.]\\s*"), ""), nextStep: "" };
    var rest = [];
    lines.slice(1).forEach(function (line) {
      if (/^（我的理解：/.test(line)) parts.understood = line.replace(/^（/, "").replace(/）$/, "");
      else if (/^※/.test(line)) parts.disclaimer = line;
      else if (line) rest.push(line);
    });
    if (p.verdict === "unknown") parts.nextStep = rest.join("\n");
    return parts;
  }

  function renderAnswer(entry) {
    var p = entry.payload || {};
    var verdict = VERDICTS[p.verdict] || VERDICTS.unknown;
    var parts = answerParts(entry, verdict);

    var card = el("article", { class: "zq-card zq-card-" + verdict.cls, "aria-label": "回答：" + verdict.label });
    card.appendChild(el("div", { class: "zq-card-head" }, [
      el("span", { class: "zq-badge zq-badge-" + verdict.cls, text: verdict.label }),
      p.unit && p.unit.name ? el("span", { class: "zq-card-unit", text: p.unit.name }) : null,
    ]));
    if (parts.headline) card.appendChild(el("p", { class: "zq-headline", text: parts.headline }));

    var fields = el("dl", { class: "zq-fields" });
    function field(label, value, cls) {
      if (!value) return;
      fields.appendChild(el("div", { class: "zq-field" + (cls ? " " + cls : "") }, [
        el("dt", { text: label }),
        typeof value === "string" ? el("dd", { text: value }) : el("dd", {}, [value]),
      ]));
    }
    if (p.item) field("事项", p.item.name + (p.item.power_type ? "（" + p.item.power_type + "）" : ""));
    field("承办机构", p.handled_by, "zq-field-office");
    if (p.held_by) field(p.verdict === "assist" ? "决定机关" : "实施主体", p.held_by);
    if (p.legal_basis && p.legal_basis.length) field("法律依据", renderLegalBasis(p.legal_basis));
    if (p.delegation && p.delegation.document) {
      field("职责依据", p.delegation.document + (p.delegation.effective ? "，" + p.delegation.effective + " 起施行" : ""));
    }
    field("说明", p.note);
    field("建议", parts.nextStep);
    if (fields.childNodes.length) card.appendChild(fields);
    if (parts.understood) card.appendChild(el("p", { class: "zq-understood", text: parts.understood }));
    card.appendChild(el("p", { class: "zq-disclaimer", text: parts.disclaimer || DISCLAIMER }));
    card.appendChild(renderFeedback(entry));

    return el("div", { class: "zq-row zq-row-bot" }, [el("span", { class: "zq-sr-only", text: "助手：" }), card]);
  }

  function renderLegalBasis(refs) {
    var list = el("ul", { class: "zq-basis" });
    refs.forEach(function (ref) {
      var citation = "《" + ref.law + "》" + (ref.article || "");
      if (ref.text) {
        list.appendChild(el("li", {}, [
          el("details", {}, [
            el("summary", {}, [el("span", { class: "zq-citation", text: citation }), el("span", { class: "zq-expand", text: "条文" })]),
            el("blockquote", { class: "zq-article", text: ref.text }),
            ref.law_version ? el("p", { class: "zq-law-version", text: "法律文本版本：" + ref.law_version }) : null,
          ]),
        ]));
      } else {
        list.appendChild(el("li", {}, [el("span", { class: "zq-citation", text: citation })]));
      }
    });
    return list;
  }

  function renderFeedback(entry) {
    var box = el("div", { class: "zq-feedback" });
    if (entry.rating) {
      box.appendChild(el("p", { class: "zq-thanks", role: "status", text: "已收到反馈，谢谢！" }));
      return box;
    }
    var up = el("button", {
      type: "button", class: "zq-rate", "aria-label": "有帮助", title: "有帮助",
      onclick: function () { rate(entry, "up", null, box); },
    }, [svg(ICON.up, 16)]);
    var down = el("button", {
      type: "button", class: "zq-rate", "aria-label": "没有帮助", title: "没有帮助", "aria-expanded": "false",
      onclick: function () { askReason(entry, box, down); },
    }, [svg(ICON.down, 16)]);
    box.appendChild(el("div", { class: "zq-rate-row" }, [el("span", { class: "zq-rate-label", text: "这个回答有帮助吗？" }), up, down]));
    return box;
  }

  function askReason(entry, box, down) {
    if (box.querySelector(".zq-reason")) return;
    down.setAttribute("aria-expanded", "true");
    var reasonId = "zq-reason-" + Math.random().toString(36).slice(2, 9);
    var reason = el("textarea", { id: reasonId, class: "zq-reason-input", rows: "2", maxlength: "1000", placeholder: "例如：承办机构不对、依据已废止……" });
    var form = el("form", {
      class: "zq-reason", novalidate: true,
      onsubmit: function (event) { event.preventDefault(); rate(entry, "down", reason.value.trim() || null, box); },
    }, [
      el("label", { for: reasonId, text: "哪里不对？（可选）" }),
      reason,
      el("div", { class: "zq-reason-actions" }, [
        el("button", { type: "submit", class: "zq-btn zq-btn-primary", text: "提交反馈" }),
        el("button", {
          type: "button", class: "zq-btn", text: "不填，直接提交",
          onclick: function () { rate(entry, "down", null, box); },
        }),
      ]),
    ]);
    box.appendChild(form);
    reason.focus();
  }

  function rate(entry, rating, reason, box) {
    var p = entry.payload || {};
    var body = {
      sender: state.sender,
      question: entry.question || "（未知问题）",
      rating: rating,
      verdict: p.verdict || null,
      item_code: p.item ? p.item.code : null,
      unit: p.unit ? p.unit.name : null,
      kb_version: p.kb_version || null,
      reason: reason,
    };
    Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) { b.disabled = true; });
    api("POST", "api/feedback", body).then(function () {
      entry.rating = rating;
      saveHistory();
      var fresh = renderFeedback(entry);
      box.replaceWith(fresh);
    }, function (err) {
      Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) { b.disabled = false; });
      var old = box.querySelector(".zq-error");
      if (old) old.remove();
      box.appendChild(el("p", { class: "zq-error", role: "alert", text: err.message }));
    });
  }

  // ------------------------------------------------------------------ start

  function start() {
    document.body.appendChild(host);
    renderUnit();
    renderAll();
    setOpen(state.open === null ? !!CONFIG.open : !!state.open, false);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
