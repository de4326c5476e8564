#!/usr/bin/env bash
# The Native AOT crosscloud as a kubeconfig or a script runs it: published for this machine (a fixed-address
# executable, see docs/cli.md#performance), then eks-token (both ExecCredential versions), token and doctor against the emulator. Trimming and AOT
# problems (reflection, a missing type) show only in this build, not in the framework-dependent tool the other tests
# run in-process.
# Usage: scripts/aot-smoke.sh [--no-build]   (--no-build: the Release build of the tool, for its emulator, exists)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "aot smoke: skipped (no Native AOT target for $(uname -m))"; exit 0 ;;
esac

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "aot smoke: FAILED: $*" >&2; exit 1; }

if [[ "${1:-}" != "--no-build" ]]; then
  dotnet build src/CrossCloudAuth.Cli -c Release >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build"; }
fi
start=$(date +%s)
dotnet publish src/CrossCloudAuth.Cli -c Release -r "$rid" -o "$work/aot" >"$work/publish.log" 2>&1 || { cat "$work/publish.log" >&2; fail "publish ($rid)"; }
tool="$work/aot/crosscloud"
echo "aot smoke: published $rid in $(( $(date +%s) - start )) s ($(( $(stat -c %s "$tool") / 1024 / 1024 )) MiB)"
# ELF e_type (bytes 16-17, little-endian): 2 is a fixed-address executable, 3 a PIE; the start-up figures assume 2.
elf_type=$(od -An -t u2 -j 16 -N 2 "$tool" | tr -d ' ')
[ "$elf_type" = 2 ] || fail "the executable is not a fixed-address (non-PIE) executable (ELF type $elf_type)"

# The emulator lives in the framework-dependent tool (the Native AOT executable leaves it out).
dotnet src/CrossCloudAuth.Cli/bin/Release/net10.0/crosscloud.dll emulator --dir "$work/cloud" >"$work/exports" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 300); do grep -q "Press Ctrl+C" "$work/exports" 2>/dev/null && break; sleep 0.1; done
grep -q "Press Ctrl+C" "$work/exports" || { cat "$work/emulator.err" >&2; fail "the emulator did not start"; }
eval "$(grep '^export ' "$work/exports")"

"$tool" --version >/dev/null || fail "--version"

for version in v1beta1 v1; do
  out=$(KUBERNETES_EXEC_INFO="{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/$version\",\"spec\":{\"interactive\":false}}" \
    "$tool" eks-token --cluster target-cluster --profile target) || fail "eks-token ($version)"
  python3 - "$version" "$out" <<'PY' || fail "eks-token ($version) printed an unexpected ExecCredential"
import json, sys
version, doc = sys.argv[1], json.loads(sys.argv[2])
assert doc["kind"] == "ExecCredential" and doc["apiVersion"] == f"client.authentication.k8s.io/{version}", doc.get("apiVersion")
assert doc["status"]["token"].startswith("k8s-aws-v1."), "token prefix"
assert doc["status"]["expirationTimestamp"].endswith("Z"), "RFC 3339 UTC expiry"
PY
  echo "aot smoke: ok   eks-token ($version)"
done

token=$("$tool" token) || fail "token"
[[ "$token" == ya29.* ]] || fail "token printed something else than an access token"
echo "aot smoke: ok   token"

"$tool" doctor --json >"$work/doctor.json" || { cat "$work/doctor.json" >&2; fail "doctor (exit $?)"; }
python3 - "$work/doctor.json" <<'PY' || fail "doctor reported a problem on the healthy emulator"
import json, sys
report = json.load(open(sys.argv[1]))
assert "diagnosis" not in report, report.get("diagnosis")
assert report["hops"] and all(hop["ok"] for hop in report["hops"]), [h["name"] for h in report["hops"] if not h["ok"]]
PY
echo "aot smoke: ok   doctor --json (healthy)"
# Profiles: credential_process runs under Native AOT; an SSO profile (which the tool leaves to no SDK resolver, see
# docs/aws.md) is a configuration error (exit 3) that says what to use instead.
cat >"$work/creds.sh" <<'SH'
#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLEPROCESS", "SecretAccessKey": "processSecret0000000000000000000000000001"}'
SH
chmod +x "$work/creds.sh"
printf '[profile proc]\ncredential_process = %s\nregion = us-east-1\n\n[profile sso]\nsso_session = s\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = us-east-1\n' "$work/creds.sh" >"$work/aws-config"
AWS_CONFIG_FILE="$work/aws-config" "$tool" eks-token --cluster c --profile proc | grep -q '"token": "k8s-aws-v1\.' || fail "eks-token with a credential_process profile"
echo "aot smoke: ok   eks-token --profile (credential_process)"
set +e
sso_error=$(env -u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE AWS_PROFILE=sso AWS_CONFIG_FILE="$work/aws-config" "$tool" eks-token --cluster c 2>&1 >/dev/null)
sso_exit=$?
set -e
[ "$sso_exit" -eq 3 ] && grep -q "export-credentials" <<<"$sso_error" || fail "an SSO profile gave exit $sso_exit: $sso_error"
echo "aot smoke: ok   SSO profile refused with a fix (exit 3)"
echo "aot smoke: passed"
