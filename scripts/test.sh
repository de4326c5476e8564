#!/usr/bin/env bash
# The project's one test command: builds everything with warnings as errors and runs every test project.
# Usage: scripts/test.sh [extra dotnet test arguments]
# Every test project in CrossCloudAuth.sln runs: CrossCloudAuth.Tests, CrossCloudAuth.Testing.Tests,
# CrossCloudAuth.EndToEndTests, CrossCloudAuth.Conformance and CrossCloudAuth.Cli.Tests (the crosscloud tool, in-process
# against the emulator; `scripts/test.sh --filter "FullyQualifiedName~CrossCloudAuth.Cli.Tests"` runs only them).
# Then the package smoke test (scripts/package-smoke.sh) and the Native AOT smoke test (scripts/aot-smoke.sh);
# SKIP_PACKAGE_SMOKE=1 / SKIP_AOT_SMOKE=1 skip them outside CI.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Conformance tests drive Google's Node.js auth library, pinned by tests/CrossCloudAuth.Conformance/node/package-lock.json.
# The other tools they use (python3 + moto, aws, gcloud) come with the machine; see docs/conformance.md.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd tests/CrossCloudAuth.Conformance/node && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "node/npm not found: the Node.js conformance tests will be skipped (or fail when CI=true)." >&2
fi

dotnet build CrossCloudAuth.sln -c Release
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test CrossCloudAuth.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test project.
sum() { grep -E "^\s+$1:\s+[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
echo "tests: $(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"

# The packages as a user gets them (scripts/package-smoke.sh): pack, a throw-away app restored from the packed folder
# against the Testing package's emulator, the crosscloud tool installed from it. SKIP_PACKAGE_SMOKE=1 skips it while
# iterating locally; with CI=true it always runs.
if [[ "${SKIP_PACKAGE_SMOKE:-}" == "1" && "${CI:-}" != "true" ]]; then
  echo "package smoke: skipped (SKIP_PACKAGE_SMOKE=1; CI runs it)"
else
  scripts/package-smoke.sh --no-build || { echo "package smoke: failed"; status=1; }
fi
# The Native AOT crosscloud (scripts/aot-smoke.sh): published for this machine, then eks-token, token and doctor
# against the emulator; trimming and AOT problems show only there. SKIP_AOT_SMOKE=1 skips it outside CI.
if [[ "${SKIP_AOT_SMOKE:-}" == "1" && "${CI:-}" != "true" ]]; then
  echo "aot smoke: skipped (SKIP_AOT_SMOKE=1; CI runs it)"
else
  scripts/aot-smoke.sh --no-build || { echo "aot smoke: failed"; status=1; }
fi
exit "$status"
