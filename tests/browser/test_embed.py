"""An embedded lesson on another site's page, in Chromium with third-party cookies blocked.

The app runs at localhost (pytest-django's live server); the host page is served from
127.0.0.1 on another port, a different site, so the iframe is a third-party context.
"""

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from embeds.snippets import embed_code
from lessons.factories import SectionFactory
from quizzes.models import Attempt
from tests.browser.conftest import AXE_TAGS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_TITLE = "Making waves in space: lesson and practice quiz (Orbit Quiz)"
# The host side of H5P's resizer protocol, as H5P's own h5p-resizer.js speaks it (see the file).
H5P_RESIZER = Path(__file__).with_name("h5p-resizer.js")


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


@pytest.fixture(scope="module")
def chromium_with_scrollbars(chromium):
    """Chromium showing scrollbars that take room, as on most desktops (headless hides them)."""
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--hide-scrollbars"]
    )
    yield browser
    browser.close()


@pytest.fixture
def context(chromium_with_scrollbars):
    context = chromium_with_scrollbars.new_context(viewport={"width": 1000, "height": 800})
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


def wait_for_frame_to_settle(page, frame):
    """Fits its content, and stays so: the host page's resizer isn't asked again and again."""
    height = wait_for_frame_to_fit(page, frame)
    asked = page.evaluate("asked")
    page.wait_for_timeout(300)
    assert (page.evaluate("asked"), frame_height(page)) == (asked, height)
    return height


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


@pytest.mark.parametrize(
    "generation, with_our_script",
    [("current", False), ("legacy", False), ("current", True)],
    ids=["h5p-resizer", "older-h5p-resizer", "h5p-resizer-and-orbit-embed"],
)
def test_h5p_resizer_on_the_host_page_sizes_the_frame(
    context, host_site, tmp_path, live_server, lesson, generation, with_our_script
):
    """A host page that loads H5P's h5p-resizer.js (as H5P's own embed code does, after the
    iframe), from its own origin: the frame grows and shrinks with the content."""
    # A longer lesson, paragraphs of many lengths: a 15px narrower text wraps differently.
    for position in range(101, 111):
        words = " ".join(["orbit", "lander", "sample", "moon", "rocket"] * (position - 100))
        SectionFactory(lesson=lesson, position=position, anchor=f"more-{position}", body=words)
    shutil.copy(H5P_RESIZER, tmp_path)
    snippet = embed_code(lesson, live_server.url)
    if not with_our_script:
        snippet = snippet.split("\n")[0]
    url = host_site(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>H5P host</title>
</head><body><main><h1>Science class</h1>
{snippet}
<script src="h5p-resizer.js" data-generation="{generation}" charset="UTF-8"></script>
<script>
  window.asked = 0;  // how often the frame asked to be resized
  addEventListener("message", function (event) {{
    if (/^(prepareResize|resize)$/.test(event.data.action)) window.asked++;
  }});
</script>
</main></body></html>"""
    )
    page = context.new_page()
    page.goto(url)
    frame = embedded_frame(page)
    embed = page.frame_locator(f"iframe[title='{FRAME_TITLE}']")

    reading_height = wait_for_frame_to_settle(page, frame)
    assert reading_height != 720

    embed.get_by_role("button", name="Start the practice quiz").click()
    expect(embed.get_by_text("Question 1 of 2")).to_be_visible()
    question_height = wait_for_frame_to_settle(page, frame)
    assert question_height > reading_height

    embed.get_by_label("NASA").check()
    embed.get_by_role("button", name="Check answer").click()
    expect(embed.locator(".feedback")).to_contain_text("Right answer: CNSA")
    feedback_height = wait_for_frame_to_settle(page, frame)
    assert feedback_height > question_height
    # The host page stayed where the student was: the feedback, far down the page, in view.
    assert page.evaluate("scrollY") > 500
    expect(embed.locator(".feedback")).to_be_in_viewport()

    # Folding the lesson away shrinks the frame with it; unfolding grows it back.
    embed.locator("summary").click()
    assert wait_for_frame_to_settle(page, frame) < feedback_height - 100
    embed.locator("summary").click()
    assert wait_for_frame_to_settle(page, frame) == feedback_height

    # Phone-wide host pages: the text wraps, the frame grows to fit, with no scrollbar. (A
    # scrollbar shown while the older resizer shrinks the frame to 1px narrows the text; at
    # some width a line wraps differently, and the frame would be resized back and forth.)
    for width in (520, 440, 390):
        page.set_viewport_size({"width": width, "height": 800})
        assert wait_for_frame_to_settle(page, frame) > feedback_height
        assert frame.evaluate("innerHeight >= document.documentElement.scrollHeight")


@pytest.mark.parametrize("script", ["orbit-embed.js", "h5p-resizer.js"])
def test_a_host_script_that_loads_after_the_frame_still_sizes_it(
    context, host_site, tmp_path, live_server, lesson, script
):
    shutil.copy(H5P_RESIZER, tmp_path)
    snippet = embed_code(lesson, live_server.url)
    iframe, our_script = snippet.split("\n")
    assert our_script.startswith("<script src=")
    src = f"{live_server.url}/static/js/orbit-embed.js" if script == "orbit-embed.js" else script
    url = host_site(
        f"""<!doctype html><html lang="en"><head><title>Late script</title></head><body>
{iframe.replace(' loading="lazy"', "")}
<script>
  document.querySelector("iframe").addEventListener("load", function () {{
    var late = document.createElement("script");
    late.src = "{src}";
    setTimeout(function () {{ document.body.append(late); }}, 300);
  }});
</script></body></html>"""
    )
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
