"""GIFT, Moodle's text format for questions, read and written as Moodle documents it.

Why our own parser: the GIFT parsers on PyPI (pygiftparser, last released in 2017;
pygiftparserrgmf 0.0.5, 2022) are unmaintained and don't give line numbers, and
gift-wrapper only writes GIFT. The format is small: a question is a block of lines ended by a
blank line, "//" starts a comment line, "$CATEGORY:" names a category, "::title::" and
"[format]" come first, and one answer block in braces holds the answers:

    {=right ~wrong ~%50%half right#its feedback ####general feedback}
    {T} {FALSE#feedback if wrong#feedback if right}
    {=typed answer =another}      {=item -> match =item -> match}
    {#1731:5} {#1700..1760} {#=1731:0 =%50%1731:20}      {}  (an essay)

Text after the block makes it a "missing word" question; a block with no braces is a
description. "\\~ \\= \\# \\{ \\} \\:" write those characters in text, "\\n" a new line.
"""

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from quizzes.interchange import shapes
from quizzes.interchange.drafts import (
    MAX_ANSWERS,
    TOO_MANY_ANSWERS,
    Draft,
    Parsed,
    Problem,
    from_html,
)

SPECIAL = "\\~=#{}:"
# Escaped characters stand in the private use area while the structure is read, then are
# put back: "\{" is text, "{" opens the answer block.
HIDDEN = {ch: chr(0xE000 + i) for i, ch in enumerate(SPECIAL)}
NEWLINE = chr(0xE010)
SHOWN = {hidden: ch for ch, hidden in HIDDEN.items()} | {NEWLINE: "\n"}
FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]")
WEIGHT = re.compile(r"\s*%\s*(-?\d+(?:\.\d*)?)\s*%")
TRUE_FALSE = re.compile(r"(T|TRUE|F|FALSE)\s*(#.*)?", re.IGNORECASE | re.DOTALL)
MARKDOWN_MARKS = re.compile(r"[*_`]|^#|\[.+\]\(", re.MULTILINE)
BLANK = "_____"


