"""{{ text|markdown }}: teacher-written Markdown as safe, cleaned HTML (lessons/markdown.py)."""

from django import template
from django.utils.safestring import mark_safe

from lessons.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(text) -> str:
    """{{ section.body|markdown }}: the text as safe, cleaned HTML paragraphs."""
    return mark_safe(render_markdown(str(text or "")))
