"""Content in two languages. Each text a teacher writes in English may have its Chinese
version beside it, in the field of the same name ending in `_zh`. A page shows the version in
its own language where there is one and the English otherwise, and marks each block with the
`lang` it is really in, so screen readers switch voice."""

from typing import NamedTuple

from django.utils import translation

ENGLISH, CHINESE = "en", "zh-hans"


class Shown(NamedTuple):
    text: str
    lang: str


class Bilingual:
    """For models with `<field>_zh` twins of their English text fields."""

    def in_language(self, field: str, language: str | None = None) -> Shown:
        """`field` as shown in `language` (the page's by default)."""
        chinese = getattr(self, f"{field}_zh")
        if chinese and (language or translation.get_language()) == CHINESE:
            return Shown(chinese, CHINESE)
        return Shown(getattr(self, field), ENGLISH)
