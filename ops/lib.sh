# Shared by the ops/ scripts. Sourced, never run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_VERSION=15
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
# PostgreSQL refuses to run as root: the private clusters run as this system user.
PG_OS_USER="casesystem"
PG_DB_USER="cases"
PG_DB_NAME="cases"

log() { printf '[ops] %s\n' "$*" >&2; }
die() { printf '[ops] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "needs root for: $*"; fi
}

# Installs the Debian packages named that are not installed yet; apt-get update runs at most
# once per call and only when something is missing, so a second run is quick and offline.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The folder of a private cluster. Under the repo (ignored by git) when the cluster's user can
# reach it, which needs every parent folder to be searchable by others.
pg_dir() {
  local name="$1" dir="$REPO/.data/pg-$1"
  if ! runuser -u "$PG_OS_USER" -- test -x "$REPO" 2>/dev/null; then
    dir="/var/tmp/casesystem-$(printf '%s' "$REPO" | sha1sum | cut -c1-12)/pg-$name"
  fi
  printf '%s' "$dir"
}

pg_pid() {
  local dir="$1" pid
  [ -f "$dir/data/postmaster.pid" ] || return 1
  pid="$(head -n1 "$dir/data/postmaster.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for p in $(seq "$1" "$(( $1 + 200 ))"); do
    port_in_use "$p" || { printf '%s' "$p"; return 0; }
  done
  die "no free port from $1"
}

# Whether the NuGet restore is to run: never run, a project's assets file missing (a clean, a new
# project), or a project file, the solution or a build setting newer than the last restore's start.
RESTORE_STAMP="$REPO/.build/.restored"
restore_needed() {
  mkdir -p "$REPO/.build"
  [ -f "$RESTORE_STAMP" ] || return 0
  local project
  while IFS= read -r project; do
    [ -f "$(dirname "$project")/obj/project.assets.json" ] || return 0
  done < <(find "$REPO/src" "$REPO/tests" \( -name bin -o -name obj \) -prune -o -name '*.csproj' -print)
  [ -n "$(find "$REPO/src" "$REPO/tests" \( -name bin -o -name obj \) -prune -o \
      \( -name '*.csproj' -o -name 'Directory.*.props' \) -newer "$RESTORE_STAMP" -print -quit)" ] && return 0
  [ -n "$(find "$REPO"/CaseSystem.sln "$REPO"/Directory.*.props "$REPO"/NuGet.config "$REPO"/global.json \
      -maxdepth 0 -newer "$RESTORE_STAMP" -print -quit 2>/dev/null || true)" ] && return 0
  return 1
}

# The server as installed: published once (Release, ReadyToRun: the framework's and the
# libraries' code compiled ahead, so a start spends little time in the JIT) into .build/server,
# and published again only when a file under src/ or the build settings changed since. Prints
# the path of the server's dll; the publish output goes to stderr, shown only when it fails.
# Folders count as well as files: a file deleted or renamed changes its folder's time.
# ReadyToRun took the start to a first answer from 1.9–2.0 s to 1.3–1.45 s (2026-12-02, quiet
# machine, the schema up to date; issue 11).
server_dll() {
  local out="$REPO/.build/server" stamp="$REPO/.build/server/.published" changed=""
  if [ ! -f "$stamp" ] || [ ! -f "$out/CaseSystem.Server.dll" ]; then
    changed=1
  else
    changed="$(find "$REPO/src" \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)"
    [ -n "$changed" ] || changed="$(find "$REPO"/Directory.*.props "$REPO"/NuGet.config "$REPO"/global.json -maxdepth 0 -newer "$stamp" -print -quit 2>/dev/null || true)"
  fi
  if [ -n "$changed" ]; then
    log "publishing the server (Release, ReadyToRun) to .build/server"
    mkdir -p "$out"
    # A first publish would make the projects' bin/ and obj/ folders, making their parents newer than
    # the stamp, and the next ops/run would publish again for nothing: made before the stamp instead.
    local project
    for project in "$REPO"/src/*/; do mkdir -p "$project/bin" "$project/obj"; done
    # Stamped with the time the publish started: a file saved during it is published next time.
    touch "$stamp.next"
    publish_server "$out"
    mv "$stamp.next" "$stamp"
  fi
  printf '%s' "$out/CaseSystem.Server.dll"
}

# Publishes the server into DIR as ops/run runs it and ops/publish ships it: Release, linux-x64,
# framework-dependent, ReadyToRun. The output is shown only when it fails.
publish_server() {
  local output
  if ! output="$(dotnet publish "$REPO/src/Server" -c Release -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=true -o "$1" --nologo -v quiet 2>&1)"; then
    printf '%s\n' "$output" >&2
    die "the server did not build"
  fi
}

# The anchor key and log of a private cluster's database (ops/run, ops/anchors), unless set already:
# in .data/anchors-NAME, outside PostgreSQL's data folder and owned by the user who runs the server
# (the server makes the folder mode 700, the key and the log mode 600), so the cluster's system user
# cannot read the key. With CASES_DB naming a server, the operator says where they go.
anchor_defaults() {
  [ -n "${CASES_DB:-}" ] && return 0
  export CASES_ANCHOR_KEY="${CASES_ANCHOR_KEY:-$REPO/.data/anchors-$1/anchor-key.pem}"
  export CASES_ANCHOR_LOG="${CASES_ANCHOR_LOG:-$REPO/.data/anchors-$1/anchors.jsonl}"
}

# Waits until URL/health/ready answers 200 (polling every 0.2 s), for at most SECONDS; fails at
# once when the process PID has exited. curl is in ops/setup's packages.
wait_ready() {
  local url="$1" pid="$2" seconds="$3" deadline
  deadline=$(( $(date +%s) + seconds ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/health/ready" 2>/dev/null || true)" = 200 ] && return 0
    sleep 0.2
  done
  return 1
}
