#!/usr/bin/env bash
# Reruns every benchmark and regenerates the committed reports in benchmarks/results/:
# BenchmarkDotNet's GitHub-markdown reports (*-report-github.md) and rotation-under-load.md.
# Usage: benchmarks/run.sh [extra BenchmarkDotNet arguments, e.g. --filter '*CacheHitBenchmarks*']
# Run it on a quiet machine; compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=benchmarks/results
artifacts=benchmarks/BenchmarkDotNet.Artifacts
export CROSSCLOUDAUTH_BENCHMARK_RESULTS="$PWD/$results"
mkdir -p "$results"

filter=("--filter" "*")
case " $* " in *" --filter "*) filter=() ;; esac
dotnet run -c Release --project benchmarks/CrossCloudAuth.Benchmarks -- "${filter[@]}" --artifacts "$artifacts" "$@"

for report in "$artifacts"/results/*-report-github.md; do
  [ -e "$report" ] || continue
  name=$(basename "$report")
  cp "$report" "$results/${name#CrossCloudAuth.Benchmarks.}"
done
ls -l "$results"
