/* The composer: live limit counters, the server's preview, and media by drag and drop.
 *
 * Plain JavaScript, no library. Everything an officer typed is inserted with textContent or
 * as input values, never as markup. Characters are counted as the server counts them: code
 * points ([...text].length), or UTF-8 bytes where a platform counts bytes. Every POST carries
 * the page's CSRF token in the X-CSRF-Token header.
 */
(function () {
  "use strict";

  var form = document.getElementById("composer");
  if (!form) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var pane = document.getElementById("live-preview");
  var limits = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function chars(text) { return [...(text || "")].length; }
  function bytes(text) { return new TextEncoder().encode(text || "").length; }
  function value(name) {
    var field = form.elements.namedItem(name);
    return field && "value" in field ? field.value : "";
  }

  function splitTags(text) {
    var seen = {};
    return (text || "").split(/[\s,;]+/).map(function (t) { return t.replace(/^#+/, "").trim(); })
      .filter(function (t) { if (!t || seen[t]) return false; seen[t] = true; return true; });
  }

  function chosenChannels() {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="channels"]:checked'))
      .map(function (box) { return { id: box.value, type: box.getAttribute("data-type") }; });
  }

  /* The texts a channel gets, overrides applied, as web.pages.preview.publication_for does. */
  function textsFor(channelId) {
    function ov(name) { return value("ov." + channelId + "." + name); }
    var tags = splitTags(ov("hashtags") || value("hashtags"));
    return {
      title: ov("title") || value("title"),
      body: ov("body") || value("body"),
      link: ov("link") || value("link"),
      summary: ov("summary"),
      tags: tags
    };
  }

  function measure(name, texts) {
    var line = texts.tags.map(function (t) { return "#" + t; }).join(" ");
    if (name === "title") return texts.title.trim();
    if (name === "text_with_hashtags") return [texts.body, line].filter(Boolean).join("\n\n");
    if (name === "plain_text") {
      var body = texts.body.trim();
      var link = texts.link && body.indexOf(texts.link) < 0 ? texts.link : "";
      return [body, link, line].filter(Boolean).join("\n\n");
    }
    if (name === "summary") return texts.summary;
    if (name === "tag_characters") return texts.tags.join(",");
    return "";
  }

  /* The counters beside the title and text: the tightest limit among the chosen channels. */
  function updateCounters() {
    if (!limits) return;
    var tightest = { title: null, body: null };
    chosenChannels().forEach(function (channel) {
      var rules = (limits.channels[channel.type] || { fields: [] }).fields;
      var texts = textsFor(channel.id);
      rules.forEach(function (rule) {
        if (!rule.max) return;
        var slot = rule.measure === "title" ? "title" :
          (rule.measure === "plain_text" || rule.measure === "text_with_hashtags") ? "body" : null;
        if (!slot) return;
        var text = measure(rule.measure, texts);
        var used = rule.unit === "bytes" ? bytes(text) : chars(text);
        var left = rule.max - used;
        if (tightest[slot] === null || left < tightest[slot].left) {
          tightest[slot] = { left: left, used: used, max: rule.max, unit: rule.unit };
        }
      });
    });
    ["title", "body"].forEach(function (slot) {
      var counter = form.querySelector('[data-count="' + slot + '"]');
      if (!counter) return;
      var found = tightest[slot];
      counter.className = "counter";
      if (!found) { counter.textContent = ""; return; }
      counter.textContent = found.used + " / " + found.max + (found.unit === "bytes" ? " byte" : "");
      if (found.used > found.max) counter.className += " over";
      else if (found.used >= limits.near_ratio * found.max) counter.className += " near";
    });
  }

  /* The server's preview: compose/preview.html's own markup, every text escaped by the server
   * (Jinja autoescape); parsed inertly and moved in, so the page and the live preview are one
   * drawing. Scripts in it would not run (parsed markup never runs them, and CSP allows none). */
  function drawPreview(data) {
    if (!pane) return;
    var parsed = new DOMParser().parseFromString(data.html || "", "text/html");
    pane.replaceChildren.apply(pane, Array.prototype.slice.call(parsed.body.childNodes));
  }

  /* Which time "next free slot" would take, and why: the server's words, as text. */
  var advice = document.getElementById("slot-advice");
  function drawSlot(slot) {
    if (advice && slot) advice.textContent = slot.text || "";
  }

  var timer = null;
  function schedulePreview() {
    updateCounters();
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      data.delete("upload");  // files go through /media, not through the preview
      fetch("/compose/preview", {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (json) { if (json) { drawPreview(json); drawSlot(json.slot); } })
        .catch(function () { /* the preview is a help, never a blocker */ });
    }, 400);
  }

  /* --- media: upload, thumbnails, alt text, order ------------------------------------- */
  var rows = document.getElementById("media-rows");
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("f-upload");
  var uploadError = document.getElementById("upload-error");

  function showUploadError(text) {
    if (!uploadError) return;
    uploadError.textContent = text || "";
    uploadError.hidden = !text;
  }

  function words(name, n) { return (rows.getAttribute("data-" + name) || "").replace("{n}", n); }

  /* Every row's controls name their file by its place ("Mô tả tệp 2"), renumbered on moves. */
  function renumber() {
    Array.prototype.forEach.call(rows.querySelectorAll(".media-row"), function (row, index) {
      var n = index + 1;
      var name = row.querySelector(".media-name");
      if (name) name.textContent = words("file", n) + (row.getAttribute("data-name") ? ": " + row.getAttribute("data-name") : "");
      var alt = row.querySelector('input[name="media_alt"]');
      var label = row.querySelector(".media-info label");
      if (alt && label) { alt.id = "media-alt-" + n; label.htmlFor = alt.id; label.textContent = words("alt", n); }
      [["remove", "remove-n"], ["up", "up-n"], ["down", "down-n"]].forEach(function (pair) {
        var button = row.querySelector('button[data-do="' + pair[0] + '"]');
        if (button) button.setAttribute("aria-label", words(pair[1], n));
      });
    });
  }

  function rowButton(row, what, onClick) {
    var button = el("button", "link", rows.getAttribute("data-" + what));
    button.type = "button";
    button.setAttribute("data-do", what);
    button.addEventListener("click", onClick);
    return button;
  }

  function rowButtons(row) {
    var bar = el("span", "row-buttons");
    [["up", -1], ["down", 1]].forEach(function (pair) {
      bar.appendChild(rowButton(row, pair[0], function () {
        var other = pair[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
        if (!other) return;
        if (pair[1] < 0) rows.insertBefore(row, other); else rows.insertBefore(other, row);
        renumber();
        schedulePreview();
      }));
    });
    bar.appendChild(rowButton(row, "remove", function () { row.remove(); renumber(); schedulePreview(); }));
    return bar;
  }

  function addRow(media, fileName) {
    if (rows.querySelector('[data-sha="' + media.sha256 + '"]')) return;
    var row = el("li", "media-row");
    row.setAttribute("data-sha", media.sha256);
    row.setAttribute("data-name", fileName || "");
    var hidden = el("input");
    hidden.type = "hidden"; hidden.name = "media_sha"; hidden.value = media.sha256;
    row.appendChild(hidden);
    if (media.thumbnail_url) {
      var img = el("img");
      img.src = media.thumbnail_url; img.alt = ""; img.width = 96;
      row.appendChild(img);
    } else {
      row.appendChild(el("span", "media-kind", media.kind));
    }
    var info = el("div", "media-info");
    info.appendChild(el("span", "media-name"));
    info.appendChild(el("label"));
    var alt = el("input");
    alt.name = "media_alt"; alt.maxLength = 1000; alt.value = media.alt_text || "";
    info.appendChild(alt);
    row.appendChild(info);
    row.appendChild(rowButtons(row));
    rows.appendChild(row);
    renumber();
  }

  function upload(files) {
    showUploadError("");
    Array.prototype.forEach.call(files, function (file) {
      var data = new FormData();
      data.append("file", file, file.name);
      zone.classList.add("busy");
      fetch("/media", {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
      }).then(function (r) {
        return r.json().then(function (json) { return { ok: r.ok, json: json }; });
      }).then(function (answer) {
        if (answer.ok) { addRow(answer.json, file.name); schedulePreview(); }
        else showUploadError((answer.json.error || {}).message || file.name);
      }).catch(function () { showUploadError(file.name); })
        .finally(function () { zone.classList.remove("busy"); });
    });
  }

  if (rows && zone && input) {
    // With JavaScript the remove boxes become buttons, and files upload at once.
    Array.prototype.forEach.call(rows.querySelectorAll(".media-row"), function (row) {
      var box = row.querySelector('input[name="media_remove"]');
      if (box) box.closest("label").remove();
      var name = row.querySelector(".media-name");
      var shown = name ? name.textContent.split(": ").slice(1).join(": ") : "";
      row.setAttribute("data-name", shown);
      row.appendChild(rowButtons(row));
    });
    renumber();
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) upload(event.dataTransfer.files);
    });
    input.addEventListener("change", function () {
      if (input.files.length) upload(input.files);
      input.value = "";  // sent once, through /media
    });
  }

  /* --- per-channel changes show for chosen channels only ------------------------------ */
  function syncOverrides() {
    var chosen = {};
    chosenChannels().forEach(function (c) { chosen[c.id] = true; });
    Array.prototype.forEach.call(form.querySelectorAll("details.override"), function (box) {
      box.hidden = !chosen[box.getAttribute("data-channel")];
    });
  }

  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", function () { syncOverrides(); schedulePreview(); });
  syncOverrides();

  fetch("/compose/limits.json", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (json) { limits = json; updateCounters(); })
    .catch(function () { /* counters are a help */ });
  schedulePreview();
})();
