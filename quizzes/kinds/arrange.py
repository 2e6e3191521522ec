"""Kinds whose answer arranges the choices: ordering and matching."""

from bisect import bisect_left
from fractions import Fraction

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from quizzes.interchange import shapes
from quizzes.kinds.base import (
    KindForm,
    QuestionKind,
    carried_ids,
    int_or_none,
    tokens_by_value,
)
from quizzes.scoring import InvalidAnswer, is_choice_id


class Ordering(QuestionKind):
    """Every choice in the student's order; a choice's position is its right place."""

    value = "ordering"
    label = _("Ordering")
    form = KindForm(
        _("Students put items in the right order."),
        choice_fields=("position", "text"),
        choices_title=_("Items, numbered in the right order"),
        choice_name=_("item"),
        choice_labels=(("position", _("place")), ("text", _("item"))),
        new_choices=4,
    )
    # Shown in their right order, the items would be the answer.
    always_shuffled = True
    bank_lookup = "items in one passage"
    shape_type = shapes.Order
    moodle_type = "ordering"

    def from_shape(self, shape):
        return shapes.Made(choices=[(item, False, "") for item in shape.items])

    def to_shape(self, question, choices):
        return shapes.Order(tuple(c.text for c in choices))

    def bank_items(self, key):
        return [(c.text,) for c in key.choices]

    def bank_key_lines(self, key):
        return [" → ".join(c.text for c in key.choices)]

    def clean(self, key, answer):
        ids = key.choice_ids
        # Check the ids before comparing them: sorting a mix of types raises TypeError,
        # and True == 1 would let a boolean pass as choice 1.
        if (
            not isinstance(answer, list)
            or not all(is_choice_id(a, ids) for a in answer)
            or len(answer) != len(ids)
            or set(answer) != ids
        ):
            raise InvalidAnswer(gettext_noop("Place every item exactly once."))
        return list(answer)

    def carry(self, answer, moved):
        return carried_ids(answer, moved)

    def fraction(self, key, answer):
        """(longest subsequence in the right relative order - 1) / (items - 1): reversed
        earns 0, one swap of neighbours among 4 items earns 2/3."""
        right_place = {c.id: i for i, c in enumerate(key.choices)}
        positions = [right_place[item] for item in answer]
        if len(positions) < 2:
            return Fraction(1)
        return Fraction(_longest_increasing(positions) - 1, len(positions) - 1)

    def read(self, attempt, question, data):
        # One <select> per item giving its place: works without JavaScript and by keyboard.
        fields = attempt.item_tokens(question, "place")
        places = {pk: int_or_none(data.get(f"place-{field}")) for pk, field in fields.items()}
        if None in places.values() or len(set(places.values())) != len(places):
            raise InvalidAnswer(
                gettext_noop("Give each item a different place, from first to last.")
            )
        return sorted(places, key=places.__getitem__)

    def post_data(self, attempt, question, answer):
        fields = attempt.item_tokens(question, "place")
        return {f"place-{fields[choice_id]}": place for place, choice_id in enumerate(answer, 1)}

    def page_fields(self, attempt, question):
        fields = attempt.item_tokens(question, "place").values()
        return {f"place-{field}": [str(n) for n in range(1, len(fields) + 1)] for field in fields}

    def widget(self, attempt, question, answer):
        choices = attempt.shuffled(question, question.choices.all())
        fields = attempt.item_tokens(question, "place")
        # An item has no place until the student gives it one: places preset in the order
        # shown would save that order for a student who only pressed "Next".
        places = answer if isinstance(answer, list) else []
        return {
            "place_numbers": range(1, len(choices) + 1),
            "places": [
                {
                    "choice": c,
                    "field": fields[c.pk],
                    "place": places.index(c.pk) + 1 if c.pk in places else None,
                }
                for c in choices
            ],
        }

    def reading(self, attempt, question):
        return [[c.text for c in attempt.shuffled(question, question.choices.all())]]

    def answer_display(self, question, answer):
        texts = {c.pk: c.text for c in question.choices.all()}
        return " → ".join(texts[i] for i in answer if i in texts)

    def key_display(self, question):
        return " → ".join(c.text for c in question.choices.all())

    def key_problems(self, question, choices):
        return [_("An ordering question needs at least two items.")] if len(choices) < 2 else []

    def sample_answers(self, key):
        ids = [c.id for c in key.choices]
        return [ids, ids[::-1], ids[1:] + ids[:1]]

    def random_answer(self, key, rng):
        ids = [c.id for c in key.choices]
        return rng.sample(ids, len(ids))

    def example(self):
        return {}, [("First", False), ("Second", False), ("Third", False)]


