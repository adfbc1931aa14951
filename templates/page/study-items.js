// Study mode's items: the cards of each question, as the page lists them. A question's <details> has
// data-cards when it has more than its one card: "id::c1 id::c2" (one card per cloze number) or
// "id id::reverse" (the question, then its reversed card); without it, its one card is its id. Each item
// is scheduled and kept under its own id. Study mode moves the question's .body into its card, then
// asks `front` to show the item's front and `back` its answer; `restore` undoes both before the body
// goes home. The words come from data-* attributes of #study.
(function () {
  var panel = document.getElementById("study");
  var words = panel ? panel.dataset : {};
  var saved = null; // a reversed card's question title, hidden on its front

  function cards(question) {
    return (question.dataset.cards || question.id).split(" ");
  }

  // "question" (today's one card: title, then core answer, then the rest), "cloze" (with its number) or "reverse".
  function kind(item) {
    var found = /::(?:c(\d+)|(reverse))$/.exec(item);
    if (!found) return { type: "question" };
    return found[1] ? { type: "cloze", number: found[1] } : { type: "reverse" };
  }

  function clozes(body, number) {
    return Array.prototype.slice.call(body.querySelectorAll(".cloze[data-cloze='" + number + "']"));
  }

  // The front: a cloze card shows the parts that hold clozes, this number's hidden ("[…]" or its hint);
  // a reversed card shows the core answer and asks for the question.
  function front(card, title, body, item) {
    var found = kind(item);
    if (found.type === "cloze") {
      card.classList.add("cloze-card");
      body.querySelectorAll(".body > .core, .body > .answer").forEach(function (part) {
        part.classList.toggle("cloze-part", !!part.querySelector(".cloze"));
      });
      clozes(body, found.number).forEach(function (cloze) {
        var blank = document.createElement("span");
        blank.className = "cloze-blank";
        blank.textContent = "[" + (cloze.dataset.hint || "…") + "]";
        cloze.parentNode.insertBefore(blank, cloze);
        cloze.hidden = true;
      });
    } else if (found.type === "reverse") {
      card.classList.add("reverse-card", "core-shown");
      saved = Array.prototype.slice.call(title.childNodes);
      title.textContent = words.reverse;
    }
  }

  // The back: the cloze filled in and marked; the reversed card's question named.
  function back(card, title, body, item) {
    var found = kind(item);
    if (found.type === "cloze") {
      body.querySelectorAll(".cloze-blank").forEach(function (blank) { blank.remove(); });
      clozes(body, found.number).forEach(function (cloze) {
        cloze.hidden = false;
        cloze.classList.add("cloze-current");
      });
    } else if (found.type === "reverse" && saved) {
      title.replaceChildren.apply(title, saved);
      saved = null;
    }
  }

  function restore(body) {
    body.querySelectorAll(".cloze-blank").forEach(function (blank) { blank.remove(); });
    body.querySelectorAll(".cloze").forEach(function (cloze) {
      cloze.hidden = false;
      cloze.classList.remove("cloze-current");
    });
    body.querySelectorAll(".cloze-part").forEach(function (part) { part.classList.remove("cloze-part"); });
    saved = null;
  }

  window.studyItems = { cards: cards, kind: kind, front: front, back: back, restore: restore };
})();
