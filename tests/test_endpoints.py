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
        "type": "carepath.lock_store.CheckedRedisLockStore",
        "url": "127.0.0.1", "port": 6390, "db": 3, "key_prefix": "carepath", "password": "secret",
    }


def test_the_lock_store_is_rasas_redis_lock_store_on_the_running_redis(tmp_path):
    path = write_endpoints(tmp_path / "e.yml", "http://127.0.0.1:1/webhook", redis_url="redis://127.0.0.1:6379/2")
    store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(store, RedisLockStore)
    assert store.red.connection_pool.connection_kwargs["db"] == 2


def test_redis_unavailable_stops_the_server_at_start_with_a_clear_message(tmp_path):
    import os
    import subprocess
    import sys

    from carepath.servers import ROOT, free_port

    closed = free_port()  # nothing listens there
    endpoints = write_endpoints(tmp_path / "e.yml", "http://127.0.0.1:1/webhook", redis_url=f"redis://127.0.0.1:{closed}/0")
    env = dict(os.environ, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "run", "-m", "models/carepath.tar.gz", "--port", str(free_port()),
         "--endpoints", str(endpoints)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-2000:]
    assert f"Redis lock store at 127.0.0.1:{closed} does not answer" in log, log[-2000:]


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
