# shellcheck shell=bash
# The scale_out phase of bench/run (CSH_BENCH_ONLY=scale_out), sourced by it: it uses bench/run's
# helpers (launch_gateway, write_docker_gateway, acquire_docker_engine, stop_tree, free_port,
# listening, ...) and its globals (WORK, ROOT, BENCH, GATEWAY_USER, DOCKER_*).
#
# Three gateways with the Docker backend in connection mode, configured as the Docker
# benchmark's connection-mode gateway, sharing its host key, each with the PROXY protocol on
# for HAProxy's address (127.0.0.2); one gateway with the local backend, the PROXY protocol on
# for the same address; one HAProxy (Debian's) in TCP mode with a front end per way in. A
# client from 127.0.0.1 reaches a gateway directly (not a trusted address: served as before).
#
#   lb1, lb2, lb3   replicas 1, 1-2, 1-3, send-proxy-v2 from 127.0.0.2
#   header_on       the local gateway, send-proxy-v2 from 127.0.0.2
#   header_off      the local gateway, no header, from 127.0.0.3 (untrusted: a direct client)

SCALE_REPLICAS=3
SCALE_HAPROXY_PID=""
SCALE_LOCAL_PID=""
SCALE_REPLICA_PIDS=()
# HAProxy connects to the gateways from these loopback addresses.
SCALE_TRUSTED_SOURCE=127.0.0.2
SCALE_UNTRUSTED_SOURCE=127.0.0.3

# The keys of docs/ssh-server.md, put under the configuration's `ssh:` line.
scale_proxy_keys() {
    sed -i "/^ssh:\$/a\\  proxyProtocolAllowedCIDRs: [$SCALE_TRUSTED_SOURCE/32]\\n  proxyProtocolHeaderTimeout: 5s" "$1"
}

# The header part's gateway: the Docker gateways' configuration with the local backend (as the
# sshd comparison's gateway) in place of the Docker one.
write_scale_local_gateway() {
    write_docker_gateway scale_local_gateway connection
    sed -i '/^backend: docker$/,$d' "$WORK/scale_local_gateway.yaml"
    printf 'backend: local\nlocal:\n  shell: [/bin/sh]\n' >>"$WORK/scale_local_gateway.yaml"
}

