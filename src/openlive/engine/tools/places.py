"""Places said without what a parameter's format asks for: "New York" where a description wants
"City, State" ("e.g. Los Angeles, CA"). A model with world knowledge adds the state itself; the
small embedded model needs the table below (large US cities, so an ambiguous name such as
"Springfield" is left as said)."""

from __future__ import annotations

import re

_US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DC": "District of Columbia", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
_US_CITIES = {
    "NY": "New York,New York City,Brooklyn,Buffalo,Rochester,Albany",
    "CA": "Los Angeles,San Francisco,San Diego,San Jose,Sacramento,Oakland,Fresno,Long Beach,Palo Alto,"
    "Berkeley,Santa Monica,Pasadena,Irvine,Anaheim",
    "IL": "Chicago",
    "TX": "Houston,Dallas,Austin,San Antonio,Fort Worth,El Paso",
    "AZ": "Phoenix,Tucson,Scottsdale,Tempe,Mesa",
    "PA": "Philadelphia,Pittsburgh",
    "FL": "Miami,Orlando,Tampa,Jacksonville",
    "WA": "Seattle,Spokane,Tacoma",
    "MA": "Boston,Cambridge",
    "CO": "Denver,Boulder",
    "GA": "Atlanta",
    "NV": "Las Vegas,Reno",
    "OR": "Portland",
    "TN": "Nashville,Memphis",
    "MI": "Detroit",
    "MN": "Minneapolis",
    "MO": "St. Louis,Kansas City",
    "LA": "New Orleans",
    "NC": "Charlotte,Raleigh",
    "OH": "Columbus,Cleveland,Cincinnati",
    "IN": "Indianapolis",
    "WI": "Milwaukee",
    "MD": "Baltimore",
    "UT": "Salt Lake City",
    "DC": "Washington D.C.,Washington DC",
    "HI": "Honolulu",
    "NM": "Albuquerque,Santa Fe",
    "OK": "Oklahoma City",
    "KY": "Louisville",
}
_STATE_OF_CITY = {city.lower(): state for state, cities in _US_CITIES.items() for city in cities.split(",")}
# "the city and state", "in the format City, State", or an example such as "e.g. Houston, TX".
_ASKS_FOR_STATE = re.compile(r"city,? (?:and|&) state|city, ?state", re.I)
_EXAMPLE = re.compile(r"e\.g\.,? [A-Z][a-z]+(?: [A-Z][a-z]+)*, (?P<state>[A-Z]{2}\b|[A-Z][a-z]+)")


def with_state(value: str, description: str) -> str:
    """``value`` with its US state added when ``description`` asks for one and ``value`` is a city
    the table knows; spelled out ("Chicago, Illinois") when the description's example is."""
    city = value.strip()
    example = _EXAMPLE.search(description)
    state = _STATE_OF_CITY.get(city.lower())
    if state is None or (example is None and not _ASKS_FOR_STATE.search(description)):
        return value
    if example is None or example.group("state") in _US_STATES:
        return f"{city}, {state}"
    if example.group("state") in _US_STATES.values():
        return f"{city}, {_US_STATES[state]}"
    return value  # another place's form ("e.g. London, UK")
