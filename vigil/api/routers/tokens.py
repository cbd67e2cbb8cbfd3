"""Who am I, and token administration (admin only; secrets are shown once, at creation)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from vigil.api.deps import admin, get_store, viewer
from vigil.api.responses import errors, json_response
from vigil.api.schemas import MeOut, TokenIn, TokenList, TokenOut
from vigil.store import Store
from vigil.store.review import Principal, create_token, list_tokens, revoke_token

router = APIRouter(tags=["auth"])
StoreDep = Annotated[Store, Depends(get_store)]
Admin = Annotated[Principal, Depends(admin)]


@router.get("/me", response_model=MeOut, responses=errors(401))
def me(who: Annotated[Principal, Depends(viewer)]) -> Response:
    """The role and token id of the caller's token."""
    return json_response({"role": who.role, "token_id": who.token_id})


@router.post("/tokens", status_code=201, response_model=TokenOut, responses=errors(401, 403, 422))
def post_token(body: TokenIn, store: StoreDep, who: Admin) -> Response:
    """Create a token; its secret is in this response only."""
    token_id, secret = create_token(store, body.role, body.label, by=who)
    return json_response({"id": token_id, "role": body.role, "token": secret}, status=201)


@router.get("/tokens", response_model=TokenList, responses=errors(401, 403))
def get_tokens(store: StoreDep, _: Admin) -> Response:
    """Every token (id, role, label, created_at, revoked), never a secret."""
    return json_response({"items": list_tokens(store)})


@router.delete("/tokens/{token_id}", responses=errors(401, 403, 404, 422))
def delete_token(token_id: int, request: Request, store: StoreDep, who: Admin) -> Response:
    """Revoke a token: it stops working at once (it stays listed as revoked)."""
    revoke_token(store, token_id, by=who)
    request.app.state.token_cache.clear()
    return json_response({"id": token_id, "revoked": True})
