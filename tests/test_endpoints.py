"""Endpoints written for the servers: REDIS_URL -> Redis lock store, TRACKER_DB_URL -> database."""
import pytest
import yaml
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import read_endpoint_config

from carepath.endpoints import redis_lock_store, write_endpoints
from carepath.tracker_store import database_settings


def test_redis_url_becomes_rasas_redis_lock_store(tmp_path):
    path = write_endpoints(tmp_path / "e.yml", "http://127.0.0.1:1/webhook", redis_url="redis://:secret@127.0.0.1:6390/3")
    config = yaml.safe_load(path.read_text())
    assert config["lock_store"] == {
        "type": "redis", "url": "127.0.0.1", "port": 6390, "db": 3, "key_prefix": "carepath", "password": "secret",
    }
    store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(store, RedisLockStore)


def test_no_redis_url_keeps_the_in_memory_lock_store(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    config = yaml.safe_load(write_endpoints(tmp_path / "e.yml", "http://127.0.0.1:1/webhook").read_text())
    assert "lock_store" not in config
    assert config["tracker_store"]["type"] == "carepath.tracker_store.CachedSQLTrackerStore"


@pytest.mark.parametrize("bad", ["localhost:6379", "http://x:1/0", "redis://"])
def test_bad_redis_url_is_refused(bad):
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_lock_store(bad)


def test_tracker_db_url_is_split_into_rasas_settings():
    settings = database_settings("postgresql://cp:pw@db.internal:5433/carepath?sslmode=require")
    assert settings == {
        "dialect": "postgresql", "host": "db.internal", "port": 5433, "db": "carepath",
        "username": "cp", "password": "pw", "query": {"sslmode": "require"},
    }
