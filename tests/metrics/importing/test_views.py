"""The Data loads pages end to end with the Django test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oversight.access.models import Role
from oversight.jobs.models import Job
from oversight.metrics.models import ImportBatch, Observation
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "org_code,metric_code,period_start,period_end,value\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads wait for their job under MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, text: str, *, dry_run: bool = False, fmt: str = "template"):
    """Post a file and follow the redirect to the upload's page (the job has run: the tests
    run jobs at once)."""
    data = {
        "file": SimpleUploadedFile("june.csv", text.encode(), content_type="text/csv"),
        "format": fmt,
    }
    if dry_run:
        data["dry_run"] = "1"
    return client.post("/imports/", data, follow=True)


def test_page_lists_batches_and_offers_the_form(signed_in_client, sof):
    response = signed_in_client.get("/imports/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in body and 'name="format"' in body and 'name="dry_run"' in body
    assert "Data loads" in body
    assert "/imports/templates/sof-2021-22/" in body


def test_bad_file_shows_the_problem_report_and_writes_nothing(signed_in_client, sof, trusts):
    response = upload(
        signed_in_client,
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,150\nZZZ,RTT,2025-06-01,2025-06-30,50\n",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "The file was rejected: nothing was written" in body
    assert "150.0 is outside the metric&#39;s valid range 0.0 to 100.0" in body
    assert "unknown organisation &#39;ZZZ&#39;" in body
    assert "<td>june.csv</td><td>3</td><td>org_code</td>" in body
    assert not Observation.objects.exists()
    attempt = ImportBatch.objects.get()
    assert (attempt.status, attempt.rejected, attempt.created_by) == (
        ImportBatch.Status.REJECTED,
        2,
        signed_in_client.user,
    )
    assert f'href="/imports/{attempt.pk}/">batch {attempt.pk}</a> (rejected)' in body


def test_a_rejected_attempt_is_listed_and_shows_its_report_but_cannot_be_published(
    signed_in_client, sof, trusts
):
    upload(signed_in_client, HEADER + "RAA,RTT,2025-06-31,2025-06-30,91\n")
    attempt = ImportBatch.objects.get()
    listing = signed_in_client.get("/imports/").content.decode()
    assert f'<a href="/imports/{attempt.pk}/">{attempt.pk}</a>' in listing
    assert 'nhsuk-tag--red">Rejected</strong>' in listing
    page = signed_in_client.get(f"/imports/{attempt.pk}/").content.decode()
    assert "This file was rejected: nothing was written. 1 problem in 1 row;" in page
    assert (
        "<td>june.csv</td><td>2</td><td>period_start</td><td>cannot read &#39;2025-06-31&#39;"
        " as a date (use YYYY-MM-DD or DD/MM/YYYY)</td>"
    ) in page
    assert "Publish this batch" not in page
    assert signed_in_client.post(f"/imports/{attempt.pk}/publish/").status_code == 404
    assert ImportBatch.objects.get().published_at is None


def test_good_file_shows_the_summary_and_links_the_batch(signed_in_client, sof, trusts):
    response = upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    body = response.content.decode()
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.created_by == signed_in_client.user
    assert f'href="/imports/{batch.pk}/"' in body and "Stored" in body
    page = signed_in_client.get(f"/imports/{batch.pk}/").content.decode()
    assert batch.checksum in page
    obs = Observation.objects.get()
    assert f"/imports/observations/{obs.pk}/" in page


def test_dry_run_writes_nothing(signed_in_client, sof, trusts):
    response = upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n", dry_run=True)
    assert "nothing written (dry run)" in response.content.decode()
    assert not Observation.objects.exists()


def test_history_shows_every_value_with_its_batch(signed_in_client, sof, trusts):
    upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,93.5\n")
    first, second = ImportBatch.objects.order_by("pk")
    obs = Observation.objects.get()
    body = signed_in_client.get(f"/imports/observations/{obs.pk}/").content.decode()
    assert "93.5" in body and "91.0" in body
    assert f"Batch {first.pk}" in body and f"Batch {second.pk}" in body


def test_organisation_user_may_load_only_their_own_rows(client, sof, trusts):
    user = UserFactory()
    RoleFactory(user=user, kind=Role.Kind.ORGANISATION, organisation=trusts["RAA"], region=None)
    client.force_login(user)
    response = upload(client, HEADER + "RBB,RTT,2025-06-01,2025-06-30,91\n")
    assert "you may load data only for your own organisation" in response.content.decode()
    assert upload(client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n").status_code == 200
    assert Observation.objects.get().organisation == trusts["RAA"]


def test_soag_member_may_not_load(client, sof):
    user = UserFactory()
    RoleFactory(user=user, kind=Role.Kind.SOAG_MEMBER, region=None)
    client.force_login(user)
    assert client.get("/imports/").status_code == 403


def test_blank_template_downloads(signed_in_client, sof):
    response = signed_in_client.get("/imports/templates/sof-2021-22/")
    assert response["Content-Disposition"] == (
        'attachment; filename="oversight-template-sof-2021-22.csv"'
    )
    assert response.content.decode().startswith(
        "org_code,metric_code,period_start,period_end,value,numerator,denominator,note\n"
    )
    xlsx = signed_in_client.get("/imports/templates/sof-2021-22/?xlsx=1")
    assert xlsx.content[:4] == b"PK\x03\x04"


def test_an_upload_is_stored_then_loaded_by_a_job_and_the_file_forgotten(
    signed_in_client, sof, trusts, settings
):
    response = signed_in_client.post("/imports/", {
        "file": SimpleUploadedFile("june.csv", (HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
                                   .encode(), content_type="text/csv"),
        "format": "template",
    })
    record = Job.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/imports/uploads/{record.pk}/"
    assert (record.what, record.started_by, record.state) == (
        "Load june.csv", signed_in_client.user, Job.State.SUCCEEDED)
    batch = ImportBatch.objects.get()
    assert record.result_url == f"/imports/{batch.pk}/"
    assert record.outcome == "Stored: 1 row read, 1 added, 0 revised, 0 unchanged"
    stored = settings.MEDIA_ROOT / "imports" / "uploads"
    assert not any(stored.iterdir())  # the upload is deleted once loaded
    page = signed_in_client.get(response["Location"])
    assert page.status_code == 200 and "Stored" in page.content.decode()
    assert "hx-get" not in page.content.decode()  # finished: nothing polls


def test_an_upload_still_loading_shows_its_progress(signed_in_client, sof, trusts, settings):
    """With the database queue the job waits for the worker; its page says so and polls."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    body = response.content.decode()
    record = Job.objects.get()
    assert response.status_code == 200 and record.state == Job.State.QUEUED
    assert "Waiting for the worker to start it" in body and 'aria-live="polite"' in body
    assert f'hx-get="/jobs/{record.pk}/progress/"' in body
    assert not ImportBatch.objects.exists()


