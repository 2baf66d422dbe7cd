"""The progress record of one background job: what it is, who started it, how far it has got
and how it ended."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.urls import reverse

#: The shared cache holding the progress of running jobs (settings.CACHES).
PROGRESS_CACHE = "job_progress"


class Job(models.Model):
    """One run of a background job. The primary key is random, so nobody reaches another
    person's job by counting."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=255, help_text="The task's import path.")
    what = models.CharField(max_length=255, help_text="What the job does, for people.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="jobs")
    task_result_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveIntegerField(default=0)
    steps = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=500, blank=True, help_text="One line: how it ended.")
    result = models.JSONField(default=dict, blank=True,
                              help_text="What the job's result page renders from.")
    result_url = models.CharField(max_length=500, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    again_url = models.CharField(max_length=500, blank=True,
                                 help_text="The page to start the job again from.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["started_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.what} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def file_name(self) -> str:
        """The produced file's name, without the folders it is stored under."""
        return self.result_file.name.rsplit("/", 1)[-1] if self.result_file else ""

    @property
    def progress_key(self) -> str:
        return f"job-progress:{self.pk}"

    @property
    def heartbeat_key(self) -> str:
        """Where the worker running the job says it is alive (the time, every few seconds)."""
        return f"job-heartbeat:{self.pk}"

    def last_heard(self) -> float:
        """When the worker running the job last said it was alive, from the shared cache (a
        Unix time); when it started the job if it never did."""
        heard = caches[PROGRESS_CACHE].get(self.heartbeat_key) or 0.0
        return max(heard, (self.started_at or self.created_at).timestamp())

    def live(self) -> tuple[int, int, str]:
        """(step, steps, message) now: from the shared cache while the job runs (its writes
        may sit in an uncommitted transaction), else from the record."""
        if self.state == self.State.RUNNING:
            state = caches[PROGRESS_CACHE].get(self.progress_key)
            if state:
                return state["step"], state["steps"], state["message"]
        return self.step, self.steps, self.message