class Matching(QuestionKind):
    """{left choice id (str): right choice id}: a choice's text is a left item and its
    match_text the right item it pairs with; a right item is named by the choice that
    carries it."""

    value = "matching"
    label = _("Matching")
    form = KindForm(
        _("Students pair each item with its match."),
        fields=("shuffle",),
        choice_fields=("position", "text", "match_text"),
        choices_title=_("Pairs: each item and its match"),
        choice_name=_("pair"),
        choice_labels=(("text", _("item")), ("match_text", _("its match"))),
        new_choices=4,
    )
    bank_lookup = "every item"
    shape_type = shapes.Pairs
    moodle_type = "matching"

    def from_shape(self, shape):
        made = shapes.Made(fields={} if shape.shuffle is None else {"shuffle": shape.shuffle})
        for item, match in shape.pairs:
            if item.strip():
                made.choices.append((item, False, match))
            else:
                made.changes.append(
                    gettext(
                        "The extra match “%(match)s”, offered only to mislead, is dropped: "
                        "every match here belongs to an item."
                    )
                    % {"match": match}
                )
        return made

    def to_shape(self, question, choices):
        return shapes.Pairs(
            tuple((c.text, c.match_text) for c in choices if c.match_text), question.shuffle
        )

    def bank_items(self, key):
        return [(c.text, c.match_text) for c in key.choices if c.match_text]

    def bank_key_lines(self, key):
        return [f"{c.text} → {c.match_text}" for c in key.choices if c.match_text]

    def clean(self, key, answer):
        if not isinstance(answer, dict):
            raise InvalidAnswer(gettext_noop("Match every item."))
        items = {c.id for c in key.choices if c.match_text}
        cleaned = {}
        for left, right in answer.items():
            # JSON keys are strings of digits; int() would also take True, 1.9 or "1_0".
            left_id = (
                int(left) if isinstance(left, str) and left.isascii() and left.isdigit() else left
            )
            if not is_choice_id(left_id, items) or not is_choice_id(right, items):
                raise InvalidAnswer(gettext_noop("Match every item."))
            cleaned[str(left_id)] = right
        if not cleaned:
            raise InvalidAnswer(gettext_noop("Match at least one item."))
        return cleaned

    def carry(self, answer, moved):
        lefts = carried_ids([int(left) for left in answer], moved)
        rights = carried_ids(list(answer.values()), moved)
        if lefts is None or rights is None:
            return None
        return {str(left): right for left, right in zip(lefts, rights, strict=True)}

    def fraction(self, key, answer):
        """The share of pairs matched right; a right item is compared by its text, so two
        pairs with the same match_text accept either carrier."""
        pairs = [c for c in key.choices if c.match_text]
        if not pairs:
            return Fraction(0)
        texts = {c.id: c.match_text for c in key.choices}
        right = sum(1 for c in pairs if texts.get(answer.get(str(c.id))) == c.match_text)
        return Fraction(right, len(pairs))

    def read(self, attempt, question, data):
        fields = attempt.item_tokens(question, "item")
        targets = tokens_by_value(attempt, question, "target")
        return {
            # An unknown target stays in as None, so clean() refuses it.
            str(pk): targets.get(data[f"match-{field}"])
            for pk, field in fields.items()
            if data.get(f"match-{field}")
        }

    def post_data(self, attempt, question, answer):
        fields = attempt.item_tokens(question, "item")
        targets = attempt.item_tokens(question, "target")
        return {f"match-{fields[int(left)]}": targets[right] for left, right in answer.items()}

    def page_fields(self, attempt, question):
        targets = list(attempt.item_tokens(question, "target").values())
        return {
            f"match-{field}": targets for field in attempt.item_tokens(question, "item").values()
        }

    def widget(self, attempt, question, answer):
        choices = [c for c in attempt.shuffled(question, question.choices.all()) if c.match_text]
        fields = {role: attempt.item_tokens(question, role) for role in ("item", "target")}
        matched = answer if isinstance(answer, dict) else {}
        return {
            "pairs": [
                {
                    "choice": c,
                    "field": fields["item"][c.pk],
                    "matched": fields["target"].get(matched.get(str(c.pk))),
                }
                for c in choices
            ],
            # Right-hand items in their own order, so rows don't line up with their answers.
            "match_targets": [
                {"token": fields["target"][c.pk], "text": c.match_text}
                for c in sorted(choices, key=lambda c: c.match_text.casefold())
            ],
        }

    def reading(self, attempt, question):
        view = self.widget(attempt, question, None)
        return [
            [pair["choice"].text for pair in view["pairs"]],
            [target["text"] for target in view["match_targets"]],
        ]

    def answer_display(self, question, answer):
        texts = {c.pk: c.text for c in question.choices.all()}
        targets = {c.pk: c.match_text for c in question.choices.all()}
        # A pair deleted from the key since shows as "?", never as an error page.
        return "; ".join(
            f"{texts.get(int(left), '?')} → {targets.get(right, '?')}"
            for left, right in answer.items()
        )

    def key_display(self, question):
        return "; ".join(
            f"{c.text} → {c.match_text}" for c in question.choices.all() if c.match_text
        )

    def key_problems(self, question, choices):
        targets = [c.match_text for c in choices]
        if len(choices) < 2 or not all(targets) or len(set(targets)) != len(targets):
            return [_("Give at least two pairs, each with its own different match.")]
        return []

    def sample_answers(self, key):
        pairs = [c.id for c in key.choices if c.match_text]
        shifted = pairs[1:] + pairs[:1]
        return [
            {str(i): i for i in pairs},
            {str(i): j for i, j in zip(pairs, shifted, strict=True)},
            {
                str(pairs[0]): pairs[0],
                **{str(i): j for i, j in zip(pairs[1:], shifted[1:], strict=True)},
            },
        ]

    def random_answer(self, key, rng):
        pairs = [c.id for c in key.choices if c.match_text]
        return dict(zip(map(str, pairs), rng.sample(pairs, len(pairs)), strict=True))

    def example(self):
        return {}, [("Wolf Amendment", False, "2011"), ("Chang'e 5", False, "2020")]


def _longest_increasing(values: list[int]) -> int:
    tails: list[int] = []
    for value in values:
        i = bisect_left(tails, value)
        tails[i : i + 1] = [value]
    return len(tails)
