#!/usr/bin/env bash
# Runs what the images run, with the environment compose.yaml gives them, from Debian's packages: RabbitMQ and
# PostgreSQL (.ci/rabbitmq.sh, .ci/postgres.sh), the gateway and two workers from the dotnet builds. It annotates a few
# documents through the gateway's HTTP API and checks they complete. tests/Deploy.Tests runs it (SmokeTests).
#   dotnet build -c Release && bash deploy/smoke.sh
# What differs from the containers, and only that: the servers' addresses and ports (127.0.0.1, free ports), the
# gateway listening on 127.0.0.1 instead of every interface, one metrics port per worker (containers each have their
# own), and the model: the tiny test model copied into the models folder where `models pull` would put the catalogue's.
# Everything it starts is stopped by pid on exit, whatever happens; nothing listens beyond 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
say() { echo "smoke [${SECONDS}s]: $*" >&2; }
configuration=${CONFIGURATION:-Release}
model=${ANNOTATE_SMOKE_MODEL:-$repo/../shared/models/stories260K.gguf}
corpus=${ANNOTATE_SMOKE_CORPUS:-$repo/../shared/corpus}
gateway_dll=$repo/src/Gateway/bin/$configuration/net10.0/Annotate.Gateway.dll
worker_dll=$repo/src/Worker/bin/$configuration/net10.0/Annotate.Worker.dll
for file in "$gateway_dll" "$worker_dll" "$model"; do
    [[ -f $file ]] || { say "$file is missing (dotnet build -c $configuration first)"; exit 1; }
done

