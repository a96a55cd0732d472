#!/usr/bin/env bash
# Runs a single-node Apache Kafka (KRaft, broker + controller in one JVM) from the official
# Maven Central artifacts, for machines without Docker. Java 17+ and Maven are required.
#
#   deploy/kafka.sh start    resolve jars, format storage once, start in background, wait until it answers
#   deploy/kafka.sh stop     stop the broker this script started (by its pid file)
#   deploy/kafka.sh status   say whether it runs
#   deploy/kafka.sh add-reader NAME TOPIC...
#                            a principal for an outside consumer that may read only these topics
#                            (in consumer groups named NAME.…); its password goes to credentials/NAME
#   deploy/kafka.sh cluster start|stop|status|env|kill N
#                            three brokers instead of one (replication factor 3, min.insync.replicas 2),
#                            on 127.0.0.1:29092-29094 (KAFKA_CLUSTER_PORT, controllers from +100),
#                            data in <repo>/.data/kafka-cluster (KAFKA_CLUSTER_DIR); `env` prints what to
#                            export to point the apps at it; `kill N` kills node N (1-3) with SIGKILL,
#                            and `start` starts again whichever node is down
#
# The broker authenticates every connection (SASL/SCRAM-SHA-512 for clients) and authorizes by
# ACLs. On first start it makes a random password per principal under <data dir>/credentials/
# (never in git): `broker` and `operator` are super users; one principal per app. The ACLs and
# topics come from `npm run kafka:access` (libs/messaging/src/access.ts), which `npm start` and
# `npm test` run after this script.
#
# KAFKA_BROKERS set: another cluster is used instead; `start` only checks that it answers.
# KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (<repo>/.data/kafka) override.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
KAFKA_DIR="$HERE/kafka"
LIB_DIR="$KAFKA_DIR/lib"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR="${KAFKA_DATA_DIR:-$ROOT/.data/kafka}"
PID_FILE="$DATA_DIR/kafka.pid"
LOG_FILE="$DATA_DIR/server.log"
CONFIG="$DATA_DIR/server.properties"
CREDENTIALS_DIR="$DATA_DIR/credentials"
# Kept in step with libs/messaging/src/access.ts (CONTEXTS plus the operator).
SCRAM_PRINCIPALS=(operator directory offers contracts resale service-desk fulfilment accounts relationships)
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"

log() { echo "[kafka] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

resolve_jars() {
  local stamp="$LIB_DIR/.pom.sha256" want
  want="$(sha256sum "$KAFKA_DIR/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to fetch Kafka; or set KAFKA_BROKERS"; exit 1; }
  command -v java >/dev/null || { log "Java 17+ is required to run Kafka; or set KAFKA_BROKERS"; exit 1; }
  log "resolving Apache Kafka artifacts from Maven Central..."
  rm -rf "$LIB_DIR"
  mvn -q -B -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB_DIR" -DincludeScope=runtime >&2
  echo "$want" > "$stamp"
}

tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.file="$DATA_DIR/tools.log" \
    -cp "$LIB_DIR/*" "$@"
}

# A random password per principal, made once: base64url, so it needs no quoting anywhere.
password_of() {
  local file="$CREDENTIALS_DIR/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$file")
  fi
  cat "$file"
}

configure_and_format() {
  mkdir -p "$DATA_DIR"
  if [[ -f "$DATA_DIR/logs/meta.properties" && ! -s "$CREDENTIALS_DIR/broker" ]]; then
    log "$DATA_DIR was formatted before the broker required authentication;"
    log "remove it (rm -rf $DATA_DIR) and start again: the apps republish from their stores (npm run republish)"
    exit 1
  fi
  (umask 077; mkdir -p "$CREDENTIALS_DIR")
  local broker_password; broker_password="$(password_of broker)"
  (umask 077; sed -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA_DIR#g" \
    -e "s#@BROKER_PASSWORD@#$broker_password#g" "$KAFKA_DIR/server.properties.template" > "$CONFIG")
  if [[ ! -f "$DATA_DIR/logs/meta.properties" ]]; then
    local cluster_id; cluster_id="$(tool kafka.tools.StorageTool random-uuid | tail -1)"
    local scram=() name
    for name in "${SCRAM_PRINCIPALS[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(password_of "$name")]")
    done
    log "formatting KRaft storage in $DATA_DIR/logs (cluster $cluster_id, ${#SCRAM_PRINCIPALS[@]} SCRAM principals)"
    tool kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" --standalone "${scram[@]}" >> "$DATA_DIR/tools.log"
  fi
}

wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during start-up; last log lines:"; tail -n 30 "$LOG_FILE" >&2 || true; return 1
    fi
    if port_open 127.0.0.1 "$PORT" && grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  log "broker did not answer within ${START_TIMEOUT}s; see $LOG_FILE"; return 1
}

start() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    local first="${KAFKA_BROKERS%%,*}"
    if port_open "${first%:*}" "${first##*:}"; then log "using KAFKA_BROKERS=$KAFKA_BROKERS"; return 0; fi
    log "KAFKA_BROKERS=$KAFKA_BROKERS does not answer"; return 1
  fi
  local pid
  if pid="$(running_pid)"; then log "already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
  if port_open 127.0.0.1 "$PORT"; then
    log "something already listens on 127.0.0.1:$PORT; using it"
    # Another checkout's broker: its passwords are in its own data directory, not in this one.
    [[ -s "$CREDENTIALS_DIR/operator" ]] || log "warning: $CREDENTIALS_DIR holds no passwords for it: stop it, or set KAFKA_USERNAME/KAFKA_PASSWORD (or KAFKA_CREDENTIALS_DIR)"
    return 0
  fi
  resolve_jars
  # Principals added to the project since this storage was formatted (a new app): they have no
  # password yet, and get their SCRAM credentials once the broker runs (see add_new_principals).
  local new_principals=() name
  if [[ -f "$DATA_DIR/logs/meta.properties" ]]; then
    for name in "${SCRAM_PRINCIPALS[@]}"; do [[ -s "$CREDENTIALS_DIR/$name" ]] || new_principals+=("$name"); done
  fi
  configure_and_format
  : > "$LOG_FILE"
  log "starting broker on 127.0.0.1:$PORT (log: $LOG_FILE)"
  # setsid: the broker outlives the shell that started it, and stop() signals only its pid.
  setsid java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.file="$LOG_FILE" \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" > "$DATA_DIR/stdout.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$PID_FILE"
  wait_until_ready "$pid"
  (( ${#new_principals[@]} == 0 )) || add_new_principals "${new_principals[@]}"
  log "ready (pid $pid)"
}

# SCRAM credentials for principals the storage was formatted without, through the running broker.
add_new_principals() {
  local client="$DATA_DIR/operator.properties" name
  (umask 077; printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="operator" password="%s";\n' \
    "$(cat "$CREDENTIALS_DIR/operator")" > "$client")
  for name in "$@"; do
    log "adding principal $name (new since this storage was formatted)"
    tool org.apache.kafka.tools.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --command-config "$client" \
      --alter --add-config "SCRAM-SHA-512=[password=$(password_of "$name")]" --entity-type users --entity-name "$name" >&2
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$PID_FILE"; return 0; fi
  log "stopping pid $pid"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "still alive after 30s; killing"; kill -9 "$pid" || true; fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then echo "running (pid $pid) on 127.0.0.1:$PORT"; else echo "not running"; return 1; fi
}

add_reader() {
  local name="${1:-}"; shift || true
  [[ "$name" =~ ^[a-z0-9][a-z0-9-]*$ && $# -gt 0 ]] || { echo "usage: $0 add-reader NAME TOPIC..." >&2; exit 2; }
  # Its consumer groups are "NAME.…": a name that is a principal or the topic prefix would reach
  # the apps' own groups ("dealledger.resale") and let it steal their partitions.
  if [[ " broker ${SCRAM_PRINCIPALS[*]} " == *" $name "* || "$name" == "${TOPIC_PREFIX:-dealledger}" ]]; then
    log "$name is a principal or the topic prefix; choose another name"; exit 2
  fi
  running_pid > /dev/null || { log "the local broker is not running (deploy/kafka.sh start)"; exit 1; }
  compgen -G "$LIB_DIR/kafka-tools-*.jar" > /dev/null || { log "the admin tools are not fetched yet: stop and start the broker once"; exit 1; }
  local client="$DATA_DIR/operator.properties" topics=() t
  (umask 077; printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="operator" password="%s";\n' \
    "$(cat "$CREDENTIALS_DIR/operator")" > "$client")
  tool org.apache.kafka.tools.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --command-config "$client" \
    --alter --add-config "SCRAM-SHA-512=[password=$(password_of "$name")]" --entity-type users --entity-name "$name" >&2
  for t in "$@"; do topics+=(--topic "$t"); done
  tool org.apache.kafka.tools.AclCommand --bootstrap-server "127.0.0.1:$PORT" --command-config "$client" \
    --add --allow-principal "User:$name" --operation Read "${topics[@]}" >&2
  tool org.apache.kafka.tools.AclCommand --bootstrap-server "127.0.0.1:$PORT" --command-config "$client" \
    --add --allow-principal "User:$name" --operation Read --group "$name." --resource-pattern-type prefixed >&2
  log "principal $name may read $* in consumer groups named $name.…; its password: $CREDENTIALS_DIR/$name"
}

# ---- a three-node cluster on loopback ----

CLUSTER_DIR="${KAFKA_CLUSTER_DIR:-$ROOT/.data/kafka-cluster}"
CLUSTER_PORT="${KAFKA_CLUSTER_PORT:-29092}"
NODES=(1 2 3)

# Points the single-broker variables at node N of the cluster (its ports, directory and files).
use_node() {
  local n="$1"
  PORT=$((CLUSTER_PORT + n - 1))
  CONTROLLER_PORT=$((CLUSTER_PORT + 100 + n - 1))
  DATA_DIR="$CLUSTER_DIR/node$n"
  PID_FILE="$DATA_DIR/kafka.pid"
  LOG_FILE="$DATA_DIR/server.log"
  CONFIG="$DATA_DIR/server.properties"
  CREDENTIALS_DIR="$CLUSTER_DIR/credentials"
}

cluster_brokers() {
  local n out=()
  for n in "${NODES[@]}"; do out+=("127.0.0.1:$((CLUSTER_PORT + n - 1))"); done
  (IFS=,; echo "${out[*]}")
}

cluster_configure_and_format() {
  local n="$1" voters="" m
  for m in "${NODES[@]}"; do voters+="${voters:+,}$m@127.0.0.1:$((CLUSTER_PORT + 100 + m - 1))"; done
  mkdir -p "$DATA_DIR"
  (umask 077; mkdir -p "$CREDENTIALS_DIR")
  local broker_password; broker_password="$(password_of broker)"
  (umask 077; sed -e "s#@PORT@#$PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA_DIR#g" \
    -e "s#@BROKER_PASSWORD@#$broker_password#g" -e "s#@NODE_ID@#$n#g" -e "s#@VOTERS@#$voters#g" \
    "$KAFKA_DIR/cluster.properties.template" > "$CONFIG")
  if [[ ! -f "$DATA_DIR/logs/meta.properties" ]]; then
    # One cluster id for the three, made once; every node is formatted with every principal.
    [[ -s "$CLUSTER_DIR/cluster.id" ]] || tool kafka.tools.StorageTool random-uuid | tail -1 > "$CLUSTER_DIR/cluster.id"
    local scram=() name
    for name in "${SCRAM_PRINCIPALS[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(password_of "$name")]")
    done
    log "formatting node $n in $DATA_DIR/logs (cluster $(cat "$CLUSTER_DIR/cluster.id"))"
    tool kafka.tools.StorageTool format -t "$(cat "$CLUSTER_DIR/cluster.id")" -c "$CONFIG" "${scram[@]}" >> "$DATA_DIR/tools.log"
  fi
}

cluster_start() {
  resolve_jars
  mkdir -p "$CLUSTER_DIR"
  local n pid started=()
  for n in "${NODES[@]}"; do
    use_node "$n"
    if pid="$(running_pid)"; then continue; fi
    if port_open 127.0.0.1 "$PORT" || port_open 127.0.0.1 "$CONTROLLER_PORT"; then log "something else listens on 127.0.0.1:$PORT or :$CONTROLLER_PORT"; exit 1; fi
    cluster_configure_and_format "$n"
    : > "$LOG_FILE"
    log "starting node $n on 127.0.0.1:$PORT (log: $LOG_FILE)"
    # Smaller heaps than the single broker's: three share the machine.
    setsid java -Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.file="$LOG_FILE" \
      -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" > "$DATA_DIR/stdout.log" 2>&1 < /dev/null &
    echo "$!" > "$PID_FILE"
    started+=("$n")
  done
  # The nodes started together: each waits for a quorum of controllers before it serves.
  for n in ${started[@]+"${started[@]}"}; do
    use_node "$n"
    wait_until_ready "$(cat "$PID_FILE")"
  done
  log "cluster ready on $(cluster_brokers) (credentials in $CLUSTER_DIR/credentials)"
}

cluster_stop() {
  local n pid pids=()
  # All at once: one node stopped alone would wait for a controller quorum that is leaving.
  for n in "${NODES[@]}"; do
    use_node "$n"
    if pid="$(running_pid)"; then log "stopping node $n (pid $pid)"; kill "$pid" 2>/dev/null || true; pids+=("$pid"); fi
  done
  for pid in ${pids[@]+"${pids[@]}"}; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid still alive after 30s; killing"; kill -9 "$pid" || true; fi
  done
  for n in "${NODES[@]}"; do use_node "$n"; rm -f "$PID_FILE"; done
  log "cluster stopped"
}

cluster_status() {
  local n pid down=0
  for n in "${NODES[@]}"; do
    use_node "$n"
    if pid="$(running_pid)"; then echo "node $n: running (pid $pid) on 127.0.0.1:$PORT"; else echo "node $n: not running"; down=1; fi
  done
  return "$down"
}

cluster_kill() {
  local n="${1:-}" pid
  [[ " ${NODES[*]} " == *" $n "* ]] || { echo "usage: $0 cluster kill 1|2|3" >&2; exit 2; }
  use_node "$n"
  pid="$(running_pid)" || { log "node $n is not running"; return 0; }
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PID_FILE"
  log "node $n killed (pid $pid)"
}

cluster() {
  case "${1:-start}" in
    start) cluster_start ;;
    stop) cluster_stop ;;
    status) cluster_status ;;
    kill) cluster_kill "${2:-}" ;;
    env) echo "export KAFKA_BROKERS=$(cluster_brokers) KAFKA_CREDENTIALS_DIR=$CLUSTER_DIR/credentials" ;;
    *) echo "usage: $0 cluster start|stop|status|env|kill N" >&2; exit 2 ;;
  esac
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  add-reader) shift; add_reader "$@" ;;
  cluster) shift; cluster "$@" ;;
  *) echo "usage: $0 start|stop|status|add-reader NAME TOPIC...|cluster start|stop|status|env|kill N" >&2; exit 2 ;;
esac
