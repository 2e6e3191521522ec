"""An embedded lesson on another site's page, in Chromium with third-party cookies blocked.

The app runs at localhost (pytest-django's live server); the host page is served from
127.0.0.1 on another port, a different site, so the iframe is a third-party context.
"""

import functools
import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from embeds.snippets import embed_code
from quizzes.models import Attempt
from tests.browser.conftest import AXE_TAGS

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_TITLE = "Making waves in space: lesson and practice quiz (Orbit Quiz)"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def host_site(tmp_path):
    """A teacher's page on another site: publish(html) serves it and returns its URL."""
    handler = functools.partial(QuietHandler, directory=tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(html):
        (tmp_path / "index.html").write_text(html, encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    yield publish
    server.shutdown()
    server.server_close()


@pytest.fixture
def lesson(practice_lesson):
    return practice_lesson


@pytest.fixture
def host_page_url(live_server, host_site, lesson):
    assert live_server.url.startswith("http://localhost:")  # and the host is 127.0.0.1
    return host_site(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Science class</title></head>
<body><main>
<h1>Science class: this week's reading</h1>
<p>Read the lesson, then try the quiz.</p>
{embed_code(lesson, live_server.url)}
<iframe id="other" title="Another widget" srcdoc="<script>parent.postMessage({{context: 'h5p',
  action: 'resize', scrollHeight: 33}}, '*')</script>"></iframe>
</main></body></html>"""
    )


@pytest.fixture
def context(chromium):
    context = chromium.new_context(viewport={"width": 1000, "height": 800})
    yield context
    context.close()


def embedded_frame(page):
    page.frame_locator(f"iframe[title='{FRAME_TITLE}']").locator("h1").wait_for()
    frame = page.frame(url=re.compile(r"/embed/lessons/making-waves/"))
    assert frame is not None
    frame.wait_for_load_state()
    return frame


def frame_height(page) -> float:
    return page.get_by_title(FRAME_TITLE).bounding_box()["height"]


def wait_for_frame_to_fit(page, frame):
    """The host's iframe as tall as the embedded page's content, give or take a pixel."""
    for _ in range(100):
        content = frame.evaluate("document.documentElement.getBoundingClientRect().height")
        if abs(frame_height(page) - content) <= 1:
            return frame_height(page)
        page.wait_for_timeout(50)
    raise AssertionError(f"iframe is {frame_height(page)}px, its content {content}px")


def assert_accessible(target, options=None):
    """As conftest's, for a frame too, and with axe-core options (a host page skips iframes)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, **(options or {})}
    results = Axe().run(target, options=options)
    assert results.violations_count == 0, results.generate_report()


def test_embedded_practice_quiz_works_with_third_party_cookies_blocked(
    context, host_page_url, live_server
):
    page = context.new_page()
    page.set_default_timeout(10_000)
    app_requests = []
    page.on("request", lambda r: app_requests.append(r) if "/embed/" in r.url else None)
    app_errors = []  # a CSP violation, a failed script: anything the frame logs as an error
    page.on(
        "console",
        lambda m: (
            app_errors.append(m.text)
            if m.type == "error" and m.location["url"].startswith(live_server.url)
            else None
        ),
    )
    page.goto(host_page_url)
    frame = embedded_frame(page)
    embed = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")

    # The browser keeps no cookie in this frame: an embed that needed one would fail here.
    cookie = "probe=1; SameSite=None; Secure; Path=/"
    assert frame.evaluate(f"document.cookie = '{cookie}'; document.cookie") == ""
    top = context.new_page()
    top.goto(live_server.url + "/embed/lessons/making-waves/")
    assert "probe=1" in top.evaluate(f"document.cookie = '{cookie}'; document.cookie")
    top.close()

    # The snippet's 720px become the lesson's height; a frame of another origin resizes nothing.
    reading_height = wait_for_frame_to_fit(page, frame)
    assert reading_height != 720
    assert page.locator("#other").evaluate("frame => frame.style.height") == ""
    page.evaluate("postMessage({context: 'h5p', action: 'resize', scrollHeight: 40}, '*')")
    page.wait_for_timeout(200)
    assert frame_height(page) == reading_height

    embed.get_by_role("button", name="Start the practice quiz").click()
    expect(embed.get_by_text("Question 1 of 2")).to_be_visible()
    question_height = wait_for_frame_to_fit(page, frame)
    assert question_height > reading_height

    embed.get_by_label("CNSA").check()
    embed.get_by_role("button", name="Check answer").click()
    # The feedback is read out (the live region repeats it) and focus moves to it, in the frame.
    expect(embed.locator(".feedback")).to_contain_text("Correct.")
    expect(embed.locator("#announcer")).to_contain_text("Correct.")
    expect(embed.locator(".feedback")).to_be_focused()
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    assert wait_for_frame_to_fit(page, frame) > question_height
    assert_accessible(frame)

    # Open in a new tab: the same attempt, first-party, resumes at question 2.
    attempt = Attempt.objects.get()
    with context.expect_page() as new_tab:
        embed.get_by_role("button", name="Continue in a new tab").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    assert str(attempt.public_id) in tab.url
    expect(tab.get_by_text("Which law limits NASA's work with China?")).to_be_visible()
    tab.close()

    embed.get_by_role("button", name="Next question").click()
    expect(embed.get_by_text("Question 2 of 2")).to_be_visible()
    expect(embed.locator("#question-heading")).to_be_focused()
    embed.get_by_label("Your answer").fill("Wolf Amendment")
    embed.get_by_label("Your answer").press("Enter")
    expect(embed.locator(".feedback")).to_contain_text("Correct.")

    embed.get_by_role("button", name="See my score").click()
    expect(embed.locator(".score")).to_have_text("You scored 2 out of 2.")
    expect(embed.locator(".score")).to_be_focused()
    score_height = wait_for_frame_to_fit(page, frame)

    # Folding the lesson away shrinks the frame with it.
    embed.locator("summary").click()
    assert wait_for_frame_to_fit(page, frame) < score_height - 100
    assert_accessible(frame)
    assert_accessible(page, {"iframes": False})  # the host page: the snippet's frame title

    assert app_errors == []
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.score == 2
    # The new tab left a first-party session cookie, yet the frame never sent it.
    assert context.cookies(live_server.url)
    sent = [r for r in app_requests if r.frame.parent_frame is not None]
    assert sent and all("cookie" not in r.all_headers() for r in sent)


