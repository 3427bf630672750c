"""`/account/token/`: a user creates, replaces or revokes their own API token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    """GET shows whether a token exists; POST `create` makes a new one (shown once), `revoke` deletes it."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        op = request.POST.get("op")
        if op not in ("create", "revoke"):
            return render(request, "account/token.html", {"token": token, "error": "Unknown request."}, status=400)
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            if op == "revoke":
                return redirect("account_token")
            token = Token.objects.create(user=request.user)
        new_key = token.key
    return render(request, "account/token.html", {"token": token, "new_key": new_key})
