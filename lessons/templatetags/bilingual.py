from django import template

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