# $1: the configuration file; the front ends' ports are in SCALE_PORTS (name=port ...).
write_haproxy_config() {
    local out=$1 replica_ports=("${@:2}") name servers i
    cat >"$out" <<CFG
global
  maxconn 4000
  stats socket $WORK/haproxy.sock mode 600 level user
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
CFG
    for name in lb1 lb2 lb3; do
        servers=""
        for ((i = 1; i <= ${name#lb}; i++)); do
            servers+="  server r$i 127.0.0.1:${replica_ports[i - 1]} send-proxy-v2 source $SCALE_TRUSTED_SOURCE"$'\n'
        done
        printf 'listen %s\n  bind 127.0.0.1:%s\n  balance roundrobin\n%s' "$name" "${SCALE_PORTS[$name]}" "$servers" >>"$out"
    done
    printf 'listen header_on\n  bind 127.0.0.1:%s\n  server local 127.0.0.1:%s send-proxy-v2 source %s\n' \
        "${SCALE_PORTS[header_on]}" "$SCALE_LOCAL_PORT" "$SCALE_TRUSTED_SOURCE" >>"$out"
    printf 'listen header_off\n  bind 127.0.0.1:%s\n  server local 127.0.0.1:%s source %s\n' \
        "${SCALE_PORTS[header_off]}" "$SCALE_LOCAL_PORT" "$SCALE_UNTRUSTED_SOURCE" >>"$out"
}

start_haproxy() {
    haproxy -c -q -f "$WORK/haproxy.cfg" || die "HAProxy refused $WORK/haproxy.cfg"
    haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
    SCALE_HAPROXY_PID=$!
    local name waited=0
    for name in "${!SCALE_PORTS[@]}"; do
        until listening "${SCALE_PORTS[$name]}"; do
            kill -0 "$SCALE_HAPROXY_PID" 2>/dev/null || { cat "$WORK/haproxy.log" >&2; die "HAProxy exited at start"; }
            ((waited++ < READY_TIMEOUT * 10)) || die "HAProxy did not listen in ${READY_TIMEOUT}s"
            sleep 0.1
        done
    done
}

# Called by bench/run's cleanup too.
stop_scale_out() {
    local pid
    stop_tree "$SCALE_HAPROXY_PID"
    stop_tree "$SCALE_LOCAL_PID"
    for pid in "${SCALE_REPLICA_PIDS[@]}"; do stop_tree "$pid"; done
    SCALE_HAPROXY_PID="" SCALE_LOCAL_PID="" SCALE_REPLICA_PIDS=()
}

run_scale_out() {
    acquire_docker_engine
    local i ports=() logs=() replicas=()
    for ((i = 1; i <= SCALE_REPLICAS; i++)); do
        write_docker_gateway "scale_replica$i" connection
        scale_proxy_keys "$WORK/scale_replica$i.yaml"
        launch_gateway "scale_replica$i"
        SCALE_REPLICA_PIDS+=("$LAUNCHED_PID")
        ports+=("$(gateway_port "scale_replica$i")")
        logs+=(--log "r$i=$WORK/scale_replica$i.log")
        replicas+=(--replica "r$i:$LAUNCHED_PID")
    done
    write_scale_local_gateway
    scale_proxy_keys "$WORK/scale_local_gateway.yaml"
    launch_gateway scale_local_gateway
    SCALE_LOCAL_PID=$LAUNCHED_PID
    SCALE_LOCAL_PORT=$(gateway_port scale_local_gateway)
    declare -gA SCALE_PORTS=()
    local name
    for name in lb1 lb2 lb3 header_on header_off; do SCALE_PORTS[$name]=$(free_port); done
    write_haproxy_config "$WORK/haproxy.cfg" "${ports[@]}"
    start_haproxy
    say "replicas pids ${SCALE_REPLICA_PIDS[*]} ports ${ports[*]}; local gateway pid $SCALE_LOCAL_PID port" \
        "$SCALE_LOCAL_PORT; HAProxy pid $SCALE_HAPROXY_PID"

    local engine_pid=()
    [[ -z $(docker_engine_pid) ]] || engine_pid=(--engine-pid "$(docker_engine_pid)")
    "$BENCH/scale_out/scale_out" --key "$WORK/user_key" --docker-host "$DOCKER_URL" --docker "$(command -v docker)" \
        --image "$DOCKER_IMAGE" --label "$DOCKER_RUN_LABEL" "${engine_pid[@]}" --engine-note "$(docker_engine_note)" \
        --haproxy-pid "$SCALE_HAPROXY_PID" --haproxy-socket "$WORK/haproxy.sock" \
        --haproxy-version "$(haproxy -v | sed -n 's/^HAProxy version \([^ ]*\).*/\1/p')" \
        --concurrency "$SCALE_CONCURRENCY" --rounds "$SCALE_ROUNDS" --runs "$SCALE_RUNS" --warmups "$SCALE_WARMUPS" \
        --target "direct:127.0.0.1:${ports[0]}:$GATEWAY_USER:${SCALE_REPLICA_PIDS[0]}" \
        --target "lb1:127.0.0.1:${SCALE_PORTS[lb1]}:$GATEWAY_USER:$SCALE_HAPROXY_PID" \
        --target "lb2:127.0.0.1:${SCALE_PORTS[lb2]}:$GATEWAY_USER:$SCALE_HAPROXY_PID" \
        --target "lb3:127.0.0.1:${SCALE_PORTS[lb3]}:$GATEWAY_USER:$SCALE_HAPROXY_PID" \
        --target "header_on:127.0.0.1:${SCALE_PORTS[header_on]}:$GATEWAY_USER:$SCALE_HAPROXY_PID" \
        --target "header_off:127.0.0.1:${SCALE_PORTS[header_off]}:$GATEWAY_USER:$SCALE_HAPROXY_PID" \
        --target "header_direct:127.0.0.1:$SCALE_LOCAL_PORT:$GATEWAY_USER:$SCALE_LOCAL_PID" \
        "${replicas[@]}" --local-gateway "$SCALE_LOCAL_PID" \
        "${logs[@]}" --log "local=$WORK/scale_local_gateway.log" >"$WORK/scale_out.json"

    local pid
    for pid in "${SCALE_REPLICA_PIDS[@]}" "$SCALE_LOCAL_PID" "$SCALE_HAPROXY_PID"; do
        kill -0 "$pid" 2>/dev/null || die "pid $pid (a gateway or HAProxy) died during the run; logs in $WORK"
    done
    stop_scale_out
    release_docker_engine
}
