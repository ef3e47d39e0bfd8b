"""Reviewing through the site: signing in, and recording a verdict (the site's only write).

A verdict is checked as ``provenance annotate`` checks it and recorded through the same
library call (:func:`provenance.review.log.record_annotations`), in a connection of its own:
Datasette's connections stay read-only. A request without a signed-in reviewer, or without
the form's CSRF token, gets 403 and changes nothing.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from datasette.utils.asgi import Forbidden, Response

from provenance.errors import ProvenanceError
from provenance.models import Annotation
from provenance.publish.auth import actor_cookie, review_site
from provenance.publish.html import provenance_databases
from provenance.publish.pages import (
    DOCUMENTS_PATH,
    LOGIN_PATH,
    QUEUE_PATH,
    redirect,
    refuse,
    wrap_connection,
)
from provenance.review.log import make_annotation, record_annotations
from provenance.store.connection import open_database
from provenance.store.reads import resolve_claim_id


def local_path(path: str | None) -> str | None:
    """A redirect target on this site only (a path, never another host)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return path


async def login_page(datasette: Any, request: Any) -> Response:
    """``?token=`` signs a reviewer in with Datasette's signed actor cookie."""
    if (refused := refuse(request)) is not None:
        return refused
    site = review_site(datasette)
    if site is None:
        raise Forbidden("This site is read-only: it was not started with --review.")
    token = request.args.get("token") or ""
    if not token:
        return Response.html(
            await datasette.render_template(
                "provenance_login.html",
                {"action": datasette.urls.path(LOGIN_PATH)},
                request=request,
            )
        )
    reviewer = site.reviewer_for(token)
    if reviewer is None:
        return Response.html(
            await datasette.render_template(
                "provenance_login.html",
                {
                    "action": datasette.urls.path(LOGIN_PATH),
                    "error": "This token signs nobody in. Use the link provenance serve"
                    " printed when it started (a restart makes new links).",
                },
                request=request,
            ),
            status=403,
        )
    response = redirect(local_path(request.args.get("next")) or datasette.urls.path(QUEUE_PATH))
    response.set_cookie("ds_actor", actor_cookie(datasette, reviewer), httponly=True)
    return response


def record_verdict(db_path: Path, annotation: Annotation) -> None:
    """Record one annotation as ``provenance annotate`` does (its own connection)."""
    db = open_database(db_path, create=False)
    try:
        record_annotations(db, [annotation])
    finally:
        db.close()


async def annotate_endpoint(datasette: Any, request: Any) -> Response:
    """Record a signed-in reviewer's verdict; 403 and nothing changed otherwise."""
    if request.method != "POST":
        return Response.text("Method not allowed: post a verdict here.", status=405)
    site = review_site(datasette)
    if site is None:
        raise Forbidden("This site is read-only: it was not started with --review.")
    reviewer = site.reviewer_of(request.actor)
    if reviewer is None:
        raise Forbidden("Sign in to record verdicts (the link provenance serve printed).")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Forbidden("Verdicts are posted by the claim and document pages' forms only.")
    body = (await request.post_body()).decode("utf-8", errors="replace")
    form: dict[str, list[str]] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(key, []).append(value)

    def field(name: str) -> str:
        return (form.get(name) or [""])[0]

    # asgi-csrf has checked the token against the cookie; check again here, so that no other
    # kind of request (one without the form field) can ever record a verdict.
    cookie = request.cookies.get("ds_csrftoken", "")
    if not cookie or field("csrftoken") != cookie:
        raise Forbidden("The form's CSRF token is missing or wrong: reload the page.")
    evidence = [line for line in re.split(r"[\r\n]+", field("evidence")) if line.strip()]
    back = local_path(field("back")) or datasette.urls.path(DOCUMENTS_PATH)
    try:
        names = await provenance_databases(datasette)
        name = field("db") or (names[0] if names else "")
        if name not in names:
            raise ProvenanceError(f"no ledger named {name!r}")
        db = datasette.get_database(name)
        claim_id = await db.execute_fn(
            lambda conn: resolve_claim_id(wrap_connection(conn), field("claim"))
        )
        annotation = make_annotation(
            claim_id, reviewer, field("verdict"), evidence, field("note") or None
        )
        await asyncio.to_thread(record_verdict, Path(site.db_path), annotation)
    except ProvenanceError as error:
        return Response.html(
            await datasette.render_template(
                "provenance_message.html",
                {"title": "Verdict not recorded", "message": str(error), "back": back},
                request=request,
            ),
            status=400,
        )
    datasette.add_message(
        request, f"Recorded {annotation.verdict.value} on claim {claim_id[:12]} by {reviewer}."
    )
    return Response.redirect(local_path(field("next")) or back, status=303)
