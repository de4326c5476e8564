#!/usr/bin/env bash
# Whole-process cost of a short-lived credential process, side by side in one run, at the local emulator:
#   crosscloud eks-token (Native AOT)  vs  aws eks get-token
#   crosscloud token     (Native AOT)  vs  gcloud auth print-access-token
# Each command runs N times (default 15), interleaved, after five warm-up rounds; the report gives the median wall time and
# the median peak resident memory of each, and the ratios. Both sides do the same hops against the same
# emulator: web identity -> AssumeRole -> presign for EKS; STS token exchange -> impersonation for Google.
# Usage: benchmarks/cli/run.sh [runs]     (writes benchmarks/cli/results.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-15}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "publishing crosscloud (Native AOT, linux-x64) and building the .NET tool (which carries the emulator)..." >&2
dotnet publish src/CrossCloudAuth.Cli -c Release -r linux-x64 -o "$work/aot" >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; exit 1; }
dotnet build src/CrossCloudAuth.Cli -c Release -o "$work/tool" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
tool="$work/aot/crosscloud"

# The local cloud, and the variables it prints.
# Fully optimised code from its first request (no tiered JIT), so that the emulator's warm-up is not charged to the
# commands measured: a crosscloud run is a few milliseconds of the emulator's time, a cloud CLI's run is mostly its own.
DOTNET_TieredCompilation=0 "$work/tool/crosscloud" emulator --dir "$work/cloud" >"$work/exports" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q "Press Ctrl+C" "$work/exports" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export ' "$work/exports")"

# gcloud: an offline configuration folder, logged in with the same credential configuration file.
export CLOUDSDK_CONFIG="$work/gcloud" CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_CORE_CHECK_GCE_METADATA=false \
  CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true CLOUDSDK_SURVEY_DISABLE_PROMPTS=true \
  NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
gcloud auth login --cred-file="$GOOGLE_APPLICATION_CREDENTIALS" >/dev/null 2>&1
# The AWS CLI caches assumed-role credentials under ~/.aws/cli/cache; a fresh HOME per run keeps it honest (it
# would otherwise skip both STS calls, which no credential plugin started by kubectl for a new pod can count on).
export AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"

# The AWS CLI as a user starts it: when `aws` on PATH is a version manager's shim (pyenv's is a bash script that runs
# `pyenv exec`, about 0.3 s here), the executable it would start is measured instead; the shim is not the CLI.
aws_cli=$(command -v aws)
if head -c 200 "$aws_cli" 2>/dev/null | grep -q pyenv && command -v pyenv >/dev/null 2>&1; then
  aws_cli=$(pyenv which aws)
fi

# Each round runs the four commands once, in turn (so a change of load on a shared machine touches every command alike),
# after five warm-up rounds (every command must succeed). Wall time is taken around fork/exec/wait with a monotonic clock
# (microseconds), peak resident memory from the child's rusage (what GNU time's %M reports).
python3 - "$work/samples" "$runs" "$tool" "$aws_cli" <<'PY'
import os, subprocess, sys, time
out, runs, tool, aws = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
commands = {
    "crosscloud-eks-token": [tool, "eks-token", "--cluster", "target-cluster", "--profile", "target"],
    "aws-eks-get-token": [aws, "eks", "get-token", "--cluster-name", "target-cluster", "--profile", "target"],
    "crosscloud-token": [tool, "token"],
    "gcloud-print-access-token": ["gcloud", "auth", "print-access-token"],
}
work = os.path.dirname(out)
def run(argv, home):
    env = dict(os.environ, HOME=home)
    start = time.perf_counter_ns()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall_ms = (time.perf_counter_ns() - start) / 1e6
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode(errors="replace"); child.stderr.close()
    if child.returncode != 0:
        sys.exit(f"FAILED ({child.returncode}): {' '.join(argv)}\n{err}")
    return wall_ms, usage.ru_maxrss  # KiB on Linux
with open(out, "w") as samples:
    # Five warm-up rounds: the first checks that every command succeeds, the rest let the emulator (an ASP.NET Core
    # app, just started) reach its steady state, which a 30 ms process would otherwise pay for in the first rounds.
    for warmup in range(5):
        for name, argv in commands.items():
            run(argv, os.path.join(work, f"home-warmup-{warmup}"))
    for i in range(runs):
        for name, argv in commands.items():
            wall, kib = run(argv, os.path.join(work, f"home-{name}-{i}"))
            samples.write(f"{name} {wall / 1000:.6f} {kib}\n")
PY

python3 - "$work/samples" "$runs" "$aws_cli" <<'PY' | tee benchmarks/cli/results.md
import statistics, sys, platform, subprocess
rows = {}
for line in open(sys.argv[1]):
    name, wall, kb = line.split()
    rows.setdefault(name, ([], []))
    rows[name][0].append(float(wall) * 1000)
    rows[name][1].append(int(kb) / 1024)
med = {k: (statistics.median(w), statistics.median(m)) for k, (w, m) in rows.items()}
def ver(cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception: return "?"
print("# crosscloud vs the cloud CLIs: whole process, side by side\n")
print(f"Median of {sys.argv[2]} runs each after five warm-up rounds, at the local emulator, on {platform.machine()} "
      f"({open('/proc/cpuinfo').read().count('processor')} cores, shared; load average {open('/proc/loadavg').read().split()[0]} at the end); wall time around fork/exec/wait (monotonic clock, interleaved rounds) and peak RSS from rusage.")
print(f"Peers: {ver([sys.argv[3],'--version']) or '?'} (`{sys.argv[3]}`); {ver(['gcloud','--version'])} (its bundled Python).\n")
print("| command | median wall | median peak RSS | crosscloud is |")
print("|---|---:|---:|---:|")
label = {"crosscloud-eks-token": "crosscloud eks-token", "aws-eks-get-token": "aws eks get-token",
         "crosscloud-token": "crosscloud token", "gcloud-print-access-token": "gcloud auth print-access-token"}
for ours, peer in (("crosscloud-eks-token", "aws-eks-get-token"), ("crosscloud-token", "gcloud-print-access-token")):
    ow, om = med[ours]; pw, pm = med[peer]
    print(f"| `{label[ours]}` (Native AOT) | {ow:.1f} ms | {om:.0f} MiB | |")
    ratio = pw / ow if ow > 0 else float('inf')
    print(f"| `{label[peer]}` | {pw:.0f} ms | {pm:.0f} MiB | {ratio:.1f}× faster, {pm/om:.1f}× less memory |")
PY
