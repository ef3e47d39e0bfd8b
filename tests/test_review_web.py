"""Review in the browser, in process: sign-in, the verdict form, CSRF, the queue's order."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from provenance.audit.query import priority_score
from provenance.publish.auth import ReviewSite, token_digest
from provenance.publish.serve import make_datasette
from provenance.timestamps import utc_timestamp
from tests.dbrows import rows
from tests.helpers import annotate

TOKEN = "a-long-random-token-for-ada"


def site(db_path: Path) -> Datasette:
    return make_datasette(db_path, review=ReviewSite(db_path, {"ada": token_digest(TOKEN)}))


async def signed_in(ds: Datasette) -> dict[str, str]:
    response = await ds.client.get(f"/-/provenance/login?token={TOKEN}")
    assert response.status_code == 302
    return {"ds_actor": response.cookies["ds_actor"]}


async def form_for(ds: Datasette, cookies: dict[str, str], claim_id: str) -> dict[str, str]:
    """The claim page's verdict form as a browser would post it, with the CSRF cookie."""
    page = await ds.client.get(f"/-/provenance/claims/{claim_id}", cookies=cookies)
    assert page.status_code == 200
    form = page.text[page.text.index('<form class="pv-review"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"', form))
    cookies.update({"ds_csrftoken": page.cookies.get("ds_csrftoken") or cookies["ds_csrftoken"]})
    return fields


def recorded(db_path: Path) -> list[tuple[Any, ...]]:
    return rows(db_path, "select claim_id, reviewer, verdict, evidence, note from annotations")


@pytest.mark.asyncio
async def test_a_signed_in_reviewer_records_a_verdict(ingested_db: Path) -> None:
    ds = site(ingested_db)
    cookies = await signed_in(ds)
    claim_id = rows(ingested_db, "select id from claims order by start limit 1")[0][0]
    fields = await form_for(ds, cookies, claim_id)
    assert fields["claim"] == claim_id and fields["csrftoken"]
    response = await ds.client.post(
        "/-/provenance/annotate",
        data={
            **fields,
            "verdict": "contradicted",
            "evidence": "doi:10.1000/xyz\npmid:123",
            "note": "No.",
        },
        cookies=cookies,
    )
    assert response.status_code == 303
    cookies["ds_messages"] = response.cookies["ds_messages"]
    assert recorded(ingested_db) == [
        (claim_id, "ada", "contradicted", '["doi:10.1000/xyz", "pmid:123"]', "No.")
    ]
    # The status is recomputed with it, and the next page load shows it.
    assert rows(ingested_db, "select evidence_status from claims where id = ?", (claim_id,)) == [
        ("contradicted",)
    ]
    page = await ds.client.get(f"/-/provenance/claims/{claim_id}", cookies=cookies)
    assert "Verdicts in force" in page.text and "pv-status-contradicted" in page.text
    assert "Recorded contradicted" in page.text  # the message after the redirect


@pytest.mark.asyncio
async def test_without_sign_in_or_csrf_token_nothing_changes(ingested_db: Path) -> None:
    ds = site(ingested_db)
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    cookies = await signed_in(ds)
    fields = await form_for(ds, cookies, claim_id)
    verdict = {**fields, "verdict": "supported"}
    no_csrf = {k: v for k, v in verdict.items() if k != "csrftoken"}
    refusals = [
        ({"data": verdict}, "no sign-in"),
        ({"data": verdict, "cookies": {"ds_csrftoken": cookies["ds_csrftoken"]}}, "no actor"),
        ({"data": no_csrf, "cookies": cookies}, "no token"),
        ({"data": {**verdict, "csrftoken": "forged"}, "cookies": cookies}, "forged token"),
        ({"json": verdict, "cookies": cookies}, "JSON"),
    ]
    other_actor = {**cookies, "ds_actor": ds.sign({"a": {"id": "ada"}}, "actor")}
    refusals.append(({"data": verdict, "cookies": other_actor}, "not our actor"))
    for options, why in refusals:
        response = await ds.client.post("/-/provenance/annotate", **options)
        assert response.status_code == 403, why
    assert recorded(ingested_db) == []
    bad = await ds.client.get("/-/provenance/login?token=wrong")
    assert bad.status_code == 403 and "ds_actor" not in bad.cookies


