// Study mode: the items of the questions the filters show (a question's card, each of its clozes, or
// each direction: study-items.js), one at a time, scheduled as Anki does with FSRS (study-schedule.js),
// progress kept per item by study-store.js. Every word it shows comes from data-* attributes of #study
// in the page template (the guide's language).
(function (S) {
  var panel = document.getElementById("study");
  if (!panel || !S.schedule || !S.store || !window.studyItems) return;
  var schedule = S.schedule;
  var items = window.studyItems; // a question's items: its id; one per cloze number; or its id and id::reverse
  var LEARN_AHEAD = 20 * 60 * 1000; // like Anki: a step due within 20 minutes is shown rather than waited for
  var words = panel.dataset;
  var lang = document.documentElement.lang || undefined;
  var store = new S.store.Store(words.guide);
  var $ = function (id) { return document.getElementById(id); };
  var startButton = $("study-start"), leaveButton = $("study-leave"), status = $("study-status");
  var notice = $("study-notice"), card = $("study-card"), sectionLine = $("study-section");
  var title = $("study-title"), body = $("study-body"), done = $("study-done"), said = $("study-said");
  var reveal = $("study-reveal"), grades = $("study-grades"), undoButton = $("study-undo");
  var modeLine = $("study-mode");
  var questions = Array.prototype.slice.call(document.querySelectorAll("details.question"));
  var known = S.store.map(); // each item's question
  questions.forEach(function (q) { items.cards(q).forEach(function (id) { known[id] = q; }); });
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1, numberingSystem: "latn" });

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  var state = store.read(known);

  function options() {
    return { rollover: state.settings.rollover, fuzz: state.settings.fuzz };
  }
  function today(time) {
    return schedule.dayNumber(time, state.settings.rollover);
  }

  // A review (or a step that crossed the day) is due on its day, as in Anki; a learning step at its minute.
  function isDue(c, time) {
    return c.day !== null ? c.day <= today(time) : Date.parse(c.due) <= time;
  }
  function dueAt(c) {
    return c.day !== null ? schedule.dayStart(c.day, state.settings.rollover) : Date.parse(c.due);
  }

  // Today's reviews from the log: done, first sights of new questions, Again.
  function todays(time) {
    var day = today(time), counts = { done: 0, fresh: 0, again: 0 };
    state.log.forEach(function (e) {
      if (today(e.t) !== day) return;
      counts.done += 1;
      if (e.p === schedule.NEW && !e.ahead) counts.fresh += 1;
      if (e.g === 1) counts.again += 1;
    });
    return counts;
  }

  // The session: the items of the questions the filters showed when Study was pressed; `ahead` while studying ahead.
  var session = [], ahead = null, current = null, shown = null, step = 0, where = null, undoStack = [];

  function queues() {
    var now = Date.now(), soon = [], due = [], fresh = [], later = [];
    session.forEach(function (id) {
      var c = state.cards[id];
      if (!c) fresh.push(id);
      else if (isDue(c, now)) due.push(id);
      else if (c.day === null && dueAt(c) <= now + LEARN_AHEAD) soon.push(id);
      else later.push(id);
    });
    var byDue = function (a, b) { return dueAt(state.cards[a]) - dueAt(state.cards[b]); };
    due.sort(byDue);
    soon.sort(byDue);
    later.sort(byDue);
    var room = Math.max(0, state.settings.newPerDay - todays(now).fresh);
    return { due: due, soon: soon, fresh: fresh.slice(0, room), unseen: fresh.length, later: later };
  }

  function showStatus(q) {
    if (ahead) {
      status.textContent = fill(words.aheadLeft, { left: ahead.length });
      return;
    }
    var values = { "new": q.fresh.length, due: q.due.length + q.soon.length, done: todays(Date.now()).done };
    status.textContent = fill(words.status, values);
    status.dataset["new"] = values["new"];
    status.dataset.due = values.due;
    status.dataset.done = values.done;
  }

  function when(id) {
    var c = state.cards[id], format = { dateStyle: "full", numberingSystem: "latn" };
    if (c.day !== null) return new Date(dueAt(c)).toLocaleDateString(lang, format);
    format.timeStyle = "short";
    return new Date(dueAt(c)).toLocaleString(lang, format);
  }

  // An interval as Anki writes it on a button: minutes, hours, days, months, years ("<" within the learn-ahead).
  function intervalText(secs) {
    var hour = 3600, day = 86400, year = 365 * day, month = year / 12, value, unit;
    if (secs < hour) { value = Math.max(1, Math.round(secs / 60)); unit = "intervalMinutes"; }
    else if (secs < day) { value = Math.round(secs / hour * 10) / 10; unit = "intervalHours"; }
    else if (secs < month) { value = Math.round(secs / day); unit = "intervalDays"; }
    else if (secs < year) { value = Math.round(secs / month * 10) / 10; unit = "intervalMonths"; }
    else { value = Math.round(secs / year * 10) / 10; unit = "intervalYears"; }
    var text = fill(words[unit], { n: numbers.format(value) });
    return secs < LEARN_AHEAD / 1000 ? fill(words.intervalUnder, { interval: text }) : text;
  }

  function putBack() {
    if (!current) return;
    var home = known[current];
    items.restore(body);
    while (body.firstChild) home.appendChild(body.firstChild);
    current = null;
    shown = null;
  }

  function showQuestion(id) {
    var q = known[id];
    var section = document.getElementById(q.dataset.section + "-title");
    current = id;
    step = 0;
    card.dataset.id = id;
    card.hidden = false;
    done.hidden = true;
    said.textContent = "";
    sectionLine.textContent = section ? section.textContent : "";
    var heading = q.querySelector("summary h3").cloneNode(true);
    var number = heading.querySelector(".number");
    if (number) number.remove();
    heading.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
    title.replaceChildren.apply(title, Array.prototype.slice.call(heading.childNodes));
    body.replaceChildren(q.querySelector(".body"));
    card.className = "study-card";
    items.front(card, title, body, id);
    if (S.scrollables && items.kind(id).type !== "question") S.scrollables(body); // its front shows parts of the body
    reveal.hidden = false;
    reveal.textContent = words.showAnswer;
    grades.hidden = true;
    // Each grade's outcome, computed once, now: its button shows exactly the interval it applies.
    shown = schedule.answer(state.cards[id] || null, Date.now(), options());
    grades.querySelectorAll("button").forEach(function (b) {
      b.querySelector(".interval").textContent = ahead ? "" : intervalText(shown.outcomes[Number(b.dataset.grade)].secs);
    });
    title.focus();
  }

  function finish(q) {
    card.hidden = true;
    reveal.hidden = true;
    grades.hidden = true;
    var next = q.later.concat(q.soon)[0];
    if (ahead) done.textContent = words.aheadDone;
    else if (next) done.textContent = fill(words.next, { when: when(next) });
    else if (q.unseen > 0) done.textContent = fill(words.limit, { limit: state.settings.newPerDay });
    else done.textContent = words.none;
    ahead = null;
    modeLine.hidden = true;
    showStatus(q);
    done.hidden = false;
    done.focus();
  }

  function advance() {
    putBack();
    var q = queues();
    showStatus(q);
    undoButton.disabled = undoStack.length === 0;
    var next = ahead ? ahead[0] : q.due[0] || q.fresh[0] || q.soon[0];
    if (next) showQuestion(next);
    else finish(q);
    S.refreshPanels();
  }

  // Show the answer: a question's core answer, then the rest; a cloze's or a reversed card's whole back
  // at once. Each part is announced once to a screen reader.
  function showMore() {
    if (!current || step >= 2) return;
    var type = items.kind(current).type;
    var core = type === "question" ? body.querySelector(".core") : null;
    step = step === 0 && core ? 1 : 2;
    card.classList.toggle("core-shown", true);
    card.classList.toggle("full-shown", step === 2);
    grades.hidden = false;
    if (step === 1) {
      reveal.textContent = words.showFull;
      said.textContent = core.textContent;
      if (S.scrollables) S.scrollables(core);
      return;
    }
    items.back(card, title, body, current);
    said.textContent = revealed(type);
    if (S.scrollables) S.scrollables(body);
    var focused = document.activeElement === reveal;
    reveal.hidden = true;
    if (focused || document.activeElement === title) grades.querySelector("[data-grade='3']").focus({ preventScroll: true });
    if (core || type !== "question") card.scrollIntoView({ block: "start" }); // the question and the start of the answer stay in view
  }

  // What the back adds to the front: a cloze's text and the parts without clozes; the reversed card's
  // question and the rest of its answer; a question's answer after its core answer.
  function revealed(type) {
    var list = function (nodes) { return Array.prototype.slice.call(nodes); };
    var start = type === "cloze" ? list(body.querySelectorAll(".cloze-current")) : type === "reverse" ? [title] : [];
    var rest = list(body.querySelectorAll(".body > :not(.meta)" + (type === "cloze" ? ":not(.cloze-part)" : ":not(.core)")));
    return start.concat(rest).map(function (e) { return e.textContent; }).join(" ");
  }

  function same(a, b) {
    return !!a && !!b && a.reps === b.reps && a.last_review === b.last_review;
  }

  function grade(g) {
    if (!current || grades.hidden) return;
    var id = current, time = Date.now(), before = shown.card;
    var entry = { q: id, t: time, g: g, p: before ? before.state : schedule.NEW };
    var after = ahead ? null : schedule.rebase(shown.outcomes[g], time, state.settings.rollover);
    if (after) entry.i = shown.outcomes[g].secs;
    else entry.ahead = true; // studying ahead: logged, the schedule untouched (Anki's filtered deck, rescheduling off)
    var undo = { id: id, entry: entry, after: after, ahead: ahead ? ahead.slice() : null };
    var result = store.change(known, function (raw) {
      undo.before = raw.cards[id];
      if (after) raw.cards[id] = after;
      raw.log.push(entry);
    });
    state = result.state;
    if (!result.kept) say(words.blocked);
    undoStack.push(undo);
    if (ahead) {
      ahead.shift();
      if (g === 1) ahead.push(id); // Again: once more before the ahead session ends
    }
    advance();
  }

  // Undo the last grade: the card as it was (unless another tab has answered it since), the review out of the log.
  function undo() {
    var last = undoStack.pop();
    if (!last || panel.hidden) return;
    var key = S.store.reviewKey(last.entry);
    state = store.change(known, function (raw) {
      if (last.after && same(raw.cards[last.id], last.after)) {
        if (last.before === undefined) delete raw.cards[last.id];
        else raw.cards[last.id] = last.before;
      }
      raw.log = raw.log.filter(function (e) { return S.store.reviewKey(e) !== key; });
    }).state;
    ahead = last.ahead;
    putBack();
    showStatus(queues());
    undoButton.disabled = undoStack.length === 0;
    if (session.indexOf(last.id) < 0) session.push(last.id);
    showQuestion(last.id);
    S.refreshPanels();
  }

  function begin(ids, aheadIds) {
    where = where || { x: window.scrollX, y: window.scrollY };
    session = ids;
    ahead = aheadIds;
    state = store.read(known); // another tab of this page may have studied meanwhile
    document.body.classList.add("studying");
    panel.hidden = false;
    modeLine.hidden = !ahead;
    say(store.blocked ? words.blocked : refusedNotice());
    advance();
  }

  function refusedNotice() {
    var reasons = Object.keys(state.refused), count = 0;
    reasons.forEach(function (r) { count += state.refused[r]; });
    if (!count) return "";
    return fill(words.storedRefused, { cards: count, reasons: reasonList(state.refused) });
  }

  function reasonList(refused) {
    var names = { form: words.refusedForm, future: words.refusedFuture, range: words.refusedRange, state: words.refusedState };
    return Object.keys(refused).map(function (r) { return names[r] + " (" + refused[r] + ")"; }).join(", ");
  }

  // The items of the questions the filters show, in the list's order.
  function visibleItems() {
    var ids = [];
    questions.forEach(function (q) { if (!q.hidden) ids.push.apply(ids, items.cards(q)); });
    return ids;
  }

  function start() {
    begin(visibleItems(), null);
  }

  function leave() {
    if (panel.hidden) return;
    putBack();
    ahead = null;
    panel.hidden = true;
    document.body.classList.remove("studying");
    if (where) window.scrollTo(where.x, where.y);
    where = null;
    startButton.focus();
  }

  function onKey(event) {
    if (panel.hidden || event.altKey) return;
    var target = event.target;
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
      if (typing) return;
      event.preventDefault();
      undo();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (event.key === "Escape") {
      event.preventDefault();
      leave();
      return;
    }
    if (typing || target.closest("summary, a")) return;
    if ((event.key === " " || event.key === "Enter") && target.tagName !== "BUTTON") {
      event.preventDefault();
      showMore();
    } else if (/^[1-4]$/.test(event.key) && !grades.hidden) {
      event.preventDefault();
      grade(Number(event.key));
    } else if (event.key === "u" || event.key === "U") {
      event.preventDefault();
      undo();
    }
  }

  // Another tab changed the progress: take it in; the question on screen moves on if it was answered there.
  function onStorage(event) {
    if (event.key !== null && event.key !== store.key && event.key !== store.legacyKey) return;
    state = store.read(known);
    if (panel.hidden) return;
    if (current && shown && !ahead && !same(state.cards[current], shown.card) && (state.cards[current] || shown.card)) {
      advance();
    } else {
      showStatus(queues());
      S.refreshPanels();
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
  undoButton.addEventListener("click", undo);
  reveal.addEventListener("click", showMore);
  grades.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-grade]");
    if (button) grade(Number(button.dataset.grade));
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
  document.addEventListener("keydown", onKey);
  window.addEventListener("storage", onStorage);
  window.addEventListener("beforeprint", leave); // printing prints the guide, every question in its place

  // What the statistics, the plan and the settings (study-panels.js) work with.
  S.study = {
    words: words, lang: lang, store: store, known: known, questions: questions, fill: fill, say: say,
    numbers: numbers, reasonList: reasonList, todays: todays, today: today, dueAt: dueAt,
    state: function () { return state; },
    setState: function (next) { state = next; },
    session: function () { return session; },
    visibleItems: visibleItems,
    current: function () { return current; },
    begin: begin,
    restart: function () { if (!panel.hidden) { undoStack = []; advance(); } },
    status: function () { if (!panel.hidden && current) showStatus(queues()); }
  };
  S.refreshPanels = S.refreshPanels || function () {};
  startButton.hidden = false;
})(window.studyguide || (window.studyguide = {}));
