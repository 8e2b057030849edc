"""The independent probe's tools (tests/test_probe.py): for one user, who they
may not see (cohorts.records.selectors.nominals_visible_to is the oracle), the strings that would betray
those people on a page, and every address of the application filled with ids taken from the
database: ids of records outside the user's scope, each beside an id no row has, and ids of records
they may see, whose pages must still name no one hidden from them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Q

from cohorts.access import agency_may_see_item
from cohorts.deregistration.models import Deregistration
from cohorts.duplicates.models import NominalMerge, PossibleDuplicate
from cohorts.duplicates.services import duplicates_for_user, may_check_duplicates, merges_for_user
from cohorts.events.models import EventImport
from cohorts.management.models import CaseAssignment
from cohorts.records.models import Nominal, NominalAlias, RecordedItem
from cohorts.records.selectors import nominals_visible_to
from cohorts.tags.models import TagHit, TagPeriod
from cohorts.transitions.models import TransitionStep
from meetings.access import (
    actions_visible_to,
    agency_may_see_agenda_content,
    meetings_visible_to,
    series_visible_to,
)
from meetings.actions.models import MeetingAction
from meetings.agenda.models import AgendaItem
from meetings.scheduling.models import Meeting, MeetingSeries
from notifications.models import Notification
from referrals.models import Referral, SelectionCriterion
from referrals.selectors import referrals_visible_to
from referrals.services import SECTIONS
from sharing.models import Agency, SharingAgreement, User
from sharing.selectors import agreements_visible_to
from tests.permission_matrix import Pattern

MISSING = 99_999_999  # no row has this id: a record outside scope must answer as this one does
SHORTEST_SECRET = 7  # a CRN or a prison number; shorter strings could appear by accident
ITEM_TEXT_SHORTEST = 30  # an item's summary or detail long enough to be its own

# --- What would betray a hidden person ------------------------------------------------------------


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regular expression finding any of many literal strings, built as a trie so that a page is
    read once whatever the number of strings (an alternation of thousands would try each in turn)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def expression(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + expression(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{joined})?"
        return joined

    return re.compile(expression(trie)) if trie else re.compile(r"(?!x)x")


def person_strings(first: str, middle: str, last: str, *identifiers: str | None) -> list[str]:
    """How pages and the API name a person: "SURNAME, First", "First Middle Last", "First Last",
    and their identifiers (PNC ID, CRN, prison number)."""
    names = [f"{last.upper()}, {first}", " ".join(part for part in (first, middle, last) if part), f"{first} {last}"]
    return [*names, *(identifier for identifier in identifiers if identifier)]


@dataclass(frozen=True)
class Secrets:
    """The strings that name someone, or show something, the user may not see, each with what it
    betrays (e.g. "nominal 12", "item 40 of nominal 12")."""

    pattern: re.Pattern[str]
    betrays: dict[str, str]

    def found_in(self, text: str) -> dict[str, str]:
        return {match.group(): self.betrays[match.group()] for match in self.pattern.finditer(text)}

    @classmethod
    def of(cls, candidates: dict[str, str], known: str) -> Secrets:
        """The candidates that cannot appear by accident: long enough, and not part of anything the
        user may see (a visible person of the same name, a member of staff, the application's own
        words), HTML-escaped as pages show them too."""
        candidates = {text: what for text, what in candidates.items() if len(text) >= SHORTEST_SECRET}
        anywhere = re.compile(f"(?=({trie_pattern(candidates).pattern}))")
        seen: set[str] = set()
        for match in anywhere.finditer(known):  # every start, and every candidate the match begins with
            found = match.group(1)
            seen |= {found[:end] for end in range(SHORTEST_SECRET, len(found) + 1) if found[:end] in candidates}
        kept: dict[str, str] = {}
        for text, what in candidates.items():
            if text not in seen:
                kept[text] = what
                kept.setdefault(html.escape(text), what)
        return cls(trie_pattern(kept), kept)


# --- One probing user -----------------------------------------------------------------------------


@dataclass
class Target:
    """What the probe knows of one user before it asks anything: who and what is hidden from them
    (ids by kind, a child's with its parent's), what they may see, and how each would show."""

    username: str
    hidden_people: frozenset[int]
    secrets: Secrets
    hidden: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    shown: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    # Pages that name a hidden person by design: the IOM team's duplicate checks name both records.
    disclosed: dict[str, frozenset[str]] = field(default_factory=dict)


def _pairs(query: Any, parent: str, count: int = 2) -> list[tuple[int, ...]]:
    return [(parent_id, pk) for pk, parent_id in query.values_list("pk", parent)[:count]]


def target_build(user: User) -> Target:
    """Ask the database who the user may not see, and pick a few ids of each kind of record to try."""
    visible = set(nominals_visible_to(user).values_list("pk", flat=True))
    people = list(
        Nominal.objects.values_list(
            "pk", "first_name", "middle_names", "last_name", "pnc_id", "crn", "prison_number", "merged_into"
        )
    )
    # A record merged into one the user sees is the same person, shown under the survivor's name.
    hidden = {pk for pk, *_, merged_into in people if pk not in visible and merged_into not in visible}
    strings: dict[str, str] = {}
    known: list[str] = []
    for pk, first, middle, last, pnc, crn, prison, _ in people:
        named = person_strings(first, middle, last, pnc, crn, prison)
        if pk in hidden:
            strings.update(dict.fromkeys(named, f"hidden person {pk}"))
        else:
            known += named
    for nominal_id, first, last in NominalAlias.objects.values_list("nominal_id", "first_name", "last_name"):
        named = person_strings(first, "", last) if first else []
        if nominal_id in hidden:
            strings.update(dict.fromkeys(named, f"hidden person {nominal_id} (alias)"))
        else:
            known += named
    for first, last, username in User.objects.values_list("first_name", "last_name", "username"):
        known += [*person_strings(first, "", last), username]
    known += list(Agency.objects.values_list("name", flat=True))
    known.append(application_text())
    withheld, shown_text = _item_texts(user, hidden)
    known += shown_text
    strings.update({text: what for text, what in withheld.items() if text not in strings})
    target = Target(user.username, frozenset(hidden), Secrets.of(strings, "\n".join(known)))
    _pick_ids(target, user, visible)
    return target


@cache
def application_text() -> str:
    """The application's own words (its code and templates, not its demo data): a form's example
    that happens to be some item's summary is not that item shown."""
    root = Path(__file__).resolve().parent.parent
    files = [path for app in APPLICATION for path in (root / app).rglob("*.py") if not path.name.startswith("demo")]
    files += list((root / "templates").rglob("*.html"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


APPLICATION = ("cohorts", "meetings", "referrals", "sharing", "iom")


def _item_texts(user: User, hidden: set[int]) -> tuple[dict[str, str], list[str]]:
    """What the user may not read, by its text when the text is its own: items of hidden people or
    withheld under the agreements (rule 3), and agenda items and meeting actions whose content
    their agency may not see. And the texts of what they may read."""
    readable = RecordedItem.objects.filter(agency_may_see_item(user.agency_id)).exclude(nominal_id__in=hidden)
    content = agency_may_see_agenda_content(user.agency)
    sources: list[tuple[str, Any, Any, tuple[str, ...]]] = [
        ("item", RecordedItem.objects.all(), readable, ("summary", "detail")),
        ("agenda item", AgendaItem.objects.all(), AgendaItem.objects.filter(content), ("title", "summary")),
        ("meeting action", MeetingAction.objects.all(), MeetingAction.objects.filter(content), ("description",)),
    ]
    shown: list[str] = []
    withheld: dict[str, str] = {}
    for label, every, seen, fields in sources:
        shown += [text for row in seen.values_list(*fields) for text in row if text]
        for pk, *texts in every.exclude(pk__in=seen.values("pk")).values_list("pk", *fields):
            for text in texts:
                if len(text) >= ITEM_TEXT_SHORTEST:
                    withheld.setdefault(text, f"{label} {pk}, withheld")
    shown_all = "\n".join(shown)
    return {text: what for text, what in withheld.items() if text not in shown_all}, shown


def _pick_ids(target: Target, user: User, visible: set[int]) -> None:
    """A few ids of each kind: records outside the user's scope (target.hidden) and records they may
    see (target.shown), a child's with its parent's. The hidden people tried first are those with the
    most recorded about them, and a record merged into one the user may not see."""
    hidden_people = target.hidden_people
    readable_items = RecordedItem.objects.filter(agency_may_see_item(user.agency_id))
    rich = list(
        Nominal.objects.filter(pk__in=hidden_people)
        .annotate(recorded=Count("items"))
        .order_by("-recorded", "pk")
        .values_list("pk", flat=True)[:1]
    )
    merged = list(
        Nominal.objects.filter(pk__in=hidden_people, merged_into__isnull=False).values_list("pk", flat=True)[:1]
    )
    target.hidden["nominal"] = [(pk,) for pk in dict.fromkeys(rich + merged)]
    # People the user sees whose pages could mention hidden ones: recorded again by a partner beside
    # a hidden record (a possible duplicate), and the one with the most items withheld from the user.
    duplicated = list(
        PossibleDuplicate.objects.filter(existing_id__in=hidden_people, recorded_id__in=visible)
        .order_by("pk")
        .values_list("recorded_id", flat=True)[:1]
    )
    withheld_most = list(
        Nominal.objects.filter(pk__in=visible)
        .annotate(withheld=Count("items", filter=~Q(items__in=readable_items.values("pk"))))
        .order_by("-withheld", "pk")
        .values_list("pk", flat=True)[:1]
    )
    shown_people = list(dict.fromkeys(duplicated + withheld_most))
    target.shown["nominal"] = [(pk,) for pk in shown_people]

    children: dict[str, tuple[Any, str]] = {
        "item": (RecordedItem.objects.all(), "nominal_id"),
        "plan_action": (RecordedItem.objects.filter(plan_action__isnull=False), "nominal_id"),
        "intervention": (RecordedItem.objects.filter(intervention__isnull=False), "nominal_id"),
        "tag": (TagPeriod.objects.all(), "item__nominal_id"),
        "hit": (TagHit.objects.all(), "item__nominal_id"),
        "step": (TransitionStep.objects.all(), "plan__nominal_id"),
        "assignment": (CaseAssignment.objects.all(), "nominal_id"),
    }
    for kind, (query, parent) in children.items():
        query = query.order_by("pk")
        target.hidden[kind] = _pairs(query.filter(**{f"{parent}__in": hidden_people}), parent)
        of_shown = query.filter(**{f"{parent}__in": shown_people})
        if query.model is RecordedItem:
            of_shown = of_shown.filter(pk__in=readable_items.values("pk"))
        target.shown[kind] = _pairs(of_shown, parent, 1)
    # An item withheld from the user, of a person they see: its pages must not show what it is.
    withheld = RecordedItem.objects.filter(nominal_id__in=shown_people).exclude(pk__in=readable_items.values("pk"))
    target.shown["item"] += _pairs(withheld.order_by("pk"), "nominal_id", 1)

    about_hidden = Q(nominal_id__in=hidden_people)
    scoped: list[tuple[str, Any, Any, Q | None]] = [
        ("referral", Referral, referrals_visible_to(user), about_hidden),
        ("deregistration", Deregistration, deregistrations_visible_to(user), about_hidden),
        ("meeting", Meeting, meetings_visible_to(user), None),
        ("series", MeetingSeries, series_visible_to(user), None),
        ("action", MeetingAction, actions_visible_to(user), about_hidden),
        ("agreement", SharingAgreement, agreements_visible_to(user), None),
        ("notification", Notification, Notification.objects.filter(recipient=user), None),
        ("event_import", EventImport, EventImport.objects.filter(uploaded_by__agency_id=user.agency_id), None),
        ("duplicate", PossibleDuplicate, duplicates_for_user(user, open_only=False), None),
        ("merge", NominalMerge, merges_for_user(user), None),
    ]
    for kind, model, seen, first in scoped:
        unseen = model.objects.exclude(pk__in=seen.values("pk"))
        if first is not None:  # those about hidden people first
            unseen = unseen.filter(first) if unseen.filter(first).exists() else unseen
        target.hidden[kind] = [(pk,) for pk in unseen.order_by("pk").values_list("pk", flat=True)[:2]]
        target.shown[kind] = [(pk,) for pk in seen.order_by("pk").values_list("pk", flat=True)[:1]]
    target.hidden["criterion"] = []  # the selection matrix is not anyone's data
    target.shown["criterion"] = [
        (pk,) for pk in SelectionCriterion.objects.order_by("pk").values_list("pk", flat=True)[:1]
    ]

    # Meetings the user sees with the most items about people hidden from them: the agenda, the
    # minutes and the pack must show those items as restricted, never what they are about.
    busiest = list(
        meetings_visible_to(user)
        .annotate(about_hidden=Count("items", filter=Q(items__nominal_id__in=hidden_people)))
        .order_by("-about_hidden", "pk")
        .values_list("pk", flat=True)[:2]
    )
    target.shown["meeting"] = [(pk,) for pk in busiest]
    target.hidden["agenda_item"] = _pairs(
        AgendaItem.objects.exclude(meeting__in=meetings_visible_to(user)).order_by("pk"), "meeting_id"
    )
    restricted = AgendaItem.objects.filter(meeting_id__in=busiest, nominal_id__in=hidden_people).order_by("pk")
    target.shown["agenda_item"] = _pairs(restricted, "meeting_id", 1)

    if may_check_duplicates(user):  # the IOM team's checks name both records, by design
        named: set[int] = set()
        for pair in PossibleDuplicate.objects.values_list("existing_id", "recorded_id"):
            named |= {pk for pk in pair if pk is not None}
        for pair in NominalMerge.objects.values_list("survivor_id", "merged_id"):
            named |= set(pair)
        whats = {f"hidden person {pk}" for pk in named} | {f"hidden person {pk} (alias)" for pk in named}
        target.disclosed = dict.fromkeys(DUPLICATE_PAGES, frozenset(whats))


def deregistrations_visible_to(user: User) -> Any:
    """As cohorts.deregistration.services.deregistration_get_for_user decides: proposals about people the user sees."""
    return Deregistration.objects.filter(nominal__in=nominals_visible_to(user).values("pk"))


# The IOM team's duplicate checks and merges, which show both records to check them.
DUPLICATE_PAGES = ("duplicate-list", "duplicate-detail", "duplicate-share", "duplicate-merge", "duplicate-dismiss")


# --- Every address, filled with ids ---------------------------------------------------------------

# The kind of record a route's <pk> names, by the start of the route.
PARENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(api/v1/)?people/<int:pk>/"), "nominal"),
    (re.compile(r"^(api/v1/)?deregistrations/<int:pk>/"), "deregistration"),
    (re.compile(r"^people/duplicates/<int:pk>/"), "duplicate"),
    (re.compile(r"^people/merges/<int:pk>/"), "merge"),
    (re.compile(r"^(sharing/|api/v1/)agreements/<int:pk>/"), "agreement"),
    (re.compile(r"^(referrals/selection-matrix/criteria|api/v1/selection-criteria)/<int:pk>/"), "criterion"),
    (re.compile(r"^(api/v1/)?referrals/<int:pk>/"), "referral"),
    (re.compile(r"^(meetings/series|api/v1/meeting-series)/<int:pk>/"), "series"),
    (re.compile(r"^(api/v1/)?meetings/actions/<int:pk>/"), "action"),
    (re.compile(r"^(api/v1/)?meetings/<int:pk>/"), "meeting"),
    (re.compile(r"^notifications/<int:pk>/"), "notification"),
]
# The kind of record any other id parameter names: by its name, and for item_pk by the route.
CHILDREN = {"tag_pk": "tag", "hit_pk": "hit", "step_pk": "step", "assignment_pk": "assignment"}
LONE = {"import_pk": "event_import"}
ITEMS = [("report/actions/", "plan_action"), ("report/interventions/", "intervention"), ("meetings/", "agenda_item")]
SLUGS = {
    "role": [role.value for role in CaseAssignment.Role],
    "action": ["activate", "suspend", "end"],
    "code": [section.code for section in SECTIONS],
}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


class Unprobed(LookupError):
    """A route parameter the probe does not know how to fill: add a rule above."""


@dataclass(frozen=True)
class Address:
    pattern: Pattern
    path: str
    twin: str | None = None  # the same address with the out-of-scope ids replaced by MISSING
    hidden_ids: tuple[int, ...] = ()  # the out-of-scope ids in it (none: an address the user may read)
    mixed: bool = False  # a hidden record's child under a parent the user may see


def _kinds(pattern: Pattern) -> tuple[str | None, dict[str, str], dict[str, list[str]]]:
    """The route's parent kind (<pk>), its other id parameters' kinds, and its slugs' values."""
    route = pattern.route
    parent = next((kind for expression, kind in PARENTS if expression.match(route)), None)
    ids: dict[str, str] = {}
    slugs: dict[str, list[str]] = {}
    for converter, name, group in PARAMETER.findall(route):
        if group:  # the admin's regular expressions: an application's label and the rest of a path
            slugs[group] = {"app_label": ["cohorts"], "url": ["cohorts/nominal/"]}.get(group) or []
            if not slugs[group]:
                raise Unprobed(f"{pattern.name}: ({group})")
        elif converter == "slug":
            if name not in SLUGS:
                raise Unprobed(f"{pattern.name}: <slug:{name}>")
            slugs[name] = SLUGS[name]
        elif name == "pk" and parent is not None:
            continue
        elif pattern.namespace.startswith("admin"):
            slugs[name] = []  # filled with a hidden person's id below
        elif name in CHILDREN:
            ids[name] = CHILDREN[name]
        elif name in LONE:
            ids[name] = LONE[name]
        elif name == "item_pk":
            ids[name] = next((kind for fragment, kind in ITEMS if fragment in route), "item")
        else:
            raise Unprobed(f"{pattern.name}: <{converter}:{name}>")
    return parent, ids, slugs


def _fill(route: str, values: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(values[match.group(2) or match.group(3)])

    return "/" + PARAMETER.sub(value, route).replace("^", "").replace("$", "")


def addresses(pattern: Pattern, target: Target) -> Iterator[Address]:
    """The route's addresses for the user: each out of their scope with its twin (the same with ids no
    row has), then those they may read. A few of each, chosen as target_build chose the ids."""
    parent, ids, slugs = _kinds(pattern)
    slug_values: list[dict[str, object]] = [
        dict(zip(slugs, values, strict=True)) for values in _product(list(slugs.values()))
    ]
    if pattern.namespace.startswith("admin"):  # the admin's object ids: a hidden person's
        some = next(iter(target.hidden["nominal"]), (MISSING,))[0]
        slug_values = [{**values, **{name: some for name in slugs if not slugs[name]}} for values in slug_values]
    if parent is None and not ids:
        for values in slug_values[:3]:
            yield Address(pattern, _fill(pattern.route, values))
        return
    if len(ids) > 1:
        raise Unprobed(f"{pattern.name}: more than two ids")
    child_name, child_kind = next(iter(ids.items()), ("", ""))
    first_slugs = slug_values[:1] if "action" not in slugs else slug_values
    if not child_kind:  # one id: the parent's
        assert parent is not None
        for (pk,) in target.hidden[parent]:
            for values in first_slugs:
                yield Address(
                    pattern,
                    _fill(pattern.route, {**values, "pk": pk}),
                    _fill(pattern.route, {**values, "pk": MISSING}),
                    (pk,),
                )
        for (pk,) in target.shown[parent]:
            for values in slug_values:
                yield Address(pattern, _fill(pattern.route, {**values, "pk": pk}))
        return
    if parent is None:  # one id, a lone child's (an import)
        for _, pk in target.hidden[child_kind]:
            yield Address(
                pattern, _fill(pattern.route, {child_name: pk}), _fill(pattern.route, {child_name: MISSING}), (pk,)
            )
        for _, pk in target.shown[child_kind]:
            yield Address(pattern, _fill(pattern.route, {child_name: pk}))
        return
    seen_parent = next(iter(target.shown[parent]), None)
    for parent_pk, pk in target.hidden[child_kind]:
        for values in first_slugs:
            both = {**values, "pk": parent_pk, child_name: pk}
            yield Address(
                pattern,
                _fill(pattern.route, both),
                _fill(pattern.route, {**both, "pk": MISSING, child_name: MISSING}),
                (parent_pk, pk),
            )
            if seen_parent is not None:  # a child of a hidden record, under a parent the user sees
                mixed = {**both, "pk": seen_parent[0]}
                twin = _fill(pattern.route, {**mixed, child_name: MISSING})
                yield Address(pattern, _fill(pattern.route, mixed), twin, (pk,), mixed=True)
    for parent_pk, pk in target.shown[child_kind]:
        for values in slug_values:
            yield Address(pattern, _fill(pattern.route, {**values, "pk": parent_pk, child_name: pk}))


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for values in lists:
        combos = [(*combo, value) for combo in combos for value in values or [""]]
    return combos
