"""Seed the International Progressive MS Alliance's five focus areas."""

from django.db import migrations

FOCUS_AREAS = [
    ("targets-and-repurposing", "Targets and repurposing",
     "New therapeutic targets and repurposing of existing drugs for progressive MS."),
    ("experimental-models", "Experimental models",
     "Cell and animal models that reproduce the mechanisms of progressive MS."),
    ("phase-ii-trial-strategies", "Phase II trial strategies",
     "Designs and strategies for phase II clinical trials in progressive MS."),
    ("outcome-measures-and-trial-design", "Outcome measures and trial design",
     "Clinical, imaging and fluid biomarkers and outcome measures for trials."),
    ("symptom-management-and-rehabilitation", "Symptom management and rehabilitation",
     "Treatments and rehabilitation for fatigue, pain, cognition, mobility and other symptoms."),
]


def seed(apps, schema_editor):
    FocusArea = apps.get_model("applications", "FocusArea")
    for position, (slug, name, description) in enumerate(FOCUS_AREAS, start=1):
        FocusArea.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("applications", "FocusArea").objects.filter(slug__in=[s for s, _, _ in FOCUS_AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
