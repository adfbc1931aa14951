// MathJax 3 as Anki runs it (the TeX packages of tex-chtml-full, less textmacros), in Node, for the tests.
//   node mathjax-tex.cjs names     every command and environment name it knows, one a line
//   node mathjax-tex.cjs check     reads a JSON list of [tex, display] on stdin; prints, for each, the
//                                  error MathJax gives (or null). Anki also loads noerrors and
//                                  noundefined, which show errors in the card instead of failing;
//                                  they are left out here so that every error is reported.
"use strict";
const { TeX } = require("mathjax-full/js/input/tex.js");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { STATE } = require("mathjax-full/js/core/MathItem.js");

const packages = AllPackages.filter((name) => !["textmacros", "noerrors", "noundefined"].includes(name));
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages,
  formatError: (jax, error) => {
    throw error;
  },
});
// An output jax, as in a card: bussproofs measures boxes while it parses.
const html = mathjax.document("", { InputJax: tex, OutputJax: new SVG({ fontCache: "none" }) });

function names() {
  const found = new Set();
  for (const kind of ["macro", "environment", "character", "delimiter"]) {
    const handler = tex.parseOptions.handlers.get(kind);
    for (const { item } of handler._configuration) {
      if (!item.map) continue; // the maps of letters and digits match by pattern, not by name
      for (const name of item.map.keys()) found.add(kind === "environment" ? `{${name}}` : name);
    }
  }
  return [...found].sort();
}

function check(formulas) {
  return formulas.map(([source, display]) => {
    try {
      html.convert(source, { display, end: STATE.CONVERT });
      return null;
    } catch (error) {
      return String(error.message || error);
    }
  });
}

if (process.argv[2] === "names") {
  process.stdout.write(names().join("\n") + "\n");
} else if (process.argv[2] === "check") {
  const input = require("fs").readFileSync(0, "utf8");
  process.stdout.write(JSON.stringify(check(JSON.parse(input))));
} else {
  process.stderr.write("usage: node mathjax-tex.cjs names|check\n");
  process.exit(2);
}
