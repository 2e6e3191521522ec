import pytest

from lessons.factories import SectionFactory

pytestmark = pytest.mark.django_db


def test_a_glossary_section_reads_as_a_list_of_terms(client):
    glossary = SectionFactory(
        heading="Glossary",
        body="CNSA: China's national space agency.\n\nNASA: the U.S. space agency.",
    )
    page = client.get(glossary.lesson.get_absolute_url()).text
    assert "<dt>CNSA</dt><dd>China&#x27;s national space agency.</dd>" in page


def test_ordinary_text_stays_paragraphs_even_with_a_colon(client):
    section = SectionFactory(
        body="Xu said one thing: cooperation matters.\n\nThe second paragraph has no colon."
    )
    page = client.get(section.lesson.get_absolute_url()).text
    assert "<p>Xu said one thing: cooperation matters.</p>" in page
    assert "<dl" not in page
