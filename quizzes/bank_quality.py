"""The question bank's quality check: cues that give answers away, evidence that does not
hold what a question is cited for, and levels that do not match what a question asks.

Every rule is a heuristic a teacher can read in a sentence and check by eye; the README
says what each one looks for and what it cannot see. The rules work on plain data
(`BankQuestion`), so the management command (`check_bank`), the quiz's admin page and the
tests all run the same code; `quiz_problems` reads a saved quiz into that data.

Texts are compared as words: case, accents and punctuation ignored, a dash or slash
between words counting as a space, "three" as "3", and each word cut to a rough stem
("rounds" and "round", "authorization" and "authorisation" are the same).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from quizzes import kinds, scoring

# The right option is strictly the longest in at most this share of single-choice questions.
LONGEST_SHARE = Fraction(3, 10)
# No option is longer than the mean of the others by more than this share...
LONGER_THAN_MEAN = Fraction(1, 2)
# ... unless it is this short: "Congress" among "NASA" and "OSTP" is a name, not a cue.
SHORT_OPTION = 12
# A passage holds a text when it has all of the text's names and numbers and this share
# of its other words ("covered"): enough to say the facts are there, in other words.
COVERED = 0.5
# ... and states it when it has this share: a student can find it by matching words.
STATED = 0.8


def _word_list(words: str) -> list[str]:
    return words.split()


def _word_set(words: str) -> frozenset[str]:
    return frozenset(_word_list(words))


STOPWORDS = _word_set(
    """a an the of and or nor to in on at by for with from as into onto than then that this
    these those it its is are was were be been being has have had do does did will would
    can could may might shall should must not no yes so but if also only just both each
    any all some such very more most other others which who whom whose what when where why
    how there their they them he his him she her we our you your i me my"""
)
# Words any prompt may use, which say nothing of what it asks about (stemmed below).
GENERIC_WORDS = _word_set(
    """article lesson according text give name tick apply true false number answer
    question following option options phrase word words"""
)
NUMBER_WORDS = {
    word: str(n)
    for n, word in enumerate(
        _word_list(
            """zero one two three four five six seven eight nine ten eleven twelve thirteen
            fourteen fifteen sixteen seventeen eighteen nineteen twenty"""
        )
    )
}
# Words that say a question is about how the text makes its case, not only what it says.
ANALYSIS_CUES = _word_set(
    """why claim claims claimed evidence source sources purpose basis attribute attributes
    whose side sides support supports supported fact facts opinion neutral summary
    summarise summarize evaluate assess judge strongest weakest missing leaves reliable
    interpretation argue argues argument bias balanced reply"""
)


@dataclass(frozen=True)
class BankQuestion:
    """One question as the check sees it: its answer key in the scoring module's form,
    and the text of every section it cites, its evidence first."""

    key: str
    number: int
    level: str
    prompt: str
    explanation: str
    answer: scoring.AnswerKey
    passages: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.answer.kind

    @property
    def rules(self) -> kinds.QuestionKind:
        """What the check needs to know of the question's kind (its `bank_*` traits)."""
        return kinds.get(self.answer.kind)

    @property
    def right(self) -> list[str]:
        return [c.text for c in self.answer.choices if c.is_correct]

    @property
    def wrong(self) -> list[str]:
        return [c.text for c in self.answer.choices if not c.is_correct]


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    question: str = ""  # the key of the question it is about; empty for the whole quiz

    def __str__(self) -> str:
        return self.message


def quiz_problems(quiz) -> list[Problem]:
    """The problems of a saved Quiz (its questions as they are in the database)."""
    questions = (
        quiz.questions.current()
        .select_related("evidence")
        .prefetch_related("choices", "also_cites")
    )
    return problems([bank_question(number, q) for number, q in enumerate(questions, 1)])


def bank_question(number: int, question) -> BankQuestion:
    return BankQuestion(
        key=question.key,
        number=number,
        level=question.level,
        prompt=question.prompt,
        explanation=question.explanation,
        answer=question.answer_key(),
        passages=tuple(section.body for section in question.cited_sections),
    )


def problems(questions: Sequence[BankQuestion]) -> list[Problem]:
    """Every problem of one quiz, whole-quiz ones first, then question by question."""
    found = [*length_cue(questions), *true_false_balance(questions)]
    for question in questions:
        found += long_options(question)
        found += gives_answers(question, questions)
        found += evidence_gaps(question)
        found += level_mismatch(question)
    return found


