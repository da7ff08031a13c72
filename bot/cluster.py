"""Rasa's replicated architecture on one machine: ``make run-cluster``, the cluster tests and bench.

Starts N action servers, N Rasa replicas, the web widget app and nginx in front
(:mod:`bot.nginx`): the replicas share the conversations (``TRACKER_STORE_URL``,
PostgreSQL) and Rasa's Redis lock store (``LOCK_STORE_TYPE=redis``), so a
conversation's messages are answered in order whichever replica receives them;
Rasa reaches the action servers through nginx too. The databases and Redis come
from the environment (``deploy/services.sh`` writes them to ``build/services.env``).

``python -m bot.cluster serve``      start it in the foreground (Ctrl-C stops all)
``python -m bot.cluster nginx-site`` print the production nginx site (deploy/nginx/zhenjie.conf)
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot import nginx
from bot.config import BUILD_DIR
from bot.servers import (
    MODEL,
    STOP_GRACE_S,
    ServerError,
    action_command,
    child_environment,
    rasa_command,
    spawn_process,
    wait_until_up,
    web_command,
)

SERVICES_ENV = BUILD_DIR / "services.env"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines (``deploy/env.example``'s format, ``build/services.env``); comments skipped."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key] = value
    return values


@dataclass
class Cluster:
    layout: nginx.Layout
    rasa_token: str = field(repr=False)
    actions: list[subprocess.Popen] = field(default_factory=list)
    replicas: list[subprocess.Popen] = field(default_factory=list)
    front: list[subprocess.Popen] = field(default_factory=list)  # nginx, web app
    prefix: Path | None = None

    @property
    def rasa_url(self) -> str:
        """Every replica, through nginx."""
        return self.layout.rasa_lb_url

    def replica_url(self, index: int) -> str:
        return f"http://{self.layout.host}:{self.layout.rasa_ports[index]}"

    def kill_replica(self, index: int) -> None:
        """SIGKILL one Rasa replica: a crash, nothing drained."""
        proc = self.replicas[index]
        proc.kill()
        proc.wait()

    def stop(self) -> None:
        """Front first, then the replicas (they drain their answers), then the action servers."""
        for tier in (self.front, self.replicas, self.actions):
            for proc in tier:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)  # nginx: fast stop; Rasa: drain
            for proc in tier:
                try:
                    proc.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(
    layout: nginx.Layout,
    env: dict[str, str] | None = None,
    log: IO[bytes] | int | None = None,
    model: Path = MODEL,
    timeout: float = 300.0,
    web: bool = True,
) -> Cluster:
    """Start the whole cluster and wait until every replica has loaded its model.

    Raises:
        ServerError: when nginx or the model is missing, or a server does not come up.
    """
    binary = nginx_binary()
    if binary is None:
        raise ServerError("找不到 nginx：请先运行 make services（或 apt-get install nginx）。")
    if not model.exists():
        raise ServerError(f"模型不存在：{model}。请先运行 make setup 训练模型。")
    child_env, _ = child_environment(env)
    child_env["ACTION_SERVER_URL"] = f"{layout.action_lb_url}/webhook"
    cluster = Cluster(layout, rasa_token=child_env["RASA_AUTH_TOKEN"])
    try:
        for port in layout.action_ports:
            cluster.actions.append(spawn_process(action_command(layout.host, port), child_env, log))
        for port in layout.rasa_ports:
            cluster.replicas.append(spawn_process(rasa_command(layout.host, port, model), child_env, log))
        cluster.prefix = _nginx_prefix(layout)
        conf = str(cluster.prefix / "nginx.conf")
        cluster.front.append(spawn_process([binary, "-c", conf, "-g", "daemon off;"], child_env, log))
        if web:
            cluster.front.append(
                spawn_process(web_command(layout.host, layout.web_port, layout.rasa_lb_url), child_env, log)
            )
        _wait(cluster, timeout, web)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _nginx_prefix(layout: nginx.Layout) -> Path:
    # Under the system's temporary directory: nginx's workers (nobody, when started as root)
    # must reach their temporary files, which a project checkout may not let them.
    prefix = Path(tempfile.mkdtemp(prefix="zhenjie-nginx-"))
    as_root = os.geteuid() == 0
    if as_root:
        prefix.chmod(0o755)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / name).mkdir(parents=True)
        if as_root:  # the workers run as nobody
            (prefix / "tmp" / name).chmod(0o777)
    (prefix / "nginx.conf").write_text(nginx.main_conf(nginx.site(layout), str(prefix), as_root), encoding="utf-8")
    return prefix


def _wait(cluster: Cluster, timeout: float, web: bool) -> None:
    deadline = time.monotonic() + timeout
    layout, token = cluster.layout, cluster.rasa_token
    targets = {f"动作服务器 :{port}": f"http://{layout.host}:{port}/health" for port in layout.action_ports}
    targets.update({f"Rasa :{p}": f"http://{layout.host}:{p}/status?token={token}" for p in layout.rasa_ports})
    targets["nginx"] = f"{layout.action_lb_url}/health"
    if web:
        targets["网页组件"] = f"{layout.public_url}/health"
    wait_until_up(cluster.actions + cluster.replicas + cluster.front, targets, deadline)


def layout_from_env(env: Mapping[str, str]) -> nginx.Layout:
    """``make run-cluster``'s ports: N (``RASA_REPLICAS``) consecutive ones from each base port."""
    replicas = int(env.get("RASA_REPLICAS") or 2)
    rasa, action = int(env.get("RASA_PORT") or 5005), int(env.get("ACTION_PORT") or 5055)
    public = int(env.get("PROXY_PORT") or 8000)
    return nginx.Layout(
        rasa_ports=tuple(range(rasa, rasa + replicas)),
        action_ports=tuple(range(action, action + replicas)),
        web_port=int(env.get("WEB_PORT") or 8080),
        public_port=public,
        rasa_lb_port=int(env.get("RASA_LB_PORT") or 5000),
        action_lb_port=int(env.get("ACTION_LB_PORT") or 5050),
        public_listen=f"127.0.0.1:{public}",
    )


def _serve() -> int:
    env = dict(os.environ)
    if SERVICES_ENV.exists():  # the local services' URLs; the environment wins
        env = {**read_env_file(SERVICES_ENV), **env}
    env.setdefault("LOCK_STORE_TYPE", "redis")
    layout = layout_from_env(env)
    print(f"启动集群：{len(layout.rasa_ports)} 个 Rasa 副本、{len(layout.action_ports)} 个动作服务器、nginx、网页组件…")

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        cluster = start(layout, env)
    except ServerError as exc:
        print(f"无法启动集群：{exc}", file=sys.stderr)
        return 1
    example = '{"sender":"u1","message":"石牌街道能不能处罚占道经营"}'
    print(f"就绪：网页组件与渠道回调 {layout.public_url}/ ；REST（经 nginx 分发到各副本）：")
    print(f"  curl -s {layout.rasa_lb_url}/webhooks/rest/webhook -d '{example}'")
    try:
        while all(p.poll() is None for p in cluster.actions + cluster.replicas + cluster.front):
            time.sleep(1)
        print("有服务器进程退出，正在停止集群…", file=sys.stderr)
    except KeyboardInterrupt:
        print("\n正在停止…")
    finally:
        cluster.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cluster", description="多副本部署（本机）")
    parser.add_argument("command", choices=["serve", "nginx-site"])
    args = parser.parse_args(argv)
    if args.command == "nginx-site":
        sys.stdout.write(nginx.site(nginx.Layout()))
        return 0
    return _serve()


if __name__ == "__main__":
    sys.exit(main())
