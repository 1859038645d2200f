"""Signing keys: never a constant from the code, made once into instance/ for development."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from config import CONFIGS, Config, DevelopmentConfig, TestingConfig
from forum import create_app, secrets_file
from forum.threads.authors import assign_aliases


def _dev_app(tmp_path, name="instance"):
    config = type("Dev", (DevelopmentConfig,), {"DATABASE_URL": "sqlite://"})
    return create_app(config, instance_path=str(tmp_path / name))


def _alias_key(app):
    from forum.threads.authors import _alias_key

    with app.app_context():
        return _alias_key()


def test_no_config_class_ships_a_key():
    for config in (Config, *CONFIGS.values()):
        assert not getattr(config, "SECRET_KEY", None), config
        assert not getattr(config, "ALIAS_KEY", None), config


def test_development_makes_private_keys_once_and_reuses_them(tmp_path):
    first = _dev_app(tmp_path)
    instance = tmp_path / "instance"
    for name, filename in secrets_file.FILES.items():
        path = instance / filename
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert first.config[name] == path.read_text().strip()
        assert not secrets_file.weak(first.config[name])
    again = _dev_app(tmp_path)
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert _alias_key(again) == _alias_key(first)


def test_two_sites_never_share_aliases(tmp_path):
    one, other = _dev_app(tmp_path, "one"), _dev_app(tmp_path, "two")
    assert one.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    assert one.config["ALIAS_KEY"] != other.config["ALIAS_KEY"]
    words = [assign_aliases(7, range(1, 40), _alias_key(app)) for app in (one, other)]
    assert words[0] != words[1]
    testing = [create_app(type("T", (TestingConfig,), {"DATABASE_URL": "sqlite://"}))
               for _ in range(2)]
    assert testing[0].config["ALIAS_KEY"] != testing[1].config["ALIAS_KEY"]


def test_workers_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secrets_file.read_or_create(path), range(32)))
    assert len(keys) == 1 and keys == {path.read_text().strip()}
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no candidates left


def test_a_widened_key_file_is_made_private_again(tmp_path):
    path = tmp_path / "secret_key"
    secrets_file.read_or_create(path)
    path.chmod(0o644)
    secrets_file.read_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_weak_key_file_is_refused(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("dev-only-not-secret")
    with pytest.raises(RuntimeError, match="weak key"):
        secrets_file.read_or_create(path)
