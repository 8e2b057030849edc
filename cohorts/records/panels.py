"""Panels that other apps add to the person page.

Apps depend in one direction (referrals, meetings → cohorts), so the person page cannot ask them
for what they know of a person; instead each registers a panel from its AppConfig.ready(). A panel
is a callable (request, nominal) -> (template name, context), or None to show nothing; it reads
only through its app's selectors, already scoped to the user, in a fixed number of queries. The
page renders the panels in the order they were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from cohorts.records.models import Nominal

PanelResult = tuple[str, dict[str, Any]] | None
PersonPagePanel = Callable[[HttpRequest, Nominal], PanelResult]

_panels: list[PersonPagePanel] = []


def person_page_panel_register(panel: PersonPagePanel) -> PersonPagePanel:
    """Add a panel to the person page (once, however often ready() runs); usable as a decorator."""
    if panel not in _panels:
        _panels.append(panel)
    return panel


def person_page_panels() -> list[PersonPagePanel]:
    return list(_panels)


def person_page_panels_render(request: HttpRequest, nominal: Nominal) -> list[SafeString]:
    """Each registered panel's HTML for this person, in order; panels that return None are left out."""
    rendered = []
    for panel in _panels:
        result = panel(request, nominal)
        if result is None:
            continue
        template_name, context = result
        rendered.append(render_to_string(template_name, {"nominal": nominal, **context}, request=request))
    return rendered
