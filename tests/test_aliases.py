"""The alias space (issue 15, item 5): repeats are rare, aliases are plain words that no
username can imitate, and the anonymity page says exactly what is true about repeats."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.accounts.services import USERNAME_RE
from forum.extensions import db
from forum.threads.authors import ALIAS_PREFIX, AliasBook, assign_aliases, display_author
from tests import factories as f

KEY = b"k" * 32


def test_aliases_come_from_at_least_ten_thousand_pairs_of_plain_words():
    aliases = {assign_aliases(thread_id, [7], key=KEY)[7] for thread_id in range(1, 4001)}
    # 4,000 draws from 10,000+ names give well over 3,000 distinct ones (130 words: 130).
    assert len(aliases) > 3000
    for alias in aliases:
        adjective, animal = alias.split(" ")
        assert adjective.isalpha() and animal.isalpha()
        assert adjective[0].isupper() and animal[0].isupper()
    words = {w for alias in aliases for w in alias.split()}
    assert not words & {"Loon", "Beaver", "Cuckoo", "Dodo", "Rat", "Weasel", "Slow", "Crazy"}


def test_the_same_member_gets_unrelated_aliases_in_different_threads():
    mine = [assign_aliases(thread_id, [7], key=KEY)[7] for thread_id in range(1, 201)]
    assert len(set(mine)) > 190
    animals = {alias.split()[1] for alias in mine}
    assert len(animals) > 60  # not one animal with changing adjectives


def test_an_alias_is_never_a_username(app, world):
    thread = f.make_thread(world["member"], world["public"], title="A thread to be anonymous in",
                           hide_author=True)
    label = display_author(thread, world["member"], AliasBook.for_threads([thread.id])).label
    assert label.startswith(f"{ALIAS_PREFIX} · ")
    word = label.removeprefix(f"{ALIAS_PREFIX} · ")
    assert " " in word and not USERNAME_RE.match(word) and not USERNAME_RE.match(label)


def _register(client, username: str):
    return client.post("/register", data={
        "username": username, "password": "a long enough pass", "confirm": "a long enough pass",
        "agree": "y",
    })


@pytest.mark.parametrize("username", ["gentle_heron", "GentleHeron", "gentle.heron2",
                                      "Heron-Gentle", "kind_owl", "BRAVE__FOX"])
def test_registration_refuses_a_username_that_reads_like_an_alias(client, username):
    response = _register(client, username)
    assert response.status_code == 422
    assert "reads like an anonymous alias" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == username)) is None


@pytest.mark.parametrize("username", ["heron_mom", "gentle_parent", "owl_dad", "kindness"])
def test_registration_still_takes_ordinary_names(client, username):
    response = _register(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_anonymity_page_says_exactly_what_is_true_about_repeats(client):
    from forum.alias_words import ADJECTIVES, ANIMALS

    page = client.get("/anonymity").get_data(as_text=True)
    claim = re.search(r'<li id="claim-repeats">(.*?)</li>', page, re.S).group(1)
    assert "two people never have the same name" in claim
    assert "the same name can belong to different people" in claim
    assert "never changes" in claim
    alias = re.search(r'<li id="claim-alias">(.*?)</li>', page, re.S).group(1)
    assert f"{len(ADJECTIVES) * len(ANIMALS):,} such names" in alias
    assert f"{len(ADJECTIVES)} adjectives times {len(ANIMALS)} animals" in alias
    assert len(ADJECTIVES) * len(ANIMALS) >= 10_000
