#!/usr/bin/env bash
# Installs the Debian packages the integration tests use for real (Prometheus + promtool, docker-compose for
# validating docker-compose.yml, kcat as a non-Java Kafka client, Chromium + ChromeDriver for the web view's
# browser test) when they are missing. The Maven build calls it
# after the test classes compile (process-test-classes), skipped with -DskipTests: the launcher's and the image's
# builds (`mvn -DskipTests package`) and `./semistream run` never install anything.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "semistream tests need: ${missing[*]} (Debian packages); run as root or install them: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing test tools: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
# The package's own service is not wanted: the tests start Prometheus themselves.
pkill -x prometheus 2>/dev/null || true
