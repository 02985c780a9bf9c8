"""Word lists for made-up artist, album and track names (deterministic given an RNG)."""

from __future__ import annotations

import random

ADJECTIVES = (
    "Golden", "Electric", "Midnight", "Silver", "Broken", "Wild", "Neon", "Velvet", "Lonely", "Crimson",
    "Endless", "Hidden", "Burning", "Frozen", "Sweet", "Dark", "Bright", "Restless", "Savage", "Gentle",
    "Lost", "Fading", "Rising", "Heavy", "Cosmic", "Tropical", "Urban", "Electric", "Purple", "Faded",
)
NOUNS = (
    "Heart", "Night", "Fire", "River", "City", "Dream", "Summer", "Storm", "Road", "Light", "Shadow",
    "Ocean", "Dance", "Highway", "Signal", "Mirror", "Paradise", "Thunder", "Echo", "Rain", "Sky",
    "Gravity", "Money", "Kingdom", "Island", "Machine", "Fever", "Horizon", "Sunset", "Diamond",
)
VERBS = ("Run", "Hold", "Take", "Call", "Burn", "Break", "Feel", "Chase", "Move", "Save", "Lose", "Want")
OBJECTS = ("Me", "You", "It", "Us", "the Night", "My Heart", "the World", "Tonight", "Away", "It Slow")
FIRST = (
    "Ana", "Leo", "Maya", "Kofi", "Ines", "Jonah", "Sofia", "Malik", "Nora", "Diego", "Yara", "Felix",
    "Luna", "Omar", "Zoe", "Ravi", "Camila", "Theo", "Amara", "Bruno", "Lena", "Marco", "Aisha", "Elio",
)
LAST = (
    "Stone", "Rivera", "Kane", "Moreau", "Okafor", "Lindqvist", "Santos", "Hart", "Novak", "Reyes",
    "Blake", "Castillo", "Ward", "Mendes", "Fox", "Ibarra", "Vale", "Kim", "Duarte", "Cole",
)
PREFIX_BY_GENRE = {
    "hip hop": ("Lil", "Young", "MC", "Big", "Kid"),
    "edm": ("DJ", "", "", "Sonic"),
    "latin": ("", "El", "La", "J"),
    "metal": ("", "", ""),
}
BAND_NOUNS = ("Wolves", "Kings", "Ghosts", "Saints", "Riders", "Machines", "Vipers", "Strangers", "Echoes")


def artist_name(rng: random.Random, genre: str) -> str:
    roll = rng.random()
    if genre in ("rock", "metal") and roll < 0.6:
        return f"The {rng.choice(ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
    prefixes = PREFIX_BY_GENRE.get(genre, ("",))
    prefix = rng.choice(prefixes)
    if roll < 0.5:
        name = rng.choice(FIRST) if prefix else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    else:
        name = rng.choice(NOUNS) if prefix else f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    return f"{prefix} {name}".strip()


def title(rng: random.Random) -> str:
    pattern = rng.randrange(5)
    if pattern == 0:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if pattern == 1:
        return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if pattern == 2:
        return f"{rng.choice(NOUNS)} of the {rng.choice(NOUNS)}"
    if pattern == 3:
        return rng.choice(NOUNS)
    return f"{rng.choice(NOUNS)} ({rng.choice(ADJECTIVES)} Mix)"


def unique(name: str, seen: set[str]) -> str:
    """Keep artist names unique, as search-by-artist tests need one answer per name."""
    candidate, n = name, 2
    while candidate.lower() in seen:
        candidate, n = f"{name} {n}", n + 1
    seen.add(candidate.lower())
    return candidate
