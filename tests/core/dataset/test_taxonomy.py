"""The blog's taxonomy file and its loader."""

from __future__ import annotations

import re

import pytest

from genrelens.core.dataset.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
from genrelens.core.errors import ConfigurationError


def test_the_packaged_taxonomy_is_the_blogs():
    taxonomy = load_taxonomy()
    assert taxonomy.genre_names() == ["pop", "hip hop", "rock", "edm", "latin", "metal"]
    assert taxonomy.subgenres_of("latin") == ("tropical", "latin pop", "reggaeton", "latin hip hop")
    assert len(taxonomy.subgenres_of("hip hop")) == 8


def test_hard_rock_sits_under_two_genres_but_is_searched_once():
    taxonomy = load_taxonomy()
    assert ("rock", "hard rock") in taxonomy.pairs() and ("metal", "hard rock") in taxonomy.pairs()
    assert taxonomy.subgenres().count("hard rock") == 1
    assert len(taxonomy.pairs()) == len(taxonomy.subgenres()) + 1
    assert taxonomy.genres_of("hard rock") == ["rock", "metal"]


def test_a_user_edited_file_is_read(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[genres]\njazz = ["Bebop", " cool jazz "]\n"k-pop" = ["k-pop"]\n', encoding="utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.pairs() == [("jazz", "bebop"), ("jazz", "cool jazz"), ("k-pop", "k-pop")]
    assert taxonomy.source == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("genres = [", "not valid TOML"),
        ("[other]\nx = 1\n", "non-empty [genres] table"),
        ('[genres]\npop = "pop"\n', "non-empty list"),
        ("[genres]\npop = []\n", "non-empty list"),
        ('[genres]\npop = ["pop", 3]\n', "not a non-empty name"),
        ('[genres]\npop = ["pop", "Pop"]\n', "twice"),
    ],
)
def test_malformed_files_fail_naming_the_file(tmp_path, text, message):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=re.escape(message)) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read taxonomy file"):
        load_taxonomy(tmp_path / "nope.toml")


def test_the_default_path_is_inside_the_package():
    assert DEFAULT_TAXONOMY_PATH.name == "taxonomy.toml" and DEFAULT_TAXONOMY_PATH.is_file()
