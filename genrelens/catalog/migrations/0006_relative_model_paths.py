"""Rows registered before models were recorded relative to GENRELENS_MODEL_DIR (aac1dd5) hold an
absolute path: once the var directory is moved, copied or restored, that path points outside the
new model directory and loading refuses it. Rewrite the ones inside the model directory as it is
when this runs; leave any other path as it is (it stays refused at load, as before)."""

from pathlib import Path

from django.conf import settings
from django.db import migrations


def relative_model_paths(apps, schema_editor) -> None:
    root = Path(settings.GENRELENS_MODEL_DIR).resolve()
    trained_model = apps.get_model("catalog", "TrainedModel")
    for row in trained_model.objects.all():
        path = Path(row.path)
        if not path.is_absolute():
            continue
        # resolved like loading resolves it: a symlink leading out of the directory stays absolute
        target = path.resolve()
        if target.is_relative_to(root):
            row.path = str(target.relative_to(root))
            row.save(update_fields=["path"])


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0005_track_analysis_confidence"),
    ]

    operations = [
        # relative paths resolve the same way the absolute ones did, so there is nothing to undo
        migrations.RunPython(relative_model_paths, migrations.RunPython.noop),
    ]
