"""Moodle XML, read and written for the kinds this app has.

Each <question type="..."> becomes the kind the registry names for its type and options
(`kinds.for_moodle_type`); the elements it reads are the ones Moodle writes: name,
questiontext, generalfeedback, defaultgrade, answer (fraction, text, feedback, tolerance),
subquestion, shuffleanswers, usecase, units. Cloze questions become fill in the blanks when
their gaps are SHORTANSWER or MULTICHOICE ones.

The file is read with expat and a document type declaration is refused: no entity is ever
expanded, so a small file can't grow into a large one, and nothing outside it is fetched.
"""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from xml.parsers import expat

from quizzes import kinds
from quizzes.interchange import shapes
from quizzes.interchange.drafts import (
    MAX_ANSWERS,
    TOO_MANY_ANSWERS,
    Draft,
    Parsed,
    Problem,
    from_html,
)

NOT_QUESTIONS = {"category": "", "description": "A description: text only."}
# A backslash escapes the next character. No unescaped brace inside a gap, and "[^{}\\]"
# keeps the two alternatives apart: a text full of gaps that never close is read in linear
# time, each try stopping at the next brace.
CLOZE_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^{}\\])*)\}")


class Refused(Exception):
    pass


class LineElement(ET.Element):
    line = 0  # where the element starts in the file


def parse_tree(text: str) -> LineElement:
    """The document's tree, each element with its line in `.line`."""
    builder = ET.TreeBuilder(element_factory=LineElement)
    parser = expat.ParserCreate()
    lines = []

    def start(tag, attrs):
        element = builder.start(tag, attrs)
        lines.append((element, parser.CurrentLineNumber))

    def refuse(*args):
        raise Refused("A document type declaration (<!DOCTYPE>) is not accepted.")

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.Parse(text, True)
    root = builder.close()
    for element, line in lines:
        element.line = line
    return root


