"""Line and column of an offset, as an editor counts them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from provenance.extract.positions import LineIndex


def test_lf_crlf_and_cr_each_end_one_line() -> None:
    text = "one\ntwo\r\nthree\rfour"
    index = LineIndex(text)
    assert index.line_column(0) == (1, 1)
    assert index.line_column(text.index("two")) == (2, 1)
    assert index.line_column(text.index("three")) == (3, 1)
    assert index.line_column(text.index("four") + 2) == (4, 3)


@given(st.text(alphabet="ab \n\r", max_size=60), st.data())
def test_line_column_points_back_at_the_offset(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    line, column = LineIndex(text).line_column(offset)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    if text[offset - 1 : offset + 1] == "\r\n":
        return  # between the two characters of one line break
    assert line == before.count("\n") + 1
    assert column == len(before) - (before.rfind("\n") + 1) + 1
    assert line <= len(lines)
