// Study mode's scheduler: what each grade does to a card, as Anki 26.9 does it with FSRS on.
// The memory model (stability, difficulty) and the fuzz are ts-fsrs's (the library before this
// script); the card states around them (learning steps, Hard and Easy, relearning, days that start at
// the rollover hour) follow Anki's rslib/src/scheduler/states, which ts-fsrs's own scheduler does not:
// its Hard on a second step, its Easy in relearning and its UTC days differ from Anki's.
(function (S) {
  var F = window.FSRS;
  if (!F) return;
  var DAY = 86400000;
  var LEARN_STEPS = [60, 600]; // seconds: Anki's default learning steps, 1m 10m
  var RELEARN_STEPS = [600]; // 10m
  var RETENTION = 0.9, MAX_INTERVAL = 36500;
  var NEW = 0, LEARNING = 1, REVIEW = 2, RELEARNING = 3;
  var decay = F.computeDecayFactor(F.default_w);
  var fuzzy = new F.FSRSAlgorithm({ enable_fuzz: true, enable_short_term: true });
  var exact = new F.FSRSAlgorithm({ enable_fuzz: false, enable_short_term: true });

  // The learner's day: a local calendar day that starts at the rollover hour (Anki's "next day starts at").
  function dayNumber(time, rollover) {
    var d = new Date(time);
    var day = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY;
    return d.getHours() < rollover ? day - 1 : day;
  }

  // The moment a day number starts, in local time.
  function dayStart(day, rollover) {
    var d = new Date(day * DAY);
    return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), rollover).getTime();
  }

  // Anki's next_day_at: today's rollover in the current UTC offset, a day later once it has passed.
  function nextDayAt(now, rollover) {
    var d = new Date(now);
    var sinceMidnight = ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
    var rolloverToday = now - sinceMidnight + rollover * 3600000;
    return rolloverToday <= now ? rolloverToday + DAY : rolloverToday;
  }

  function timing(now, rollover) {
    return { now: now, today: dayNumber(now, rollover), nextDayAt: nextDayAt(now, rollover), rollover: rollover };
  }

  // Whole days between the last review and the next rollover (Anki's days_elapsed, in seconds as it counts).
  function elapsedDays(card, time) {
    if (!card || !card.last_review) return 0;
    var last = Math.floor(Date.parse(card.last_review) / 1000);
    return Math.max(0, Math.floor((time.nextDayAt / 1000 - last) / 86400));
  }

  // FSRS's interval for a stability, in days, unrounded (fsrs-rs next_interval).
  function fsrsInterval(stability) {
    return stability / decay.factor * (Math.pow(RETENTION, 1 / decay.decay) - 1);
  }

  // Anki's fuzz range (rslib states/fuzz.rs), used where Anki bounds an interval by it.
  function fuzzBounds(interval, minimum, maximum) {
    minimum = Math.min(minimum, maximum);
    interval = Math.min(Math.max(interval, minimum), maximum);
    var delta = interval < 2.5 ? 0 : 1 + 0.15 * (Math.min(interval, 7) - 2.5) +
      0.1 * Math.max(Math.min(interval, 20) - 7, 0) + 0.05 * Math.max(interval - 20, 0);
    var lower = Math.min(Math.max(Math.round(interval - delta), minimum), maximum);
    var upper = Math.min(Math.max(Math.round(interval + delta), minimum), maximum);
    if (upper === lower && upper > 2 && upper < maximum) upper = lower + 1;
    return [lower, upper];
  }

  function minimumFuzzInterval(interval, previous) {
    var upper = fuzzBounds(interval, 1, MAX_INTERVAL)[1];
    if (Math.round(interval) > previous) return previous + 1;
    return previous <= upper ? previous : 0;
  }

  // Steps (rslib states/steps.rs): `remaining` counts the steps left, as Anki stores it.
  function stepIndex(steps, remaining) {
    return Math.max(0, Math.min(steps.length - (remaining % 1000), steps.length - 1));
  }
  function roundInDays(secs) {
    return secs > 86400 ? Math.round(secs / 86400) * 86400 : secs;
  }
  function hardDelay(steps, remaining) {
    var index = stepIndex(steps, remaining), current = steps[index];
    if (index > 0) return current;
    if (steps.length > 1) return roundInDays(Math.floor((current + steps[1]) / 2));
    return roundInDays(Math.min(Math.floor(current * 3 / 2), current + 86400));
  }

  // Everything one answer needs, computed once when the card is shown: each grade's next card.
  function Answer(card, now, options) {
    this.time = timing(now, options.rollover);
    this.card = card;
    this.elapsed = elapsedDays(card, this.time);
    var algorithm = options.fuzz === false ? exact : fuzzy;
    var memory = card && card.state !== NEW ? { difficulty: card.difficulty, stability: card.stability } : null;
    // ts-fsrs's own seed: the moment, the repetitions, the memory (DefaultInitSeedStrategy)
    algorithm.seed = now + "_" + (card ? card.reps : 0) + "_" + (memory ? memory.difficulty * memory.stability : 0);
    this.fuzz = function (interval, minimum) {
      var low = Math.min(Math.max(minimum, 1), MAX_INTERVAL);
      var value = algorithm.apply_fuzz(Math.min(Math.max(interval, low), MAX_INTERVAL), 0);
      return Math.min(Math.max(value, low), MAX_INTERVAL);
    };
    this.memory = [null];
    for (var g = 1; g <= 4; g++) this.memory.push(algorithm.next_state(memory, this.elapsed, g));
    var state = card ? card.state : NEW;
    var plan = state === REVIEW ? this.review() : this.learning(state === RELEARNING ? RELEARN_STEPS : LEARN_STEPS);
    this.outcomes = [null];
    for (g = 1; g <= 4; g++) this.outcomes.push(this.apply(plan[g], g));
  }

  Answer.prototype.interval = function (g) {
    return fsrsInterval(this.memory[g].stability);
  };

  // New, learning and relearning cards (rslib states/learning.rs, relearning.rs).
  Answer.prototype.learning = function (steps) {
    var card = this.card, state = card ? card.state : NEW;
    var relearning = state === RELEARNING;
    var remaining = state === NEW ? steps.length : steps.length - (card.learning_steps || 0);
    var index = stepIndex(steps, remaining);
    var good = this.fuzz(this.interval(3), 1); // Easy stays above it, even while Good is a step
    var plan = [null, { secs: steps[0], remaining: steps.length }, { secs: hardDelay(steps, remaining), remaining: remaining }];
    plan.push(index + 1 < steps.length ? { secs: steps[index + 1], remaining: steps.length - index - 1 } :
      { days: this.fuzz(Math.max(1, Math.round(this.interval(3))), 1) });
    plan.push({ days: this.fuzz(Math.max(1, Math.round(this.interval(4))), good + 1) });
    if (relearning) plan[1].review = Math.max(1, Math.round(this.interval(1)));
    if (relearning) plan[1].relearn = plan[2].relearn = plan[3].relearn = true;
    return plan;
  };

  // Review cards (rslib states/review.rs): Again relearns, the others keep Hard < Good < Easy.
  Answer.prototype.review = function () {
    var previous = this.card.scheduled_days, self = this;
    var passing = function (g, minimum) {
      var interval = self.interval(g);
      return self.fuzz(interval, Math.max(minimumFuzzInterval(interval, previous), minimum));
    };
    var hard = passing(2, 1), good = passing(3, hard + 1), easy = passing(4, good + 1);
    var again = { secs: RELEARN_STEPS[0], remaining: RELEARN_STEPS.length, relearn: true, lapse: true };
    again.review = Math.max(1, Math.round(this.interval(1)));
    return [null, again, { days: hard }, { days: good }, { days: easy }];
  };

  // The card a grade makes (rslib answering/*.rs), with its interval as the button shows it.
  Answer.prototype.apply = function (step, g) {
    var card = this.card || {}, t = this.time, memory = this.memory[g];
    var next = { // stored as Anki stores it: stability to 4 decimal places, difficulty to 3
      due: null, day: null, stability: Math.round(memory.stability * 1e4) / 1e4,
      difficulty: Math.round(memory.difficulty * 1e3) / 1e3,
      elapsed_days: this.elapsed, scheduled_days: 0, learning_steps: 0, reps: (card.reps || 0) + 1,
      lapses: (card.lapses || 0) + (step.lapse ? 1 : 0), state: REVIEW, last_review: new Date(t.now).toISOString()
    };
    var secs = step.secs, days = step.days;
    if (secs !== undefined) {
      var steps = step.relearn ? RELEARN_STEPS : LEARN_STEPS;
      next.state = step.relearn ? RELEARNING : LEARNING;
      next.learning_steps = steps.length - step.remaining;
      next.scheduled_days = step.relearn ? (step.review || card.scheduled_days || 1) : 0;
      var untilRollover = t.nextDayAt / 1000 - Math.floor(t.now / 1000);
      if (secs >= untilRollover) days = Math.floor((secs - untilRollover) / 86400) + 1; // crosses the day
      else next.due = new Date(t.now + secs * 1000).toISOString();
    } else {
      next.scheduled_days = days;
    }
    if (days !== undefined) {
      next.day = t.today + days;
      next.due = new Date(dayStart(next.day, t.rollover)).toISOString();
    }
    return { card: next, secs: days !== undefined ? days * 86400 : secs, days: days };
  };

  // The card a grade makes when the answer comes later than the card was shown: the same interval
  // (the one its button showed) from the moment of the answer, as Anki applies the states it showed.
  function rebase(outcome, now, rollover) {
    var card = {}, t = timing(now, rollover);
    Object.keys(outcome.card).forEach(function (k) { card[k] = outcome.card[k]; });
    card.last_review = new Date(now).toISOString();
    if (outcome.days !== undefined) {
      card.day = t.today + outcome.days;
      card.due = new Date(dayStart(card.day, rollover)).toISOString();
    } else {
      card.due = new Date(now + outcome.secs * 1000).toISOString();
    }
    return card;
  }

  S.schedule = {
    NEW: NEW, LEARNING: LEARNING, REVIEW: REVIEW, RELEARNING: RELEARNING, DAY: DAY,
    S_MIN: F.S_MIN, S_MAX: F.S_MAX, MAX_INTERVAL: MAX_INTERVAL, LEARN_STEPS: LEARN_STEPS, RELEARN_STEPS: RELEARN_STEPS,
    dayNumber: dayNumber, dayStart: dayStart, timing: timing, elapsedDays: elapsedDays, rebase: rebase,
    answer: function (card, now, options) { return new Answer(card, now, options); }
  };
})(window.studyguide || (window.studyguide = {}));
