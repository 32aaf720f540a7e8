(function () {
  "use strict";
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var features = Array.prototype.slice.call(document.querySelectorAll("section.feature"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[name=outcome]"));
  var tag = document.getElementById("tag");
  var search = document.getElementById("q");
  var shown = document.getElementById("shown");
  var names = null;

  function apply() {
    var wanted = {};
    boxes.forEach(function (box) { wanted[box.value] = box.checked; });
    var tagValue = tag ? tag.value : "";
    var query = search ? search.value.trim().toLowerCase() : "";
    if (query && names === null) {
      names = scenarios.map(function (s) {
        var title = s.querySelector(":scope > summary");
        var feature = s.closest("section.feature");
        var heading = feature ? feature.querySelector("h2") : null;
        return ((title ? title.textContent : "") + " " + (heading ? heading.textContent : "")).toLowerCase();
      });
    }
    var count = 0;
    scenarios.forEach(function (s, i) {
      var ok = wanted[s.getAttribute("data-outcome")] !== false;
      if (ok && tagValue) { ok = (" " + s.getAttribute("data-tags") + " ").indexOf(" " + tagValue + " ") >= 0; }
      if (ok && query) { ok = names[i].indexOf(query) >= 0; }
      s.hidden = !ok;
      if (ok) { count += 1; }
    });
    features.forEach(function (f) { f.hidden = !f.querySelector("details.scenario:not([hidden])"); });
    if (shown) { shown.textContent = count + " of " + scenarios.length + " scenarios shown"; }
  }

  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  if (tag) { tag.addEventListener("change", apply); }
  if (search) { search.addEventListener("input", apply); }

  function openAll(selector, open) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (d) { d.open = open; });
  }
  var failedButton = document.getElementById("open-failed");
  if (failedButton) {
    failedButton.addEventListener("click", function () {
      openAll("details.scenario.o-failed", true);
      openAll("details.scenario.o-failed details.conversation", true);
    });
  }
  var closeButton = document.getElementById("close-all");
  if (closeButton) { closeButton.addEventListener("click", function () { openAll("details", false); }); }

  // A message's payload is written once, on its arrow.  The first time someone
  // opens the message it is also laid out below (JSON indented), with when it
  // happened and its size.  textContent only: a payload never becomes markup.
  document.documentElement.classList.add("js");
  document.addEventListener("toggle", function (event) {
    var row = event.target;
    if (!row.open || !row.classList || !row.classList.contains("msg")) { return; }
    if (row.querySelector(".full")) { return; }
    var label = row.querySelector(".ar > span");
    var time = row.querySelector("summary > i");
    if (row.hasAttribute("data-label")) {
      // A codec's message: the arrow says its label; laid out is what it decoded to.
      // With none (a sent operation), its frame when that says more: a query in full (JSON),
      // a STOMP frame's lines (⏎).
      var frame = row.querySelector(".frame > code");
      var more = frame && (frame.hasAttribute("data-json") || frame.textContent.indexOf("\u23ce") >= 0);
      label = row.querySelector(".decoded > code") || (more ? frame : label);
    }
    var text = label ? label.textContent : "";
    if (label && label.hasAttribute("data-json")) {
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (ignored) { /* as sent */ }
    } else {
      text = text.replace(/\u23ce/g, "\u23ce\n");  // a frame's lines (⏎), one under another
    }
    var box = document.createElement("div");
    box.className = "full";
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = (row.getAttribute("data-client") || "") + " " +
      (row.getAttribute("data-dir") || "") + ", " + (time ? time.title : "");
    var pre = document.createElement("pre");
    pre.textContent = text;
    box.appendChild(meta);
    box.appendChild(pre);
    row.querySelector("summary").insertAdjacentElement("afterend", box);
  }, true);

  // A link to a scenario (from the list of failures) opens it.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && target.tagName === "DETAILS") { target.open = true; }
    // A link to a message (an acknowledgement's emit) opens what holds it, too.
    for (var up = target && target.parentElement; up; up = up.parentElement) {
      if (up.tagName === "DETAILS") { up.open = true; }
    }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  apply();
})();
