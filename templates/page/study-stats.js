// Study mode's statistics, from the review log: today, true retention over 30 days, a 12-week heatmap
// of reviews and a 30-day forecast of due reviews. The charts are inline SVG drawn here (a chart library
// would be more code than these two grids of rectangles), every number also in the chart's name.
(function (S) {
  var study = S.study;
  if (!study || !S.addPanel) return;
  var schedule = S.schedule, words = study.words, fill = study.fill;
  var SVG = "http://www.w3.org/2000/svg";
  var output = document.getElementById("study-stats");
  var rtl = document.documentElement.dir === "rtl";
  var dateFormat = new Intl.DateTimeFormat(study.lang, { dateStyle: "medium", timeZone: "UTC", numberingSystem: "latn" });
  var shortDate = new Intl.DateTimeFormat(study.lang, { day: "numeric", month: "numeric", timeZone: "UTC", numberingSystem: "latn" });
  var percent = new Intl.NumberFormat(study.lang, { style: "percent", maximumFractionDigits: 1, numberingSystem: "latn" });

  function element(name, attributes, text) {
    var e = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (a) { e.setAttribute(a, attributes[a]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function shape(name, attributes, title) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (a) { e.setAttribute(a, attributes[a]); });
    if (title) e.appendChild(document.createElementNS(SVG, "title")).textContent = title;
    return e;
  }
  function day(d) {
    return dateFormat.format(new Date(d * schedule.DAY)); // a day number is its date at 00:00 UTC
  }
  function n(value) {
    return study.numbers.format(value);
  }

  function chart(width, height, label) {
    return shape("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label, "class": "chart" });
  }

  // Reviews per day for 12 weeks: a column a week (Monday to Sunday), today's week last.
  function heatmap(perDay, today) {
    var cell = 13, weekday = function (d) { return (d + 3) % 7; }; // day 0, 1970-01-01, was a Thursday
    var first = today - weekday(today) - 77, total = 0, days = 0, most = 1;
    for (var d = first; d <= today; d++) {
      total += perDay[d] || 0;
      if (perDay[d]) days += 1;
      most = Math.max(most, perDay[d] || 0);
    }
    var svg = chart(12 * cell, 7 * cell, fill(words.heatmapSummary, { count: n(total), days: n(days) }));
    for (d = first; d <= today; d++) {
      var count = perDay[d] || 0, column = Math.floor((d - first) / 7);
      var x = (rtl ? 11 - column : column) * cell;
      var level = count ? 0.25 + 0.75 * count / most : 0;
      svg.appendChild(shape("rect", {
        x: x + 1, y: weekday(d) * cell + 1, width: cell - 2, height: cell - 2, rx: 2,
        "class": count ? "cell" : "cell empty", "fill-opacity": level ? level.toFixed(2) : "1"
      }, fill(words.chartDay, { date: day(d), count: n(count) })));
    }
    return svg;
  }

  // Cards due on each of the next 30 days (those overdue count today).
  function forecast(state, today) {
    var due = {}, total = 0, most = 0, busiest = today;
    Object.keys(state.cards).forEach(function (id) {
      var c = state.cards[id];
      if (!study.known[id]) return;
      var d = Math.max(today, c.day !== null ? c.day : study.today(Date.parse(c.due)));
      if (d < today + 30) due[d] = (due[d] || 0) + 1;
    });
    for (var d = today; d < today + 30; d++) {
      total += due[d] || 0;
      if ((due[d] || 0) > most) { most = due[d]; busiest = d; }
    }
    var width = 30 * 8, height = 64, label = fill(words.forecastSummary, { count: n(total), date: day(busiest), max: n(most) });
    var svg = chart(width, height + 14, label);
    for (d = today; d < today + 30; d++) {
      var count = due[d] || 0, h = most ? Math.max(count ? 2 : 0, Math.round(count / most * height)) : 0;
      var x = (rtl ? 29 - (d - today) : d - today) * 8;
      svg.appendChild(shape("rect", { x: x + 1, y: height - h, width: 6, height: Math.max(h, 1), "class": count ? "bar" : "bar empty" },
        fill(words.chartDay, { date: day(d), count: n(count) })));
    }
    [[today, "start"], [today + 29, "end"]].forEach(function (end) {
      var atLeft = (end[1] === "start") !== rtl;
      svg.appendChild(shape("text", { x: atLeft ? 0 : width, y: height + 12, "text-anchor": atLeft ? "start" : "end" }))
        .textContent = shortDate.format(new Date(end[0] * schedule.DAY));
    });
    return svg;
  }

  function figure(caption, svg) {
    var f = element("figure");
    f.appendChild(element("figcaption", {}, caption));
    f.appendChild(svg);
    return f;
  }

  function render() {
    var state = study.state(), now = Date.now(), today = study.today(now), counts = study.todays(now);
    var perDay = {}, reviewed = 0, passed = 0;
    state.log.forEach(function (e) {
      var d = study.today(e.t);
      perDay[d] = (perDay[d] || 0) + 1;
      if (d > today - 30 && e.p === schedule.REVIEW && !e.ahead) { // true retention: reviews of cards in review
        reviewed += 1;
        if (e.g > 1) passed += 1;
      }
    });
    var list = element("dl", { "class": "stats-today" });
    [[words.statsDone, counts.done], [words.statsNew, counts.fresh], [words.statsAgain, counts.again]].forEach(function (pair) {
      var item = list.appendChild(element("div"));
      item.appendChild(element("dt", {}, pair[0]));
      item.appendChild(element("dd", {}, n(pair[1])));
    });
    var retention = reviewed ? fill(words.retentionValue, { percent: percent.format(passed / reviewed), count: n(reviewed) }) : words.statsNone;
    var line = element("p", { "class": "stats-retention" }, words.retention + " ");
    line.appendChild(element("strong", {}, retention));
    output.replaceChildren(element("h3", {}, words.statsToday), list, line,
      figure(words.heatmap, heatmap(perDay, today)), figure(words.forecast, forecast(state, today)));
  }

  S.addPanel(document.getElementById("study-stats-panel"), render);
})(window.studyguide || (window.studyguide = {}));
