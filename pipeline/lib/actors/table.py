"""The actor dictionary as the published ``actors`` table."""

from __future__ import annotations

import polars as pl

from pipeline.lib.actors.dictionary import ActorDictionary
from pipeline.lib.schema import ACTORS


def actors_frame(dictionary: ActorDictionary) -> pl.DataFrame:
    """One row per actor with all its aliases (every language) and its date-bounded roles."""
    rows = []
    for actor in dictionary.actors:
        aliases = sorted(
            {name for forms in (actor.names, actor.metonyms) for names in forms.values() for name in names}
        )
        rows.append(
            {
                "actor_id": actor.actor_id,
                "name": actor.name,
                "kind": actor.kind,
                "code": actor.code,
                "country": actor.country,
                "wikidata_id": actor.wikidata_id,
                "parent_actor_id": actor.parent,
                "sector": actor.sector,
                "aliases": aliases,
                "roles": [
                    {"title": r.title, "country": r.country, "start": r.start, "end": r.end}
                    for r in actor.roles
                ],
            }
        )
    return ACTORS.conform(pl.DataFrame(rows, schema=ACTORS.polars_schema))