@pytest.mark.asyncio
async def test_a_bad_verdict_or_reference_is_refused_as_on_the_cli(ingested_db: Path) -> None:
    ds = site(ingested_db)
    cookies = await signed_in(ds)
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    fields = await form_for(ds, cookies, claim_id)
    for change, message in (
        ({"verdict": "maybe"}, "is not a verdict"),
        ({"verdict": "supported", "evidence": "doi:nonsense"}, "is not a valid DOI"),
        ({"verdict": "supported", "claim": "ffffffffff"}, "no claim with id"),
    ):
        response = await ds.client.post(
            "/-/provenance/annotate", data={**fields, **change}, cookies=cookies
        )
        assert response.status_code == 400
        assert message in response.text
    assert recorded(ingested_db) == []


@pytest.mark.asyncio
async def test_a_read_only_site_has_no_form_and_refuses_verdicts(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    page = await ds.client.get(f"/-/provenance/claims/{claim_id}")
    assert "pv-review" not in page.text and "Sign in" not in page.text
    assert (await ds.client.get(f"/-/provenance/login?token={TOKEN}")).status_code == 403
    post = await ds.client.post("/-/provenance/annotate", data={"claim": claim_id})
    assert post.status_code == 403
    assert recorded(ingested_db) == []


@pytest.mark.asyncio
async def test_the_queue_follows_the_audits_priority_order(ingested_db: Path) -> None:
    found = rows(
        ingested_db,
        "select id, category, certainty, evidence_status, start, claim_key, attribution"
        " from claims",
    )
    repeats: dict[str, int] = {}
    for row in found:
        repeats[row[5]] = repeats.get(row[5], 0) + 1
    expected = [
        row[0]
        for row in sorted(
            found,
            key=lambda r: (-priority_score(r[1], r[2], r[3], repeats[r[5]], r[6]), r[4]),
        )
    ]
    ds = site(ingested_db)
    first = await ds.client.get("/-/provenance/queue")
    assert first.headers["location"].endswith(expected[0])
    walked = [expected[0]]
    for _ in range(5):
        page = await ds.client.get(f"/-/provenance/claims/{walked[-1]}")
        link = re.search(r'id="pv-next" rel="next" href="([^"]+)"', page.text)
        assert link is not None
        following = await ds.client.get(html.unescape(link.group(1)))
        assert following.status_code == 302
        walked.append(following.headers["location"].rsplit("/", 1)[1])
    assert walked == expected[:6]
    back = await ds.client.get(f"/-/provenance/queue?before={walked[3]}")
    assert back.headers["location"].endswith(walked[2])
    end = await ds.client.get(f"/-/provenance/queue?after={expected[-1]}")
    assert end.status_code == 200 and "last claim of the review queue" in end.text
    # Recording a verdict moves on to the next claim of the queue, as the terminal review does.
    cookies = await signed_in(ds)
    fields = await form_for(ds, cookies, walked[1])
    response = await ds.client.post(
        "/-/provenance/annotate", data={**fields, "verdict": "supported"}, cookies=cookies
    )
    assert response.status_code == 303
    moved_on = await ds.client.get(response.headers["location"])
    assert moved_on.headers["location"].endswith(f"/claims/{walked[2]}")
    assert (await ds.client.get("/-/provenance/queue")).headers["location"].endswith(walked[0])


@pytest.mark.asyncio
async def test_the_claim_page_tells_verdicts_in_force_from_those_on_an_earlier_wording(
    db_path: Path, example_copy: Path
) -> None:
    from provenance.ingest import ingest

    ingest([example_copy], db_path)
    claim_id, text = rows(db_path, "select id, text from claims order by start limit 1")[0]
    annotate(db_path, claim_id, "ada", "supported", created_at=utc_timestamp())
    reworded = text.replace("crucial", "vital")
    example_copy.write_text(
        example_copy.read_text(encoding="utf-8").replace(text, reworded), encoding="utf-8"
    )
    ingest([example_copy], db_path)
    assert rows(db_path, "select text from claims where id = ?", (claim_id,)) == [(reworded,)]
    annotate(db_path, claim_id, "bob", "partially_supported", created_at=utc_timestamp())
    page = (await make_datasette(db_path).client.get(f"/-/provenance/claims/{claim_id}")).text
    in_force = page[page.index("Verdicts in force") : page.index("On an earlier wording")]
    earlier = page[page.index("On an earlier wording") : page.index("<h2>Versions")]
    assert "bob" in in_force and "ada" not in in_force
    assert "ada" in earlier and f'<q class="pv-old-wording">{text}</q>' in earlier
    versions = re.findall(r'href="(/-/provenance/documents/[^"]+)">version (\d)', page)
    assert [v[1] for v in versions] == ["1", "2"]
    assert all(f"claim={claim_id}#c-{claim_id}" in v[0].replace("&amp;", "&") for v in versions)
