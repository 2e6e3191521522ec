"""The teacher's question form, kind by kind: which fields a kind leaves out, and what a
change of kind keeps and drops.

Each kind says which of the question's own fields it uses and which columns its choices
have (its `form`, quizzes.kinds); a field of Question named by no kind belongs to every kind.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quizzes import kinds
from quizzes.models import Choice, Question

# Each kind's form (quizzes.kinds.base.KindForm), by the kind's value.
KIND_FORMS = {kind.value: kind.form for kind in kinds.all_kinds()}

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
        for name in ("is_correct", "match_text", "match_text_zh")
        if name.removesuffix("_zh") not in form.choice_fields
    }
    if form.all_choices_correct:
        resets["is_correct"] = True
    if resets:
        question.choices.update(**resets)
