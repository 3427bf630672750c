"""`python manage.py seed_demo`: load the deterministic demo data (safe to re-run)."""

from django.core.management.base import BaseCommand

from postmortems.demo_data import DEMO_PASSWORDS, seed_demo


class Command(BaseCommand):
    help = "Create demo teams, repositories, 18 months of merged PRs and postmortems. Safe to re-run."

    def handle(self, *args, **options):
        seed_demo(log=lambda message: self.stdout.write(message))
        self.stdout.write(
            self.style.SUCCESS(
                "Demo users — lead: lena.lead / {lead}   engineer: eli.engineer / {engineer}".format(**DEMO_PASSWORDS)
            )
        )
