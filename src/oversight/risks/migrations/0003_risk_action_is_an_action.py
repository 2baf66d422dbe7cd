"""A risk's action is a ``support.Action`` (as a SOAG action is): its completion is a moment
(``completed_at``) rather than a day, and its status takes the actions' one set of choices.
Existing completion days are kept, as midnight (London) of that day, in the actions and in
their history."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models

LONDON = ZoneInfo("Europe/London")

STATUS = models.CharField(
    choices=[
        ("open", "Open"),
        ("in_progress", "In progress"),
        ("escalated", "Escalated to the board"),
        ("completed", "Completed"),
        ("cancelled", "Cancelled"),
    ],
    default="open",
    max_length=12,
)


def _moments(apps, schema_editor):
    for name in ("RiskAction", "HistoricalRiskAction"):
        model = apps.get_model("risks", name)
        for row in model.objects.exclude(completed_on=None).only("pk", "completed_on"):
            moment = dt.datetime.combine(row.completed_on, dt.time(), LONDON)
            model.objects.filter(pk=row.pk).update(completed_at=moment)


def _days(apps, schema_editor):
    for name in ("RiskAction", "HistoricalRiskAction"):
        model = apps.get_model("risks", name)
        for row in model.objects.exclude(completed_at=None).only("pk", "completed_at"):
            day = row.completed_at.astimezone(LONDON).date()
            model.objects.filter(pk=row.pk).update(completed_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0002_governance_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskaction",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalriskaction",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(_moments, _days),
        migrations.RemoveField(model_name="riskaction", name="completed_on"),
        migrations.RemoveField(model_name="historicalriskaction", name="completed_on"),
        migrations.AlterField(model_name="riskaction", name="status", field=STATUS),
        migrations.AlterField(model_name="historicalriskaction", name="status", field=STATUS),
    ]
