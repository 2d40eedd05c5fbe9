#!/usr/bin/env python3
"""Where the first document after start spends its time, stage by stage, against the documents after it (issue 12).

Starts a built gateway (the one-process service) in a temporary folder, waits until its pipeline child has warmed up,
drops the given files into the watched folder one after another (each once the one before is Completed or Failed),
and prints for each: the inbox's claim after the drop (its settle time, 3 s by default), the hand-over to the worker
(dispatched → started), the pipeline (the worker's own time: read, annotate, write), the completion (the worker's end
→ the gateway's console line) and the whole wall time, with each annotator's time from its annotations.json, and the
methods the gateway's JIT compiled meanwhile (its `/metrics`: `dotnet_jit_compiled_methods_total`, the JIT's time
across threads `dotnet_jit_compilation_time_seconds_total`; the pipeline child's own JIT is not in them).

    dotnet build -c Release
    python3 bench/first-document.py --gateway src/Gateway/bin/Release/net10.0/Annotate.Gateway.dll FILE FILE FILE

With `--pdftotext` each PDF is also read by `pdftotext` once the service is done with it, and the table gives
pdftotext's time ÷ the service's drop → Completed less the settle time (issue 12's end-to-end ratio, per document).

Listens on 127.0.0.1 only; the gateway it starts is stopped by pid, and its folder deleted, whatever happens.
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jit(port):
    """The gateway's JIT so far: methods compiled and seconds spent, from its Prometheus metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode("utf-8")
    values = {}
    for line in text.splitlines():
        for name in ("dotnet_jit_compiled_methods_total", "dotnet_jit_compilation_time_seconds_total"):
            if line.startswith(name + " ") or line.startswith(name + "{"):
                values[name] = values.get(name, 0) + float(line.rsplit(" ", 1)[1])
    return values.get("dotnet_jit_compiled_methods_total", 0), values.get("dotnet_jit_compilation_time_seconds_total", 0)


def stamp(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", required=True, help="path of Annotate.Gateway.dll")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the warm-up and for each document")
    parser.add_argument("--pdftotext", action="store_true",
                        help="also time pdftotext on each file once the service is done with it, and print pdftotext's time ÷ "
                             "the service's drop → Completed less the settle time")
    parser.add_argument("--settle-time", type=float, default=3.0, help="the inbox's settle time the gateway runs with (3 s by default)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    gateway = os.path.abspath(args.gateway)
    files = [os.path.abspath(f) for f in args.files]
    port = free_port()
    root = tempfile.mkdtemp(prefix="annotate-first-document-")
    os.makedirs(os.path.join(root, "data", "inbox"))
    env = dict(os.environ, ASPNETCORE_URLS=f"http://127.0.0.1:{port}", DOTNET_ENVIRONMENT="Production")
    process = subprocess.Popen(["dotnet", gateway], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    changed = threading.Condition()

    def read():
        for line in process.stdout:
            with changed:
                lines.append((time.time(), line.rstrip()))
                changed.notify_all()

    threading.Thread(target=read, daemon=True).start()

    def wait_for(predicate):
        deadline = time.time() + args.timeout
        seen = 0
        with changed:
            while time.time() < deadline:
                for at, line in lines[seen:]:
                    if predicate(line):
                        return at, line
                seen = len(lines)
                if process.poll() is not None:
                    raise SystemExit("the gateway exited:\n" + "\n".join(line for _, line in lines[-20:]))
                changed.wait(1)
        raise SystemExit("timed out; last lines:\n" + "\n".join(line for _, line in lines[-20:]))

    try:
        wait_for(lambda line: "warmed up" in line)
        # The metrics endpoint's own first scrape compiles its exporter: done here, not counted to the first document.
        jit(port)
        dropped = []
        for i, source in enumerate(files):
            name = f"document-{i}{os.path.splitext(source)[1]}"
            staging = os.path.join(root, "data", name)
            shutil.copy(source, staging)
            before = jit(port)
            at = time.time()
            os.rename(staging, os.path.join(root, "data", "inbox", name))
            done, _ = wait_for(lambda line, name=name: name in line and ("Completed" in line or "Failed" in line))
            after = jit(port)
            pdftotext = None
            if args.pdftotext:
                # The same file once the service is done with it: pdftotext has the machine as the service had it.
                clock = time.perf_counter()
                subprocess.run(["pdftotext", source, os.devnull], check=True, capture_output=True)
                pdftotext = time.perf_counter() - clock
            dropped.append((name, os.path.basename(source), at, done, (after[0] - before[0], (after[1] - before[1]) * 1000), pdftotext))
        base = f"http://127.0.0.1:{port}/api/documents"
        listed = json.load(urllib.request.urlopen(base))
        items = listed["items"] if isinstance(listed, dict) else listed
        ids = {d["fileName"]: d["id"] for d in items}
        print("| document | file | claimed after the drop s | hand-over s | pipeline s | read / annotate / write ms | completion s | wall s "
              "| gateway JIT methods / ms |" + (" pdftotext s | pdftotext ÷ (wall − settle) |" if args.pdftotext else "") + " annotators ms |")
        print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if args.pdftotext else "") + "---|")
        for name, source, at, done, (methods, jit_ms), pdftotext in dropped:
            record = json.load(urllib.request.urlopen(f"{base}/{ids[name]}"))
            received, dispatched = stamp(record.get("receivedAt")), stamp(record.get("dispatchedAt"))
            started, finished = stamp(record.get("startedAt")), stamp(record.get("finishedAt"))
            timings = record.get("timings") or {}
            annotators = {}
            for path in glob.glob(os.path.join(root, "data", "outbox", "*", "annotations.json")):
                with open(path, encoding="utf-8") as f:
                    annotations = json.load(f)
                if name in json.dumps(annotations.get("source", annotations))[:4000]:
                    annotators = {a["name"]: a.get("durationMs") or 0 for a in annotations.get("annotators", [])}
            handed = (started or finished) - (dispatched or received)
            print(f"| {name} | {source} | {received - at:.3f} | {handed:.3f} | {timings.get('totalMs', 0) / 1000:.3f} | "
                  f"{timings.get('readMs', 0):.0f} / {timings.get('annotateMs', 0):.0f} / {timings.get('writeMs', 0):.0f} | "
                  f"{done - finished:.3f} | {done - at:.3f} | {methods:.0f} / {jit_ms:.0f} | "
                  + (f"{pdftotext:.3f} | {pdftotext / (done - at - args.settle_time):.2f} | " if pdftotext is not None else "")
                  + ", ".join(f"{k} {v:.0f}" for k, v in annotators.items() if v >= 5) + " |")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
