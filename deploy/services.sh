#!/usr/bin/env bash
# Local PostgreSQL and Redis (and nginx) for `make run-cluster` and the cluster tests:
# installs the Debian packages when absent, starts the servers when they are down, creates the
# project's PostgreSQL role (allowed to create databases) and its three databases, and writes
# their URLs to build/services.env (mode 600; the password is generated once, kept there,
# never in the repository).
#
#   deploy/services.sh            install + start; fails when it cannot
#   deploy/services.sh --optional same, but only warns (exit 0) when it cannot: `make test` uses it,
#                                 and the cluster tests then skip, saying why
# Settings (environment): SERVICES_ENV (output file), PG_ROLE, PG_PORT, REDIS_PORT.
set -uo pipefail
cd "$(dirname "$0")/.."

OPTIONAL=0
[ "${1:-}" = "--optional" ] && OPTIONAL=1
OUT=${SERVICES_ENV:-build/services.env}
PG_ROLE=${PG_ROLE:-zhenjie}
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
PACKAGES="postgresql redis-server nginx"

fail() {
  echo "本地服务：$*" >&2
  if [ "$OPTIONAL" = 1 ]; then
    echo "本地服务：跳过（集群测试将说明原因并跳过）。" >&2
    exit 0
  fi
  exit 1
}

# Already set up (by an earlier run, or by an administrator): nothing to install or start.
if [ -r "$OUT" ] && command -v psql >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
  && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } \
  && psql "$(sed -n 's/^PG_ADMIN_URL=//p' "$OUT")" -qtAc 'SELECT 1' >/dev/null 2>&1 \
  && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "本地服务已在运行：PostgreSQL :$PG_PORT，Redis :$REDIS_PORT；地址见 $OUT"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then SUDO=""; AS_PG="runuser -u postgres --"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; AS_PG="sudo -u postgres"
else fail "需要 root 或免密 sudo 才能安装并启动 PostgreSQL、Redis 和 nginx"; fi

missing=""
command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
  command -v apt-get >/dev/null 2>&1 || fail "没有 apt-get，无法安装$missing：请用系统的包管理器安装 $PACKAGES 后重试"
  echo "安装$missing …"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing \
    >/dev/null || fail "安装$missing 失败"
  # Debian starts nothing without systemd; the package's own nginx (port 80) is not ours to run.
fi

# ---- PostgreSQL: the first cluster on PG_PORT, created when there is none --------------------
cluster=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  $SUDO pg_createcluster -p "$PG_PORT" "$version" main >/dev/null || fail "无法创建 PostgreSQL 集群"
  cluster="$version main"
fi
if ! pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p && $4 == "online" {found=1} END {exit !found}'; then
  echo "启动 PostgreSQL（$cluster，端口 $PG_PORT）…"
  $SUDO pg_ctlcluster $cluster start || fail "PostgreSQL 启动失败（见 /var/log/postgresql/）"
fi

password=""
[ -r "$OUT" ] && password=$(sed -n 's/^PG_PASSWORD=//p' "$OUT")
[ -n "$password" ] || password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
psql_admin() { (cd / && $AS_PG psql -p "$PG_PORT" -qtA -v ON_ERROR_STOP=1 "$@"); }
for _ in $(seq 30); do psql_admin -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $PG_ROLE LOGIN CREATEDB" || fail "无法创建角色 $PG_ROLE"
fi
psql_admin -c "ALTER ROLE $PG_ROLE PASSWORD '$password'" >/dev/null || fail "无法设置角色 $PG_ROLE 的密码"
for db in "${PG_ROLE}_kb" "${PG_ROLE}_ops" "${PG_ROLE}_rasa"; do
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE $db OWNER $PG_ROLE" || fail "无法创建数据库 $db"
  fi
done

# ---- Redis: Rasa's lock store; nothing in it needs to survive a restart ----------------------
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "启动 Redis（端口 $REDIS_PORT）…"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile "" >/dev/null || fail "Redis 启动失败"
  for _ in $(seq 20); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || fail "Redis 未响应"
fi

mkdir -p "$(dirname "$OUT")"
umask 077
base="postgresql://$PG_ROLE:$password@127.0.0.1:$PG_PORT"
cat > "$OUT" <<ENV
# Written by deploy/services.sh: the local PostgreSQL and Redis of this machine. Not in git.
PG_PASSWORD=$password
PG_ADMIN_URL=$base/postgres
KB_DATABASE_URL=$base/${PG_ROLE}_kb
OPS_DATABASE_URL=$base/${PG_ROLE}_ops
TRACKER_STORE_URL=$base/${PG_ROLE}_rasa
LOCK_STORE_TYPE=redis
REDIS_HOST=127.0.0.1
REDIS_PORT=$REDIS_PORT
ENV
echo "本地服务就绪：PostgreSQL :$PG_PORT（角色 $PG_ROLE），Redis :$REDIS_PORT，nginx $(command -v nginx || echo /usr/sbin/nginx)；地址见 $OUT"
