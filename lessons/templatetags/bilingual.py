from django import template
from django.utils.html import format_html

from lessons.models import glossary_terms

register = template.Library()


@register.simple_tag
def in_language(item, field, language=None):
    """{% in_language section "heading" as heading %}: `heading.text` in the page's language
    (or `language`) where the item has it, else in English; `heading.lang` says which."""
    return item.in_language(field, language)


@register.filter
def terms(text):
    """{{ body.text|terms }}: a glossary's or timeline's (term, text) pairs; empty if not one."""
    return glossary_terms(text)


@register.filter
def marked(text, lang):
    """{{ lesson.source_title|marked:"en" }}: the text in a span with its lang, for a name
    or title inside a sentence in the page's language."""
    return format_html('<span lang="{}">{}</span>', lang, text)
