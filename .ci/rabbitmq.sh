#!/usr/bin/env bash
# A throw-away RabbitMQ for the tests: a private node (own name, cookie, data, logs and epmd) on free ports, listening
# on 127.0.0.1 only. guest/guest works because RabbitMQ accepts guest from loopback.
#   eval "$(bash .ci/rabbitmq.sh start [dir])"  # prints the exports (ANNOTATE_TEST_RABBITMQ, ANNOTATE_TEST_RABBITMQ_DIR,
#                                               # ANNOTATE_TEST_RABBITMQ_CTL: a rabbitmqctl bound to this node)
#   bash .ci/rabbitmq.sh stop [dir]             # stops the node and its epmd, removes the directory
#   bash .ci/rabbitmq.sh restart [dir]          # stops the node and starts it again: same ports, same data
# Everything but the exports goes to stderr, so the output of start can be eval'ed.
set -euo pipefail

sbin=/usr/lib/rabbitmq/bin
[[ -x $sbin/rabbitmq-server ]] || { echo "rabbitmq.sh: $sbin/rabbitmq-server not found; install RabbitMQ (apt-get install -y rabbitmq-server)" >&2; exit 1; }

# The Debian package runs the broker as the rabbitmq user (its /usr/sbin wrappers drop to it); we do the same, with
# our environment kept, because those wrappers rebuild the command line and lose it.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -p -u rabbitmq -- "$@"; else "$@"; fi
}

# A port nothing answers on (bash's /dev/tcp, so no other tool is needed); the node fails clearly if it is taken
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
    echo "rabbitmq.sh: no free port found" >&2; exit 1
}

# Starts the node described by $dir/env (its epmd already running) and waits, bounded, until it is up.
launch() {
    local dir="$1" node epmd
    node=$(. "$dir/env"; echo "$RABBITMQ_NODENAME")
    epmd=$(. "$dir/env"; echo "$ERL_EPMD_PORT")
    (
        . "$dir/env"
        cd "$dir/home"
        as_owner "$sbin/rabbitmq-server" -detached >&2
    ) || { cat "$dir"/log/*.log >&2 2>/dev/null; exit 1; }
    # Bounded: a node that does not come up fails the run rather than hanging it. await_startup gives up at once
    # while the node is not yet registered with this run's epmd, so wait for that first (epmd -names is cheap).
    local tries=0
    until as_owner epmd -port "$epmd" -names 2>/dev/null | grep -q "^name ${node%@*} "; do
        (( ++tries > 240 )) && { echo "rabbitmq.sh: node $node never registered" >&2; tail -n 30 "$dir"/log/*.log >&2 2>/dev/null; exit 1; }
        sleep 0.5
    done
    if ! timeout 120 "$dir/ctl" await_startup --timeout 110 >&2; then
        echo "rabbitmq.sh: node $node did not start" >&2; tail -n 30 "$dir"/log/*.log >&2 2>/dev/null; exit 1
    fi
}

start() {
    local dir="${1:-/tmp/annotate-ci-rabbitmq-$$}" port dist epmd node started
    started=$(date +%s.%N)
    port=$(free_port); dist=$(free_port); epmd=$(free_port)
    node="annotate-$$@localhost"
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    # A private cookie in a private HOME: only this run's rabbitmqctl can talk to this node.
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/home/.erlang.cookie"
    chmod 400 "$dir/home/.erlang.cookie"
    echo '[].' > "$dir/enabled_plugins"
    # Sourced by ctl, stop and the node itself: the whole identity of this run's broker.
    cat > "$dir/env" <<ENV
export HOME='$dir/home'
export RABBITMQ_NODENAME='$node'
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$dist
export RABBITMQ_MNESIA_BASE='$dir/mnesia'
export RABBITMQ_LOG_BASE='$dir/log'
export RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins'
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$epmd
ENV
    # A rabbitmqctl for this node, so tests can create virtual hosts without knowing any of the above.
    cat > "$dir/ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
. '$dir/env'
cd "\$HOME"
if [[ \$(id -u) -eq 0 ]]; then exec runuser -p -u rabbitmq -- $sbin/rabbitmqctl -n "\$RABBITMQ_NODENAME" "\$@"; fi
exec $sbin/rabbitmqctl -n "\$RABBITMQ_NODENAME" "\$@"
CTL
    chmod 755 "$dir" "$dir/ctl"
    [[ $(id -u) -eq 0 ]] && chown -R rabbitmq:rabbitmq "$dir/home" "$dir/mnesia" "$dir/log" "$dir/enabled_plugins"
    (
        . "$dir/env"
        cd "$dir/home"
        # This run's own epmd on its own port, started first so that its pid is known and stop can end exactly it.
        as_owner epmd -port "$epmd" -address 127.0.0.1 -daemon
    ) || exit 1
    launch "$dir"
    echo "rabbitmq.sh: $node on 127.0.0.1:$port started in $(echo "$(date +%s.%N) - $started" | bc 2>/dev/null || echo '?') s" >&2
    echo "export ANNOTATE_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:$port/'"
    echo "export ANNOTATE_TEST_RABBITMQ_DIR='$dir'"
    echo "export ANNOTATE_TEST_RABBITMQ_CTL='$dir/ctl'"
}

stop() {
    local dir="${1:-${ANNOTATE_TEST_RABBITMQ_DIR:-}}"
    [[ -n "$dir" ]] || { echo "rabbitmq.sh: stop needs the directory (or ANNOTATE_TEST_RABBITMQ_DIR)" >&2; exit 1; }
    if [[ -f "$dir/env" ]]; then
        timeout 60 "$dir/ctl" stop >&2 || true
        (
            . "$dir/env"
            # Only this run's epmd: it listens on this run's port.
            as_owner epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
        )
    fi
    rm -rf "$dir"
}

# Stops the node and starts it again on the same ports with the same data (durable queues and persistent messages
# survive), as a broker restart in production would; its epmd keeps running.
restart() {
    local dir="${1:-${ANNOTATE_TEST_RABBITMQ_DIR:-}}" started
    [[ -f "$dir/env" ]] || { echo "rabbitmq.sh: restart needs the directory of a started node (or ANNOTATE_TEST_RABBITMQ_DIR)" >&2; exit 1; }
    started=$(date +%s.%N)
    timeout 60 "$dir/ctl" stop >&2
    # Started again only once the old node has left this run's epmd, so the wait in launch sees the new one.
    local node epmd tries=0
    node=$(. "$dir/env"; echo "$RABBITMQ_NODENAME")
    epmd=$(. "$dir/env"; echo "$ERL_EPMD_PORT")
    while as_owner epmd -port "$epmd" -names 2>/dev/null | grep -q "^name ${node%@*} "; do
        (( ++tries > 120 )) && { echo "rabbitmq.sh: node $node did not stop" >&2; exit 1; }
        sleep 0.5
    done
    launch "$dir"
    echo "rabbitmq.sh: restarted in $(echo "$(date +%s.%N) - $started" | bc 2>/dev/null || echo '?') s" >&2
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    restart) shift; restart "$@" ;;
    *) echo "usage: $0 start [dir] | stop [dir] | restart [dir]" >&2; exit 2 ;;
esac
