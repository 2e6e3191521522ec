"""The HTML other sites paste to embed a lesson: an iframe and the script that sizes it."""

from urllib.parse import urlencode, urljoin

from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH = 800
HEIGHT = 720


def site_origin(request) -> str:
    """This app's origin as the browser sees it, e.g. "https://quiz.example"."""
    return request.build_absolute_uri("/").removesuffix("/")


def embed_url(lesson, origin: str) -> str:
    return urljoin(origin, reverse("embeds:lesson_embed", args=[lesson.slug]))


def embed_code(lesson, origin: str, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    """The iframe (its title names the lesson for screen readers) and the resize script.

    The height is a starting point: orbit-embed.js (or H5P's h5p-resizer.js) then
    follows the content. Without either script the frame scrolls inside itself.
    """
    return format_html(
        '<iframe src="{src}" title="{title}" width="{width}" height="{height}" '
        'style="width:100%;max-width:{width}px;border:0" loading="lazy"></iframe>\n'
        '<script src="{script}" async></script>',
        src=embed_url(lesson, origin),
        title=_("%(title)s: lesson and practice quiz (Orbit Quiz)") % {"title": lesson.title},
        width=width,
        height=height,
        script=urljoin(origin, static("js/orbit-embed.js")),
    )


def oembed_url(lesson, origin: str) -> str:
    query = urlencode({"url": urljoin(origin, lesson.get_absolute_url()), "format": "json"})
    return f"{urljoin(origin, reverse('oembed'))}?{query}"
