"""Agreement pages: every role of a party agency reads them; only its agency administrators (and
system administrators) change them; everyone else gets 404."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cohorts.records.services import cohort_membership_start
from sharing.models import DataCategory, SharingAgreement
from sharing.roles import Role
from tests.cohorts.factories import make_nominal
from tests.sharing.factories import UserFactory


@pytest.mark.parametrize("role", list(Role))
def test_every_role_of_a_party_reads_an_agreement_and_outsiders_get_404(client, partnership, role):
    core = partnership.core
    client.force_login(UserFactory.create(agency=partnership.probation, roles=[role]))
    assert client.get(reverse("agreement-detail", args=[core.pk])).status_code == 200
    assert core.reference in client.get(reverse("agreement-list")).content.decode()

    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[role]))
    expected = 200 if role == Role.SYSTEM_ADMIN else 404
    assert client.get(reverse("agreement-detail", args=[core.pk])).status_code == expected
    assert client.get(reverse("agreement-document", args=[core.pk])).status_code == 404  # none uploaded
    listed = core.reference in client.get(reverse("agreement-list")).content.decode()
    assert listed is (role == Role.SYSTEM_ADMIN)


@pytest.mark.parametrize("role", list(Role))
def test_only_agency_admins_of_a_party_change_an_agreement(client, partnership, role):
    client.force_login(UserFactory.create(agency=partnership.probation, roles=[role]))
    url = reverse("agreement-action", args=[partnership.core.pk, "suspend"])

    response = client.post(url)

    may = role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)
    assert response.status_code == (302 if may else 403)
    partnership.core.refresh_from_db()
    assert (partnership.core.status == SharingAgreement.Status.SUSPENDED) is may


def test_an_agency_admin_of_another_agency_gets_404(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.elsewhere, roles=[Role.AGENCY_ADMIN]))

    assert client.post(reverse("agreement-action", args=[partnership.core.pk, "end"])).status_code == 404
    partnership.core.refresh_from_db()
    assert partnership.core.status == SharingAgreement.Status.ACTIVE


def test_ending_an_agreement_in_the_page_ends_access_on_the_next_request(client, partnership):
    nominal = make_nominal(partnership.officer)
    cohort_membership_start(nominal=nominal)
    worker = client
    worker.force_login(partnership.drugs_worker)
    assert worker.get(reverse("nominal-detail", args=[nominal.pk])).status_code == 200

    worker.force_login(UserFactory.create(agency=partnership.drugs, roles=[Role.AGENCY_ADMIN]))
    confirm = worker.get(reverse("agreement-action", args=[partnership.substance.pk, "end"]))
    assert "This cannot be undone" in confirm.content.decode()
    worker.post(reverse("agreement-action", args=[partnership.substance.pk, "end"]))

    worker.force_login(partnership.drugs_worker)
    assert worker.get(reverse("nominal-detail", args=[nominal.pk])).status_code == 404


def form_data(partnership, **overrides):
    today = timezone.localdate()
    data = {
        "title": "Youth to adult transfer sharing",
        "purpose": "Planning transfers at 18",
        "legal_basis": SharingAgreement.LegalBasis.CRIME_AND_DISORDER,
        "parties": [partnership.probation.pk],
        "categories": [DataCategory.objects.get(code="identity").pk, DataCategory.objects.get(code="family").pk],
        "consent_categories": [DataCategory.objects.get(code="family").pk],
        "starts_on_0": str(today.day),
        "starts_on_1": str(today.month),
        "starts_on_2": str(today.year),
    }
    data.update(overrides)
    return data


def test_an_agency_admin_drafts_an_agreement_with_its_signed_document(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))
    document = SimpleUploadedFile("signed.pdf", b"%PDF-1.7 signed", content_type="application/pdf")

    response = client.post(reverse("agreement-new"), {**form_data(partnership), "document": document})

    agreement = SharingAgreement.objects.get(title="Youth to adult transfer sharing")
    assert response["Location"] == reverse("agreement-detail", args=[agreement.pk])
    assert agreement.status == SharingAgreement.Status.DRAFT
    assert set(agreement.parties.all()) == {partnership.police, partnership.probation}
    assert [(c.category.code, c.consent_required) for c in agreement.clauses.all()] == [
        ("identity", False),
        ("family", True),
    ]
    download = client.get(reverse("agreement-document", args=[agreement.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 signed"


def test_bad_agreement_input_is_explained_and_kept(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))
    today = timezone.localdate()
    earlier = today - datetime.timedelta(days=10)
    too_big = SimpleUploadedFile("signed.pdf", b"x" * (10 * 1024 * 1024 + 1), content_type="application/pdf")

    response = client.post(
        reverse("agreement-new"),
        {
            **form_data(partnership, consent_categories=[DataCategory.objects.get(code="health").pk]),
            "ends_on_0": str(earlier.day),
            "ends_on_1": str(earlier.month),
            "ends_on_2": str(earlier.year),
            "document": too_big,
        },
    )
    body = response.content.decode()

    assert response.status_code == 400
    assert "The end date must be on or after the start date" in body
    assert "Consent can only be asked for categories the agreement shares" in body
    assert "it must be at most 10 MB" in body
    assert 'value="Youth to adult transfer sharing"' in body
    assert not SharingAgreement.objects.filter(title="Youth to adult transfer sharing").exists()


def test_a_document_of_the_wrong_type_is_refused(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))
    script = SimpleUploadedFile("agreement.exe", b"MZ", content_type="application/octet-stream")

    response = client.post(reverse("agreement-new"), {**form_data(partnership), "document": script})

    assert response.status_code == 400
    assert "must be a PDF, Word or OpenDocument file" in response.content.decode()


def test_activating_needs_a_second_party(client, partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    client.force_login(admin)
    client.post(reverse("agreement-new"), form_data(partnership))
    agreement = SharingAgreement.objects.get(title="Youth to adult transfer sharing")
    agreement.parties.remove(partnership.probation)

    response = client.post(reverse("agreement-action", args=[agreement.pk, "activate"]))

    assert response.status_code == 400
    assert "at least two agencies" in response.content.decode()


def test_the_agreement_page_shows_its_history(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))
    client.post(reverse("agreement-action", args=[partnership.core.pk, "suspend"]))

    body = client.get(reverse("agreement-detail", args=[partnership.core.pk])).content.decode()

    assert "Status changed to suspended" in body


def test_a_draft_is_changed_before_it_is_activated(client, partnership):
    admin = UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN])
    client.force_login(admin)
    client.post(reverse("agreement-new"), form_data(partnership))
    agreement = SharingAgreement.objects.get(title="Youth to adult transfer sharing")

    page = client.get(reverse("agreement-edit", args=[agreement.pk])).content.decode()
    assert 'value="Youth to adult transfer sharing"' in page
    client.post(
        reverse("agreement-edit", args=[agreement.pk]),
        form_data(partnership, title="Y2A transfer sharing", parties=[partnership.probation.pk, partnership.prison.pk]),
    )

    agreement.refresh_from_db()
    assert agreement.title == "Y2A transfer sharing"
    assert set(agreement.parties.all()) == {partnership.police, partnership.probation, partnership.prison}


def test_an_active_agreement_is_not_changed_but_its_signed_document_can_be_uploaded(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.probation, roles=[Role.AGENCY_ADMIN]))

    edit = client.get(reverse("agreement-edit", args=[partnership.core.pk]))
    upload = client.post(
        reverse("agreement-upload", args=[partnership.core.pk]),
        {"document": SimpleUploadedFile("core-signed.pdf", b"%PDF-1.7 signed", content_type="application/pdf")},
    )

    assert edit.status_code == 302
    assert upload.status_code == 302
    partnership.core.refresh_from_db()
    assert partnership.core.document.name.endswith(".pdf")


@pytest.mark.parametrize("role", [role for role in Role if role not in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN)])
def test_only_agency_admins_change_or_upload(client, partnership, role):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[role]))

    assert client.get(reverse("agreement-edit", args=[partnership.core.pk])).status_code == 403
    assert client.get(reverse("agreement-upload", args=[partnership.core.pk])).status_code == 403


def test_an_upload_of_the_wrong_type_is_explained(client, partnership):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))

    response = client.post(
        reverse("agreement-upload", args=[partnership.core.pk]),
        {"document": SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")},
    )

    assert response.status_code == 400
    assert "must be a PDF, Word or OpenDocument file" in response.content.decode()


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


DOCX = _zip(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"<w:document/>"})
ODT = _zip(mimetype=b"application/vnd.oasis.opendocument.text", **{"content.xml": b"<office/>"})


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("signed.pdf", b"%PDF-1.7 signed", True),
        ("signed.docx", DOCX, True),
        ("signed.odt", ODT, True),
        ("signed.PDF", b"%PDF-1.4", True),
        ("signed.pdf", b"MZ\x90\x00 an executable renamed", False),
        ("signed.docx", _zip(**{"payload.exe": b"MZ"}), False),
        ("signed.docx", ODT, False),
        ("signed.odt", DOCX, False),
        ("signed.docx", b"PK\x03\x04 not really a zip", False),
        ("signed.pdf", b"", False),
    ],
)
def test_an_upload_is_checked_by_its_content_not_its_name(client, partnership, name, content, accepted):
    client.force_login(UserFactory.create(agency=partnership.police, roles=[Role.AGENCY_ADMIN]))

    response = client.post(
        reverse("agreement-upload", args=[partnership.core.pk]), {"document": SimpleUploadedFile(name, content)}
    )

    partnership.core.refresh_from_db()
    assert bool(partnership.core.document) is accepted
    if not accepted:
        assert response.status_code == 400
        assert "whatever its name says" in response.content.decode() or "file is empty" in response.content.decode()
