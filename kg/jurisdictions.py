"""Country names as written (any language) -> ISO 3166 jurisdictions via pycountry.

Countries and subdivisions come from pycountry, Chinese names from its
gettext catalogues; only the EU and "International" (not ISO 3166 entries)
and a few common short names are listed here by hand.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kg.vocab import normalise

EU = "EU"
INTERNATIONAL = "INT"

# Names real records use that pycountry does not know (short or colloquial).
_ALIASES = {
    "european union": EU,
    "eu": EU,
    "欧盟": EU,
    "international": INTERNATIONAL,
    "global": INTERNATIONAL,
    "国际": INTERNATIONAL,
    "全球": INTERNATIONAL,
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "韩国": "KR",
    "russia": "RU",
    "阿联酋": "AE",
    "uae": "AE",
    "uk": "GB",
    "us": "US",
    "usa": "US",
    "美国": "US",
    "英国": "GB",
    "荷兰": "NL",
    "越南": "VN",
    "vietnam": "VN",
    "turkey": "TR",
}
_SPECIAL_LABELS = {
    EU: (("en", "European Union"), ("zh", "欧盟")),
    INTERNATIONAL: (("en", "International"), ("zh", "国际")),
}


@dataclass(frozen=True)
class Jurisdiction:
    """A resolved jurisdiction: ISO code, labels, parent and EU authority code."""

    code: str
    labels: tuple[tuple[str, str], ...]
    kind: str  # "country", "subdivision", "union", "international"
    parent: str | None = None
    alpha3: str | None = None


@lru_cache(maxsize=1)
def _zh() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return gettext.NullTranslations()


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    zh = _zh()
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                table.setdefault(normalise(name), country.alpha_2)
        table.setdefault(normalise(zh.gettext(country.name)), country.alpha_2)
    for alias, code in _ALIASES.items():
        table[normalise(alias)] = code
    return table


@lru_cache(maxsize=4096)
def resolve(country: str | None, code: str | None = None) -> Jurisdiction | None:
    """The jurisdiction an explicit ISO code or a country name stands for.

    >>> resolve("加拿大").code, resolve(None, "CA-AB").parent
    ('CA', 'CA')
    """
    if code:
        return by_code(code)
    if not country:
        return None
    key = normalise(country)
    found = _names().get(key)
    if found is None and len(country) in (2, 3):
        direct = by_code(country.upper())
        found = direct.code if direct else None
    return by_code(found) if found else None


@lru_cache(maxsize=4096)
def by_code(code: str) -> Jurisdiction | None:
    """The jurisdiction with an ISO 3166-1/-2 code, ``EU`` or ``INT``."""
    code = code.strip().upper()
    if code in _SPECIAL_LABELS:
        kind = "union" if code == EU else "international"
        return Jurisdiction(code, _SPECIAL_LABELS[code], kind)
    if "-" in code:
        sub = pycountry.subdivisions.get(code=code)
        if sub is None:
            return None
        return Jurisdiction(sub.code, (("en", sub.name),), "subdivision", parent=sub.country_code)
    country = pycountry.countries.get(alpha_2=code) or pycountry.countries.get(alpha_3=code)
    if country is None:
        return None
    labels = [("en", getattr(country, "common_name", None) or country.name)]
    zh = _zh().gettext(country.name)
    if zh != country.name:
        labels.append(("zh", zh))
    return Jurisdiction(country.alpha_2, tuple(labels), "country", alpha3=country.alpha_3)


__all__ = ["EU", "INTERNATIONAL", "Jurisdiction", "by_code", "resolve"]
