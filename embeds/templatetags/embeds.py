from django import template
from django.utils.html import format_html

from embeds import snippets

register = template.Library()


@register.simple_tag(takes_context=True)
def embed_code(context, lesson):
    """The embed snippet for this lesson, with this site's address; use it escaped."""
    return snippets.embed_code(lesson, snippets.site_origin(context["request"]))


@register.simple_tag(takes_context=True)
def oembed_link(context, lesson):
    """oEmbed discovery, so platforms that auto-embed links find the embed code."""
    origin = snippets.site_origin(context["request"])
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        snippets.oembed_url(lesson, origin),
        lesson.title,
    )
