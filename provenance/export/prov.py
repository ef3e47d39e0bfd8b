"""The ledger's provenance as W3C PROV-JSON (https://www.w3.org/Submission/prov-json/).

Entities: documents, their stored versions (each a specialization of its document and a
revision of the version before), claims (each quoted from the document version it was read
from, with the cited works its citation markers resolve to as primary sources), cited works,
reviewers' verdicts (with their evidence as primary sources). Activities: ingest runs
(associated with the tool at its version, the rule set as their plan, generating documents
and claims) and reviews (annotations: using the claim, associated with the reviewer,
generating the verdict attributed to them).

The document is one JSON object, but each section is written as its rows are read, so
memory stays flat however large the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO
from urllib.parse import quote

import sqlite_utils

from provenance.export.common import (
    ExportOptions,
    Iris,
    claims_where,
    evidence_iri,
    iter_claim_rows,
    source_iri,
)
from provenance.export.webannotation import VOCABULARY

Record = tuple[str, dict[str, Any]]

#: Prefix → the kind of record (the path segment of its IRI).
KINDS = {
    "claim": "claims",
    "document": "documents",
    "source": "sources",
    "reference": "references",
    "run": "runs",
    "annotation": "annotations",
    "verdict": "verdicts",
    "evidence": "evidence",
    "reviewer": "reviewers",
    "tool": "tools",
    "ruleset": "rulesets",
}


def _qname(value: str) -> dict[str, str]:
    return {"$": value, "type": "prov:QUALIFIED_NAME"}


def _typed(value: str, datatype: str) -> dict[str, str]:
    return {"$": value, "type": datatype}


def _id(prefix: str, local: str) -> str:
    """A qualified name; characters a PROV-N local name cannot hold are percent-encoded."""
    return f"{prefix}:{quote(local, safe='-_.')}"


class _Scope:
    """SQL for the records that belong to the exported claims."""

    def __init__(self, options: ExportOptions) -> None:
        where, self.params = claims_where(options)
        self.claim_ids = f"select claims.id from claims where {where}"
        self.sources = f"select claims.document from claims where {where}"


def _documents(db: sqlite_utils.Database, scope: _Scope) -> Iterator[tuple[Any, ...]]:
    """Every version of every document some exported claim comes from (no texts)."""
    yield from db.conn.execute(
        "select id, source, name, title, sha256, version, ingested_at, run_id from documents"
        f" where source in ({scope.sources}) order by source, version",
        scope.params,
    )


def _annotations(db: sqlite_utils.Database, scope: _Scope) -> Iterator[tuple[Any, ...]]:
    yield from db.conn.execute(
        "select id, claim_id, reviewer, verdict, evidence, note, created_at from annotations"
        f" where claim_id in ({scope.claim_ids}) order by claim_id, created_at, rowid",
        scope.params,
    )


def _runs(db: sqlite_utils.Database, scope: _Scope) -> Iterator[tuple[Any, ...]]:
    yield from db.conn.execute(
        "select id, started_at, tool_version, ruleset_version, arguments from runs"
        f" where id in (select run_id from documents where source in ({scope.sources}))"
        " order by started_at, id",
        scope.params,
    )


def _entities(db: sqlite_utils.Database, options: ExportOptions, scope: _Scope) -> Iterator[Record]:
    iris = Iris(options.base_url)
    for (source,) in db.conn.execute(
        f"select distinct source from documents where source in ({scope.sources}) order by source",
        scope.params,
    ):
        yield (
            _id("source", source),
            {
                "prov:type": _qname("provenance:Document"),
                # A web source is where it is; a local file has no address a reader could use.
                **(
                    {"prov:location": _typed(source, "xsd:anyURI")}
                    if source_iri(source, "") == source
                    else {}
                ),
                "provenance:source": source,
            },
        )
    for doc_id, source, name, title, sha256, version, ingested_at, _ in _documents(db, scope):
        yield (
            _id("document", doc_id),
            {
                "prov:type": _qname("provenance:DocumentVersion"),
                "prov:label": title or name,
                "prov:location": _typed(source_iri(source, iris.document(doc_id)), "xsd:anyURI"),
                "provenance:source": source,
                "provenance:sha256": sha256,
                "provenance:version": version,
                "provenance:ingestedAt": _typed(ingested_at, "xsd:dateTime"),
            },
        )
    for claim, _ in iter_claim_rows(db, options):
        attributes: dict[str, Any] = {
            "prov:type": _qname("provenance:Claim"),
            "prov:value": claim.text,
            "provenance:category": claim.category.value,
            "provenance:certainty": claim.certainty.value,
            "provenance:attribution": claim.attribution.value,
            "provenance:evidenceStatus": claim.evidence_status.value,
            "provenance:start": claim.start,
            "provenance:end": claim.end,
        }
        if claim.section:
            attributes["provenance:section"] = claim.section
        yield _id("claim", claim.id), attributes
    for ref_id, label, text, doi, pmid, url in db.conn.execute(
        'select id, label, text, doi, pmid, url from "references"'
        f" where document_id in (select id from documents where source in ({scope.sources}))"
        " order by document_id, start",
        scope.params,
    ):
        reference: dict[str, Any] = {
            "prov:type": _qname("provenance:CitedWork"),
            "prov:label": text,
        }
        for key, value in (("label", label), ("doi", doi), ("pmid", pmid), ("url", url)):
            if value:
                reference[f"provenance:{key}"] = value
        yield _id("reference", ref_id), reference
    for ann_id, _, _, verdict, evidence, note, _ in _annotations(db, scope):
        record: dict[str, Any] = {"prov:type": _qname("provenance:Verdict"), "prov:value": verdict}
        if note:
            record["provenance:note"] = note
        yield _id("verdict", ann_id), record
        for position, item in enumerate(json.loads(evidence) if evidence else []):
            found: dict[str, Any] = {"prov:type": _qname("provenance:Evidence"), "prov:label": item}
            iri = evidence_iri(item)
            if iri:
                found["prov:location"] = _typed(iri, "xsd:anyURI")
            yield _id("evidence", f"{ann_id}.{position}"), found
    for (ruleset_version,) in db.conn.execute(
        "select distinct ruleset_version from runs"
        f" where id in (select run_id from documents where source in ({scope.sources}))",
        scope.params,
    ):
        yield (
            _id("ruleset", ruleset_version),
            {
                "prov:type": _qname("prov:Plan"),
                "prov:label": f"rule set {ruleset_version}",
            },
        )


def _activities(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    for run_id, started_at, tool_version, ruleset_version, arguments in _runs(db, scope):
        yield (
            _id("run", run_id),
            {
                "prov:type": _qname("provenance:Ingest"),
                "prov:startTime": started_at,
                "provenance:toolVersion": tool_version,
                "provenance:rulesetVersion": ruleset_version,
                "provenance:arguments": json.loads(arguments) if arguments else [],
            },
        )
    for ann_id, _, _, _, _, _, created_at in _annotations(db, scope):
        yield (
            _id("annotation", ann_id),
            {
                "prov:type": _qname("provenance:Review"),
                "prov:startTime": created_at,
                "prov:endTime": created_at,
            },
        )


def _agents(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    for (tool_version,) in db.conn.execute(
        "select distinct tool_version from runs"
        f" where id in (select run_id from documents where source in ({scope.sources}))",
        scope.params,
    ):
        yield (
            _id("tool", f"provenance-{tool_version}"),
            {
                "prov:type": _qname("prov:SoftwareAgent"),
                "prov:label": f"provenance {tool_version}",
            },
        )
    for (reviewer,) in db.conn.execute(
        f"select distinct reviewer from annotations where claim_id in ({scope.claim_ids})"
        " order by reviewer",
        scope.params,
    ):
        yield (
            _id("reviewer", reviewer),
            {
                "prov:type": _qname("prov:Person"),
                "prov:label": reviewer,
            },
        )


def _generations(
    db: sqlite_utils.Database, options: ExportOptions, scope: _Scope
) -> Iterator[Record]:
    for doc_id, _, _, _, _, _, ingested_at, run_id in _documents(db, scope):
        yield (
            _id("_", f"generated-document-{doc_id}"),
            {
                "prov:entity": _id("document", doc_id),
                "prov:activity": _id("run", run_id),
                "prov:time": ingested_at,
            },
        )
    for claim, run_id in iter_claim_rows(db, options):
        if run_id:
            yield (
                _id("_", f"generated-claim-{claim.id}"),
                {
                    "prov:entity": _id("claim", claim.id),
                    "prov:activity": _id("run", run_id),
                },
            )
    for ann_id, _, _, _, _, _, created_at in _annotations(db, scope):
        yield (
            _id("_", f"generated-verdict-{ann_id}"),
            {
                "prov:entity": _id("verdict", ann_id),
                "prov:activity": _id("annotation", ann_id),
                "prov:time": created_at,
            },
        )


def _usages(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    for ann_id, claim_id, _, _, _, _, created_at in _annotations(db, scope):
        yield (
            _id("_", f"used-{ann_id}"),
            {
                "prov:activity": _id("annotation", ann_id),
                "prov:entity": _id("claim", claim_id),
                "prov:time": created_at,
            },
        )


def _associations(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    for run_id, _, tool_version, ruleset_version, _ in _runs(db, scope):
        yield (
            _id("_", f"associated-run-{run_id}"),
            {
                "prov:activity": _id("run", run_id),
                "prov:agent": _id("tool", f"provenance-{tool_version}"),
                "prov:plan": _id("ruleset", ruleset_version),
            },
        )
    for ann_id, _, reviewer, _, _, _, _ in _annotations(db, scope):
        yield (
            _id("_", f"associated-annotation-{ann_id}"),
            {
                "prov:activity": _id("annotation", ann_id),
                "prov:agent": _id("reviewer", reviewer),
            },
        )


def _attributions(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    for ann_id, _, reviewer, _, _, _, _ in _annotations(db, scope):
        yield (
            _id("_", f"attributed-verdict-{ann_id}"),
            {
                "prov:entity": _id("verdict", ann_id),
                "prov:agent": _id("reviewer", reviewer),
            },
        )


def _derivation(generated: str, used: str, kind: str) -> dict[str, Any]:
    return {
        "prov:generatedEntity": generated,
        "prov:usedEntity": used,
        "prov:type": _qname(f"prov:{kind}"),
    }


def _derivations(
    db: sqlite_utils.Database, options: ExportOptions, scope: _Scope
) -> Iterator[Record]:
    for newer, older in db.conn.execute(
        "select newer.id, older.id from documents newer join documents older"
        " on older.source = newer.source and older.version = newer.version - 1"
        f" where newer.source in ({scope.sources}) order by newer.source, newer.version",
        scope.params,
    ):
        yield (
            _id("_", f"revision-{newer}"),
            _derivation(_id("document", newer), _id("document", older), "Revision"),
        )
    for claim, _ in iter_claim_rows(db, options):
        yield (
            _id("_", f"quotation-{claim.id}"),
            _derivation(_id("claim", claim.id), _id("document", claim.document_id), "Quotation"),
        )
    for citation_id, claim_id, reference_id in db.conn.execute(
        "select id, claim_id, reference_id from citations"
        f" where reference_id is not null and claim_id in ({scope.claim_ids})"
        " order by claim_id, start",
        scope.params,
    ):
        yield (
            _id("_", f"primary-source-{citation_id}"),
            _derivation(_id("claim", claim_id), _id("reference", reference_id), "PrimarySource"),
        )
    for ann_id, _, _, _, evidence, _, _ in _annotations(db, scope):
        for position, _item in enumerate(json.loads(evidence) if evidence else []):
            yield (
                _id("_", f"evidence-{ann_id}.{position}"),
                _derivation(
                    _id("verdict", ann_id), _id("evidence", f"{ann_id}.{position}"), "PrimarySource"
                ),
            )


def _specializations(db: sqlite_utils.Database, scope: _Scope) -> Iterator[Record]:
    """Each stored version is a specialization of the document it is a version of."""
    for doc_id, source, *_ in _documents(db, scope):
        yield (
            _id("_", f"version-{doc_id}"),
            {
                "prov:specificEntity": _id("document", doc_id),
                "prov:generalEntity": _id("source", source),
            },
        )


def prefixes(iris: Iris) -> dict[str, str]:
    return {
        "provenance": VOCABULARY,
        **{prefix: iris.namespace(kind) for prefix, kind in KINDS.items()},
    }


def _write_section(out: TextIO, name: str, records: Iterable[Record]) -> int:
    out.write(f",\n {json.dumps(name)}: {{")
    count = 0
    for key, value in records:
        out.write(",\n  " if count else "\n  ")
        out.write(f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}")
        count += 1
    out.write("\n }" if count else "}")
    return count


def write_prov(db: sqlite_utils.Database, options: ExportOptions, out: TextIO) -> int:
    """One PROV-JSON document for the exported claims; returns how many claims it has."""
    iris = Iris(options.base_url)
    scope = _Scope(options)
    out.write('{\n "prefix": ' + json.dumps(prefixes(iris), ensure_ascii=False))
    _write_section(out, "entity", _entities(db, options, scope))
    _write_section(out, "activity", _activities(db, scope))
    _write_section(out, "agent", _agents(db, scope))
    _write_section(out, "wasGeneratedBy", _generations(db, options, scope))
    _write_section(out, "used", _usages(db, scope))
    _write_section(out, "wasAssociatedWith", _associations(db, scope))
    _write_section(out, "wasAttributedTo", _attributions(db, scope))
    _write_section(out, "wasDerivedFrom", _derivations(db, options, scope))
    _write_section(out, "specializationOf", _specializations(db, scope))
    out.write("\n}\n")
    where, params = claims_where(options)
    count: int = db.conn.execute(f"select count(*) from claims where {where}", params).fetchone()[0]
    return count
