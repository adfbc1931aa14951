// Study mode's progress: kept in localStorage, one entry per guide, read and checked field by field.
// Every change reads the stored entry afresh, changes only what it must and writes it back, so two
// tabs merge instead of overwriting, and cards and reviews of questions this page does not know (a
// newer page's) stay as they are. Format 2 lives under its own key: format 1 pages (which rewrote
// their entry with only the questions they knew) keep theirs, and it is merged in on every read.
// A later page that needs an incompatible format takes a new key and reads this one the same way.
(function (S) {
  var schedule = S.schedule;
  if (!schedule) return;
  var FORMAT = 2;
  var DEFAULTS = { newPerDay: 20, rollover: 4 };
  var MAX_FILE = 50 * 1024 * 1024; // an imported file above this is refused before it is read (memory)

  function map() {
    return Object.create(null); // no inherited names: a question id "constructor" is a question like any other
  }

  // JSON with every object made a map without prototype.
  function parse(text) {
    return JSON.parse(text, function (name, value) {
      if (!value || typeof value !== "object" || Array.isArray(value)) return value;
      var copy = map();
      Object.keys(value).forEach(function (k) { copy[k] = value[k]; });
      return copy;
    });
  }

  function isMap(value) {
    return !!value && typeof value === "object" && !Array.isArray(value);
  }
  function whole(value, low, high) {
    return Number.isInteger(value) && value >= low && value <= high;
  }
  function number(value, low, high) {
    return typeof value === "number" && value >= low && value <= high;
  }
  function time(value) {
    return typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value) && !isNaN(Date.parse(value)) ? Date.parse(value) : NaN;
  }

  // Why a card cannot be used ("form", "future", "range", "state"), or "" when it can.
  function cardProblem(c, now) {
    if (!isMap(c)) return "form";
    var counts = whole(c.reps, 1, 1e7) && whole(c.lapses, 0, c.reps) && whole(c.learning_steps, 0, 100) &&
      whole(c.scheduled_days, 0, schedule.MAX_INTERVAL) && whole(c.elapsed_days, 0, 1e6);
    var last = time(c.last_review), due = time(c.due);
    if (!counts || isNaN(last) || isNaN(due) || !(c.day === null || whole(c.day, 0, 1e7))) return "form";
    if (last > now) return "future";
    if (!number(c.stability, schedule.S_MIN, schedule.S_MAX) || !number(c.difficulty, 1, 10)) return "range";
    var learning = c.state === schedule.LEARNING, relearning = c.state === schedule.RELEARNING;
    if (c.state === schedule.REVIEW) {
      if (c.scheduled_days < 1 || c.learning_steps !== 0 || c.day === null) return "state";
    } else if (learning || relearning) {
      var steps = learning ? schedule.LEARN_STEPS : schedule.RELEARN_STEPS;
      if (c.learning_steps >= steps.length || (relearning && c.scheduled_days < 1)) return "state";
    } else {
      return "state";
    }
    return c.day === null && due < last ? "state" : "";
  }

  function logProblem(e, now) {
    if (!isMap(e) || typeof e.q !== "string" || !whole(e.t, 0, 1e15) || !whole(e.g, 1, 4) || !whole(e.p, 0, 3)) return "form";
    if (!(e.i === undefined || whole(e.i, 0, 1e10)) || !(e.ahead === undefined || e.ahead === true)) return "form";
    return e.t > now ? "future" : "";
  }

  // A card of format 1 (ts-fsrs's card, due at local midnight of its day) as format 2 has it.
  function fromFormat1(c) {
    if (!isMap(c)) return c;
    var copy = map();
    Object.keys(c).forEach(function (k) { copy[k] = c[k]; });
    var due = time(c.due);
    if (c.state === schedule.REVIEW && !isNaN(due)) {
      var d = new Date(due);
      copy.day = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / schedule.DAY;
    } else {
      copy.day = null;
    }
    if (c.state === schedule.RELEARNING && whole(c.scheduled_days, 0, 0)) copy.scheduled_days = 1;
    return copy;
  }

  function settingsOf(raw) {
    var given = isMap(raw) ? raw : map(), out = map();
    out.newPerDay = whole(given.newPerDay, 0, 9999) ? given.newPerDay : DEFAULTS.newPerDay;
    out.rollover = whole(given.rollover, 0, 23) ? given.rollover : DEFAULTS.rollover;
    out.fuzz = given.fuzz !== false;
    var plan = given.plan;
    out.plan = isMap(plan) && typeof plan.date === "string" && /^\d{4}-\d\d-\d\d$/.test(plan.date) &&
      whole(plan.times, 1, 20) ? { date: plan.date, times: plan.times } : null;
    return out;
  }

  // The settings a file or a form gives that are valid, one by one.
  function validSettings(raw) {
    var out = map();
    if (!isMap(raw)) return out;
    if (whole(raw.newPerDay, 0, 9999)) out.newPerDay = raw.newPerDay;
    if (whole(raw.rollover, 0, 23)) out.rollover = raw.rollover;
    return out;
  }

  // A review's identity: its question and moment (a question is not answered twice in a millisecond).
  function reviewKey(e) {
    return isMap(e) && typeof e.q === "string" && typeof e.t === "number" ? e.q + "@" + e.t : "";
  }

  function Store(guideId) {
    this.guide = guideId;
    this.key = "studyguide.2:" + guideId;
    this.legacyKey = "studyguide:" + guideId;
    this.blocked = false;
    this.memory = null; // the entry, when the browser keeps nothing
  }

  Store.prototype.get = function (key) {
    if (this.blocked) return key === this.key ? this.memory : null;
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      this.blocked = true;
      return null;
    }
  };

  Store.prototype.put = function (key, text) {
    if (key === this.key) this.memory = text;
    if (this.blocked) return false;
    try {
      window.localStorage.setItem(key, text);
      return true;
    } catch (error) {
      this.blocked = true; // refused or full: the page goes on in memory and says so
      return false;
    }
  };

  // The stored entry, repaired where its structure is broken (the damaged text kept aside once).
  Store.prototype.raw = function () {
    var text = this.get(this.key), raw = null;
    try {
      raw = text ? parse(text) : null;
    } catch (error) {
      raw = null;
    }
    var sound = isMap(raw) && isMap(raw.cards) && Array.isArray(raw.log) && (raw.settings === undefined || isMap(raw.settings));
    if (text && !sound && !this.get(this.key + ":damaged")) this.put(this.key + ":damaged", text);
    if (!isMap(raw)) raw = map();
    if (!isMap(raw.cards)) raw.cards = map();
    if (!Array.isArray(raw.log)) raw.log = [];
    if (!isMap(raw.settings)) raw.settings = map();
    if (!whole(raw.format, FORMAT, 1e6)) raw.format = FORMAT;
    raw.guide = this.guide;
    if (!isMap(raw.resets)) raw.resets = map();
    this.mergeLegacy(raw);
    return raw;
  };

  // Format 1's cards that are newer than ours (a format 1 page studied meanwhile) come in.
  Store.prototype.mergeLegacy = function (raw) {
    var text = this.get(this.legacyKey), old = null;
    try {
      old = text ? parse(text) : null;
    } catch (error) {
      return;
    }
    if (!isMap(old) || old.guide !== this.guide || !isMap(old.cards)) return;
    var now = Date.now(), resetAll = whole(raw.resetAt, 0, 1e15) ? raw.resetAt : 0;
    Object.keys(old.cards).forEach(function (id) {
      var card = fromFormat1(old.cards[id]), reset = whole(raw.resets[id], 0, 1e15) ? raw.resets[id] : 0;
      if (cardProblem(card, now) || Date.parse(card.last_review) <= Math.max(resetAll, reset)) return; // reset since
      var mine = raw.cards[id];
      if (cardProblem(mine, now) || Date.parse(card.last_review) > Date.parse(mine.last_review)) raw.cards[id] = card;
    });
    if (raw.settings.newPerDay === undefined && whole(old.newPerDay, 0, 9999)) raw.settings.newPerDay = old.newPerDay;
  };

  // What the page studies from: valid cards and reviews only, and how many of the known questions' were not.
  function view(raw, known) {
    var now = Date.now(), cards = map(), refused = map(), log = [];
    Object.keys(raw.cards).forEach(function (id) {
      var problem = cardProblem(raw.cards[id], now);
      if (!problem) cards[id] = raw.cards[id];
      else if (known[id]) refused[problem] = (refused[problem] || 0) + 1;
    });
    raw.log.forEach(function (e) { if (!logProblem(e, now)) log.push(e); });
    log.sort(function (a, b) { return a.t - b.t; });
    return { settings: settingsOf(raw.settings), cards: cards, log: log, refused: refused };
  }

  Store.prototype.read = function (known) {
    return view(this.raw(), known);
  };

  // Read afresh, change, write back; returns the new view and whether it was kept.
  Store.prototype.change = function (known, change) {
    var raw = this.raw();
    change(raw);
    var kept = this.put(this.key, JSON.stringify(raw));
    return { state: view(raw, known), kept: kept };
  };

  Store.prototype.text = function () {
    return JSON.stringify(this.raw(), null, 1) + "\n";
  };

  // Merge a progress file: newer cards, every review not yet here, settings only when asked.
  // Returns null when the file is not this guide's progress, else what came in and what was refused.
  Store.prototype.merge = function (known, text, withSettings) {
    var data = null, now = Date.now();
    try {
      data = text.length <= MAX_FILE ? parse(text) : null;
    } catch (error) {
      data = null;
    }
    if (!isMap(data) || data.guide !== this.guide) return null;
    var format1 = data.format === 1 || data.log === undefined;
    var cards = isMap(data.cards) ? data.cards : map(), log = Array.isArray(data.log) ? data.log : [];
    var report = { cards: 0, reviews: 0, refused: map(), refusedReviews: 0 };
    var result = this.change(known, function (raw) {
      Object.keys(cards).forEach(function (id) {
        var card = format1 ? fromFormat1(cards[id]) : cards[id];
        var problem = cardProblem(card, now);
        if (problem) {
          report.refused[problem] = (report.refused[problem] || 0) + 1;
          return;
        }
        var mine = raw.cards[id];
        if (!cardProblem(mine, now) && Date.parse(card.last_review) <= Date.parse(mine.last_review)) return;
        raw.cards[id] = card;
        report.cards += 1;
      });
      var seen = map();
      raw.log.forEach(function (e) { seen[reviewKey(e)] = true; });
      log.forEach(function (e) {
        if (logProblem(e, now)) report.refusedReviews += 1;
        else if (!seen[reviewKey(e)]) {
          seen[reviewKey(e)] = true;
          raw.log.push(e);
          report.reviews += 1;
        }
      });
      if (withSettings) {
        var given = validSettings(format1 ? data : data.settings);
        Object.keys(given).forEach(function (k) { raw.settings[k] = given[k]; });
      }
    });
    report.state = result.state;
    report.kept = result.kept;
    return report;
  };

  S.store = { Store: Store, cardProblem: cardProblem, validSettings: validSettings, reviewKey: reviewKey, map: map };
})(window.studyguide || (window.studyguide = {}));
