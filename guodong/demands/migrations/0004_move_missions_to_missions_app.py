"""Matchings, missions, allocations and handover receipts moved to the `missions` app.

State only: their tables keep their names (`demands_*`, set as `db_table` on the moved models)
and their rows; `missions.0001_move_from_demands` adds the same models to that app's state.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("demands", "0003_demandline_name_as_written_and_candidates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Allocation"),
                migrations.DeleteModel(name="Handover"),
                migrations.DeleteModel(name="Mission"),
                migrations.DeleteModel(name="MatchingRun"),
            ],
            database_operations=[],
        ),
    ]
