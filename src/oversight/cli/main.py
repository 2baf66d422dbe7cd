"""Entry point of the `oversight` command.

Each command lives in its own module; this file only assembles them, so a newcomer can see
every command at a glance. Commands that need the database set Django up themselves
(`oversight.cli.django_setup`), so pure commands such as `spc` start fast.
"""

import typer

app = typer.Typer(
    name="oversight",
    help="Oversight: the NHS System Oversight Framework for an ICS and its region.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    from oversight.cli import (
        database,
        delegation,
        development,
        governance,
        importing,
        jobs,
        nof,
        rebase,
        report,
        risks,
        segmentation,
        spc,
        support,
    )

    app.command("migrate")(database.migrate)
    app.command("demo")(database.demo)
    app.command("serve")(database.serve)
    app.command("worker")(jobs.worker)
    app.command("load-catalogue")(database.load_catalogue)
    app.add_typer(nof.app, name="nof")
    app.command("spc")(spc.spc)
    app.command("import")(importing.import_file)
    app.command("template")(importing.template)
    app.add_typer(importing.export_app, name="export")
    app.add_typer(segmentation.app, name="segmentation")
    app.add_typer(support.app, name="support")
    app.add_typer(governance.app, name="governance")
    app.add_typer(rebase.app, name="rebase")
    app.add_typer(development.app, name="development")
    app.add_typer(risks.app, name="risks")
    app.add_typer(delegation.app, name="delegation")
    app.add_typer(report.app, name="report")


_register()

if __name__ == "__main__":
    app()
