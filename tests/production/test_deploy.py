"""The deployment files agree with the code: the nginx site, the env file and endpoints.yml."""

from __future__ import annotations

import re
import subprocess

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import read_endpoints_from_path

from bot import cluster, nginx
from bot.config import PROJECT_ROOT
from bot.lock_store import InOrderLockStore
from bot.servers import ENDPOINTS, child_environment

DEPLOY = PROJECT_ROOT / "deploy"


def test_the_nginx_site_in_deploy_is_the_generated_one() -> None:
    assert (DEPLOY / "nginx" / "zhenjie.conf").read_text(encoding="utf-8") == nginx.site(nginx.Layout()), (
        "deploy/nginx/zhenjie.conf is generated: python -m bot.cluster nginx-site > deploy/nginx/zhenjie.conf"
    )


@pytest.mark.skipif(cluster.nginx_binary() is None, reason="没有 nginx（make services 安装）")
def test_nginx_accepts_the_site(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / name).mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    layout = nginx.Layout(public_listen="127.0.0.1:18080")
    conf.write_text(nginx.main_conf(nginx.site(layout), str(tmp_path), as_root=False), encoding="utf-8")
    checked = subprocess.run([str(cluster.nginx_binary()), "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_env_file_template_sets_every_variable_of_endpoints_yml() -> None:
    template = (DEPLOY / "env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?([A-Z_]+)=", template, flags=re.MULTILINE))
    used = ENDPOINTS.read_text(encoding="utf-8").splitlines()
    referenced = {v for line in used if not line.lstrip().startswith("#") for v in re.findall(r"\$\{(\w+)\}", line)}
    assert referenced and referenced <= named


def test_one_rasa_locks_in_memory_by_default_and_replicas_in_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOCK_STORE_TYPE", "REDIS_HOST", "REDIS_PORT", "REDIS_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    env, _ = child_environment({"ACTION_SERVER_URL": "http://127.0.0.1:9/webhook"})
    for name, value in env.items():  # what the servers get: endpoints.yml's ${VAR}s come from it
        monkeypatch.setenv(name, value)
    store = LockStore.create(read_endpoints_from_path(ENDPOINTS).lock_store)
    assert isinstance(store, InOrderLockStore) and isinstance(store.backend, InMemoryLockStore)

    env, _ = child_environment({"ACTION_SERVER_URL": "x", "LOCK_STORE_TYPE": "redis", "REDIS_KEY_PREFIX": "zj1"})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    store = LockStore.create(read_endpoints_from_path(ENDPOINTS).lock_store)  # connects lazily
    assert isinstance(store, InOrderLockStore) and isinstance(store.backend, RedisLockStore)
    assert store.backend.key_prefix == "zj1:lock:"