def test_a_host_script_that_loads_after_the_frame_still_sizes_it(
    context, host_site, live_server, lesson
):
    snippet = embed_code(lesson, live_server.url)
    iframe, script = snippet.split("\n")
    url = host_site(
        f"""<!doctype html><html lang="en"><head><title>Late script</title></head><body>
{iframe.replace(' loading="lazy"', "")}
<script>
  document.querySelector("iframe").addEventListener("load", function () {{
    var late = document.createElement("script");
    late.src = "{live_server.url}/static/js/orbit-embed.js";
    setTimeout(function () {{ document.body.append(late); }}, 300);
  }});
</script></body></html>"""
    )
    assert script.startswith("<script src=")
    page = context.new_page()
    page.goto(url)
    assert wait_for_frame_to_fit(page, embedded_frame(page)) != 720


def test_a_sandboxed_frame_says_where_the_quiz_can_run(context, host_site, live_server, lesson):
    # As WordPress embeds what it finds by oEmbed: scripts run, forms and requests can't.
    url = host_site(
        f"""<!doctype html><html lang="en"><head><title>Blog</title></head><body>
<iframe sandbox="allow-scripts" title="{FRAME_TITLE}"
        src="{live_server.url}/embed/lessons/making-waves/"></iframe></body></html>"""
    )
    page = context.new_page()
    page.goto(url)
    embed = page.frame_locator("iframe")
    expect(embed.get_by_text("where the quiz can't run")).to_be_visible()
    expect(embed.get_by_text(f"{live_server.url}/lessons/making-waves/")).to_be_visible()
    expect(embed.get_by_role("button", name="Start the practice quiz")).to_be_hidden()


def test_embedded_practice_quiz_works_without_javascript(chromium, host_page_url):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(host_page_url)
    embed = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")

    embed.get_by_role("button", name="Start the practice quiz").click()
    expect(embed.get_by_text("Question 1 of 2")).to_be_visible()
    embed.get_by_label("NASA").check()
    embed.get_by_role("button", name="Check answer").click()
    expect(embed.locator(".feedback")).to_contain_text("Not quite.")
    expect(embed.locator(".feedback")).to_contain_text("Right answer: CNSA")

    embed.get_by_role("button", name="Next question").click()
    embed.get_by_label("Your answer").fill("Wolf Amendment")
    embed.get_by_role("button", name="Check answer").click()
    expect(embed.locator(".feedback")).to_contain_text("Correct.")

    embed.get_by_role("button", name="See my score").click()
    expect(embed.locator(".score")).to_have_text("You scored 1 out of 2.")
    assert Attempt.objects.get().score == 1
    assert context.cookies() == []
    context.close()
