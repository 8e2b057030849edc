"""Prove that the tests of the sharing rules bite: break the rules on purpose, one way at a time, and
show the tests failing for each break.

    make mutation-check                          # every break
    make mutation-check MUTATIONS="consent"      # the breaks whose names contain a word

Each break is one small edit of the application's code (a filter left out, a count gone wrong, a log
line skipped), applied to a copy of the repository, never to the working tree. The tests in TESTS
run against the copy: they pass on the code as it is (checked first), and must fail for every break.
The report names the tests that caught each. Exit status 1 if any break survives, or if a break's
code is no longer found (the code moved on: update the break, so that it still breaks what it says).

It runs through `python -m demo.local test` in the copy, so with the same services as `make test`
(DATABASE_URL and REDIS_URL, or the embedded ones in this checkout's .data/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tests of who may see what: the permission matrix, the rules themselves, the record and its
# API, the access log and the agreements' effect on access.
TESTS = (
    "tests/test_permission_matrix.py",
    "tests/cohorts/test_access_rules.py",
    "tests/cohorts/test_grant_reconciliation.py",
    "tests/cohorts/test_record_pages.py",
    "tests/cohorts/test_views.py",
    "tests/cohorts/test_api.py",
    "tests/cohorts/test_logs.py",
    "tests/sharing/test_agreement_pages.py",
    "tests/notifications/test_notification_gate.py",
    "tests/cohorts/test_duplicates.py",
)
COPIED_AWAY = {".git", ".venv", "node_modules", ".data", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    path: str
    old: str
    new: str


MUTATIONS = (
    Mutation(
        "consent ignored",
        "an agreement's clause that asks for the person's consent shares without it",
        "cohorts/access.py",
        """        .filter(Q(consent_required=False) | Q(consent_given=True))
    )


def agency_may_see_item(""",
        """    )


