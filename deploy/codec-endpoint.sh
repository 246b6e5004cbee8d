#!/bin/sh
# Prints the URL to put in LEADSYNC_UI_CODEC_ENDPOINT for the Temporal UI of docker-compose.yml.
#
# The UI decodes payloads by calling the service's codec endpoint from the browser, which cannot send our
# bearer API key. The service therefore also serves the codec under a path derived from LEADSYNC_API_KEY
# (src/http/auth.ts, codecCapability); this prints that URL. Run it from a checkout with dependencies
# installed; LEADSYNC_API_KEY and LEADSYNC_PUBLIC_URL come from the environment or from ./.env.
#
#   sh deploy/codec-endpoint.sh [public base URL, default LEADSYNC_PUBLIC_URL or http://localhost:3000]
set -eu

cd "$(dirname "$0")/.."
exec node --import tsx --input-type=module -e '
const { config } = await import("dotenv");
config({ quiet: true });
const { codecCapability } = await import("./src/http/auth.ts");
const apiKey = (process.env.LEADSYNC_API_KEY ?? "").trim();
if (apiKey === "") {
  console.error("codec-endpoint: LEADSYNC_API_KEY is not set (environment or .env)");
  process.exit(1);
}
const base = (process.argv[1] || process.env.LEADSYNC_PUBLIC_URL || "http://localhost:3000").replace(/\/+$/, "");
console.log(`${base}/codec/ui/${codecCapability(apiKey)}`);
' "$@"
