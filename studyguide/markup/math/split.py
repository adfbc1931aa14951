"""Where a formula may break, as TeX breaks one in a paragraph: after a relation or a binary operator at its top level.

A long inline formula is split into pieces that each output draws on its own (ziamath's SVG for the page
and the PDF, MathJax for the cards); the reader's line breaking may then wrap between them. The pieces
join back into the formula character for character. A piece that ends with an operator is drawn with
an empty group after it (`{}`), so the operator keeps its spacing as a relation or a binary operator
(TeX, MathJax and ziamath alike make an operator with nothing after it ordinary).

No library does this: ziamath and latex2mathml lay out one formula as one box, and MathJax 3 has no
inline line breaking (it came in MathJax 4). The rules are TeX's (The TeXbook, chapter 14: a break
after a relation or a binary operation at the outer level, not after a unary sign, not between two
relations), with what a careful typesetter adds: never inside parentheses, brackets or bars, never
inside a group, `\\left...\\right`, an environment or `\\text{}`, never where a switch (`\\displaystyle`,
`\\color`, a definition) would be cut from what it acts on. One pass over the tokens: linear.
"""

from __future__ import annotations

import functools
import re

TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|\s+|.", re.S)
RELATIONS = frozenset(
    r"""= < > \le \leq \ge \geq \leqslant \geqslant \ne \neq \equiv \approx \approxeq \sim \simeq \cong \propto
    \to \rightarrow \Rightarrow \leftarrow \Leftarrow \leftrightarrow \Leftrightarrow \longrightarrow
    \Longrightarrow \longleftarrow \Longleftarrow \longleftrightarrow \Longleftrightarrow \iff \implies
    \impliedby \mapsto \longmapsto \in \notin \ni \subset \subseteq \subsetneq \supset \supseteq \supsetneq
    \ll \gg \prec \succ \preceq \succeq \models \vdash \dashv \perp \parallel \mid \doteq \coloneqq \eqqcolon
    \triangleq \asymp \lesssim \gtrsim \rightleftharpoons \leftrightarrows \rightarrows""".split()
)
BINARIES = frozenset(
    r"""+ - * \pm \mp \times \cdot \div \ast \star \circ \bullet \cap \cup \wedge \vee \land \lor \oplus
    \ominus \otimes \oslash \odot \setminus \sqcup \sqcap \uplus \amalg \diamond""".split()
)
OPENERS = frozenset(r"( [ \{ \lbrace \lbrack \langle \lfloor \lceil \lvert \lVert".split())
CLOSERS = frozenset(r") ] \} \rbrace \rbrack \rangle \rfloor \rceil \rvert \rVert".split())
BARS = frozenset(r"| \| \vert \Vert".split())  # open and close alike: a pair is counted by parity
GROUP_OPEN = frozenset(("{", r"\left", r"\begin"))
GROUP_CLOSE = frozenset(("}", r"\right", r"\end"))
# Anything here at the top level keeps the formula whole: a switch acts on what follows it, a
# fraction-like command on everything around it, and `&`, `\\`, `%`, `\verb` are not for one line.
WHOLE = frozenset(
    r"""\over \atop \choose \above \brace \brack \displaystyle \textstyle \scriptstyle \scriptscriptstyle
    \rm \bf \it \sf \tt \cal \mit \bold \boldmath \unboldmath \color \tiny \scriptsize \footnotesize \small
    \normalsize \large \Large \LARGE \huge \Huge \newcommand \renewcommand \def \let \DeclareMathOperator
    \verb \tag \label \nonumber \notag & \\ %""".split()
)
SPACES = frozenset(r"\, \; \: \! \> \quad \qquad ~".split()) | {"\\ "}
# After these no operator is binary: an operator here is a sign (`= -5`), and a break would strand it.
NOT_OPERANDS = (
    RELATIONS
    | BINARIES
    | OPENERS
    | frozenset(
        r""", ; : ^ _ \left \right \not \colon \big \Big \bigg \Bigg \bigl \Bigl \biggl \Biggl \bigr \Bigr \biggr
    \Biggr \sum \prod \coprod \int \iint \iiint \oint \bigcup \bigcap \bigoplus \bigotimes \bigvee \bigwedge
    \lim \limsup \liminf \max \min \sup \inf \det \Pr \limits \nolimits""".split()
    )
)
# Commands that draw no glyph of their own (they shape what follows), for estimating a formula's length.
SHAPING = frozenset(
    r"""\frac \dfrac \tfrac \sqrt \left \right \mathrm \mathbf \mathit \mathsf \mathtt \mathcal \mathbb
    \mathfrak \boldsymbol \bm \text \textrm \textbf \textit \operatorname \hat \bar \tilde \vec \dot \ddot
    \overline \underline \widehat \widetilde \overbrace \underbrace \big \Big \bigg \Bigg \bigl \Bigl
    \bigr \Bigr \limits \nolimits \begin \end \mathop \mathrel \mathbin \mathord \not""".split()
)
# A browser breaks a line at the first place that fits, without TeX's penalties that keep a short formula
# together: a formula of fewer glyphs than this (about half a phone's line) stays whole.
MIN_GLYPHS = 16
# What may not start the piece after a break: scripts and primes belong to the operator before them.
NO_START = RELATIONS | CLOSERS | frozenset(r"^ _ ' , ; . \limits \nolimits \right".split())


