"""Matchings, missions, allocations and handover receipts, moved here from `demands` with their
tables and rows untouched (see demands.0004_move_missions_to_missions_app)."""

import django.core.validators
import django.db.models.deletion
import guodong.core.crypto
import guodong.core.models
import guodong.core.scope
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('demands', '0004_move_missions_to_missions_app'),
        ('orgs', '0001_organizations'),
        ('registry', '0005_resourcetype_synonyms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # State only: the tables exist since demands.0001 and keep their names (db_table).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MatchingRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                        ('cost_m', models.BigIntegerField(verbose_name='total transport (unit-metres)')),
                        ('rounds', models.PositiveSmallIntegerField(verbose_name='certificate rounds')),
                        ('arcs', models.PositiveIntegerField(verbose_name='arcs solved')),
                        ('candidates', models.PositiveIntegerField(verbose_name='candidate holdings')),
                        ('elapsed_ms', models.FloatField(verbose_name='time taken (ms)')),
                        ('explanation', models.JSONField(default=dict, verbose_name='explanation')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved')),
                        ('superseded', models.BooleanField(default=False, verbose_name='superseded')),
                        ('approved_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('demand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matchings', to='demands.demand')),
                    ],
                    options={
                        'verbose_name': 'matching',
                        'verbose_name_plural': 'matchings',
                        'db_table': 'demands_matchingrun',
                        'ordering': ['-created_at', '-id'],
                    },
                    bases=(guodong.core.models.ScopeRules, models.Model),
                ),
                migrations.CreateModel(
                    name='Mission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(editable=False, max_length=40, unique=True, verbose_name='number')),
                        ('owner_name', models.CharField(max_length=100, verbose_name='responsible party')),
                        ('contact_name', models.CharField(blank=True, max_length=50, verbose_name='contact')),
                        ('contact_phone', guodong.core.crypto.EncryptedTextField(blank=True, verbose_name='contact phone')),
                        ('division_path', guodong.core.scope.PathField(db_index=True, editable=False, max_length=255)),
                        ('is_exercise', models.BooleanField(default=False, verbose_name='exercise')),
                        ('status', models.CharField(choices=[('pending', 'Not yet dispatched'), ('dispatched', 'Dispatched'), ('acknowledged', 'Acknowledged'), ('in_progress', 'In progress'), ('handed_over', 'Handed over'), ('returned', 'Returned'), ('declined', 'Declined'), ('cancelled', 'Cancelled')], default='pending', max_length=20, verbose_name='status')),
                        ('report_by', models.DateTimeField(verbose_name='report by')),
                        ('dispatched_at', models.DateTimeField(blank=True, null=True, verbose_name='dispatched')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='acknowledged')),
                        ('decline_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for declining')),
                        ('progress_note', models.CharField(blank=True, max_length=300, verbose_name='latest progress')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('demand', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='missions', to='demands.demand')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='missions', to='orgs.organization', verbose_name='responsible unit')),
                    ],
                    options={
                        'verbose_name': 'mission',
                        'verbose_name_plural': 'missions',
                        'db_table': 'demands_mission',
                        'ordering': ['report_by', 'id'],
                    },
                    bases=(guodong.core.models.ScopeRules, models.Model),
                ),
                migrations.CreateModel(
                    name='Handover',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received_by', models.CharField(max_length=100, verbose_name='received by')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('condition', models.CharField(max_length=200, verbose_name='condition')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded')),
                        ('recorded_by', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mission', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='handover', to='missions.mission')),
                    ],
                    options={
                        'verbose_name': 'handover receipt',
                        'verbose_name_plural': 'handover receipts',
                        'db_table': 'demands_handover',
                    },
                    bases=(guodong.core.models.ScopeRules, models.Model),
                ),
                migrations.CreateModel(
                    name='Allocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('quantity', models.PositiveIntegerField(validators=[django.core.validators.MaxValueValidator(2147483647)], verbose_name='quantity')),
                        ('distance_m', models.PositiveIntegerField(validators=[django.core.validators.MaxValueValidator(2147483647)], verbose_name='distance (m)')),
                        ('stale', models.BooleanField(default=False, verbose_name='stale at matching')),
                        ('holding_version', models.DateTimeField()),
                        ('is_exercise', models.BooleanField(default=False, verbose_name='exercise')),
                        ('state', models.CharField(choices=[('proposed', 'Proposed'), ('reserved', 'Reserved'), ('handed_over', 'Handed over'), ('returned', 'Returned'), ('released', 'Released'), ('declined', 'Declined'), ('discarded', 'Not approved')], default='proposed', max_length=20, verbose_name='state')),
                        ('handed_quantity', models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(2147483647)], verbose_name='quantity handed over')),
                        ('holding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='registry.holding')),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='demands.demandline')),
                        ('matching', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='missions.matchingrun')),
                        ('mission', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='missions.mission')),
                    ],
                    options={
                        'verbose_name': 'allocation',
                        'verbose_name_plural': 'allocations',
                        'db_table': 'demands_allocation',
                        'ordering': ['line', 'distance_m', 'id'],
                        'indexes': [models.Index(fields=['holding', 'state'], name='allocation_holding_state')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('handed_quantity__isnull', True), ('handed_quantity__lte', models.F('quantity')), _connector='OR'), name='allocation_handed_within_allocated', violation_error_message='More cannot be handed over than was allocated.')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
