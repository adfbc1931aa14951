// Study mode's settings and progress: new questions a day, the hour a new day starts, export and
// import of progress, and resetting one question or the whole guide (study.js holds the session).
(function (S) {
  var study = S.study;
  if (!study) return;
  var $ = function (id) { return document.getElementById(id); };
  var words = study.words, store = study.store, known = study.known;
  var limitInput = $("study-limit"), rolloverSelect = $("study-rollover"), fileInput = $("study-import");
  var withSettings = $("study-import-settings"), confirmBox = $("study-confirm"), confirmText = $("study-confirm-text");
  var resetOne = $("study-reset-one"), pending = null;

  // The hours a day may start at, written as the guide's language writes a time.
  var clock = new Intl.DateTimeFormat(study.lang, { hour: "numeric", minute: "2-digit", numberingSystem: "latn" });
  for (var hour = 0; hour < 24; hour++) {
    var option = document.createElement("option");
    option.value = String(hour);
    option.textContent = clock.format(new Date(2026, 0, 1, hour));
    rolloverSelect.appendChild(option);
  }

  function show() {
    var settings = study.state().settings;
    if (document.activeElement !== limitInput) limitInput.value = settings.newPerDay;
    rolloverSelect.value = String(settings.rollover);
    resetOne.disabled = !study.current();
  }

  function setting(name, value) {
    var result = store.change(known, function (raw) { raw.settings[name] = value; });
    study.setState(result.state);
    if (!result.kept) study.say(words.blocked);
  }

  limitInput.addEventListener("change", function () {
    var value = Math.floor(Number(limitInput.value));
    if (!isFinite(value) || value < 0 || value > 9999) value = study.state().settings.newPerDay;
    limitInput.value = value;
    setting("newPerDay", value);
    if (study.current()) study.status(); // the question on screen stays
    else study.restart();
  });
  rolloverSelect.addEventListener("change", function () {
    setting("rollover", Number(rolloverSelect.value));
    study.restart(); // today may have changed: the question's intervals are worked out again
  });

  function exportProgress() {
    var blob = new Blob([store.text()], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = study.fill(words.file, { guide: store.guide });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function importProgress(file) {
    var reader = new FileReader();
    reader.onload = function () {
      var report = store.merge(known, String(reader.result), withSettings.checked);
      if (!report) {
        study.say(words.importFailed);
        return;
      }
      study.setState(report.state);
      var refused = 0;
      Object.keys(report.refused).forEach(function (r) { refused += report.refused[r]; });
      var text = study.fill(words.imported, { cards: report.cards, reviews: report.reviews });
      if (refused || report.refusedReviews) {
        text += " " + study.fill(words.refused, {
          cards: refused, reviews: report.refusedReviews, reasons: study.reasonList(report.refused) || "-"
        });
      }
      study.say((report.kept ? "" : words.blocked + " ") + text);
      study.restart();
    };
    reader.onerror = function () { study.say(words.importFailed); };
    reader.readAsText(file);
  }

  // Resetting asks once more, in the page (no dialog box), then forgets the cards (the log stays).
  function ask(action, text) {
    pending = action;
    confirmText.textContent = text;
    confirmBox.hidden = false;
    $("study-confirm-yes").focus();
  }
  function resetQuestion(id) {
    return function (raw) {
      delete raw.cards[id];
      raw.resets[id] = Date.now();
    };
  }
  function resetAll(raw) {
    Object.keys(raw.cards).forEach(function (id) { delete raw.cards[id]; });
    raw.log = [];
    raw.resetAt = Date.now();
  }
  $("study-confirm-yes").addEventListener("click", function () {
    var action = pending;
    pending = null;
    confirmBox.hidden = true;
    if (!action) return;
    var result = store.change(known, action);
    study.setState(result.state);
    study.say(result.kept ? words.resetDone : words.blocked);
    study.restart();
  });
  $("study-confirm-no").addEventListener("click", function () {
    pending = null;
    confirmBox.hidden = true;
  });
  resetOne.addEventListener("click", function () {
    var id = study.current();
    if (id) ask(resetQuestion(id), words.resetOneConfirm);
  });
  $("study-reset-all").addEventListener("click", function () { ask(resetAll, words.resetAllConfirm); });

  $("study-export").addEventListener("click", exportProgress);
  $("study-import-button").addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    if (fileInput.files.length) importProgress(fileInput.files[0]);
    fileInput.value = "";
  });

  var panels = [];
  S.addPanel = function (details, render) {
    panels.push({ details: details, render: render });
    details.addEventListener("toggle", function () { if (details.open) render(); });
  };
  S.refreshPanels = function () {
    show();
    panels.forEach(function (p) { if (p.details.open) p.render(); });
  };
  show();
})(window.studyguide || (window.studyguide = {}));
