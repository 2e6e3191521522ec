"""Teacher-written text (section bodies, explanations, summaries, descriptions) as Markdown.

Markdown passes any HTML in the text straight through, so its output is cleaned with nh3
down to a few formatting tags: nothing that runs script, loads anything or restyles the
page. Plain text renders as before: a blank line starts a paragraph, a line break stays one.
"""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=256)  # the same lesson text is drawn for every student
def render_markdown(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    # Python-Markdown takes quadratic time over unclosed brackets and tags (4,000 "[" take
    # seconds); no real lesson has hundreds, so such text shows as plain paragraphs.
    if text.count("[") > 500 or text.count("<") > 1000:
        return linebreaks(text, autoescape=True)
    html = markdown_lib.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )


@register.filter(name="markdown", is_safe=True)
def markdown_filter(text) -> str:
    """{{ section.body|markdown }}: the text as safe, cleaned HTML paragraphs."""
    return mark_safe(render_markdown(str(text or "")))
