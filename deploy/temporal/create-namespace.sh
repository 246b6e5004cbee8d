#!/bin/sh
# One-shot job of docker-compose.yml (service temporal-create-namespace, admin-tools image).
# Waits for the Temporal frontend, makes sure the namespace exists, then registers the custom search
# attributes HubSpot Lead Sync writes (src/shared/search-attributes.ts). Every step is safe to repeat, so
# `docker compose up` can run this job on every start.
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-72h}"
max_attempts="${SETUP_MAX_ATTEMPTS:-30}"
retry_delay="${SETUP_RETRY_DELAY_SECONDS:-2}"

# All of type Keyword. Keep in step with src/shared/search-attributes.ts (test/deploy checks it).
search_attributes='LeadEmail LeadSyncStatus HubSpotContactId HubSpotPortal HubSpotConnectionState'

log() {
  echo "create-namespace: $*"
}

# retry DESCRIPTION COMMAND [ARG...]: runs COMMAND until it succeeds, at most $max_attempts times.
retry() {
  description=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$max_attempts" ]; then
      log "$description: still failing after $attempt attempts, giving up" >&2
      return 1
    fi
    log "$description: attempt $attempt of $max_attempts failed, next one in ${retry_delay}s" >&2
    attempt=$((attempt + 1))
    sleep "$retry_delay"
  done
}

# Dial the IPv4 address behind the compose host name, as Temporal's own compose scripts do, so the CLI does
# not try an address family the server is not bound to. Without getent or an answer, keep the name.
host=${address%:*}
port=${address##*:}
if command -v getent >/dev/null 2>&1; then
  ipv4=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
  if [ -n "$ipv4" ]; then
    address="$ipv4:$port"
  fi
fi
log "using Temporal frontend at $address (from ${TEMPORAL_ADDRESS:-temporal:7233}), namespace $namespace"

server_healthy() {
  temporal operator cluster health --address "$address" >/dev/null 2>&1
}

namespace_present() {
  if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
    log "namespace $namespace already exists"
    return 0
  fi
  # A create that loses a race with another run fails; the describe above succeeds on the next attempt.
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
}

attribute_registered() {
  name=$1
  if output=$(temporal operator search-attribute create --address "$address" --namespace "$namespace" \
    --name "$name" --type Keyword 2>&1); then
    log "search attribute $name registered"
    return 0
  fi
  case $output in
    *'different type'*)
      # Registered earlier with another type: retrying cannot fix that, an operator has to.
      echo "$output" >&2
      log "search attribute $name exists with a type other than Keyword; remove it or use another namespace" >&2
      exit 1
      ;;
    *'already exists'* | *'already registered'*)
      log "search attribute $name already registered"
      return 0
      ;;
  esac
  echo "$output" >&2
  return 1
}

retry 'waiting for the Temporal server' server_healthy
retry "creating namespace $namespace" namespace_present
for attribute in $search_attributes; do
  retry "registering search attribute $attribute" attribute_registered "$attribute"
done
log 'done'
