"""The registry's write path (DESIGN.md §4.1): every change to holdings, people, facilities,
surveys, imports and verification is a function here that takes `acting_user`, runs in one
transaction and records an event. Read-only helpers stay beside the pages that use them
(surveys.py, potential.py, freshness.py)."""

from guodong.registry.services.holdings import (
    confirm_own_holdings,
    create_facility,
    create_holding,
    create_specialist,
    location_problems,
    merge_holdings,
    reveal,
    update_facility,
    update_holding,
    update_specialist,
)
from guodong.registry.services.imports import (
    check_import,
    commit_import,
    discard_import,
    progress_of,
    replay_commit,
    start_import,
    write_import,
)
from guodong.registry.services.surveys import open_campaign, submit_assignment
from guodong.registry.services.verification import create_verification_task, record_result

__all__ = [
    "check_import",
    "commit_import",
    "confirm_own_holdings",
    "create_facility",
    "create_holding",
    "create_specialist",
    "create_verification_task",
    "discard_import",
    "location_problems",
    "merge_holdings",
    "open_campaign",
    "progress_of",
    "record_result",
    "replay_commit",
    "reveal",
    "start_import",
    "submit_assignment",
    "update_facility",
    "update_holding",
    "update_specialist",
    "write_import",
]
