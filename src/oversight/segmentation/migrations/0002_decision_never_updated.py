"""The database refuses to update a decision: a new decision supersedes it instead."""

from django.db import migrations

MESSAGE = "decisions are never edited: record a new decision, which supersedes this one"


def create(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER segmentation_decision_no_update BEFORE UPDATE ON "
            f"segmentation_decision BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION segmentation_decision_no_update() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            "CREATE TRIGGER segmentation_decision_no_update BEFORE UPDATE ON "
            "segmentation_decision FOR EACH ROW EXECUTE FUNCTION segmentation_decision_no_update()"
        )


def drop(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS segmentation_decision_no_update")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS segmentation_decision_no_update ON segmentation_decision"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS segmentation_decision_no_update()")


class Migration(migrations.Migration):
    dependencies = [("segmentation", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
