#!/usr/bin/env bash
# A throw-away PostgreSQL for the tests: its own data directory, a free port on 127.0.0.1 only, unix sockets in that
# directory, trust authentication for 127.0.0.1 only.
#   eval "$(bash .ci/postgres.sh start)"   # prints the exports (ANNOTATE_TEST_POSTGRES, ANNOTATE_TEST_POSTGRES_DIR)
#   bash .ci/postgres.sh stop [dir]        # stops it (pg_ctl by data directory) and removes the directory
#   bash .ci/postgres.sh stop-server [dir] # stops the server only, keeping its data (an outage)
#   bash .ci/postgres.sh start-server [dir]# starts it again on the same port with the same data
# Everything but the exports goes to stderr, so the output of start can be eval'ed.
set -euo pipefail

bin() {
    # The versioned directory first: /usr/bin wrappers of postgresql-common do not offer initdb on every distribution.
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/$1" ]] && { echo "$dir/$1"; return; }
    done
    command -v "$1" || { echo "postgres.sh: $1 not found; install PostgreSQL (apt-get install -y postgresql)" >&2; exit 1; }
}

# The server refuses to run as root: run it as the postgres user when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port nothing answers on (bash's /dev/tcp, so no other tool is needed); the server fails clearly if it is taken
# in between.
free_port() {
    local port
    # Below the kernel's range for outgoing connections' local ports (32768–60999 by default): a port there can be
    # taken by any client socket between this check and the server's bind (EADDRINUSE), one below it only by a listener.
    local low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    (( low > 11000 )) || low=32768
    for _ in $(seq 50); do
        port=$(( 10000 + RANDOM % (low - 10000) ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    echo "postgres.sh: no free port found" >&2; exit 1
}

# Starts the server of $dir on the port recorded in $dir/port and waits, bounded, until it accepts connections.
launch() {
    local dir="$1" port
    port=$(cat "$dir/port")
    as_owner "$(bin pg_ctl)" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    local tries=0
    until "$(bin pg_isready)" -h 127.0.0.1 -p "$port" -q; do
        (( ++tries > 60 )) && { echo "postgres.sh: not ready on port $port" >&2; cat "$dir/server.log" >&2; exit 1; }
        sleep 0.5
    done
}

start() {
    local dir="${1:-/tmp/annotate-ci-pg-$$}" port
    port=$(free_port)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_owner "$(bin initdb)" -D "$dir/data" -U postgres --auth-local=trust --auth-host=reject -E UTF8 --no-sync --no-instructions >/dev/null
    # Trust for 127.0.0.1 only; everything else (other hosts, IPv6) is rejected by initdb's defaults above.
    as_owner sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$dir/data/pg_hba.conf'"
    echo "$port" > "$dir/port"
    launch "$dir"
    as_owner "$(bin createdb)" -h "$dir" -p "$port" -U postgres annotate_test >&2
    echo "export ANNOTATE_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=annotate_test'"
    echo "export ANNOTATE_TEST_POSTGRES_DIR='$dir'"
}

stop() {
    local dir="${1:-${ANNOTATE_TEST_POSTGRES_DIR:-}}"
    [[ -n "$dir" ]] || { echo "postgres.sh: stop needs the directory (or ANNOTATE_TEST_POSTGRES_DIR)" >&2; exit 1; }
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$(bin pg_ctl)" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
}

# An outage: the server stops (fast: open connections are cut, as a crash or a failover would) and keeps its data.
stop_server() {
    local dir="${1:-${ANNOTATE_TEST_POSTGRES_DIR:-}}"
    [[ -f "$dir/port" ]] || { echo "postgres.sh: stop-server needs the directory of a started server (or ANNOTATE_TEST_POSTGRES_DIR)" >&2; exit 1; }
    as_owner "$(bin pg_ctl)" -D "$dir/data" -m fast -w stop >&2
}

start_server() {
    local dir="${1:-${ANNOTATE_TEST_POSTGRES_DIR:-}}"
    [[ -f "$dir/port" ]] || { echo "postgres.sh: start-server needs the directory of a started server (or ANNOTATE_TEST_POSTGRES_DIR)" >&2; exit 1; }
    launch "$dir"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    stop-server) shift; stop_server "$@" ;;
    start-server) shift; start_server "$@" ;;
    *) echo "usage: $0 start [dir] | stop [dir] | stop-server [dir] | start-server [dir]" >&2; exit 2 ;;
esac
