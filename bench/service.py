#!/usr/bin/env python3
"""End-to-end throughput of the running service, and a soak of its memory (issue 12).

Starts the built hosts as a user runs them, sends small documents through the HTTP API, waits until each is
Completed, and reports documents per second (first upload to last document finished), where each document's wall
time went (queued, read, annotate, write, the rest of the worker's job, and from the worker's end to the gateway
recording it), and the resident memory of every process after the warm-up and at the end.

    dotnet build -c Release
    python3 bench/service.py --mode inmemory --documents 1000
    python3 bench/service.py --mode rabbitmq --workers 1 --documents 1000
    python3 bench/service.py --mode rabbitmq --workers 2 --documents 1000
    python3 bench/service.py --mode inmemory --documents 5000 --soak

inmemory: one process (`Annotate.Gateway.dll`, the default set-up: SQLite, in-memory bus, the pipeline in a child).
rabbitmq: the gateway and N workers over a private RabbitMQ node and PostgreSQL server (.ci/rabbitmq.sh,
.ci/postgres.sh), as in README "One Gateway and two Workers on one machine". Everything runs in a temporary folder
and listens on 127.0.0.1 only; every process it starts is stopped by pid at the end, whatever happens.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exports(script, folder):
    """Runs `.ci/<script> start folder` and returns the variables it exports."""
    out = subprocess.run(["bash", os.path.join(REPO, ".ci", script), "start", folder], check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            values[name] = value.strip("'")
    return values


def rss_mib(pid):
    """Resident memory of a process and of its descendants (the pipeline child), MiB, by pid."""
    result = {}
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        result[p] = int(line.split()[1]) / 1024
            # A child is listed under the thread that started it, which need not be the main one.
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    pending.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return result


def document(i, run):
    # ~2 KB of business text, distinct per document (the service would answer a repeated one from its result cache).
    line = f"Contact office{i}@example.com or +44 20 7946 {i % 10000:04d} about order {500 + i}. "
    return (f"Report {run}-{i}\n\nThe budget of EUR {i},250.00 was approved on 15 March 2024 by the board of Example Ltd.\n"
            + line * 20 + "\n").encode()


class Service:
    def __init__(self, args, root):
        self.args, self.root, self.processes = args, root, []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("Annotate__")}
        env.update({"DOTNET_CLI_TELEMETRY_OPTOUT": "1", "ASPNETCORE_URLS": self.url, "Logging__LogLevel__Default": "Warning",
                    "Annotate__Worker__ConcurrentDocuments": str(self.args.concurrency),
                    # One client sends every document and asks after each: the per-client limit would pace the run.
                    "Annotate__Api__RateLimitPermits": "0"})
        if self.args.model:
            env["Annotate__Model__Path"] = os.path.abspath(self.args.model)
        if self.args.idle_stop is not None:
            env["Annotate__Worker__Isolation__IdleStopAfter"] = f"00:00:{self.args.idle_stop:02d}"
        if self.args.mode == "rabbitmq":
            mq = exports("rabbitmq.sh", os.path.join(self.root, "rabbitmq"))
            pg = exports("postgres.sh", os.path.join(self.root, "postgres"))
            env.update({"Annotate__Bus__Transport": "RabbitMq", "Annotate__Bus__RabbitMqUri": mq["ANNOTATE_TEST_RABBITMQ"],
                        "Annotate__State__PostgresConnectionString": pg["ANNOTATE_TEST_POSTGRES"]})
        self.launch("gateway", "Gateway", env)
        self.wait_ready()
        if self.args.mode == "rabbitmq":
            for n in range(self.args.workers):
                worker = dict(env, Annotate__Telemetry__PrometheusPort=str(free_port()))
                self.launch(f"worker-{n + 1}", "Worker", worker)
            self.wait_consumers(mq["ANNOTATE_TEST_RABBITMQ_CTL"])

    def launch(self, name, project, env):
        dll = os.path.join(REPO, "src", project, "bin", "Release", "net10.0", f"Annotate.{project}.dll")
        if not os.path.exists(dll):
            sys.exit(f"{dll} is missing: dotnet build -c Release first")
        log = open(os.path.join(self.root, f"{name}.log"), "wb")
        # The folder is the working directory: the relative defaults (data/…) land in it, shared by every process.
        process = subprocess.Popen(["dotnet", dll], cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((name, process))

    def wait_ready(self):
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health/ready", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            self.check_alive()
            if time.monotonic() > deadline:
                sys.exit("the gateway never became ready")
            time.sleep(0.5)

    def wait_consumers(self, ctl):
        deadline = time.monotonic() + 300
        while True:
            out = subprocess.run([ctl, "list_queues", "-q", "name", "consumers"], capture_output=True, text=True).stdout
            if any(line.split() == ["annotate-document", str(self.args.workers)] for line in out.splitlines()):
                return
            self.check_alive()
            if time.monotonic() > deadline:
                sys.exit(f"annotate-document never had {self.args.workers} consumers:\n{out}")
            time.sleep(0.5)

    def check_alive(self):
        for name, process in self.processes:
            if process.poll() is not None:
                sys.exit(f"{name} exited with {process.returncode}; see {os.path.join(self.root, name + '.log')}")

    def memory(self):
        return {name: rss_mib(process.pid) for name, process in self.processes}

    def stop(self):
        for _, process in self.processes:
            children = rss_mib(process.pid).keys() - {process.pid}
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
            for child in children:
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for script, folder in (("rabbitmq.sh", "rabbitmq"), ("postgres.sh", "postgres")):
            if os.path.isdir(os.path.join(self.root, folder)):
                subprocess.run(["bash", os.path.join(REPO, ".ci", script), "stop", os.path.join(self.root, folder)], capture_output=True)

    # --- the API --------------------------------------------------------------------------------------------------

    def upload(self, name, body):
        boundary = uuid.uuid4().hex
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/plain\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.url + "/api/documents", data=data, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        for _ in range(1000):
            try:
                with urllib.request.urlopen(request, timeout=120) as r:
                    return json.load(r)["id"]
            except urllib.error.HTTPError as e:
                if e.code != 429:
                    raise
                time.sleep(float(e.headers.get("Retry-After") or 1))
        raise RuntimeError("the API kept answering 429")

    def get(self, document_id):
        for _ in range(1000):
            try:
                with urllib.request.urlopen(f"{self.url}/api/documents/{document_id}", timeout=120) as r:
                    return json.load(r)
            except urllib.error.HTTPError as e:
                if e.code != 429:
                    raise
                # The API's rate limit (Annotate:Api:RateLimitPermits): wait as it says.
                time.sleep(float(e.headers.get("Retry-After") or 1))
        raise RuntimeError("the API kept answering 429")


def run_batch(service, count, label, uploaders=2):
    """Uploads `count` documents (`uploaders` at a time) and waits until each is finished: the records, in order."""
    ids = [None] * count
    errors = []

    def upload(part):
        try:
            for i in range(part, count, uploaders):
                ids[i] = service.upload(f"{label}-{i}.txt", document(i, label))
        except Exception as e:  # reported below, after the threads end
            errors.append(e)

    threads = [threading.Thread(target=upload, args=(p,)) for p in range(uploaders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    records = []
    deadline = time.monotonic() + 600 + 10 * count
    for document_id in ids:
        while True:
            record = service.get(document_id)
            if record["state"] in ("Completed", "Failed"):
                records.append(record)
                break
            service.check_alive()
            if time.monotonic() > deadline:
                sys.exit(f"{record['fileName']} is still {record['state']}")
            time.sleep(0.5)
    failed = [r for r in records if r["state"] == "Failed"]
    if failed:
        sys.exit(f"{len(failed)} failed, e.g. {failed[0]['fileName']}: {failed[0].get('reason')} {failed[0].get('message')}")
    return records


def seconds(a, b):
    from datetime import datetime
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


def report(records):
    start = min(r["receivedAt"] for r in records)
    end = max(r["finishedAt"] for r in records)
    wall = seconds(start, end)
    parts = {"queued (received → started)": [], "read": [], "annotate": [], "write": [], "rest of the worker's job": []}
    per_document = []
    unstarted = 0
    for r in records:
        t = r["timings"]
        per_document.append(seconds(r["receivedAt"], r["finishedAt"]))
        if r.get("startedAt") is None:
            # The gateway heard the result before the start (events are not ordered across consumers): the split of
            # queue and job is unknown for this one, so it counts in the rate only.
            unstarted += 1
            continue
        job = t["totalMs"] / 1000
        parts["queued (received → started)"].append(seconds(r["receivedAt"], r["startedAt"]))
        parts["read"].append(t["readMs"] / 1000)
        parts["annotate"].append(t["annotateMs"] / 1000)
        parts["write"].append(t["writeMs"] / 1000)
        parts["rest of the worker's job"].append(job - (t["readMs"] + t["annotateMs"] + t["writeMs"]) / 1000)
    stages = sum(sum(parts[k]) for k in ("read", "annotate", "write"))
    print(f"documents/s {len(records) / wall:.1f} ({len(records)} in {wall:.2f} s, first received to last finished); "
          f"median received → finished {statistics.median(per_document) * 1000:.1f} ms")
    counted = len(records) - unstarted
    print(f"stage time per document {stages / counted * 1000:.2f} ms (read + annotate + write); "
          f"{unstarted} documents without a start time left out of the split below")
    print("| part of a document's wall time | mean ms | share |")
    print("|---|---|---|")
    whole = sum(parts["queued (received → started)"]) + sum(
        seconds(r["startedAt"], r["finishedAt"]) for r in records if r.get("startedAt") is not None)
    for name, values in parts.items():
        print(f"| {name} | {sum(values) / len(values) * 1000:.2f} | {sum(values) / whole:.0%} |")


def print_memory(when, memory):
    cells = []
    for name, by_pid in memory.items():
        cells.append(f"{name} " + " + ".join(f"{v:.0f}" for v in by_pid.values()) + " MiB")
    print(f"resident {when}: " + "; ".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["inmemory", "rabbitmq"], default="inmemory")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2, help="Annotate:Worker:ConcurrentDocuments")
    parser.add_argument("--model", default=None, help="a GGUF file for the workers (default none, as `dotnet run` starts)")
    parser.add_argument("--soak", action="store_true", help="also report memory every 1,000 documents")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    parser.add_argument("--idle-stop", type=int, default=None, metavar="SECONDS",
                        help="Annotate:Worker:Isolation:IdleStopAfter (under 60 s); after the run, wait for the idle children to stop and report memory")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="annotate-bench-service-")
    os.chmod(root, 0o755)  # the servers run as their own users when this runs as root
    service = Service(args, root)
    try:
        print(f"mode {args.mode}" + (f", {args.workers} worker(s)" if args.mode == "rabbitmq" else "")
              + f", {args.documents} documents (~2 KB text) after {args.warmup} warm-up, {args.concurrency} at a time per worker, "
              + f"model {os.path.basename(args.model) if args.model else 'none'}; load average {os.getloadavg()[0]:.1f}")
        started = time.monotonic()
        service.start()
        print(f"ready in {time.monotonic() - started:.1f} s")
        print_memory("after start", service.memory())
        run_batch(service, args.warmup, "warm")
        print_memory("after the warm-up", service.memory())
        records = []
        step = 1000 if args.soak else args.documents
        done = 0
        while done < args.documents:
            n = min(step, args.documents - done)
            records += run_batch(service, n, f"run{done}")
            done += n
            if args.soak:
                print_memory(f"after {done} documents", service.memory())
        report(records)
        print_memory("at the end", service.memory())
        if args.idle_stop is not None:
            deadline = time.monotonic() + args.idle_stop + 120
            while any(len(pids) > 1 for pids in service.memory().values()) and time.monotonic() < deadline:
                time.sleep(1)
            print_memory(f"idle, after the children stopped ({args.idle_stop} s without a document)", service.memory())
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        service.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
