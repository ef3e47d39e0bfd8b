"""Stable identifiers: what counts as the same statement."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from provenance.ids import claim_id, claim_key, normalise_text

TYPOGRAPHY: dict[str, str | int | None] = {
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
}


def _reference_normalisation(text: str) -> str:
    """The definition: NFKC, plain quotes and dashes, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans(TYPOGRAPHY))
    return " ".join(text.casefold().split())


@given(st.text(alphabet=st.sampled_from([*TYPOGRAPHY, "ﬁ", "Å", "İ", "ß", " ", "\n", "a", "B"])))
def test_normalisation_follows_its_definition_on_typography(text: str) -> None:
    assert normalise_text(text) == _reference_normalisation(text)


@given(st.text())
def test_normalisation_follows_its_definition(text: str) -> None:
    assert normalise_text(text) == _reference_normalisation(text)


def test_typography_case_and_spacing_do_not_make_a_new_statement() -> None:
    plain = normalise_text('It\'s a "large" effect - in adults.')
    fancy = normalise_text("It’s a  “LARGE” effect – in\nadults.")
    assert plain == fancy
    assert claim_key(plain) == claim_key(fancy)
    assert claim_id("a.txt", plain, 1) == claim_id("a.txt", fancy, 1)
    assert claim_id("a.txt", plain, 1) != claim_id("a.txt", plain, 2)
    assert claim_id("a.txt", plain, 1) != claim_id("b.txt", plain, 1)