def hide_escapes(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and (text[i + 1] in SPECIAL or text[i + 1] == "n"):
            out.append(NEWLINE if text[i + 1] == "n" else HIDDEN[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def show(text: str) -> str:
    return "".join(SHOWN.get(ch, ch) for ch in text)


def read(text: str) -> Parsed:
    parsed = Parsed()
    block: list[str] = []
    start = 0
    categories = False

    def flush():
        if block:
            read_question("\n".join(block), start, parsed)
            block.clear()

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            flush()
        elif stripped.startswith("$CATEGORY:") and not block:
            categories = True
        else:
            if not block:
                start = number
            block.append(line)
    flush()
    if categories:
        parsed.notes.append("$CATEGORY lines are left out: every question goes into this quiz.")
    return parsed


def read_question(raw: str, line: int, parsed: Parsed) -> None:
    text = hide_escapes(raw).strip()

    def problem(at: int, reason: str):
        parsed.problems.append(Problem(line + text[:at].count("\n"), reason))

    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            return problem(0, "The title starts with :: but no :: ends it.")
        line += text[: end + 2].count("\n")
        title, text = show(text[2:end]).strip(), text[end + 2 :]
    found = FORMAT.match(text)
    markup = found[1] if found else "moodle"
    if found:
        line += text[: found.end()].count("\n")
        text = text[found.end() :]
    opened = text.find("{")
    closed = text.find("}", opened + 1 if opened >= 0 else 0)
    if opened < 0:
        if closed >= 0:
            return problem(closed, "A } that no { opened: write \\} for a brace in the text.")
        prompt, changes = as_text(text, markup, markdown=False)
        parsed.drafts.append(
            Draft(line, prompt, None, title, changes=changes, skipped="A description: text only.")
        )
        return None
    if closed < 0:
        return problem(opened, "The answers opened with { are never closed with }.")
    if "{" in text[opened + 1 : closed]:
        return problem(opened, "A { inside the answers: write \\{ for a brace in the text.")
    before, inside, after = text[:opened], text[opened + 1 : closed], text[closed + 1 :]
    if "{" in after or "}" in after:
        return problem(closed + 1, "A question has one set of answers in { }.")
    inside, _, general = inside.partition("####")
    errors: list[str] = []
    shape = read_answers(inside.strip(), markup, errors)
    if errors:
        return problem(opened, errors[0])
    draft = Draft(line, "", shape, title)
    draft.explanation, explanation_changes = as_text(general, markup, markdown=True)
    before_text, changes = as_text(before, markup, markdown=False)
    after_text, after_changes = as_text(after, markup, markdown=False)
    draft.changes = changes + [c for c in after_changes if c not in changes]
    draft.changes += [c for c in explanation_changes if c not in draft.changes]
    if after_text:
        draft.prompt, draft.shape = missing_word(before_text, after_text, shape, draft.changes)
    else:
        draft.prompt = before_text
    parsed.drafts.append(draft)
    return None


def as_text(text: str, markup: str, markdown: bool) -> tuple[str, list[str]]:
    text = show(text).strip()
    if markup == "html":
        return from_html(text, markdown)
    if markup == "markdown" and not markdown and MARKDOWN_MARKS.search(text):
        return text, ["The question's Markdown shows as typed: questions are plain text."]
    return text, []


def split_answers(body: str, errors: list[str]) -> list[tuple[str, Fraction | None, str, str]]:
    """(marker, weight or None, text, feedback) for each answer of "=a#fb ~%50%b"."""
    if body and body[0] not in "=~":
        errors.append("Each answer starts with = (a right one) or ~ (a wrong one).")
        return []
    answers = []
    for found in re.finditer(r"([=~])([^=~]*)", body):
        if len(answers) == MAX_ANSWERS:
            errors.append(TOO_MANY_ANSWERS)
            return []
        marker, rest = found[1], found[2]
        weight = None
        if matched := WEIGHT.match(rest):
            weight = Fraction(Decimal(matched[1])) / 100
            rest = rest[matched.end() :]
        text, _, feedback = rest.partition("#")
        answers.append((marker, weight, text, feedback))
    return answers


def read_answers(body: str, markup: str, errors: list[str]) -> shapes.Shape | None:
    def clean(text):
        return as_text(text, markup, markdown=False)[0]

    if not body:
        return shapes.Open()
    if body.startswith("#"):
        return read_number(body[1:], errors)
    if found := TRUE_FALSE.fullmatch(body):
        feedback = tuple(clean(f) for f in (found[2] or "").split("#")[1:])
        return shapes.TrueOrFalse(found[1].upper().startswith("T"), feedback)
    answers = split_answers(body, errors)
    if errors:
        return None
    if any(not clean(text) and "->" not in text for _, _, text, _ in answers):
        errors.append("An answer is empty: write its text after the = or ~.")
        return None
    if all(marker == "=" and "->" in text for marker, _, text, _ in answers):
        pairs = []
        for _, _, text, _ in answers:
            item, _, match = text.partition("->")
            pairs.append((clean(item), clean(match)))
        return shapes.Pairs(tuple(pairs))
    if any("->" in text for _, _, text, _ in answers):
        errors.append("Write every pair as =item -> match, with no ~ answers among them.")
        return None
    listed = tuple(
        shapes.Answer(
            clean(text),
            weight if weight is not None else Fraction(1 if marker == "=" else 0),
            clean(feedback),
        )
        for marker, weight, text, feedback in answers
    )
    if any(marker == "~" for marker, *_ in answers):
        # Moodle: with no answer marked =, weights make a question where several are ticked.
        several = not any(marker == "=" for marker, *_ in answers)
        return shapes.Choices(listed, several=several)
    return shapes.Typed(listed)


def number(text: str, errors: list[str]) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        errors.append(f"“{show(text).strip()}” is not a number.")
        return None
    if not value.is_finite():
        errors.append(f"“{show(text).strip()}” is not a number.")
        return None
    return value


def read_number(body: str, errors: list[str]) -> shapes.Shape | None:
    """ "1731:5", "1700..1760", or several "=%50%1731:20#feedback"."""
    if body.strip().startswith("="):
        pieces = [
            (weight if weight is not None else Fraction(1), text, feedback)
            for _, weight, text, feedback in split_answers(body.strip(), errors)
        ]
    else:
        text, _, feedback = body.partition("#")
        pieces = [(Fraction(1), text, feedback)]
    answers = []
    for fraction, text, feedback in pieces:
        if ".." in text:
            low, _, high = text.partition("..")
            low, high = number(low, errors), number(high, errors)
            if low is None or high is None:
                return None
            value, tolerance = (low + high) / 2, abs(high - low) / 2
        else:
            value_text, _, tolerance_text = text.partition(":")
            value = number(value_text, errors)
            tolerance = number(tolerance_text, errors) if tolerance_text.strip() else Decimal(0)
            if value is None or tolerance is None:
                return None
        answers.append(shapes.NumberAnswer(value, abs(tolerance), fraction, show(feedback)))
    return shapes.Number(tuple(answers))


def missing_word(before: str, after: str, shape, changes: list[str]):
    """Text after the answers: a gap in the passage where they stand. Choices with one right
    answer, or typed answers, become the gap itself; anything else keeps its answers and
    shows a blank line in the text, as Moodle does."""
    passage = around(before, "[[1]]", after)
    if isinstance(shape, shapes.Choices) and not shape.several:
        right = [a for a in shape.answers if a.fraction >= 1]
        wrong = [a for a in shape.answers if a.fraction < 1]
        if len(right) == 1 and all(a.fraction == 0 for a in wrong):
            words = (right[0].text, *(a.text for a in wrong))
            return passage, shapes.Gaps(passage, (shapes.Gap(words, chosen=True),))
    if isinstance(shape, shapes.Typed):
        kept = tuple(a.text for a in shape.answers if a.fraction >= 1)
        if len(kept) < len(shape.answers):
            changes.append("Answers worth part of the points are dropped from the gap.")
        return passage, shapes.Gaps(passage, (shapes.Gap(kept, chosen=False),))
    changes.append("The missing word becomes a blank line in the question.")
    return around(before, BLANK, after), shape


def around(before: str, middle: str, after: str) -> str:
    """The gap between the texts, with a space on each side unless punctuation follows."""
    joined = f"{before} {middle}".strip()
    return joined + (after if after[:1] in tuple(".,;:!?)") else f" {after}")


# --- writing ---------------------------------------------------------------------------------
def escape(text: str) -> str:
    for ch in SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def weight(fraction: Fraction) -> str:
    return f"%{round(float(fraction) * 100, 5):g}%"


def answers_text(shape) -> str | None:
    """The answer block's inside for a shape; None for a shape GIFT can't hold."""
    match shape:
        case shapes.Choices(answers=answers, several=False):
            return " ".join(("=" if a.fraction >= 1 else "~") + escape(a.text) for a in answers)
        case shapes.Choices(answers=answers):
            return " ".join(f"~{weight(a.fraction)}{escape(a.text)}" for a in answers)
        case shapes.TrueOrFalse(right=right):
            return "TRUE" if right else "FALSE"
        case shapes.Typed(answers=answers):
            return " ".join("=" + escape(a.text) for a in answers)
        case shapes.Number(answers=(answer,)):
            return f"#{answer.value.normalize():f}:{answer.tolerance.normalize():f}"
        case shapes.Pairs(pairs=pairs):
            return " ".join(f"={escape(a)} -> {escape(b)}" for a, b in pairs)
        case shapes.Open():
            return ""
        case shapes.Gaps(gaps=(gap,)):
            if gap.chosen:
                return " ".join(
                    ("=" if i == 0 else "~") + escape(w) for i, w in enumerate(gap.answers)
                )
            return " ".join("=" + escape(w) for w in gap.answers)
    return None


def write_question(title: str, prompt: str, shape, explanation: str) -> str | None:
    """One question in GIFT, or None when GIFT has no way to write its answers."""
    inside = answers_text(shape)
    if inside is None:
        return None
    if explanation.strip():
        inside += f" ####{escape(explanation)}"
    block = "{" + inside + "}"
    if isinstance(shape, shapes.Gaps):
        before, _, after = shape.passage.partition("[[1]]")
        body = f"{escape(before.strip())} {block} {escape(after.strip())}".strip()
    else:
        body = f"{escape(prompt)} {block}"
    return f"::{escape(title)}::[markdown]{body}\n"