def test_an_upload_is_seen_only_by_its_uploader(signed_in_client, client, sof, trusts):
    upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    other = UserFactory()
    RoleFactory(user=other, kind=Role.Kind.ADMINISTRATOR)
    client.force_login(other)
    assert client.get(f"/imports/uploads/{Job.objects.get().pk}/").status_code == 404


def test_the_job_reports_each_check_and_the_rows_written(sof, trusts, settings):
    from oversight.jobs.background import listening
    from oversight.metrics import uploads

    text = HEADER + "".join(
        f"{org},RTT,2025-0{m}-01,2025-0{m}-{days},9{m}\n"
        for org in ("RAA", "RBB", "RCC")
        for m, days in ((4, 30), (5, 31))
    )
    path = uploads.store(SimpleUploadedFile("spring.csv", text.encode()))
    seen: list[tuple[int, int, str]] = []
    with listening(lambda *report: seen.append(report)):
        outcome = uploads.load(path, "spring.csv", "template", None, None, False)
    assert outcome.summary == "Stored: 6 rows read, 6 added, 0 revised, 0 unchanged"
    assert seen == [
        (0, 3, "Reading the file"),
        (1, 3, "Checking every row"),
        (2, 3, "Comparing with stored data"),
        (3, 3, "Comparing with stored data"),
        (6, 6, "Writing rows to the database (6 of 6)"),
    ]


def test_a_job_that_fails_mid_write_leaves_nothing_written(signed_in_client, sof, trusts,
                                                           monkeypatch):
    """The worker stops after the rows went in but before the transaction committed."""
    from oversight.metrics.importing import store

    original = store.write

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        assert Observation.objects.count() == 2  # written, not yet committed
        raise OSError("disk full")

    monkeypatch.setattr(store, "write", write_then_fail)
    rows = "RAA,RTT,2025-06-01,2025-06-30,91\nRBB,RTT,2025-06-01,2025-06-30,92\n"
    response = upload(signed_in_client, HEADER + rows)
    body = response.content.decode()
    assert response.status_code == 200
    assert "The file could not be loaded: nothing was written" in body
    assert "OSError: disk full" in body and "Traceback" not in body
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()
    assert Job.objects.get().state == Job.State.FAILED


def test_upload_page_offers_the_progress_bar_to_scripts(signed_in_client, sof):
    body = signed_in_client.get("/imports/").content.decode()
    assert "data-upload-progress>" in body
    assert '<progress id="upload-progress-bar"' in body and "upload-progress.mjs" in body


def test_a_binary_file_named_csv_is_a_clear_problem_not_a_500(signed_in_client, sof):
    """Found by a new user: a program picked by mistake, renamed .csv, answered 500 and the
    page showed 'Home null'."""
    binary = bytes(range(256)) * 12
    response = signed_in_client.post("/imports/", {
        "file": SimpleUploadedFile("program.csv", binary, content_type="text/csv"),
        "format": "template",
    }, follow=True)
    body = response.content.decode()
    assert response.status_code == 422
    assert "The file was rejected: nothing was written" in body
    assert "UTF-8" in body  # names the encoding expected
    assert not Observation.objects.exists()


def test_history_links_only_the_batches_the_reader_may_open(signed_in_client, sof, trusts):
    """An organisation user may read their figure's history but not a load someone else made
    (visible_batches): that batch is named, not linked (the link answered 403)."""
    upload(signed_in_client, HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n")
    batch = ImportBatch.objects.get()
    obs = Observation.objects.get()
    user = UserFactory()
    RoleFactory(user=user, kind=Role.Kind.ORGANISATION, organisation=trusts["RAA"], region=None)
    client = Client()
    client.force_login(user)
    body = client.get(f"/imports/observations/{obs.pk}/").content.decode()
    assert client.get(f"/imports/{batch.pk}/").status_code == 403
    assert f"Batch {batch.pk} (june.csv)" in body
    assert f'href="/imports/{batch.pk}/"' not in body
    # the loader who made it is offered the link
    mine = signed_in_client.get(f"/imports/observations/{obs.pk}/").content.decode()
    assert f'href="/imports/{batch.pk}/"' in mine
