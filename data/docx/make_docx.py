"""Build press_release.docx: what a Word press release holds, as Word stores it.

Title and heading styles, a subtitle, bullet and numbered lists, a table, two footnotes and
an endnote (referenced from the text), and a reviewer's comment. The body is written with
python-docx; the notes parts, which python-docx does not write, are added as Word stores them
(``word/footnotes.xml`` and ``word/endnotes.xml``, their relationships and content types).

Usage: ``pip install python-docx && python data/docx/make_docx.py data/docx/press_release.docx``
"""

from __future__ import annotations

import io
import sys
import zipfile
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"
FOOTNOTES = {
    1: "Martineau AR et al. BMJ 2017;356:i6583. doi:10.1136/bmj.i6583",
    2: "Trials were registered; see the protocol.",
}
ENDNOTES = {1: "Bolus doses are single large doses given once a month."}


def note(paragraph: Any, kind: str, number: int) -> None:
    """A reference to a foot- or endnote, as Word writes it: a run styled as a reference."""
    run = paragraph.add_run()
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "FootnoteReference" if kind == "footnote" else "EndnoteReference")
    props.append(style)
    run._r.append(props)
    reference = OxmlElement(f"w:{kind}Reference")
    reference.set(qn("w:id"), str(number))
    run._r.append(reference)


def body() -> bytes:
    d = docx.Document()
    d.core_properties.title = "Vitamin D and winter colds"
    d.add_heading("Vitamin D and winter colds", level=0)  # the Title style
    d.add_paragraph("Embargoed until 10 March, 00:01 GMT", style="Subtitle")
    d.add_heading("Summary", level=1)
    p = d.add_paragraph(
        "Daily vitamin D supplements reduced the risk of acute respiratory infection by 12%"
        " in a meta-analysis of 25 trials."
    )
    note(p, "footnote", 1)
    p.add_run(" The effect was largest in people with low baseline levels.")
    c = d.add_paragraph("Experts say the findings may change winter advice for older adults.")
    d.add_comment(c.runs, text="Check this: which experts?", author="Reviewer", initials="RV")
    d.add_heading("Key findings", level=2)
    d.add_paragraph("Supplements cut infections in people who were deficient.", "List Bullet")
    d.add_paragraph("No serious side effects were reported at daily doses.", "List Bullet")
    d.add_paragraph("Recruit participants with measured vitamin D levels.", "List Number")
    d.add_paragraph("Report infections by severity.", "List Number")
    d.add_heading("Results by dose", level=2)
    table = d.add_table(rows=3, cols=3)
    rows = [("Dose", "Trials", "Risk reduction"), ("Daily", "15", "19%"), ("Monthly", "10", "3%")]
    for r, row in enumerate(rows):
        for column, value in enumerate(row):
            table.cell(r, column).text = value
    p = d.add_paragraph("Monthly high doses did not protect against infection.")
    note(p, "endnote", 1)
    d.add_heading("About the study", level=1)
    p = d.add_paragraph("The analysis pooled individual data from 10,933 participants.")
    note(p, "footnote", 2)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def notes_xml(kind: str, notes: dict[int, str]) -> str:
    tag = kind[:-1]  # footnote / endnote
    style = "FootnoteReference" if tag == "footnote" else "EndnoteReference"
    separators = (
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:{tag}>"
    )
    entries = "".join(
        f'<w:{tag} w:id="{number}"><w:p><w:r><w:rPr><w:rStyle w:val="{style}"/></w:rPr>'
        f'<w:{tag}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:{tag}>'
        for number, text in notes.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:{kind} xmlns:w="{W}">{separators}{entries}</w:{kind}>'
    )


def with_notes(data: bytes, path: str) -> None:
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            raw = source.read(info.filename)
            if not info.filename.endswith((".xml", ".rels")):
                out.writestr(info, raw)
                continue
            content = raw.decode()
            if info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    "</Relationships>",
                    f'<Relationship Id="rIdFn" Type="{RELATIONSHIPS}/footnotes"'
                    ' Target="footnotes.xml"/>'
                    f'<Relationship Id="rIdEn" Type="{RELATIONSHIPS}/endnotes"'
                    ' Target="endnotes.xml"/></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                content = content.replace(
                    "</Types>",
                    '<Override PartName="/word/footnotes.xml"'
                    f' ContentType="{CONTENT_TYPE.format("footnotes")}"/>'
                    '<Override PartName="/word/endnotes.xml"'
                    f' ContentType="{CONTENT_TYPE.format("endnotes")}"/></Types>',
                )
            out.writestr(info, content)
        out.writestr("word/footnotes.xml", notes_xml("footnotes", FOOTNOTES))
        out.writestr("word/endnotes.xml", notes_xml("endnotes", ENDNOTES))


if __name__ == "__main__":
    with_notes(body(), sys.argv[1])
