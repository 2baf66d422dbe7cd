"""The upload page: with JavaScript the file goes up by XMLHttpRequest with a progress bar, the
browser goes to the upload's page, which follows the background job (htmx polling its progress)
and shows the summary when it ends; without JavaScript the plain form post does the same."""

from typing import Any

from tests.browser.conftest import check_accessibility, sign_in

GOOD = "org_code,metric_code,period_start,period_end,value\nRGT,AE4HR,2024-05-01,2024-05-31,91.5\n"


def test_upload_with_javascript_shows_progress_then_the_summary(page: Any, demo_ics, tmp_path):
    path = tmp_path / "ae-may.csv"
    path.write_text(GOOD)
    sign_in(page, "icb-lead")
    page.goto("/imports/")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {r.resource_type} {r.url}"))
    page.set_input_files("input[type=file][name=file]", str(path))
    page.check("input[name=format][value=template]")
    page.click("button:has-text('Check and load')")
    page.wait_for_selector("#summary")
    assert any(s.startswith("POST xhr ") and s.endswith("/imports/") for s in sent), sent
    assert "Stored" in page.locator("#summary").inner_text()
    assert "/imports/uploads/" in page.url


def test_a_queued_upload_shows_its_progress_until_the_worker_has_loaded_it(
    page: Any, demo_ics, tmp_path, settings
):
    """With the database queue the page waits, polls, and reloads once the worker is done."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = tmp_path / "ae-may.csv"
    path.write_text(GOOD)
    sign_in(page, "icb-lead")
    page.goto("/imports/")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.check("input[name=format][value=template]")
    page.click("button:has-text('Check and load')")
    status = page.get_by_role("status").filter(has_text="Load ae-may.csv")
    status.get_by_text("Waiting for the worker to start it").wait_for()
    check_accessibility(page, "an upload waiting for the worker")
    polled = []
    page.on("request", lambda r: polled.append(r.url) if "/progress/" in r.url else None)
    queued = DBTaskResult.objects.ready().get()
    queued.claim("browser-test")
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="browser-test",
           excluded_queue_names=[]).run_task(queued)
    page.wait_for_selector("#summary")  # the poll saw the end; the page reloaded
    assert polled and "Stored" in page.locator("#summary").inner_text()
    assert page.locator("[hx-get]").count() == 0


def test_upload_without_javascript_posts_the_form(
    browser: Any, live_server, demo_ics, tmp_path, settings
):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        path = tmp_path / "ae-may.csv"
        path.write_text(GOOD)
        sign_in(page, "icb-lead")
        page.goto("/imports/")
        assert page.locator("#upload-progress").is_hidden()
        page.set_input_files("input[type=file][name=file]", str(path))
        page.check("input[name=format][value=template]")
        page.click("button:has-text('Check and load')")
        page.wait_for_selector("#summary")
        assert "Stored" in page.locator("#summary").inner_text()
    finally:
        context.close()
