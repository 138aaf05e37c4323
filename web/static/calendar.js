// Loa calendar: drag a post to another day (or hour) to reschedule it, with an undo.
// Plain script, no library, no inline code (the CSP is script-src 'self'). Without it the
// page still works: the "Reschedule" forms post to the same endpoint and the page reloads.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var status = document.getElementById("cal-status");
  var dragged = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function say(text, isError, undo) {
    if (!status) { return; }
    status.textContent = "";
    status.hidden = false;
    status.classList.toggle("error", !!isError);
    var p = document.createElement("span");
    p.textContent = text;
    status.appendChild(p);
    if (undo) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = undo.label || status.getAttribute("data-undo") || "Undo";
      button.addEventListener("click", function () {
        button.disabled = true;
        send({ post_id: undo.post_id, date: undo.date, time: undo.time, undo: "1" });
      });
      status.appendChild(button);
    }
  }

  // Each post is one entry (its channels are badges inside it), found by its post number.
  // Where a post at (date, time) goes in this view: the hour slot if the view has them,
  // else the day cell; null when the day is not shown (the chips are then taken away).
  function cellFor(date, time) {
    var hour = String(parseInt(time.split(":")[0], 10));
    return document.querySelector('[data-drop-date="' + date + '"][data-drop-hour="' + hour + '"]') ||
      document.querySelector('[data-drop-date="' + date + '"]:not([data-drop-hour])');
  }

  function place(answer) {
    var chips = document.querySelectorAll('.chip[data-post="' + answer.post_id + '"]');
    var target = cellFor(answer.date, answer.time);
    var list = target ? target.querySelector(".entries") : null;
    chips.forEach(function (chip) {
      chip.setAttribute("data-time", answer.time);
      var shown = chip.querySelector("a > b");
      if (shown) { shown.textContent = answer.time; }
      var dateInput = chip.querySelector('input[name="date"]');
      var timeInput = chip.querySelector('input[name="time"]');
      if (dateInput) { dateInput.value = answer.date; }
      if (timeInput) { timeInput.value = answer.time; }
      if (list) {
        // Before a month cell's "+N bài nữa", which stays last.
        list.insertBefore(chip, list.querySelector(":scope > .more"));
        target.classList.remove("empty");
      } else if (chip.parentNode) {
        chip.parentNode.removeChild(chip);
      }
    });
  }

  function send(fields) {
    return fetch("/calendar/reschedule", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrf
      },
      body: JSON.stringify(fields)
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      if (answer.ok) {
        place(answer);
        say(answer.message, false, answer.undo);
      } else {
        say(answer.error && answer.error.message ? answer.error.message : status.getAttribute("data-failed"), true);
      }
    }).catch(function () {
      say(status ? status.getAttribute("data-failed") : "", true);
    });
  }

  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest ? event.target.closest('.chip[draggable="true"]') : null;
    if (!chip) { return; }
    dragged = chip;
    chip.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-post"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });

  function dropZone(event) {
    return event.target.closest ? event.target.closest("[data-drop-date]") : null;
  }

  document.addEventListener("dragover", function (event) {
    var zone = dragged && dropZone(event);
    if (!zone) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-target").forEach(function (el) {
      if (el !== zone) { el.classList.remove("drop-target"); }
    });
    zone.classList.add("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var zone = dragged && dropZone(event);
    if (!zone) { return; }
    event.preventDefault();
    zone.classList.remove("drop-target");
    var time = dragged.getAttribute("data-time") || "";
    var hour = zone.getAttribute("data-drop-hour");
    if (hour !== null && time) {
      time = pad(parseInt(hour, 10)) + ":" + time.split(":")[1];
    }
    var fields = { post_id: dragged.getAttribute("data-post"), date: zone.getAttribute("data-drop-date") };
    if (time) { fields.time = time; }
    send(fields);
  });

  // The keyboard and phone way: the "Reschedule" forms, sent the same way without a reload.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("reschedule")) { return; }
    event.preventDefault();
    var data = new FormData(form);
    send({ post_id: data.get("post_id"), date: data.get("date"), time: data.get("time") });
  });
}());
