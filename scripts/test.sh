#!/usr/bin/env bash
# The project's one test command: builds everything with warnings as errors and runs every test project.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build CrossCloudAuth.sln -c Release
dotnet test CrossCloudAuth.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