# ---------------------------------------------------------------------------------------
# the rules
# ---------------------------------------------------------------------------------------
def length_cue(questions: Sequence[BankQuestion]) -> list[Problem]:
    """A student who always picks the longest option must not pass: the right option is
    strictly the longest in at most 30 % of the single-choice questions."""
    singles = [q for q in questions if q.rules.bank_length_cue and q.right]
    longest = [q for q in singles if _right_is_longest(q)]
    if not singles or len(longest) <= LONGEST_SHARE * len(singles):
        return []
    numbers = ", ".join(str(q.number) for q in longest)
    return [
        Problem(
            "length-cue",
            f"The right option is strictly the longest in {len(longest)} of {len(singles)} "
            f"single-choice questions (at most {int(LONGEST_SHARE * 100)} % allowed): "
            f"questions {numbers}. Lengthen some distractors or shorten the right answer.",
        )
    ]


def _right_is_longest(question: BankQuestion) -> bool:
    right = max(len(t.strip()) for t in question.right)
    return all(len(t.strip()) < right for t in question.wrong)


def long_options(question: BankQuestion) -> list[Problem]:
    """No option of a single-choice or multiple-response question is more than 50 %
    longer than the mean of the others: an odd one out draws the eye. Options of 12
    characters or fewer (a name, a year) are exempt."""
    if not question.rules.bank_option_lengths or len(question.answer.choices) < 2:
        return []
    texts = [c.text.strip() for c in question.answer.choices]
    found = []
    for i, text in enumerate(texts):
        others = texts[:i] + texts[i + 1 :]
        mean = Fraction(sum(len(t) for t in others), len(others))
        if len(text) > SHORT_OPTION and len(text) > (1 + LONGER_THAN_MEAN) * mean:
            found.append(
                Problem(
                    "long-option",
                    f"Question {question.number}: the option “{text}” is {len(text)} "
                    f"characters, more than 50 % longer than the others' mean of "
                    f"{float(mean):.0f}.",
                    question.key,
                )
            )
    return found


def gives_answers(question: BankQuestion, quiz: Sequence[BankQuestion]) -> list[Problem]:
    """Neither this question's prompt nor its feedback (explanation and right answer,
    which immediate feedback shows before the next question) gives the answer of another
    question of the quiz."""
    found = []
    for where, text in (("prompt", question.prompt), ("feedback", feedback_text(question))):
        for other in quiz:
            if other is question:
                continue
            answer = answer_found(other, text)
            if answer:
                found.append(
                    Problem(
                        "gives-answer",
                        f"Question {question.number}'s {where} gives the answer of question "
                        f"{other.number} (“{answer}”).",
                        question.key,
                    )
                )
    return found


def evidence_gaps(question: BankQuestion) -> list[Problem]:
    """Every matching pair and every ordering item is held by the cited sections taken
    together (a question cites its evidence and any sections it also cites): a pair may
    join a claim in one section to the evidence in another."""
    items = question.rules.bank_items(question.answer)
    return [
        Problem(
            "evidence",
            f"Question {question.number}: “{' → '.join(item)}” is not in the cited sections; "
            "cite the section that holds it.",
            question.key,
        )
        for item in items
        if not holds(["\n\n".join(question.passages)], *item)
    ]


def level_mismatch(question: BankQuestion) -> list[Problem]:
    """Recall asks for what a cited section states; inference and analysis ask for what
    no cited section states word for word; analysis asks about how the text makes its
    case (who claims what, on what evidence, why, how well)."""
    number, level = question.number, question.level
    if not question.rules.scored:
        if level == "recall":
            kind = str(question.rules.label).lower()
            message = f"Question {number}: an answer a teacher marks ({kind}) is never recall."
            return [Problem("level", message, question.key)]
        return []
    lookup = is_lookup(question)
    if level == "recall" and not lookup:
        message = (
            f"Question {number} is labelled recall, but no cited section states its answer: "
            "label it inference, or cite the section that states it."
        )
    elif level != "recall" and lookup:
        message = (
            f"Question {number} is labelled {level}, but a cited section states its answer "
            "in so many words: it is recall."
        )
    elif level == "analysis" and not ANALYSIS_CUES & set(_words(question.prompt)):
        message = (
            f"Question {number} is labelled analysis, but its prompt asks nothing about how "
            "the text makes its case (who claims what, on what evidence, why, how well)."
        )
    else:
        return []
    return [Problem("level", message, question.key)]


def true_false_balance(questions: Sequence[BankQuestion]) -> list[Problem]:
    """A student who answers every true/false question the same way must not beat chance:
    the numbers of "True" and "False" keys differ by at most one."""
    keys = [q.right[0] for q in questions if q.rules.bank_balanced_keys and q.right]
    trues = sum(_words(k) == ["true"] for k in keys)
    falses = len(keys) - trues
    if abs(trues - falses) <= 1:
        return []
    return [
        Problem(
            "true-false",
            f"{trues} true/false questions are true and {falses} false: always answering "
            f"“{'True' if trues > falses else 'False'}” beats chance.",
        )
    ]


