#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (Debian's postgresql package) on 127.0.0.1 and
# a free port, with the role and database hlm (trust authentication, loopback only), and prints
# its URL: HLM_TEST_POSTGRES=$(bash scripts/start-postgres.sh). The cluster lives in a new
# temporary folder; `pg_ctl -D <folder>/data stop` (printed on stderr) ends it.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "start-postgres: no PostgreSQL server here (apt-get install postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/hlm-pg.XXXXXX)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user
as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
as "$bin/initdb" -D "$dir/data" -A trust -U hlm -E UTF8 --locale C.UTF-8 > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null
as "$bin/createdb" -h 127.0.0.1 -p "$port" -U hlm hlm
echo "start-postgres: a throwaway cluster on port $port; stop it with: $bin/pg_ctl -D $dir/data stop" >&2
echo "postgresql://hlm@127.0.0.1:$port/hlm"
