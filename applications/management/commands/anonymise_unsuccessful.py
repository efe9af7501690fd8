"""``manage.py anonymise_unsuccessful [--older-than-days N] [--dry-run]``: apply the retention policy."""

from django.core.management.base import BaseCommand, CommandError

from applications.services.retention import anonymise_unsuccessful


class Command(BaseCommand):
    help = (
        "Remove the personal data of unsuccessful applications (declined, never funded from the waitlist, "
        "withdrawn, or drafts of closed calls) older than RETENTION_UNSUCCESSFUL_DAYS. Funded applications "
        "are kept. Run with --dry-run first to see what would change."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-days", type=int, default=None, help="Override the configured age.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised; change nothing."
        )

    def handle(self, *args, older_than_days=None, dry_run=False, **options) -> None:
        try:
            report = anonymise_unsuccessful(older_than_days=older_than_days, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} {report.count} unsuccessful application(s) with an outcome before "
            f"{report.cutoff:%Y-%m-%d}"
            + ("" if dry_run else f"; {report.files_removed} stored file(s) removed")
            + "."
        )
        for reference in report.references:
            self.stdout.write(f"  {reference}")