# ANNOTATE_SMOKE_ROOT: a folder of the caller's (created here), so it can stop the servers if it has to kill this script.
root=${ANNOTATE_SMOKE_ROOT:-$(mktemp -d /tmp/annotate-smoke.XXXXXX)}
mkdir -p "$root"
# The servers run as their own users when this runs as root: they must reach their folders inside.
chmod 755 "$root"
pids=()
stop() {
    local status=$? pid children=()
    for pid in "${pids[@]}"; do
        # The workers' pipeline children run in process groups of their own: note them before their parent goes.
        mapfile -t -O "${#children[@]}" children < <(pgrep -P "$pid" || true)
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # Bounded: a worker lets documents in progress finish for ShutdownGrace (nothing is in progress here).
        timeout 90 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    if (( status != 0 )); then
        for log in "$root"/*.log; do [[ -f $log ]] && { echo "--- $(basename "$log")" >&2; tail -n 30 "$log" >&2; }; done
    fi
    say "stopping"
    bash .ci/rabbitmq.sh stop "$root/rabbitmq" 2>/dev/null || true
    bash .ci/postgres.sh stop "$root/postgres" 2>/dev/null || true
    rm -rf "$root"
    exit "$status"
}
trap stop EXIT

# The user's .env: .env.example with the required values filled in, fresh for this run (never written to the repository).
key=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
{
    grep -vE '^(RABBITMQ_PASSWORD|POSTGRES_PASSWORD|ANNOTATE_API_KEY_SHA256|ANNOTATE_MODEL_FILE)=' .env.example
    echo "RABBITMQ_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "ANNOTATE_API_KEY_SHA256=$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
    echo "ANNOTATE_MODEL_FILE=$(basename "$model")"
} > "$root/.env"
chmod 600 "$root/.env"
set -a; . "$root/.env"; set +a

say "starting RabbitMQ and PostgreSQL"
# Together: each script waits (bounded) until its server accepts connections.
bash .ci/postgres.sh start "$root/postgres" > "$root/postgres.exports" &
postgres_start=$!
exports=$(bash .ci/rabbitmq.sh start "$root/rabbitmq"); eval "$exports"
wait "$postgres_start"; eval "$(cat "$root/postgres.exports")"
say "RabbitMQ and PostgreSQL started"
mq_port=${ANNOTATE_TEST_RABBITMQ##*:}; mq_port=${mq_port%%/*}
pg_port=$(cat "$root/postgres/port")
# What the official images do at their first start with the same variables: the broker's user, the database and its owner.
"$ANNOTATE_TEST_RABBITMQ_CTL" add_user "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" >&2
"$ANNOTATE_TEST_RABBITMQ_CTL" set_permissions -p / "$RABBITMQ_USER" '.*' '.*' '.*' >&2
consumer_timeout=$(sed -n 's/^consumer_timeout *= *\([0-9]*\).*/\1/p' deploy/rabbitmq/rabbitmq.conf)
"$ANNOTATE_TEST_RABBITMQ_CTL" eval "application:set_env(rabbit, consumer_timeout, $consumer_timeout)." >/dev/null
psql -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" \
    -c "CREATE ROLE \"$POSTGRES_USER\" LOGIN PASSWORD '$POSTGRES_PASSWORD'" -c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" >&2

# The folder the volumes are mounted in (the images' working directory): data/ shared by all, models/ for the workers.
mkdir -p "$root/srv/data" "$root/srv/models"
cp "$model" "$root/srv/models/"

# A service's environment and command from compose.yaml, interpolated with .env, with the addresses of this machine.
# Prints NUL-separated NAME=value entries, then the command's arguments after a "--" entry.
service_env() {
    python3 - "$1" "$2" <<'PY'
import re, sys, yaml
service, metrics = sys.argv[1], sys.argv[2]
import os
compose = yaml.safe_load(open("compose.yaml"))  # PyYAML resolves anchors and merge keys as compose does
def interpolate(text):
    def one(m):
        if m.group(0) == "$$": return "$"
        value = os.environ.get(m.group("name"), "")
        if m.group("op") == ":?" and not value: sys.exit(f"compose would stop: {m.group('name')}: {m.group('arg')}")
        return value if value or m.group("op") != ":-" else m.group("arg")
    return re.sub(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}", one, str(text))
spec = compose["services"][service]
env = {k: interpolate(v) for k, v in (spec.get("environment") or {}).items()}
names = set(compose["services"])
local = {"rabbitmq": os.environ["MQ_PORT"], "postgres": os.environ["PG_PORT"]}
if env.get("Annotate__Bus__Host") in names:
    env["Annotate__Bus__Port"] = local[env["Annotate__Bus__Host"]]
    env["Annotate__Bus__Host"] = "127.0.0.1"
key = "Annotate__State__PostgresConnectionString"
if key in env:
    parts = dict(p.split("=", 1) for p in env[key].split(";") if p)
    parts["Port"] = local[parts["Host"]]; parts["Host"] = "127.0.0.1"
    env[key] = ";".join(f"{k}={v}" for k, v in parts.items())
if "ASPNETCORE_HTTP_PORTS" in env:
    env["ASPNETCORE_URLS"] = f"http://127.0.0.1:{os.environ['GATEWAY_PORT']}"
    del env["ASPNETCORE_HTTP_PORTS"]
if "Annotate__Telemetry__PrometheusPort" in env:
    env["Annotate__Telemetry__PrometheusPort"] = metrics
out = [f"{k}={v}" for k, v in env.items()] + ["--"] + [interpolate(a) for a in spec.get("command") or []]
sys.stdout.write("\0".join(out))
PY
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts a dll as its image would (a clean environment: compose's variables only), in the volumes' folder.
launch() {
    local name=$1 dll=$2 metrics=$3 log=$4 entries=() variables=() arguments=() seen=0 entry
    mapfile -d '' entries < <(MQ_PORT=$mq_port PG_PORT=$pg_port GATEWAY_PORT=$gateway_port service_env "$name" "$metrics")
    for entry in "${entries[@]}"; do
        if [[ $entry == -- ]]; then seen=1; elif (( seen )); then arguments+=("$entry"); else variables+=("$entry"); fi
    done
    (cd "$root/srv" && exec env -i PATH="$PATH" HOME="$HOME" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} DOTNET_gcServer=0 \
        DOTNET_EnableDiagnostics=0 "${variables[@]}" dotnet "$dll" "${arguments[@]}") > "$root/$log.log" 2>&1 &
    pids+=($!)
}

# Waits (bounded) until a URL answers 200, or the process that should answer it has ended.
wait_ok() {
    local url=$1 pid=$2 what=$3 deadline=$((SECONDS + ${4:-180}))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { say "$what exited"; exit 1; }
        (( SECONDS < deadline )) || { say "$what did not answer $url"; exit 1; }
        sleep 0.5
    done
}

gateway_port=$(free_port)
launch gateway "$gateway_dll" 0 gateway
gateway=http://127.0.0.1:$gateway_port
wait_ok "$gateway/health/live" "${pids[0]}" gateway
# What compose's health check and the Kubernetes readiness probe ask.
wait_ok "$gateway/health/ready" "${pids[0]}" gateway
say "gateway ready on $gateway"
metrics=("$(free_port)" "$(free_port)")
for i in 0 1; do
    launch worker "$worker_dll" "${metrics[$i]}" "worker-$((i + 1))"
done
for i in 0 1; do
    # The workers' health check: their metrics listener answers, on the port compose gives each (here one per worker).
    wait_ok "http://localhost:${metrics[$i]}/metrics" "${pids[$((i + 1))]}" "worker-$((i + 1))"
done

# Both workers consume the work queue, a quorum queue as compose asks (Annotate__Bus__QuorumQueues).
deadline=$((SECONDS + 180))
until "$ANNOTATE_TEST_RABBITMQ_CTL" list_queues -q name type consumers 2>/dev/null | grep -qE '^annotate-document\s+quorum\s+2$'; do
    (( SECONDS < deadline )) || { say "annotate-document has not two consumers:"; "$ANNOTATE_TEST_RABBITMQ_CTL" list_queues name type consumers >&2; exit 1; }
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { say "a process exited"; exit 1; }; done
    sleep 0.5
done
say "two workers consuming annotate-document (quorum)"

# Documents through the HTTP API, with the key whose hash compose gives the gateway.
documents=("$corpus/pdf/minimal-document.pdf" "$corpus/pdf/multicolumn.pdf" "$corpus/xlsx/UsingTables.xlsx")
printf 'Memo\n\nInvoice SMOKE-%s is due on 2024-05-31. Please pay 1250.00 EUR to billing@example.com.\n' "$$" > "$root/memo.txt"
documents+=("$root/memo.txt")
ids=()
for document in "${documents[@]}"; do
    answer=$(curl -fsS -H "X-Api-Key: $key" -F "file=@$document" "$gateway/api/documents")
    ids+=("$(python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' <<< "$answer")")
done
# Without the key the API refuses: the key configuration is what admitted the uploads.
[[ $(curl -s -o /dev/null -w '%{http_code}' "$gateway/api/documents") == 401 ]] || { say "the API answered without a key"; exit 1; }

deadline=$((SECONDS + 300))
for i in "${!ids[@]}"; do
    while :; do
        state=$(curl -fsS -H "X-Api-Key: $key" "$gateway/api/documents/${ids[$i]}" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["state"], d.get("reason") or "")')
        case $state in
            Completed*) break ;;
            Failed*) say "$(basename "${documents[$i]}") failed: $state"; exit 1 ;;
        esac
        (( SECONDS < deadline )) || { say "$(basename "${documents[$i]}") is still $state"; exit 1; }
        sleep 0.5
    done
    curl -fsS -o /dev/null -H "X-Api-Key: $key" "$gateway/api/documents/${ids[$i]}/files/annotations.json"
    say "$(basename "${documents[$i]}") Completed"
done
annotated=$(cat "$root"/worker-*.log | grep -c ' annotated ' || true)
echo "smoke: ${#ids[@]} documents Completed through the gateway and two workers ($annotated annotated lines in the workers' logs) in ${SECONDS}s"
