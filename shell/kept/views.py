from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sharing.http import signed_in_user
from shell.kept.middleware import kept_token_forget
from shell.kept.services import kept_form_discard


@require_POST
def kept_form_discard_view(request: HttpRequest) -> HttpResponse:
    """The kept page's "Discard it": the user's kept form, held by this browser, is deleted, and they
    go back to its page as it is now."""
    token = request.POST.get("token", "")
    held = kept_token_forget(request, token)
    kept = kept_form_discard(user_id=signed_in_user(request).pk, token=token) if held else None
    if kept is None:
        return redirect("home")
    messages.info(request, "What you typed has been discarded.")
    return redirect(urlsplit(kept.path).path)
