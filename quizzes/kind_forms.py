"""Which fields each kind of question uses on the teacher's question form.

The one list of what belongs to which kind, for the admin: the question's own fields, the
columns of its choices (none: it takes no choices), and the words the form uses for them.
A field of Question named by no kind here belongs to every kind. When the kinds get a
registry of their own (how each reads, scores and shows an answer), this moves into it.
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes.models import Choice, Question

Kind = Question.Kind


@dataclass(frozen=True)
class KindForm:
    description: str  # one line on the page where a teacher chooses the kind
    fields: tuple[str, ...] = ()  # the question's own fields this kind uses
    choice_fields: tuple[str, ...] = ()  # columns of its choices; empty: it takes none
    choices_title: str = ""  # what the form calls its choices
    choice_name: str = ""  # and one of them ("Add another …")
    choice_labels: tuple[tuple[str, str], ...] = ()  # column headings other than the fields'
    new_choices: int = 0  # empty rows for choices on a new question (the form works without JS)
    explanation_label: str = ""  # when "explanation" means something else for this kind
    explanation_help: str = ""
    all_choices_correct: bool = False  # every choice is a right answer (accepted texts)

    @property
    def takes_choices(self) -> bool:
        return bool(self.choice_fields)


CHOICE_KINDS_FIELDS = ("position", "text", "is_correct")

KIND_FORMS = {
    Kind.SINGLE: KindForm(
        _("One right answer among several choices."),
        fields=("shuffle",),
        choice_fields=CHOICE_KINDS_FIELDS,
        choices_title=_("Choices: tick the right one"),
        choice_name=_("choice"),
        new_choices=4,
    ),
    Kind.MULTIPLE: KindForm(
        _("Several right answers; students tick every one that applies."),
        fields=("shuffle",),
        choice_fields=CHOICE_KINDS_FIELDS,
        choices_title=_("Choices: tick every right one"),
        choice_name=_("choice"),
        new_choices=5,
    ),
    Kind.TRUE_FALSE: KindForm(
        _("A statement that is either true or false."),
        fields=("shuffle",),
        choice_fields=CHOICE_KINDS_FIELDS,
        choices_title=_("The two answers (True and False): tick the right one"),
        choice_name=_("answer"),
        new_choices=2,
    ),
    Kind.SHORT_TEXT: KindForm(
        _("Students type a word or a phrase; you list the answers you accept."),
        fields=("strict_text", "ignore_articles", "synonyms"),
        choice_fields=("text",),
        choices_title=_("Accepted answers"),
        choice_name=_("accepted answer"),
        choice_labels=(("text", _("accepted answer")),),
        new_choices=3,
        all_choices_correct=True,
    ),
    Kind.NUMERIC: KindForm(
        _("Students type a number; you give its value, how far off it may be, and its unit."),
        fields=(
            "numeric_answer",
            "tolerance",
            "unit",
            "unit_words",
            "unit_convertible",
            "units_accepted",  # shown, not stored
        ),
    ),
    Kind.ORDERING: KindForm(
        _("Students put items in the right order."),
        choice_fields=("position", "text"),
        choices_title=_("Items, numbered in the right order"),
        choice_name=_("item"),
        choice_labels=(("position", _("place")), ("text", _("item"))),
        new_choices=4,
    ),
    Kind.MATCHING: KindForm(
        _("Students pair each item with its match."),
        fields=("shuffle",),
        choice_fields=("position", "text", "match_text"),
        choices_title=_("Pairs: each item and its match"),
        choice_name=_("pair"),
        choice_labels=(("text", _("item")), ("match_text", _("its match"))),
        new_choices=4,
    ),
    Kind.ESSAY: KindForm(
        _("A written answer that you mark by hand."),
        explanation_label=_("Marking guide"),
        explanation_help=_(
            "What a good answer contains, for whoever marks it. Students see it too after "
            "submitting, when the assignment shows the right answers."
        ),
    ),
}

# The question's fields that some kinds use and others don't.
KIND_FIELDS = frozenset(name for form in KIND_FORMS.values() for name in form.fields)
STORED = {field.name for field in Question._meta.get_fields()}


def hidden_fields(kind) -> frozenset[str]:
    """The question's fields a form for this kind leaves out."""
    return KIND_FIELDS - set(KIND_FORMS[kind].fields)


def kept_choices(question, kind) -> list[Choice]:
    """The question's choices that a change to `kind` keeps."""
    form = KIND_FORMS[kind]
    if not form.takes_choices:
        return []
    choices = list(question.choices.all())
    if form.all_choices_correct and question.kind != kind:
        return [choice for choice in choices if choice.is_correct]
    return choices


def dropped_by_change(question, kind) -> list[str]:
    """What changing the question to `kind` loses, in words, one line each."""
    old, new = KIND_FORMS[question.kind], KIND_FORMS[kind]
    lines = []
    choices = list(question.choices.all())
    kept = kept_choices(question, kind)
    gone = [choice for choice in choices if choice not in kept]
    if gone:
        lines.append(
            ngettext("%(count)d choice: %(texts)s", "%(count)d choices: %(texts)s", len(gone))
            % {"count": len(gone), "texts": "; ".join(choice.text for choice in gone)}
        )
    unused = set(old.choice_fields) - set(new.choice_fields) - {"position"}
    if new.all_choices_correct:
        unused.discard("is_correct")  # the choices it keeps are all right ones
    for name in sorted(unused):
        default = Choice._meta.get_field(name).get_default()
        if any(getattr(choice, name) != default for choice in kept):
            label = Choice._meta.get_field(name).verbose_name
            lines.append(format_lazy(_("the choices' “{label}” column"), label=label))
    for name in sorted((set(old.fields) - set(new.fields)) & STORED):
        field = Question._meta.get_field(name)
        value = getattr(question, name)
        if value != field.get_default():
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            lines.append(f"{field.verbose_name}: {value}")
    return [str(line) for line in lines]


def change_refused(question) -> str:
    """Why the question's kind can't change, or "" when it can: answers given to it as one
    kind can't be read, shown or scored as another (nor, in another teacher's class, be
    lost by this teacher's change)."""
    if not question.responses.filter(answer__isnull=False).exists():
        return ""
    return _(
        "Students have already answered this question as %(kind)s; their answers can't be "
        "read as another kind. Make a new question of the kind you want instead."
    ) % {"kind": question.get_kind_display().lower()}


def reset_for_kind(question) -> None:
    """Put the fields the question's kind doesn't use back to their defaults (unsaved)."""
    for name in hidden_fields(question.kind) & STORED:
        setattr(question, name, Question._meta.get_field(name).get_default())


def reset_choices_for_kind(question) -> None:
    """Give the question's choices the defaults of the columns its kind doesn't use."""
    form = KIND_FORMS[question.kind]
    resets = {
        name: Choice._meta.get_field(name).get_default()
        for name in ("is_correct", "match_text")
        if name not in form.choice_fields
    }
    if form.all_choices_correct:
        resets["is_correct"] = True
    if resets:
        question.choices.update(**resets)
