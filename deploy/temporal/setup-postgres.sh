#!/bin/sh
# One-shot job of docker-compose.yml (service temporal-admin-tools, admin-tools image).
# Creates Temporal's two PostgreSQL databases and brings both schemas to the latest version shipped in
# the image. Every step is safe to repeat: an existing database is left alone, setup-schema does not
# lower a schema version that is already higher, and update-schema only applies newer versions. That
# is also how a Temporal upgrade migrates the schema: bump TEMPORAL_ADMINTOOLS_VERSION and start again.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_PWD:?POSTGRES_PWD must be set}"

db_port="${DB_PORT:-5432}"
plugin="${SQL_PLUGIN:-postgres12}"
schema_root="${TEMPORAL_SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"
main_db="${DBNAME:-temporal}"
visibility_db="${VISIBILITY_DBNAME:-temporal_visibility}"
max_attempts="${SETUP_MAX_ATTEMPTS:-30}"
retry_delay="${SETUP_RETRY_DELAY_SECONDS:-2}"

# temporal-sql-tool reads the password from SQL_PASSWORD, which keeps it off the command line.
SQL_PASSWORD=$POSTGRES_PWD
export SQL_PASSWORD

log() {
  echo "setup-postgres: $*"
}

sql_tool() {
  temporal-sql-tool --plugin "$plugin" --ep "$POSTGRES_SEEDS" -p "$db_port" -u "$POSTGRES_USER" "$@"
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

# prepare DATABASE SCHEMA_DIR
prepare() {
  database=$1
  versioned_dir=$2
  if [ ! -d "$versioned_dir" ]; then
    log "schema directory $versioned_dir not found in this image" >&2
    return 1
  fi
  # PostgreSQL may still refuse connections right after its healthcheck passes, so the first step retries.
  retry "creating database $database" sql_tool --db "$database" create
  sql_tool --db "$database" setup-schema -v 0.0
  sql_tool --db "$database" update-schema -d "$versioned_dir"
  log "database $database is at the latest schema"
}

log "PostgreSQL at $POSTGRES_SEEDS:$db_port, plugin $plugin"
prepare "$main_db" "$schema_root/temporal/versioned"
prepare "$visibility_db" "$schema_root/visibility/versioned"
log 'done'
