#!/usr/bin/env bash
# Brings every shipping project's PublicAPI.Unshipped.txt in line with its code: adds the symbols the
# PublicApiAnalyzers report as undeclared (RS0016) and drops the ones reported as removed (RS0017).
# Review the diff: it is the change to the public surface.
set -euo pipefail
cd "$(dirname "$0")/.."

for project in src/*/*.csproj; do
  dir=$(dirname "$project")
  unshipped="$dir/PublicAPI.Unshipped.txt"
  [ -f "$unshipped" ] || printf '#nullable enable\n' > "$unshipped"
  log=$(mktemp)
  dotnet build "$project" -c Release -p:TreatWarningsAsErrors=false --no-incremental >"$log" 2>&1 || true
  # Only this project's diagnostics: building it also builds (and reports) the projects it references.
  grep -F "$PWD/$dir/" "$log" > "$log.own" || true
  mv "$log.own" "$log"
  added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" "$log" | sort -u || true)
  removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" "$log" | sort -u || true)
  {
    echo '#nullable enable'
    {
      grep -v '^#nullable enable$' "$unshipped" || true
      [ -z "$added" ] || printf '%s\n' "$added"
    } | { grep -v '^$' || true; } | sort -u | { if [ -n "$removed" ]; then grep -vxF -f <(printf '%s\n' "$removed"); else cat; fi; }
  } > "$log.api"
  mv "$log.api" "$unshipped"
  echo "$dir: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed"
  rm -f "$log"
done
