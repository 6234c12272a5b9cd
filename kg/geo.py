"""Is a facility's point in the country its record names? Country outlines from a maintained package.

The outlines are the GeoJSON borders the ``countryinfo`` package ships in its
wheel (no download, no network); ``shapely`` does the geometry. Outlines of
that scale follow the coast, and offshore stores (Sleipner, Greensand, Porthos)
lie at sea, so a point counts as the country's when it is inside the outline
or within 200 nautical miles of it: the limit of an exclusive economic zone,
where a state licenses storage under its seabed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rdflib import Literal

from kg.errors import Finding, Severity
from kg.facilities import jurisdiction_code
from kg.iris import Minter
from kg.jurisdictions import by_code
from kg.mapping import Triple
from kg.namespaces import SHAPES
from kg.records import Record

EEZ_KM = 370.4  # 200 nautical miles
EARTH_KM = 6371.0088


@lru_cache(maxsize=256)
def outline(code: str) -> Any | None:
    """The prepared outline of an ISO 3166-1 country (a subdivision's country), or None when unknown."""
    try:
        from countryinfo import CountryInfo
        from shapely import make_valid
        from shapely.geometry import shape
        from shapely.ops import unary_union
        from shapely.prepared import prep
    except ImportError:  # pragma: no cover - both are dependencies; a broken install says so below
        return None
    country = by_code(code.split("-")[0])
    if country is None or country.kind != "country":
        return None
    try:
        features = CountryInfo(country.code).geo_json().get("features", [])
    except Exception:  # countryinfo raises KeyError-like errors for codes it lacks
        return None
    shapes = [make_valid(shape(f["geometry"])) for f in features if f.get("geometry")]
    if not shapes:
        return None
    whole = unary_union(shapes)
    return whole, prep(whole)


def km_outside(code: str, lat: float, lon: float) -> int | None:
    """Kilometres from the point to the country's outline (0 inside it); None when no outline is known."""
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    found = outline(code)
    if found is None:
        return None
    whole, prepared = found
    point = Point(lon, lat)
    if prepared.contains(point):
        return 0
    nearest = nearest_points(whole, point)[0]
    return round(haversine(lat, lon, nearest.y, nearest.x))


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def outside_triples(facilities: Iterable[Record], minter: Minter) -> list[Triple]:
    """Validation-only facts the InsideCountry shape reads: for each facility point more than 200 nautical
    miles from the country it names, ``ccus-sh:kmOutsideCountry`` and ``ccus-sh:namedCountry`` on its
    geometry. Never exported."""
    out: list[Triple] = []
    seen: set[str] = set()
    for record in facilities:
        coordinates = record.get("coordinates")
        if record.id in seen or not isinstance(coordinates, list) or len(coordinates) != 2:
            continue
        seen.add(record.id)
        lat, lon = coordinates
        code = jurisdiction_code(record)
        if code is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        km = km_outside(code, lat, lon)
        if km is not None and km > EEZ_KM:
            geometry = minter.geometry(record.id)
            out += [(geometry, SHAPES.kmOutsideCountry, Literal(km)),
                    (geometry, SHAPES.namedCountry, Literal(code.split("-")[0]))]
    return out


def unchecked(facilities: Iterable[Record]) -> list[Finding]:
    """An info finding for each facility whose country the boundaries dataset has no outline for."""
    out = []
    for record in facilities:
        code = jurisdiction_code(record)
        if record.lang == "en" and code is not None and isinstance(record.get("coordinates"), list) \
                and outline(code) is None:
            out.append(Finding(file=record.display or record.rel, line=None, field="coordinates",
                               severity=Severity.INFO, rule="ccus-kg:geo/no-outline", record=record.id,
                               message=f"coordinates not checked against {code}: the boundaries dataset "
                                       "(countryinfo) has no outline for it"))
    return out


__all__ = ["EEZ_KM", "haversine", "km_outside", "outline", "outside_triples", "unchecked"]
