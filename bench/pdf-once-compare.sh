#!/bin/bash
# Fresh processes reading one PDF, sides taking turns within each round (docs/BENCHMARKS.md, issue 12, PDF part).
# usage: bench/pdf-once-compare.sh ROUNDS FILE 'NAME|BENCH_DLL|READS|THREADS|ENV=VALUE ...' ...
# Each line: round, side, threads, then what `Annotate.Bench pdf-once` prints (first and last read s, collections,
# GC pause, allocations, heap).
set -euo pipefail
rounds=$1; file=$2; shift 2
for round in $(seq 1 "$rounds"); do
  for side in "$@"; do
    IFS='|' read -r name dll reads threads settings <<< "$side"
    # shellcheck disable=SC2086 # the settings are words on purpose
    out=$(env X=1 $settings dotnet "$dll" pdf-once --reads "$reads" "$threads" "$file")
    echo "$round $name t$threads $out"
  done
done
