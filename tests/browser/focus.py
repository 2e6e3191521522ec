"""Checking the focus ring a keyboard user sees (WCAG 2.2 focus appearance)."""

import re

# What the focused element's ring looks like, and the colour behind the element (the
# first ancestor with an opaque background).
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = el.parentElement;
  while (behind && getComputedStyle(behind).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/)) {
    behind = behind.parentElement;
  }
  return {
    outline: [style.outlineStyle, style.outlineWidth, style.outlineColor, style.outlineOffset],
    shadow: style.boxShadow,
    behind: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
  };
}"""


def luminance(css_colour: str) -> float:
    red, green, blue = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_clear_focus_ring(page):
    """WCAG 2.2 focus appearance for the focused element: a solid ring at least 2 px
    thick whose colour stands out (3:1 or more) from what surrounds the element; the ring
    is an outline, or the box-shadow ring inside it (as wide as the outline's offset)."""
    ring = page.evaluate(FOCUS_RING)
    style, width, colour, offset = ring["outline"]
    rings = [(colour, float(width.removesuffix("px")))] if style == "solid" else []
    shadow = re.fullmatch(r"(rgba?\([^)]*\)) 0px 0px 0px (\d+)px", ring["shadow"])
    if shadow and style == "solid":
        rings.append((shadow[1], min(float(shadow[2]), float(offset.removesuffix("px")))))
    clear = [c for c, thickness in rings if thickness >= 2 and contrast(c, ring["behind"]) >= 3]
    assert clear, f"no ring of 2 px at 3:1 against {ring['behind']}: {ring}"
