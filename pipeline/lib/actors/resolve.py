"""Which state (or organisation) an actor stands for on a given day."""

from __future__ import annotations

from datetime import date

from pipeline.lib.actors.dictionary import Actor


def actor_code_on(actor: Actor, day: date | None) -> str | None:
    """The code an event uses for ``actor`` on ``day``.

    States give their ISO alpha-3 code; national agencies and armed forces their state's;
    intergovernmental organisations their own short code (NATO, CSTO ...); persons the state of
    the office they held that day (or the organisation, for e.g. NATO's Secretary General), and
    their default affiliation when the day is unknown or they held no recorded office then.
    """
    if actor.kind == "STATE":
        return actor.code
    if actor.kind == "ORG":
        return actor.country or actor.code
    role = actor.role_on(day)
    if role is not None:
        return role.country or role.org or actor.country
    return actor.country
