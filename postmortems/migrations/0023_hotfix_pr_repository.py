"""Each hotfix link keeps its merged PR's repository (see HotfixPullRequest.repository).

Added empty, filled from the PRs in one statement, then required; the index is what the
merged-PR visibility rule reads.
"""

import django.db.models.deletion
from django.db import migrations, models

# A correlated subquery rather than UPDATE … FROM, so `make run`'s SQLite migrates too.
FILL = """
UPDATE postmortems_hotfixpullrequest SET repository_id = (
    SELECT m.repository_id FROM postmortems_mergedpullrequest m
    WHERE m.id = postmortems_hotfixpullrequest.merged_pr_id
)
WHERE repository_id IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("postmortems", "0022_visibility_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="hotfixpullrequest",
            name="repository",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="postmortems.repository",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="hotfixpullrequest",
            name="repository",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="postmortems.repository",
            ),
        ),
        migrations.AddIndex(
            model_name="hotfixpullrequest",
            index=models.Index(fields=["repository", "postmortem", "merged_pr"], name="hotfix_pr_visibility_idx"),
        ),
    ]
