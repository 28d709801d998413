"""What demands announce to the apps built on them (DESIGN.md §3: a lower app never imports a
higher one; the higher one subscribes)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that rejects or cancels a demand, before its status changes, with
# `acting_user`, `demand` and `reason`: guodong.missions ends the demand's missions and proposals.
demand_ended = Signal()
