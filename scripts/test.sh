#!/usr/bin/env bash
# Runs every test of the solution and ends with one line, "N passed, N failed, N skipped", counted from the
# trx result files. Exits non-zero if a test failed, a test project left no results, or dotnet test failed.
# Needs bash and coreutils, the .NET 10 SDK, Node.js with npm (Azurite, the storage emulator the tests start), and
# the Debian packages listed in debian_packages below (installed here with apt-get when missing).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/.artifacts/test-results"
status=0

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Azurite is pinned in package-lock.json. Install it when node_modules is missing or was installed from another
# lockfile (the lockfile's hash is kept beside it).
install_azurite() {
  local stamp="node_modules/.graphcast-package-lock.sha256"
  local wanted
  wanted="$(sha256sum package-lock.json | cut -d ' ' -f 1)"
  if [[ -x node_modules/.bin/azurite && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm was not found: install Node.js (with npm), which the tests need for Azurite."
    return 1
  fi
  echo "Installing Azurite from package-lock.json (npm ci)..."
  local log
  log="$(mktemp)"
  if npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    echo "$wanted" >"$stamp"
    rm -f "$log"
  else
    cat "$log"
    rm -f "$log"
    echo "npm ci failed: the tests that need Azurite will fail."
    return 1
  fi
}
install_azurite || status=1

# Debian packages some tests use as independent tools or native libraries, installed when missing (as root, or with
# sudo): python3-xarray and python3-zarr (tests/Storage.Tests/Forecasts/XarrayInteropTests.cs opens the forecast store with
# them); fonts-dejavu-core (the text of `graphcast plot` PNGs); netcdf-bin and python3-netcdf4
# (tests/Client.Tests/ExportCommandTests.cs opens the netCDF-4 export with ncdump and xarray); libeccodes0, ECMWF's GRIB
# library that the GRIB reader calls (tests/Data.Tests/Datasets), and libeccodes-tools (grib_ls, grib_get, grib_to_netcdf) to
# cross-check GRIB by hand. Each entry is "package:check", where check is a shell command that succeeds once the package
# is usable.
debian_packages=(
  "python3-xarray:/usr/bin/python3 -c 'import xarray'"
  "python3-zarr:/usr/bin/python3 -c 'import zarr'"
  "fonts-dejavu-core:test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  "netcdf-bin:command -v ncdump"
  "python3-netcdf4:/usr/bin/python3 -c 'import netCDF4'"
  "libeccodes0:/sbin/ldconfig -p | grep -q 'libeccodes\.so\.0 '"
  "libeccodes-tools:command -v grib_ls"
)
install_debian_packages() {
  local missing=() entry
  for entry in "${debian_packages[@]}"; do
    if ! bash -c "${entry#*:}" >/dev/null 2>&1; then
      missing+=("${entry%%:*}")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "Installing ${missing[*]} needs root (or sudo): the tests that use them will fail."
      return 1
    fi
    sudo=(sudo -n)
  fi
  echo "Installing ${missing[*]} (apt-get)..."
  local log
  log="$(mktemp)"
  if "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$log" 2>&1; then
    rm -f "$log"
  else
    cat "$log"
    rm -f "$log"
    echo "Installing ${missing[*]} failed: the tests that use them will fail."
    return 1
  fi
  for entry in "${debian_packages[@]}"; do
    if ! bash -c "${entry#*:}" >/dev/null 2>&1; then
      echo "${entry%%:*} was installed but its check (${entry#*:}) still fails."
      return 1
    fi
  done
}
install_debian_packages || status=1

# Each test project writes its results to its own folder (tests/Directory.Build.props reads
# GraphCastTestResultsDirectory), so projects running in parallel never pick the same trx file name.
# A test that hangs for 10 minutes is killed (--blame-hang-timeout), and the whole run is bounded too,
# so a hung test cannot use up a CI job.
rm -rf "$results"
mkdir -p "$results"
timeout --kill-after=2m 75m dotnet test GraphCast.Orleans.sln \
  --logger trx \
  --blame-hang-timeout 10m --blame-hang-dump-type none \
  "-p:GraphCastTestResultsDirectory=$results"
dotnet_status=$?
if [[ $dotnet_status -eq 124 || $dotnet_status -eq 137 ]]; then
  echo "dotnet test ran past 75 minutes and was stopped."
fi

# One <Counters .../> element per trx file. Skipped tests are the ones counted in total but not executed;
# errors, timeouts and aborted tests count as failures.
counter() {
  local value
  value="$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2")"
  echo "${value:-0}"
}
passed=0
failed=0
skipped=0
while IFS= read -r trx; do
  counters="$(tr -d '\r\n' <"$trx" | grep -o '<Counters [^>]*>' | head -n 1)"
  if [[ -z "$counters" ]]; then
    echo "No test counters in ${trx#"$root"/} (the run did not finish writing it)."
    status=1
    continue
  fi
  passed=$((passed + $(counter passed "$counters")))
  skipped=$((skipped + $(counter total "$counters") - $(counter executed "$counters")))
  failed=$((failed + $(counter failed "$counters") + $(counter error "$counters") \
    + $(counter timeout "$counters") + $(counter aborted "$counters")))
done < <(find "$results" -name '*.trx' -type f | sort)

# A test project without a trx file did not build, or its test host died before it could write one.
while IFS= read -r project; do
  name="$(basename "$project" .csproj)"
  if ! compgen -G "$results/$name/*.trx" >/dev/null; then
    echo "No test results from $name: it did not build, or its test host crashed."
    status=1
  fi
done < <(grep -l '<IsTestProject>true</IsTestProject>' tests/*/*.csproj)

if [[ $dotnet_status -ne 0 ]]; then
  echo "dotnet test exited with code $dotnet_status."
  status=1
fi
if [[ $failed -gt 0 ]]; then
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
