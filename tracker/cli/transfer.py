"""`tracker import-vcard`, `tracker export-vcard`, `tracker import-linkedin`.

The same service code as the web upload: a job is stored, analysed and applied (one
transaction) with the default decisions: new cards are created, matches merged (empty
fields filled, nothing replaced), problems skipped.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.cli.accounts import user_or_exit
from tracker.extensions import db
from tracker.models import ImportJob
from tracker.services import import_runner, imports, vcards


def _import(kind: str, path: Path, email: str, dry_run: bool) -> None:
    user = user_or_exit(email)
    try:
        job = imports.create_job(user, kind, path.name, path.read_bytes())
    except imports.ImportProblem as e:
        raise click.ClickException(f"Nothing was imported: {e}") from e
    db.session.commit()
    job_id = job.id
    import_runner.run_analysis(job_id)
    job = db.session.get(ImportJob, job_id)
    if job.status == "failed":
        message = job.error
        imports.discard(job)
        db.session.commit()
        raise click.ClickException(f"Nothing was imported: {message}")
    if dry_run:
        preview = imports.preview(job, per_page=1)
        report = imports.report_of(job)
        click.echo(f"Dry run, nothing was saved. {job.total} {'rows' if kind == 'linkedin' else 'cards'}: "
                   f"{preview.counts['new']} new (would be created), {preview.counts['match']} matching "
                   f"(would be merged), {preview.counts['problem']} problems (would be skipped).")
        for kind_ in ("match", "problem"):
            page = imports.preview(job, kind=kind_, per_page=1000)
            for p in page.items:
                label = "Line" if kind == "linkedin" else "Card"
                click.echo(f"  {label} {p.item.position} ({p.item.name or 'no name'}): {p.item.reason}")
        if kind == "linkedin":
            click.echo(f"Hidden members skipped: {report.hidden}.")
        imports.discard(job)
        db.session.commit()
        return
    job.status = "running"
    db.session.commit()
    report = import_runner.run_apply(job_id)
    if report is None:
        job = db.session.get(ImportJob, job_id)
        raise click.ClickException(job.error)
    for line in report.lines():
        click.echo(line)


@click.command("import-vcard")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The account to import into.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; save nothing.")
@with_appcontext
def import_vcard(file: Path, email: str, dry_run: bool) -> None:
    """Import a .vcf file (any number of cards) into an account."""
    _import("vcard", file, email, dry_run)


@click.command("import-linkedin")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The account to import into.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; save nothing.")
@with_appcontext
def import_linkedin(file: Path, email: str, dry_run: bool) -> None:
    """Import LinkedIn's Connections.csv (or the whole data export .zip) into an account."""
    _import("linkedin", file, email, dry_run)


@click.command("export-vcard")
@click.option("--user", "email", required=True)
@click.option("-o", "--output", type=click.File("wb"), default="-",
              help="File (default: standard output).")
@click.option("--version", "version", type=click.Choice(vcards.VERSIONS), default="3.0", show_default=True)
@with_appcontext
def export_vcard(email: str, output, version: str) -> None:
    """Write every contact of an account as a .vcf file."""
    for card in vcards.export_vcards(user_or_exit(email), None, version):
        output.write(card.encode("utf-8"))  # bytes: CRLF line ends as written (RFC 6350 §3.2)


COMMANDS = [import_vcard, import_linkedin, export_vcard]