def text_of(element: ET.Element | None, name: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(name)
    return (found.text or "") if found is not None else ""


def formatted(element, markdown: bool) -> tuple[str, list[str]]:
    """An element with a format attribute and a <text>, as plain text or Markdown."""
    if element is None:
        return "", []
    text = text_of(element)
    if element.get("format", "html") == "html":
        text, changes = from_html(text, markdown)
    else:
        text, changes = text.strip(), []
    if element.findall("file"):
        changes.append("Files attached to the text (images) are dropped.")
    return text, changes


def fraction_of(answer) -> Fraction:
    try:
        return Fraction(Decimal(answer.get("fraction", "0"))) / 100
    except InvalidOperation:
        return Fraction(0)


def read(text: str) -> Parsed:
    parsed = Parsed()
    try:
        root = parse_tree(text)
    except expat.ExpatError as error:
        parsed.problems.append(Problem(error.lineno, f"Not well-formed XML: {error}."))
        return parsed
    except Refused as error:
        parsed.problems.append(Problem(1, str(error)))
        return parsed
    if root.tag != "quiz":
        parsed.problems.append(
            Problem(root.line, "A Moodle XML file has <quiz> around its questions.")
        )
        return parsed
    categories = False
    for element in root:
        if element.tag != "question":
            continue
        moodle_type = element.get("type", "")
        if moodle_type == "category":
            categories = True
            continue
        try:
            draft = read_question(element, moodle_type)
        except ValueError as error:
            parsed.problems.append(Problem(element.line, str(error)))
            continue
        parsed.drafts.append(draft)
    if categories:
        parsed.notes.append("Categories are left out: every question goes into this quiz.")
    return parsed


def read_question(element, moodle_type: str) -> Draft:
    prompt, changes = formatted(element.find("questiontext"), markdown=False)
    explanation, more = formatted(element.find("generalfeedback"), markdown=True)
    changes += [c for c in more if c not in changes]
    draft = Draft(
        element.line,
        prompt,
        None,
        text_of(element.find("name")).strip(),
        explanation,
        changes=changes,
    )
    grade = element.findtext("defaultgrade")
    if grade:
        try:
            draft.points = Decimal(grade.strip())
        except InvalidOperation:
            raise ValueError(f"<defaultgrade> “{grade}” is not a number.") from None
    if moodle_type in NOT_QUESTIONS:
        draft.skipped = NOT_QUESTIONS[moodle_type]
        return draft
    options = {child.tag: (child.text or "").strip() for child in element if len(child) == 0}
    kind = kinds.for_moodle_type(moodle_type, options)
    if kind is None:
        draft.skipped = f"Moodle's “{moodle_type}” questions have no kind here."
        return draft
    if len(element.findall("answer")) + len(element.findall("subquestion")) > MAX_ANSWERS:
        raise ValueError(TOO_MANY_ANSWERS)
    draft.kind = kind.value
    draft.shape = READERS[kind.shape_type](element, draft, kind)
    return draft


def answers_of(element, draft) -> tuple[shapes.Answer, ...]:
    answers = []
    for answer in element.findall("answer"):
        text, changes = formatted(answer, markdown=False)
        draft.changes += [c for c in changes if c not in draft.changes]
        feedback = text_of(answer.find("feedback"))
        answers.append(shapes.Answer(text, fraction_of(answer), feedback))
    return tuple(answers)


def flag(element, name: str) -> bool | None:
    value = element.findtext(name)
    if value is None:
        return None
    return value.strip().lower() in ("1", "true")


def read_choices(element, draft, kind):
    answers = answers_of(element, draft)
    # The type and its options chose the kind; the shape says what that kind takes.
    several = not kind.takes(shapes.Choices(answers, several=False))
    return shapes.Choices(answers, several=several, shuffle=flag(element, "shuffleanswers"))


def read_true_false(element, draft, kind):
    answers = answers_of(element, draft)
    right = next((a for a in answers if a.fraction >= 1), None)
    if right is None:
        raise ValueError("A true/false question needs an answer with fraction 100.")
    return shapes.TrueOrFalse(
        right.text.strip().lower() == "true", tuple(a.feedback for a in answers)
    )


def read_typed(element, draft, kind):
    return shapes.Typed(
        answers_of(element, draft), case_sensitive=flag(element, "usecase") or False
    )


def read_number(element, draft, kind):
    numbers = []
    for answer in element.findall("answer"):
        try:
            value = Decimal(text_of(answer).strip())
            tolerance = Decimal((answer.findtext("tolerance") or "0").strip())
        except InvalidOperation:
            raise ValueError(
                f"The answer “{text_of(answer).strip()}” is not a number with a tolerance."
            ) from None
        numbers.append(
            shapes.NumberAnswer(
                value, abs(tolerance), fraction_of(answer), text_of(answer.find("feedback"))
            )
        )
    unit = ""
    for found in element.iter("unit"):
        if Decimal((found.findtext("multiplier") or "1").strip() or "1") == 1:
            unit = (found.findtext("unit_name") or "").strip()
            break
    if len(list(element.iter("unit"))) > 1:
        draft.changes.append("Only the unit with multiplier 1 is kept; convert the others by hand.")
    return shapes.Number(tuple(numbers), unit)


def read_pairs(element, draft, kind):
    pairs = []
    for sub in element.findall("subquestion"):
        item, changes = formatted(sub, markdown=False)
        draft.changes += [c for c in changes if c not in draft.changes]
        pairs.append((item, text_of(sub.find("answer")).strip()))
    return shapes.Pairs(tuple(pairs), shuffle=flag(element, "shuffleanswers"))


def read_order(element, draft, kind):
    return shapes.Order(tuple(a.text for a in answers_of(element, draft)))


def read_open(element, draft, kind):
    if not draft.explanation and (guide := element.find("graderinfo")) is not None:
        draft.explanation, _ = formatted(guide, markdown=True)
    return shapes.Open()


def read_gaps(element, draft, kind):
    """Cloze: {1:SHORTANSWER:=Paris~=paris} and {1:MULTICHOICE:=right~wrong} gaps."""
    gaps = []

    def gap(found):
        kind_of_gap, body = found[2], found[3]
        answers = []
        for piece in re.split(r"(?<!\\)~", body):
            piece = re.split(r"(?<!\\)#", piece)[0]  # the answer's own feedback is dropped
            weight = re.match(r"\s*(=|%(-?\d+(?:\.\d*)?)%)", piece)
            right = bool(weight) and (weight[1] == "=" or Decimal(weight[2]) >= 100)
            word = piece[weight.end() :] if weight else piece
            answers.append((right, re.sub(r"\\(.)", r"\1", word).strip()))
        chosen = kind_of_gap.startswith("MULTICHOICE") or kind_of_gap in ("MC", "MCV", "MCH")
        if not (chosen or kind_of_gap in ("SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC")):
            draft.changes.append(
                f"The {kind_of_gap} gap becomes a typed gap accepting its right answers as text."
            )
        if chosen:
            words = [w for r, w in answers if r][:1] + [w for r, w in answers if not r]
        else:
            words = [w for r, w in answers if r]
        gaps.append(shapes.Gap(tuple(words), chosen))
        return f"[[{len(gaps)}]]"

    passage = CLOZE_GAP.sub(gap, draft.prompt)
    draft.prompt = passage
    return shapes.Gaps(passage, tuple(gaps))


READERS = {
    shapes.Choices: read_choices,
    shapes.TrueOrFalse: read_true_false,
    shapes.Typed: read_typed,
    shapes.Number: read_number,
    shapes.Pairs: read_pairs,
    shapes.Order: read_order,
    shapes.Open: read_open,
    shapes.Gaps: read_gaps,
}


# --- writing ---------------------------------------------------------------------------------
def text_element(parent, tag: str, text: str, markup: str = "") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": markup} if markup else {})
    ET.SubElement(element, "text").text = text
    return element


def percent(fraction: Fraction) -> str:
    return f"{round(float(fraction) * 100, 5):g}"


def write(groups) -> str:
    """A Moodle XML document of [(category, [(kind, question, choices)])]; no category
    element for an empty category."""
    root = ET.Element("quiz")
    for category, questions in groups:
        if category:
            element = ET.SubElement(root, "question", {"type": "category"})
            text_element(element, "category", f"$course$/{category}")
        for kind, question, choices in questions:
            write_question(root, kind, question, choices)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_question(root, kind, question, choices) -> None:
    shape = kind.to_shape(question, choices)
    element = ET.SubElement(root, "question", {"type": kind.moodle_type})
    text_element(element, "name", question.key)
    prompt = write_gaps(shape) if isinstance(shape, shapes.Gaps) else question.prompt
    text_element(element, "questiontext", prompt, "plain_text")
    text_element(element, "generalfeedback", question.explanation, "markdown")
    ET.SubElement(element, "defaultgrade").text = f"{question.points.normalize():f}"
    for name, value in kind.moodle_options:
        ET.SubElement(element, name).text = value
    write_shape(element, shape)


def write_answer(element, text: str, fraction: Fraction) -> ET.Element:
    answer = text_element(element, "answer", text, "plain_text")
    answer.set("fraction", percent(fraction))
    return answer


def write_shape(element, shape) -> None:
    match shape:
        case shapes.Choices(answers=answers, shuffle=shuffle):
            ET.SubElement(element, "shuffleanswers").text = "true" if shuffle else "false"
            for answer in answers:
                write_answer(element, answer.text, answer.fraction)
        case shapes.Typed(answers=answers, case_sensitive=case_sensitive):
            ET.SubElement(element, "usecase").text = "1" if case_sensitive else "0"
            for answer in answers:
                write_answer(element, answer.text, answer.fraction)
        case shapes.TrueOrFalse(right=right):
            write_answer(element, "true", Fraction(int(right)))
            write_answer(element, "false", Fraction(int(not right)))
        case shapes.Number(answers=answers, unit=unit):
            for number in answers:
                answer = write_answer(element, f"{number.value.normalize():f}", number.fraction)
                ET.SubElement(answer, "tolerance").text = f"{number.tolerance.normalize():f}"
            if unit:
                units = ET.SubElement(element, "units")
                found = ET.SubElement(units, "unit")
                ET.SubElement(found, "multiplier").text = "1"
                ET.SubElement(found, "unit_name").text = unit
        case shapes.Pairs(pairs=pairs, shuffle=shuffle):
            ET.SubElement(element, "shuffleanswers").text = "true" if shuffle else "false"
            for item, match in pairs:
                sub = text_element(element, "subquestion", item, "plain_text")
                ET.SubElement(ET.SubElement(sub, "answer"), "text").text = match
        case shapes.Order(items=items):
            for item in items:
                write_answer(element, item, Fraction(1))


def cloze_word(word: str) -> str:
    for ch in "\\~}#{=%":
        word = word.replace(ch, "\\" + ch)
    return word


def write_gaps(shape: shapes.Gaps) -> str:
    def gap(found):
        g = shape.gaps[int(found[1]) - 1]
        if g.chosen:
            words = [f"={cloze_word(g.answers[0])}", *(cloze_word(w) for w in g.answers[1:])]
            return "{1:MULTICHOICE:" + "~".join(words) + "}"
        return "{1:SHORTANSWER:" + "~".join(f"={cloze_word(w)}" for w in g.answers) + "}"

    return re.sub(r"\[\[(\d+)\]\]", gap, shape.passage)
