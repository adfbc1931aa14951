"use strict";
// The study page's behaviour: filters, reveal/hide all, deep links, copy link.
// Without this script the page stays complete: every question is a native <details>.
(function () {
  var toolbar = document.getElementById("toolbar");
  var text = document.getElementById("filter-text");
  var section = document.getElementById("filter-section");
  var tag = document.getElementById("filter-tag");
  var count = document.getElementById("count");
  var noMatch = document.getElementById("no-match");
  var questions = Array.prototype.slice.call(document.querySelectorAll("details.question"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.section"));
  // The words the script writes, in the guide's language: the page holds them (studyguide/locales).
  var words = JSON.parse(document.body.dataset.words);

  function fold(value) {
    return value.toLowerCase().split(/\s+/).filter(Boolean).join(" ");
  }

  // What the filter reads: the title, the core answer and the answer, as the page shows them
  // (formulas by their TeX), with a space between blocks; labels and numbers left out.
  var BLOCKS = "p,li,pre,blockquote,h3,h4,h5,h6,td,th,title,div";

  function searchText(q) {
    var parts = [];
    var last = null;
    ["summary h3", ".core", ".answer"].forEach(function (selector) {
      var root = q.querySelector(selector);
      if (!root) return;
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var parent = node.parentElement;
        if (parent.closest(".label, .number")) continue;
        var block = parent.closest(BLOCKS);
        parts.push(block === last ? "" : " ", node.nodeValue);
        last = block;
      }
    });
    return fold(parts.join(""));
  }

  var searchable = questions.map(searchText);

  function matches(q, term, sectionId, tagName) {
    if (sectionId && q.dataset.section !== sectionId) return false;
    if (tagName && q.dataset.tags.split(" ").indexOf(tagName) < 0) return false;
    return !term || searchable[questions.indexOf(q)].indexOf(term) >= 0;
  }

  function applyFilters() {
    var term = fold(text.value);
    var shown = 0;
    questions.forEach(function (q) {
      var ok = matches(q, term, section.value, tag.value);
      q.hidden = !ok;
      if (ok) shown += 1;
    });
    sections.forEach(function (s) {
      s.hidden = !s.querySelector("details.question:not([hidden])");
    });
    count.textContent = words.shown.replace("{shown}", String(shown));
    noMatch.hidden = shown > 0;
  }

  function clearFilters() {
    text.value = "";
    section.value = "";
    tag.value = "";
    applyFilters();
  }

  function setOpen(open) {
    questions.forEach(function (q) {
      if (!q.hidden) q.open = open;
    });
  }

  // On a phone (narrow screen) the toolbar sticks by its last row only: --bar-top hides the rows above.
  var actions = toolbar.querySelector(".actions");
  var phone = window.matchMedia("(max-width: 30rem)");

  function barHeight() {
    var above = phone.matches ? actions.getBoundingClientRect().top - toolbar.getBoundingClientRect().top - 4 : 0;
    document.documentElement.style.setProperty("--bar-top", -above + "px");
    document.documentElement.style.setProperty("--bar-height", toolbar.offsetHeight - above + "px");
  }

  function showTarget() {
    var id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (error) {
      return;
    }
    var target = id && document.getElementById(id);
    if (!target) return;
    var question = target.closest("details.question");
    if (target.closest("[hidden]")) clearFilters();
    if (question) question.open = true;
    target.scrollIntoView({ block: "start" });
  }

  function copyLink(button) {
    var id = button.dataset.id;
    var url = location.href.split("#")[0] + "#" + id;
    history.replaceState(null, "", "#" + id);
    function done(message) {
      button.textContent = message;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(
        function () { done(words.copied); },
        function () { done(words.addressBar); }
      );
    } else {
      done(words.addressBar);
    }
  }

  // A formula or table wider than its box scrolls inside it; then it takes the keyboard's focus too (axe-core).
  function scrollables(root) {
    root.querySelectorAll("div.math, table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  }
  (window.studyguide || (window.studyguide = {})).scrollables = scrollables;
  questions.forEach(function (q) {
    q.addEventListener("toggle", function () { if (q.open) scrollables(q); });
  });
  window.addEventListener("resize", function () { scrollables(document.body); });

  toolbar.hidden = false;
  document.querySelectorAll("button.copy-link").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copyLink(button); });
  });
  document.getElementById("filters").addEventListener("submit", function (event) {
    event.preventDefault();
  });
  text.addEventListener("input", applyFilters);
  section.addEventListener("change", applyFilters);
  tag.addEventListener("change", applyFilters);
  document.getElementById("clear-filters").addEventListener("click", function () {
    clearFilters();
    text.focus();
  });
  document.getElementById("reveal-all").addEventListener("click", function () { setOpen(true); });
  document.getElementById("hide-all").addEventListener("click", function () { setOpen(false); });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      text.focus();
    }
  });
  // An image is shrunk to the column's width: pressed, it shows at its full size in a box that scrolls
  // sideways; pressed again, it fits. Without this script the image simply fits.
  document.querySelectorAll("img.content-image").forEach(function (img) {
    var box = document.createElement("span");
    var button = document.createElement("button");
    box.className = "zoom-box";
    button.type = "button";
    button.className = "zoom";
    button.title = words.zoom;
    button.setAttribute("aria-pressed", "false");
    img.replaceWith(box);
    box.appendChild(button);
    button.appendChild(img);
    button.addEventListener("click", function () {
      button.setAttribute("aria-pressed", String(button.getAttribute("aria-pressed") !== "true"));
    });
  });
  window.addEventListener("hashchange", showTarget);
  if (window.ResizeObserver) new ResizeObserver(barHeight).observe(toolbar);
  if (phone.addEventListener) phone.addEventListener("change", barHeight);
  barHeight();
  // Printing shows every answer: the print stylesheet does it, and this keeps the state afterwards.
  var printed = [];
  window.addEventListener("beforeprint", function () {
    printed = questions.filter(function (q) { return !q.open; });
    printed.forEach(function (q) { q.open = true; });
  });
  window.addEventListener("afterprint", function () {
    printed.forEach(function (q) { q.open = false; });
    printed = [];
  });
  applyFilters();
  showTarget();
})();
