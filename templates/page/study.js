// Study mode: the questions the filters show, one at a time, scheduled by FSRS (ts-fsrs, the library
// before this script). Progress is kept in localStorage under the guide's id, per question id.
// Every word it shows comes from data-* attributes of #study in the page template.
(function () {
  var panel = document.getElementById("study");
  if (!panel || !window.FSRS || !window.studyItems) return;
  var items = window.studyItems; // a question's cards (study-items.js): its id; one per cloze number; or its id and id::reverse
  var F = window.FSRS;
  var scheduler = F.fsrs(F.generatorParameters({ enable_fuzz: true }));
  var LEARN_AHEAD = 20 * 60 * 1000; // like Anki: a card due within 20 minutes is shown rather than waiting
  var words = panel.dataset;
  var guideId = words.guide;
  var key = "studyguide:" + guideId;
  var $ = function (id) { return document.getElementById(id); };
  var startButton = $("study-start"), leaveButton = $("study-leave"), status = $("study-status");
  var notice = $("study-notice"), card = $("study-card"), sectionLine = $("study-section");
  var title = $("study-title"), body = $("study-body"), done = $("study-done");
  var reveal = $("study-reveal"), grades = $("study-grades"), limitInput = $("study-limit");
  var questions = Array.prototype.slice.call(document.querySelectorAll("details.question"));
  var known = Object.create(null); // each item's question; no inherited names: an imported "__proto__" is none
  questions.forEach(function (q) { items.cards(q).forEach(function (id) { known[id] = q; }); });

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // Storage: one JSON object per guide. A browser that refuses storage still studies, in memory.
  var blocked = false;
  function load() {
    var text = null;
    try {
      text = window.localStorage.getItem(key);
    } catch (error) {
      blocked = true;
    }
    try {
      return JSON.parse(text || "null");
    } catch (error) {
      return null; // damaged: start afresh
    }
  }
  function save() {
    var cards = {};
    Object.keys(state.cards).forEach(function (id) { if (known[id]) cards[id] = state.cards[id]; });
    state.cards = cards; // questions removed from the guide drop out
    if (blocked) return;
    try {
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (error) {
      blocked = true;
      say(words.blocked);
    }
  }

  function dayOf(time) {
    var d = new Date(time);
    return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate();
  }

  // What a stored or imported card must be to reach the scheduler: anything else is left out.
  function validCard(c) {
    if (!c || typeof c !== "object") return false;
    var counts = ["elapsed_days", "scheduled_days", "learning_steps", "reps", "lapses", "state"];
    var whole = counts.every(function (n) { return Number.isInteger(c[n]) && c[n] >= 0; });
    var number = function (v, low, high) { return typeof v === "number" && v >= low && v <= high; };
    return whole && c.state <= 3 && number(c.stability, 0, 1e6) && number(c.difficulty, 0, 10) &&
      typeof c.due === "string" && !isNaN(Date.parse(c.due)) &&
      (c.last_review === null || (typeof c.last_review === "string" && !isNaN(Date.parse(c.last_review))));
  }

  function clean(data) {
    var out = { format: 1, guide: guideId, newPerDay: 20, day: 0, newToday: 0, doneToday: 0, cards: {} };
    if (!data || typeof data !== "object" || data.guide !== guideId) return out;
    ["newPerDay", "day", "newToday", "doneToday"].forEach(function (n) {
      if (typeof data[n] === "number" && isFinite(data[n]) && data[n] >= 0) out[n] = Math.floor(data[n]);
    });
    var cards = data.cards && typeof data.cards === "object" ? data.cards : {};
    Object.keys(cards).forEach(function (id) { if (known[id] && validCard(cards[id])) out.cards[id] = stored(cards[id]); });
    return out;
  }



  var state = clean(load());

  function today() {
    var now = dayOf(Date.now());
    if (state.day !== now) {
      state.day = now;
      state.newToday = 0;
      state.doneToday = 0;
    }
  }

  function fsrsCard(id) {
    var c = state.cards[id];
    if (!c) return F.createEmptyCard(new Date());
    var copy = {};
    Object.keys(c).forEach(function (n) { copy[n] = c[n]; });
    copy.due = new Date(c.due);
    copy.last_review = c.last_review ? new Date(c.last_review) : undefined;
    return copy;
  }

  function stored(c) {
    return {
      due: new Date(c.due).toISOString(), stability: c.stability, difficulty: c.difficulty,
      elapsed_days: c.elapsed_days, scheduled_days: c.scheduled_days, learning_steps: c.learning_steps,
      reps: c.reps, lapses: c.lapses, state: c.state,
      last_review: c.last_review ? new Date(c.last_review).toISOString() : null
    };
  }

  // A review card is due on its day, as in Anki; a learning step at its minute.
  function dueAt(c) {
    return c.state === F.State.Review ? new Date(c.due).setHours(0, 0, 0, 0) : Date.parse(c.due);
  }

  // The session: the questions the filters showed when Study was pressed.
  var session = [], current = null, step = 0, where = null;

  function queues() {
    today();
    var now = Date.now(), soon = [], due = [], fresh = [], later = [];
    session.forEach(function (id) {
      var c = state.cards[id];
      if (!c) fresh.push(id);
      else if (dueAt(c) <= now) due.push(id);
      else if (c.state !== F.State.Review && dueAt(c) <= now + LEARN_AHEAD) soon.push(id);
      else later.push(id);
    });
    var byDue = function (a, b) { return dueAt(state.cards[a]) - dueAt(state.cards[b]); };
    due.sort(byDue);
    soon.sort(byDue);
    later.sort(byDue);
    var room = Math.max(0, state.newPerDay - state.newToday);
    return { due: due, soon: soon, fresh: fresh.slice(0, room), unseen: fresh.length, later: later };
  }

  function showStatus(q) {
    var values = { "new": q.fresh.length, due: q.due.length + q.soon.length, done: state.doneToday };
    status.textContent = fill(words.status, values);
    status.dataset["new"] = values["new"];
    status.dataset.due = values.due;
    status.dataset.done = values.done;
  }

  function when(id) {
    var c = state.cards[id];
    var lang = document.documentElement.lang || undefined;
    if (c.state === F.State.Review) return new Date(dueAt(c)).toLocaleDateString(lang, { dateStyle: "full" });
    return new Date(c.due).toLocaleString(lang, { dateStyle: "full", timeStyle: "short" });
  }

  function putBack() {
    if (!current) return;
    var home = known[current];
    items.restore(body);
    while (body.firstChild) home.appendChild(body.firstChild);
    current = null;
  }

  function interval(c, now) {
    var lang = document.documentElement.lang || undefined;
    var minutes = (c.due - now) / 60000, value, unit;
    if (c.state === F.State.Review && c.scheduled_days >= 1) {
      var days = c.scheduled_days;
      if (days < 31) { value = days; unit = "day"; }
      else if (days < 365) { value = Math.round(days / 3.04375) / 10; unit = "month"; }
      else { value = Math.round(days / 36.525) / 10; unit = "year"; }
    } else if (minutes < 60) { value = Math.max(1, Math.round(minutes)); unit = "minute"; }
    else if (minutes < 1440) { value = Math.round(minutes / 60); unit = "hour"; }
    else { value = Math.round(minutes / 1440); unit = "day"; }
    return new Intl.NumberFormat(lang, { style: "unit", unit: unit, unitDisplay: "narrow" }).format(value);
  }

  function showQuestion(id) {
    var q = known[id];
    var section = document.getElementById(q.dataset.section + "-title");
    current = id;
    step = 0;
    card.dataset.id = id;
    card.hidden = false;
    done.hidden = true;
    sectionLine.textContent = section ? section.textContent : "";
    var heading = q.querySelector("summary h3").cloneNode(true);
    var number = heading.querySelector(".number");
    if (number) number.remove();
    heading.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
    title.replaceChildren.apply(title, Array.prototype.slice.call(heading.childNodes));
    var part = q.querySelector(".body");
    body.replaceChildren(part);
    card.className = "study-card";
    items.front(card, title, body, id);
    reveal.hidden = false;
    reveal.textContent = words.showAnswer;
    grades.hidden = true;
    var now = new Date();
    var outcomes = scheduler.repeat(fsrsCard(id), now);
    grades.querySelectorAll("button").forEach(function (b) {
      b.querySelector(".interval").textContent = interval(outcomes[Number(b.dataset.grade)].card, now);
    });
    title.focus();
  }

  function finish(q) {
    card.hidden = true;
    reveal.hidden = true;
    grades.hidden = true;
    var next = q.later.concat(q.soon)[0];
    if (next) done.textContent = fill(words.next, { when: when(next) });
    else if (q.unseen > 0) done.textContent = fill(words.limit, { limit: state.newPerDay });
    else done.textContent = words.none;
    done.hidden = false;
    done.focus();
  }

  function advance() {
    putBack();
    var q = queues();
    showStatus(q);
    var next = q.due[0] || q.fresh[0] || q.soon[0];
    if (next) showQuestion(next);
    else finish(q);
  }

  function showMore() {
    if (!current || step >= 2) return;
    var hasCore = items.kind(current).type === "question" && !!body.querySelector(".core");
    step = step === 0 && hasCore ? 1 : 2;
    if (step === 2) items.back(card, title, body, current);
    card.classList.toggle("core-shown", true);
    card.classList.toggle("full-shown", step === 2);
    grades.hidden = false;
    if (step === 1) {
      reveal.textContent = words.showFull;
    } else {
      var focused = document.activeElement === reveal;
      reveal.hidden = true;
      if (focused || document.activeElement === title) grades.querySelector("[data-grade='3']").focus();
    }
  }

  function grade(rating) {
    if (!current || grades.hidden) return;
    today();
    var now = new Date();
    if (!state.cards[current]) state.newToday += 1;
    state.cards[current] = stored(scheduler.next(fsrsCard(current), now, rating).card);
    state.doneToday += 1;
    save();
    advance();
  }

  function start() {
    where = { x: window.scrollX, y: window.scrollY };
    session = [];
    questions.forEach(function (q) { if (!q.hidden) session.push.apply(session, items.cards(q)); });
    if (!blocked) state = clean(load()); // another tab of this page may have studied meanwhile
    document.body.classList.add("studying");
    panel.hidden = false;
    limitInput.value = state.newPerDay;
    say(blocked ? words.blocked : "");
    advance();
  }

  function leave() {
    if (panel.hidden) return;
    putBack();
    panel.hidden = true;
    document.body.classList.remove("studying");
    if (where) window.scrollTo(where.x, where.y);
    startButton.focus();
  }

  function exportProgress() {
    save();
    var blob = new Blob([JSON.stringify(state, null, 1) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fill(words.file, { guide: guideId });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function importProgress(file) {
    var reader = new FileReader();
    reader.onload = function () {
      var data;
      try {
        data = JSON.parse(reader.result);
      } catch (error) {
        data = null;
      }
      if (!data || data.guide !== guideId) {
        say(words.importFailed);
        return;
      }
      var incoming = clean(data);
      var count = 0;
      Object.keys(incoming.cards).forEach(function (id) {
        var mine = state.cards[id], theirs = incoming.cards[id];
        var newer = !mine || Date.parse(theirs.last_review || 0) >= Date.parse(mine.last_review || 0);
        if (newer) { state.cards[id] = theirs; count += 1; }
      });
      if (data.newPerDay !== undefined) state.newPerDay = incoming.newPerDay;
      limitInput.value = state.newPerDay;
      save();
      say((blocked ? words.blocked + " " : "") + fill(words.imported, { count: count }));
      advance();
    };
    reader.readAsText(file);
  }

  function onKey(event) {
    if (panel.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (event.key === "Escape") {
      event.preventDefault();
      leave();
      return;
    }
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || target.closest("summary, a")) return;
    if ((event.key === " " || event.key === "Enter") && target.tagName !== "BUTTON") {
      event.preventDefault();
      showMore();
    } else if (/^[1-4]$/.test(event.key) && !grades.hidden) {
      event.preventDefault();
      grade(Number(event.key));
    }
  }

  // A link from the answer to another question leaves study mode first, so the list can show it.
  body.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (target && !panel.contains(target)) leave();
  });
  startButton.addEventListener("click", start);
  leaveButton.addEventListener("click", leave);
  reveal.addEventListener("click", showMore);
  grades.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-grade]");
    if (button) grade(Number(button.dataset.grade));
  });
  limitInput.addEventListener("change", function () {
    var value = Math.floor(Number(limitInput.value));
    if (!isFinite(value) || value < 0) value = 20;
    state.newPerDay = value;
    limitInput.value = value;
    save();
    if (current) showStatus(queues()); // the question on screen stays
    else advance();
  });
  window.addEventListener("hashchange", function () {
    var target = null;
    try {
      target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (error) {
      return;
    }
    if (panel.hidden || !target || panel.contains(target)) return;
    leave();
    target.scrollIntoView({ block: "start" });
  });
  $("study-export").addEventListener("click", exportProgress);
  var fileInput = $("study-import");
  $("study-import-button").addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    if (fileInput.files.length) importProgress(fileInput.files[0]);
    fileInput.value = "";
  });
  document.addEventListener("keydown", onKey);
  window.addEventListener("beforeprint", leave); // printing prints the guide, every question in its place
  startButton.hidden = false;
})();