# ---------------------------------------------------------------------------------------
# what a question's answer is, and where it is found
# ---------------------------------------------------------------------------------------
def feedback_text(question: BankQuestion) -> str:
    """What feedback shows after an answer: the explanation and the right answer."""
    shown = [f"{line}." for line in question.rules.bank_key_lines(question.answer)]
    return "\n".join([question.explanation, *shown])


def answer_found(question: BankQuestion, text: str) -> str:
    """The answer of `question` as `text` gives it, or "" when it doesn't.

    A phrase answer (single choice, each right option of a multiple response, any
    accepted short answer) is given when its words (without small words at either end)
    come in a row in one sentence of `text` that also has two of the words of the
    question's prompt: "2011" next to "Wolf Amendment" and "passed" answers "In which
    year did Congress pass the Wolf Amendment?", "2011" in a list of dates does not.
    A phrase of four words or more is specific enough on its own. A numeric answer is
    given by an amount within the tolerance followed within two words by its unit
    ("five years", "1,731 grams"). True/false, ordering and matching answers are not
    phrases: the check cannot find them.
    """
    style = question.rules.bank_answer
    if style == "amount":
        return _amount_found(question.answer, text)
    if style not in ("every phrase", "any phrase"):
        return ""
    phrases = question.rules.bank_phrases(question.answer)
    sentences = _sentences(text)
    found = [t for t in phrases if any(_answers(question, t, s) for s in sentences)]
    if style == "any phrase":
        return found[0] if found else ""
    return "; ".join(found) if found and len(found) == len(phrases) else ""


def is_lookup(question: BankQuestion) -> bool:
    """Whether a student finds the answer by matching words: a cited section has two of
    the prompt's words and states the right answer (each right option, every matching
    pair, every ordering item)."""
    passages, prompt, style = question.passages, question.prompt, question.rules.bank_lookup
    phrases = question.rules.bank_phrases(question.answer)
    if style == "every phrase":
        return bool(phrases) and all(
            any(_context(prompt, p, t) and states([p], t) for p in passages) for t in phrases
        )
    if style == "statement":
        return states(passages, _statement(prompt))
    if style == "any phrase":
        return any(_answers(question, t, p) for t in phrases for p in passages)
    if style == "amount":
        return any(_amount_found(question.answer, p) and _context(prompt, p, "") for p in passages)
    if style == "every item":
        return all(states(passages, *item) for item in question.rules.bank_items(question.answer))
    if style == "items in one passage":
        items = [item[0] for item in question.rules.bank_items(question.answer)]
        return any(all(states([p], item) for item in items) for p in passages)
    return False


def holds(passages: Sequence[str], *texts: str) -> bool:
    """Some passage has the texts' names and numbers and half their other words."""
    return _best_share(passages, texts) >= COVERED


def states(passages: Sequence[str], *texts: str) -> bool:
    """Some passage has the texts' names and numbers and most of their other words."""
    return _best_share(passages, texts) >= STATED


def missing_names(text: str, passages: Sequence[str], known: str = "") -> set[str]:
    """The names and numbers of `text` (leaving out those of `known`) that none of the
    passages has: what an explanation says that its evidence does not hold."""
    found = {stem for passage in passages for stem in _stems(passage)}
    return _names(text) - _names(known) - found


def _best_share(passages: Sequence[str], texts: Sequence[str]) -> float:
    """The largest share of the texts' words found in one passage; 0 for a passage that
    lacks one of their names or numbers."""
    terms = {stem for text in texts for stem in _stems(text)} - GENERIC
    names = {name for text in texts for name in _names(text)}
    best = 0.0
    for passage in passages:
        stems = set(_stems(passage))
        if not names <= stems:
            continue
        best = max(best, len(terms & stems) / len(terms) if terms else 1.0)
    return best


def _answers(question: BankQuestion, answer: str, sentence: str) -> bool:
    """Whether `sentence` gives `answer` as the answer to the question's prompt."""
    phrase = _core(answer)
    if not _contains(_words(_join_numbers(sentence)), phrase):
        return False
    return len(phrase) >= 4 or _context(question.prompt, sentence, answer)


def _context(prompt: str, text: str, answer: str) -> bool:
    """`text` has two of the prompt's words (one, if the prompt has only one), leaving
    out the answer's own words and words every prompt uses ("article", "name")."""
    wanted = set(_stems(prompt)) - set(_stems(answer)) - GENERIC
    return len(wanted & set(_stems(text))) >= min(2, len(wanted))


def _sentences(text: str) -> list[str]:
    # A full stop ends a sentence after a small letter, a digit or a closing bracket or
    # quote, so "U.S. Congress" stays one sentence.
    return re.split(r"(?<=[a-z0-9)\"”'’][.!?;])\s+|\n+|→", text)


