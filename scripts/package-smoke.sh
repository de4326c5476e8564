#!/usr/bin/env bash
# The package smoke test: what a new user gets from the packages, not from the projects.
#   1. packs CrossCloudAuth, CrossCloudAuth.Testing and CrossCloudAuth.Cli (Release) into a fresh temp folder;
#   2. copies tests/PackageSmoke (a throw-away app) out of the repository, restores the two libraries from that folder
#      (a temp nuget.config adds it to the machine's own sources) into a private packages folder, builds and runs it:
#      package contents, provenance, AddGoogleFromAwsIdentity() / AddAwsCredentials() / AddEksToken() against the
#      Testing package's DemoTopology;
#   3. installs the crosscloud tool from the same folder and runs `crosscloud --help` and `crosscloud --version`.
# Usage: scripts/package-smoke.sh [--no-build]   (--no-build: the Release build of src/ is current, as in scripts/test.sh)
# KEEP_PACKAGE_SMOKE=1 keeps the temp folder for a look after a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

no_build=()
if [[ "${1:-}" == "--no-build" ]]; then no_build=(--no-build); fi

say() { echo "package smoke: $*"; }
fail() { echo "package smoke: FAIL $*" >&2; exit 1; }
start=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/crosscloudauth-package-smoke.XXXXXX")
cleanup() {
  if [[ "${KEEP_PACKAGE_SMOKE:-}" == "1" ]]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
feed="$work/feed" packages="$work/packages" app="$work/app" tool="$work/tool"
mkdir -p "$feed" "$packages" "$app"

# 1. Pack. The version comes from one place (Directory.Build.props); every package must carry it.
version=$(dotnet msbuild src/CrossCloudAuth/CrossCloudAuth.csproj -getProperty:PackageVersion -p:Configuration=Release)
[[ -n "$version" ]] || fail "could not read PackageVersion of src/CrossCloudAuth"
say "packing $version into $feed"
for project in CrossCloudAuth CrossCloudAuth.Testing CrossCloudAuth.Cli; do
  dotnet pack "src/$project/$project.csproj" -c Release "${no_build[@]}" -o "$feed" -v quiet -nologo \
    || fail "dotnet pack src/$project failed (see above)"
done
(cd "$feed" && ls -l --block-size=K ./*.nupkg ./*.snupkg | awk '{ print "package smoke:   " $5 "\t" $9 }' | sed 's|\./||')

# 2. The app, outside the repository: nothing of the repository's build (Directory.Build.props, central package
#    versions, project references) may apply, so empty ones stop MSBuild's upward search at the temp folder.
cp tests/PackageSmoke/*.cs tests/PackageSmoke/PackageSmoke.csproj "$app/"
cp global.json "$work/"
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Build.targets"
printf '<Project>\n  <PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>\n</Project>\n' > "$work/Directory.Packages.props"
# The feed folder in addition to the sources this machine already uses (no <clear />: the user-level NuGet.Config
# still applies, so the dependencies come from the same registry as for every other build here).
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="crosscloudauth-package-smoke" value="$feed" />
  </packageSources>
  <fallbackPackageFolders>
    <clear />
  </fallbackPackageFolders>
</configuration>
EOF

# A private packages folder: a cached copy of the same version elsewhere can never be used (the app checks the hash).
say "restoring and building the app from $feed (packages in $packages)"
NUGET_PACKAGES="$packages" dotnet build "$app/PackageSmoke.csproj" -c Release -v quiet -nologo \
  -p:CrossCloudAuthVersion="$version" || fail "the app did not restore or build against the packages (see above)"
dotnet "$app/bin/Release/net10.0/PackageSmoke.dll" "$feed" "$version" "$packages" "$app/obj/project.assets.json" \
  || fail "the app's checks failed (see the FAIL lines above)"

# 3. The tool, from the same folder.
say "installing CrossCloudAuth.Cli $version from $feed"
(cd "$work" && NUGET_PACKAGES="$packages" dotnet tool install CrossCloudAuth.Cli --tool-path "$tool" --add-source "$feed" \
  --version "$version" >/dev/null) || fail "dotnet tool install CrossCloudAuth.Cli --version $version failed (see above)"
installed=$(find "$tool/.store" -iname "crosscloudauth.cli.$version.nupkg" | head -n 1)
[[ -n "$installed" ]] && cmp -s "$installed" "$feed/CrossCloudAuth.Cli.$version.nupkg" \
  || fail "the installed tool is not the package just packed ($installed)"
help=$("$tool/crosscloud" --help) || fail "crosscloud --help exited $?"
for command in doctor token id-token eks-token emulator; do
  grep -qE "^\s+$command\b" <<<"$help" || fail "crosscloud --help does not list the '$command' command"
done
say "ok   crosscloud --help lists doctor, token, id-token, eks-token, emulator"
printed=$("$tool/crosscloud" --version) || fail "crosscloud --version exited $?"
[[ "$printed" == "$version" || "$printed" == "$version+"* ]] || fail "crosscloud --version printed '$printed', expected $version"
say "ok   crosscloud --version prints $printed"

say "passed in $((SECONDS - start)) s"
