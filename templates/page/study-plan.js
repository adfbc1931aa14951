// Study mode's interview plan: given a date and a number N, what to study each day so that every item
// of the selection (a question, each of its clozes, each direction) is seen at least N times before it.
// An item's scheduled review (FSRS) counts when it falls before the date; the views still missing are
// spread evenly over the days left and studied ahead, which logs the answer and leaves the schedule
// alone (as Anki's filtered decks do with rescheduling off). The plan counts views from before today,
// so it stays the same all day.
(function (S) {
  var study = S.study;
  if (!study || !S.addPanel) return;
  var schedule = S.schedule, words = study.words, fill = study.fill;
  var MAX_DAYS = 366; // a plan reaches a year ahead at most: its table has a row a day
  var $ = function (id) { return document.getElementById(id); };
  var dateInput = $("plan-date"), timesInput = $("plan-times"), output = $("plan-output");
  var dateFormat = new Intl.DateTimeFormat(study.lang, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC", numberingSystem: "latn" });
  var longDate = new Intl.DateTimeFormat(study.lang, { dateStyle: "long", timeZone: "UTC", numberingSystem: "latn" });

  function selection() {
    var ids = study.session();
    if (!document.getElementById("study").hidden && ids.length) return ids;
    return study.visibleItems();
  }

  function dayOfDate(text) {
    var m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text || "");
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / schedule.DAY : NaN;
  }

  // Per day from today: the scheduled reviews and the views studied ahead, by item id.
  function make(ids, interview, times, now) {
    var state = study.state(), today = study.today(now), days = interview - today;
    var before = Object.create(null), seenToday = Object.create(null);
    state.log.forEach(function (e) {
      if (study.today(e.t) < today) before[e.q] = (before[e.q] || 0) + 1;
      else seenToday[e.q] = (seenToday[e.q] || 0) + 1;
    });
    var plan = [];
    for (var d = 0; d < days; d++) plan.push({ due: [], ahead: [] });
    ids.forEach(function (id, i) {
      var need = times - (before[id] || 0), c = state.cards[id];
      if (c) {
        var due = Math.max(today, c.day !== null ? c.day : study.today(Date.parse(c.due)));
        if (due < interview && need > 0) {
          plan[due - today].due.push(id);
          need -= 1;
        }
      }
      var phase = (i * 0.618034) % 1; // items start on different days
      for (var j = 0; j < need; j++) plan[Math.floor((j + phase) * days / need)].ahead.push(id);
    });
    // Views done today fill today's planned ones first.
    plan[0].ahead = plan[0].ahead.filter(function (id) {
      if (!seenToday[id]) return true;
      seenToday[id] -= 1;
      return false;
    });
    return plan;
  }

  function cell(row, name, text) {
    var e = document.createElement(name);
    e.textContent = text;
    row.appendChild(e);
    return e;
  }

  function table(plan, today) {
    var t = document.createElement("table"), head = t.createTHead().insertRow();
    [words.planDay, words.planDue, words.planAhead].forEach(function (w) { cell(head, "th", w).scope = "col"; });
    var rows = t.createTBody();
    plan.forEach(function (p, offset) {
      if (!p.due.length && !p.ahead.length) return;
      var row = rows.insertRow();
      cell(row, "th", dateFormat.format(new Date((today + offset) * schedule.DAY))).scope = "row";
      cell(row, "td", study.numbers.format(p.due.length));
      cell(row, "td", study.numbers.format(p.ahead.length));
    });
    var wrap = document.createElement("div");
    wrap.className = "plan-table";
    wrap.appendChild(t);
    return wrap;
  }

  function render() {
    var settings = study.state().settings.plan;
    if (settings && document.activeElement !== dateInput) dateInput.value = settings.date;
    if (settings && document.activeElement !== timesInput) timesInput.value = settings.times;
    var now = Date.now(), today = study.today(now), interview = dayOfDate(dateInput.value);
    var times = Math.floor(Number(timesInput.value));
    var min = new Date((today + 1) * schedule.DAY).toISOString().slice(0, 10);
    dateInput.min = min;
    dateInput.max = new Date((today + MAX_DAYS) * schedule.DAY).toISOString().slice(0, 10);
    if (!dateInput.value) return output.replaceChildren();
    if (!(interview > today && interview <= today + MAX_DAYS) || !(times >= 1 && times <= 20)) {
      return output.replaceChildren(paragraph(words.planRange));
    }
    var ids = selection(), plan = make(ids, interview, times, now), views = 0;
    plan.forEach(function (p) { views += p.due.length + p.ahead.length; });
    var summary = paragraph(fill(words.planSummary, {
      questions: study.numbers.format(ids.length), times: study.numbers.format(times),
      date: longDate.format(new Date(interview * schedule.DAY)), views: study.numbers.format(views),
      days: study.numbers.format(interview - today)
    }));
    if (!views) return output.replaceChildren(summary, paragraph(words.planNone));
    var aheadToday = plan[0].ahead.filter(function (id) { return !isDueNow(id, now); });
    var button = document.createElement("button");
    button.type = "button";
    button.id = "plan-start";
    button.textContent = fill(words.planStart, { count: study.numbers.format(aheadToday.length) });
    button.disabled = !aheadToday.length;
    button.addEventListener("click", function () { study.begin(ids, aheadToday); });
    output.replaceChildren(summary, button, table(plan, today));
  }

  function isDueNow(id, now) {
    var c = study.state().cards[id];
    return !!c && (c.day !== null ? c.day <= study.today(now) : Date.parse(c.due) <= now);
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  function save() {
    var times = Math.floor(Number(timesInput.value)), day = dayOfDate(dateInput.value);
    if (!isNaN(day) && times >= 1 && times <= 20) {
      var result = study.store.change(study.known, function (raw) { raw.settings.plan = { date: dateInput.value, times: times }; });
      study.setState(result.state);
    }
    render();
  }

  $("plan-form").addEventListener("submit", function (event) { event.preventDefault(); });
  dateInput.addEventListener("change", save);
  timesInput.addEventListener("change", save);
  S.addPanel($("study-plan-panel"), render);
})(window.studyguide || (window.studyguide = {}));