def agency_may_see_item(""",
    ),
    Mutation(
        "agreement end date ignored",
        "an agreement past its end date is still in force",
        "sharing/models.py",
        """        return self.filter(status=SharingAgreement.Status.ACTIVE, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )""",
        """        return self.filter(status=SharingAgreement.Status.ACTIVE, starts_on__lte=on)""",
    ),
    Mutation(
        "item category ignored",
        "a clause shares every category of item, not only its own",
        "cohorts/access.py",
        """        SharingClause.objects.filter(
            category=category,
            agreement__status=SharingAgreement.Status.ACTIVE,""",
        """        SharingClause.objects.filter(
            agreement__status=SharingAgreement.Status.ACTIVE,""",
    ),
    Mutation(
        "no agreement needed",
        "an agency with no agreement in force sees everyone on the cohort",
        "cohorts/access.py",
        "return Q(Exists(involved)) | (Q(Exists(on_cohort)) & Q(Exists(party_to_agreement_in_force)))",
        "return Q(Exists(involved)) | Q(Exists(on_cohort))",
    ),
    Mutation(
        "withheld items miscounted",
        "the record counts the agencies that withhold items, not the items",
        "cohorts/records/selectors.py",
        """        .values("owning_agency__name")
        .annotate(count=Count("pk"))""",
        """        .values("owning_agency__name")
        .annotate(count=Count("owning_agency", distinct=True))""",
    ),
    Mutation(
        "view not logged",
        "opening a person's record writes no access event",
        "cohorts/records/views.py",
        """    record = nominal_record_for_user(user, nominal, sensitive_unlocked=_sensitive_unlocked(request, nominal))
    access_event_record(""",
        """    record = nominal_record_for_user(user, nominal, sensitive_unlocked=_sensitive_unlocked(request, nominal))
    (lambda **_: None)(""",
    ),
    Mutation(
        "suspended agreement shares",
        "a suspended agreement's clauses still share items",
        "cohorts/access.py",
        """            agreement__status=SharingAgreement.Status.ACTIVE,
            agreement__starts_on__lte=on,""",
        """            agreement__status__in=[SharingAgreement.Status.ACTIVE, SharingAgreement.Status.SUSPENDED],
            agreement__starts_on__lte=on,""",
    ),
    Mutation(
        "sensitive shown without a reason",
        "intelligence, health and victim items show before a reason is given",
        "cohorts/records/selectors.py",
        "if item.category.is_sensitive and not sensitive_unlocked:",
        "if item.category.is_sensitive and sensitive_unlocked is None:",
    ),
    Mutation(
        "notifications told to anyone",
        "a notification about a person is told to a reader whatever their agency may see",
        "cohorts/records/selectors.py",
        """        reach = people.keys() if anyone else granted.get(reader.agency.permission_group_id or 0, set())""",
        """        reach = people.keys()""",
    ),
    Mutation(
        "licence end told unshared",
        "a licence ending with no plan is told to a reader whose agency is not shared the licence end",
        "cohorts/sweeps.py",
        """        if person is None or notice.subject_id not in shared[notice.reader.agency_id]:""",
        """        if person is None:""",
    ),
    Mutation(
        "hidden identifier disclosed",
        "an identifier held by a record the user may not see answers 'already recorded for another person'",
        "cohorts/records/services.py",
        """        taken = nominals_visible_to(by).filter(**{name: fields[name]})""",
        """        taken = Nominal.objects.filter(**{name: fields[name]})""",
    ),
)


def copy_repository(into: Path) -> Path:
    copy = into / "repository"
    shutil.copytree(ROOT, copy, ignore=lambda _, names: [n for n in names if n in COPIED_AWAY])
    for kept in ("node_modules", ".venv"):
        if (ROOT / kept).exists():
            (copy / kept).symlink_to(ROOT / kept)
    return copy


def run_tests(copy: Path, report: Path) -> tuple[int, list[str]]:
    """Run TESTS in the copy; the exit status and the tests that failed."""
    environment = {**os.environ, "IOM_DATA_DIR": str(ROOT / ".data")}
    command = [sys.executable, "-m", "demo.local", "test", *TESTS, "-q", "-p", "no:randomly", f"--junitxml={report}"]
    result = subprocess.run(command, cwd=copy, env=environment, capture_output=True, text=True, check=False)
    if not report.exists():
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        return result.returncode, []
    failed = []
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(node_id(case.get("classname", ""), case.get("name", "")))
    report.unlink()
    return result.returncode, failed


def node_id(classname: str, name: str) -> str:
    """pytest's id of a test from its JUnit report: tests.demo.test_demo.TestThis, test_that ->
    tests/demo/test_demo.py::TestThis::test_that."""
    parts = classname.split(".")
    module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
    return "::".join(["/".join(parts[: module + 1]) + ".py", *parts[module + 1 :], name])


def by_test_function(failed: list[str]) -> dict[str, list[str]]:
    """The failed tests by test function, each with its failed cases' parameters ("" for none)."""
    grouped: dict[str, list[str]] = {}
    for test in failed:
        function, _, parameters = test.partition("[")
        grouped.setdefault(function, []).append(parameters.removesuffix("]"))
    return dict(sorted(grouped.items(), key=lambda item: -len(item[1])))


def main(words: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not words or any(word.lower() in m.name for word in words)]
    survived = 0
    with tempfile.TemporaryDirectory(prefix="iom-mutations-") as folder:
        copy = copy_repository(Path(folder))
        report = Path(folder) / "report.xml"
        started = time.monotonic()
        code, failed = run_tests(copy, report)
        if code != 0:
            print(f"The tests fail on the code as it is ({len(failed)} failed): fix them first.")
            print("\n".join(failed[:20]))
            return 1
        print(f"The code as it is: the tests pass ({time.monotonic() - started:.0f} s).\n")
        for mutation in chosen:
            target = copy / mutation.path
            original = target.read_text()
            if original.count(mutation.old) != 1:
                print(f"BREAK NOT APPLIED  {mutation.name}: its code is not found once in {mutation.path}")
                survived += 1
                continue
            target.write_text(original.replace(mutation.old, mutation.new))
            started = time.monotonic()
            try:
                code, failed = run_tests(copy, report)
            finally:
                target.write_text(original)
            seconds = time.monotonic() - started
            if failed:
                print(f"CAUGHT    {mutation.name} ({mutation.what}): {len(failed)} tests failed ({seconds:.0f} s)")
                for test, cases in by_test_function(failed).items():
                    example = f", e.g. [{cases[0]}]" if cases[0] else ""
                    print(f"            {test}: {len(cases)}{example}")
            else:
                survived += 1
                print(f"SURVIVED  {mutation.name} ({mutation.what}): no test failed (exit {code}, {seconds:.0f} s)")
    print(f"\n{len(chosen) - survived} of {len(chosen)} breaks caught.")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