# ---------------------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------------------
DECIMAL_POINT = "\ue000"  # a private-use character: kept while punctuation goes


def _words(text: str) -> list[str]:
    """Lower-case words without accents, punctuation or a possessive 's; dashes and
    slashes separate words ("Chang'e-5" is "change 5"), number words are digits ("three"
    is "3")."""
    text = unicodedata.normalize("NFKD", text).casefold()
    text = re.sub(r"(?<=\d)\.(?=\d)", DECIMAL_POINT, text)  # 1.7 stays 1.7
    text = re.sub(r"(?<=\w)['’]s\b", "", text)  # Xu's is Xu
    kept = []
    for ch in text:
        if unicodedata.combining(ch):
            continue
        category = unicodedata.category(ch)
        if category in ("Pd", "Pc") or ch in "/→":
            kept.append(" ")
        elif ch == "," or not category.startswith(("P", "S")):
            kept.append(ch)
    words = "".join(kept).replace(",", " ").replace(DECIMAL_POINT, ".").split()
    return [NUMBER_WORDS.get(w, w) for w in words]


def _stem(word: str) -> str:
    """A rough stem: an ending off, then the first 8 letters. Crude, but the same on both
    sides: propose, proposed; authorise, authorization; Changesite, Changesites."""
    word = word.replace("iz", "is")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    else:
        for ending in ("ing", "ed", "es", "al", "s", "e"):
            if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
                word = word[: -len(ending)]
                break
    return word[:8]


def _stems(text: str) -> list[str]:
    return [_stem(w) for w in _words(_join_numbers(text)) if w not in STOPWORDS]


GENERIC = frozenset(_stem(word) for word in GENERIC_WORDS)


def _names(text: str) -> set[str]:
    """Names and numbers: capitalised words that don't start a sentence, words in
    capitals (CNSA, U.S.) and numbers. A passage must have all of them to hold a text."""
    found = set()
    tokens = re.findall(r"[\w'’.-]+|[.!?:;]", _join_numbers(text))
    sentence_start = True
    for token in tokens:
        if token in ".!?:;":
            sentence_start = True
            continue
        bare = token.strip(".'’-")
        if not bare:
            continue
        is_name = bare[0].isupper() and not sentence_start
        is_capitals = sum(ch.isupper() for ch in bare) >= 2
        is_number = bare.replace(",", "").isdigit()
        if is_name or is_capitals or is_number:
            found.update(_stem(w) for w in _words(bare) if w not in STOPWORDS)
        sentence_start = token.endswith((".", "!", "?")) and not is_capitals
    return found


def _join_numbers(text: str) -> str:
    """ "1,731" and "1 731" as "1731", so thousands separators never split a number."""
    return re.sub(r"(?<=\d)[, \u00a0\u2009\u202f](?=\d{3}\b)", "", text)


def _core(text: str) -> list[str]:
    """A phrase's words without the small words at either end: "It almost broke down"
    is found in "communication almost broke down"."""
    words = _words(_join_numbers(text))
    while words and words[0] in STOPWORDS:
        words.pop(0)
    while words and words[-1] in STOPWORDS:
        words.pop()
    return words


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _statement(prompt: str) -> str:
    """A true/false prompt without its "True or false:" lead-in."""
    return re.sub(r"^\s*true or false\s*[:,.-]?\s*", "", prompt, flags=re.IGNORECASE)


def _amount_found(key: scoring.AnswerKey, text: str) -> str:
    """An amount in `text` that the numeric key would accept, with the words that give
    it, or "". With a unit, the amount must be followed within two words by a name of
    that unit ("three rounds", "3 rounds of talks"): "three papers" is no answer to "how
    many rounds?"."""
    if key.value is None:
        return ""
    # "Chang'e-5" and "Tianwen-1" are names, not amounts.
    text = re.sub(r"(?<=[^\W\d_])[-‐‑–](?=\d)", "", _join_numbers(text))
    words = _words(text)
    for i, word in enumerate(words):
        if not re.fullmatch(r"\d+(?:\.\d+)?", word):
            continue
        if not key.unit:
            if _accepts(key, word):
                return word
            continue
        for j, unit in enumerate(words[i + 1 : i + 4]):
            if _names_a_unit(key, unit) and _accepts(key, f"{word} {unit}"):
                return " ".join(words[i : i + j + 2])
    return ""


def _names_a_unit(key: scoring.AnswerKey, unit: str) -> bool:
    name = scoring.unit_name(unit)
    return name in scoring.key_unit_names(key) or name in scoring.UNIT_FACTORS


def _accepts(key: scoring.AnswerKey, answer: str) -> bool:
    try:
        return kinds.get(key.kind).fraction(key, answer) == 1
    except scoring.InvalidAnswer:
        return False
