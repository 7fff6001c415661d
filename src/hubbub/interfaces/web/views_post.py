"""One post: every enrichment, and the form that corrects its intents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import intents
from hubbub.analytics.stream import load_items
from hubbub.enrich.intent import LABELS, OTHER
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect

router = APIRouter()

# what each intent means, shown next to its checkbox
INTENT_HINTS = {
    "complaint": "unhappy with a product, service or company",
    "question": "asks for information or help",
    "praise": "thanks or recommends",
    "purchase_intent": "about to buy, switch or sign up: a lead",
    "feature_request": "asks for something the product does not do",
    "bug_report": "something is broken, with details",
    "recruiting": "hiring, job hunting, working at a company",
    "spam": "ads, scams, self-promotion",
    OTHER: "none of the above (news, opinion, jokes)",
}


def _post_page(
    request: Request,
    post_id: int,
    *,
    message: str | None = None,
    chosen: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        items = load_items(conn, [post_id], with_enrichments=True)
        history = intents.corrections_for(conn, post_id) if items else []
    if not items:
        return page(
            request,
            "error.html",
            {"status": 404, "message": f"No post {post_id}."},
            status_code=404,
        )
    result: dict[str, Any] = items[0].post.enrichments.get("intents") or {}
    current = list(result.get("labels") or [])
    scores = result.get("scores") or {}
    return page(
        request,
        "post.html",
        {
            "nav": "",
            "item": items[0],
            "intents": current,
            "scores": scores,
            "intent_model": result.get("model"),
            "checked": chosen if chosen is not None else current,
            "labels": [(label, INTENT_HINTS.get(label, "")) for label in LABELS],
            "history": history,
            "message": message,
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@router.get(
    "/posts/{post_id}",
    response_class=HTMLResponse,
    name="post",
    dependencies=[web_requires("post.view")],
)
def post_page(request: Request, post_id: int) -> HTMLResponse:
    return _post_page(request, post_id)


@router.post(
    "/posts/{post_id}/intents", dependencies=[web_requires("post.correct"), Depends(csrf.verify)]
)
async def post_intents(request: Request, post_id: int) -> Response:
    form = await request.form()
    chosen = [v for v in form.getlist("intent") if isinstance(v, str)]
    try:
        intents.correct_intents(request.app.state.engine, post_id, chosen, corrected_by="web")
    except intents.PostNotFound:
        return _post_page(request, post_id)
    except intents.InvalidIntents as exc:
        return _post_page(request, post_id, message=str(exc), chosen=chosen, status_code=400)
    return redirect(f"/posts/{post_id}?done=intents")
