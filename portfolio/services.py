"""Publishing funded projects on the public page (and in the public 360Giving data)."""

from django.db import transaction

from accounts.models import User
from audit.services import record_event
from awards.models import Award
from core.errors import StateConflict, ensure
from portfolio.models import PublishedProject
from portfolio.permissions import can_publish_projects


@transaction.atomic
def publish_project(*, award: Award, by: User) -> PublishedProject:
    """Show an award on the public page: its title, lay summary, institution, amount and funders (never
    the researcher's name). Publishing again changes nothing; a declined award cannot be published."""
    ensure(can_publish_projects(by))
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == Award.Status.DECLINED:
        raise StateConflict(f"{award.reference} was declined by the awardee: there is no project to publish.")
    project = PublishedProject.objects.filter(award=award).first()
    if project is not None:
        return project
    project = PublishedProject.objects.create(award=award, published_by=by)
    record_event(award, "project.published", by=by, after={"published": True})
    return project


@transaction.atomic
def unpublish_project(*, award: Award, by: User) -> None:
    """Take an award off the public page (and out of the public open data)."""
    ensure(can_publish_projects(by))
    award = Award.objects.select_for_update().get(pk=award.pk)
    deleted, _ = PublishedProject.objects.filter(award=award).delete()
    if deleted:
        record_event(
            award, "project.unpublished", by=by, before={"published": True}, after={"published": False}
        )