def tokens(tex: str) -> list[str]:
    """Return a formula's TeX tokens: commands, single characters and runs of white space; joined, the formula."""
    return TOKEN.findall(tex)


def significant(token: str) -> bool:
    """Tell whether a token is more than white space or a spacing command."""
    return not token.isspace() and token not in SPACES


def after(previous: str, token: str) -> str:
    """Return what the last significant token counts as: a script's argument (`H^\\circ`) is an operand."""
    return "x" if previous in ("^", "_") and token not in "{}" else token


def breaks(parts: list[str]) -> list[int]:
    """Return the indexes of the operator tokens after which a line may break (none when the formula stays whole)."""
    depth = parens = bars = 0
    previous = ""  # the last significant token at the top level
    found: list[int] = []
    for index, token in enumerate(parts):
        if token in GROUP_OPEN:
            depth += 1
        elif token in GROUP_CLOSE:
            depth -= 1
        elif depth == 0:
            if token in WHOLE:
                return []
            if token in OPENERS:
                parens += 1
            elif token in CLOSERS:
                parens = max(0, parens - 1)
            elif token in BARS:
                bars ^= 1
            elif (token in RELATIONS or token in BINARIES) and not parens and not bars and previous:
                binary = token in RELATIONS or previous not in NOT_OPERANDS
                if binary and index > 0 and parts[index - 1] not in ("^", "_"):
                    found.append(index)
        if depth == 0 and significant(token):
            previous = after(previous, token)
    return [index for index in found if _may_follow(parts, index)]


def _may_follow(parts: list[str], index: int) -> bool:
    """Tell whether a piece may start after the operator at `index`: something follows it, and not a script."""
    following = next((token for token in parts[index + 1 :] if significant(token)), None)
    return following is not None and following not in NO_START and following not in BINARIES - {"-", "+"}


def glyphs(parts: list[str]) -> int:
    """Return about how many glyphs a formula's tokens draw (braces, scripts marks, spaces and shaping left out)."""
    return sum(1 for token in parts if significant(token) and token not in "{}^_&" and token not in SHAPING)


@functools.lru_cache(maxsize=4096)
def pieces(tex: str) -> tuple[str, ...]:
    """Return the pieces an inline formula may break between; joined, they are the formula itself."""
    parts = tokens(tex)
    if glyphs(parts) < MIN_GLYPHS:
        return (tex,)
    out: list[str] = []
    start = 0
    for index in breaks(parts):
        out.append("".join(parts[start : index + 1]))
        start = index + 1
    out.append("".join(parts[start:]))
    return tuple(out)


def drawn(piece: str, last: bool) -> str:
    """Return the TeX a piece is drawn from: one ending with an operator gets an empty group, to keep its spacing."""
    return piece if last else piece + "{}"


def drawn_pieces(tex: str) -> tuple[str, ...]:
    """Return the TeX of each piece of an inline formula as it is drawn (one piece: the formula itself)."""
    found = pieces(tex)
    return tuple(drawn(piece, n == len(found) - 1) for n, piece in enumerate(found))


def unary_signs(tex: str) -> str:
    """Return a formula whose signs (`= -5`, `(-2)`, `\\pm 1` after an operator) are groups: `{-}`.

    TeX makes a binary operator with no operand before it ordinary; ziamath spaces it as binary
    (`= − 571.6`), but spaces a group as an ordinary symbol. MathJax follows TeX and needs nothing.
    An operator that opens an aligned cell (`\\\\ & + b`, a continued line) keeps ziamath's binary
    spacing, as authors mean it there.
    """
    parts = tokens(tex)
    previous = ""
    for index, token in enumerate(parts):
        # first in a group or a script on its own: ziamath already draws it as a sign
        if token in BINARIES and previous in NOT_OPERANDS and previous not in ("^", "_"):
            parts[index] = "{" + token + "}"
        if significant(token):
            previous = after(previous, token)
    return "".join(parts)


def paired_quotes(tex: str) -> str:
    """Return a formula whose straight double quotes, in pairs, open and close: `\\text{"FREE"}` as “FREE”.

    TeX's fonts, and MathJax's after them, draw `"` as a closing quote (”FREE”); TeX authors write
    ``FREE'', which MathJax reads only with the textmacros package, which Anki leaves out. ziamath
    draws a straight quote. Paired, every output shows the same opening and closing quotes; an odd
    quote is left as written.
    """
    parts = tokens(tex)
    quotes = [index for index, token in enumerate(parts) if token == '"']
    if not quotes or len(quotes) % 2:
        return tex
    for n, index in enumerate(quotes):
        parts[index] = "\u201d" if n % 2 else "\u201c"
    return "".join(parts)
