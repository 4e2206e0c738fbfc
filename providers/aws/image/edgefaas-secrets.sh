#!/bin/sh
# Entrypoint for OpenFaaS images run by edgefaas on AWS Lambda or ECS (docs/backends.md, "Secrets on
# AWS"). Neither can mount files, so edgefaas passes a function's secrets in EDGEFAAS_SECRETS as
# "name=<base64> name=<base64> …" (Lambda: an environment variable encrypted with KMS; ECS: a Secrets
# Manager secret injected by the agent). This writes each one to $EDGEFAAS_SECRETS_DIR/<name>
# (default /tmp/openfaas-secrets, writable on Lambda), which /var/openfaas/secrets links to in the image,
# drops the variable and runs the image's own command (the watchdog).
#
#   COPY edgefaas-secrets.sh /usr/local/bin/edgefaas-secrets.sh
#   RUN mkdir -p /var/openfaas && ln -sfn /tmp/openfaas-secrets /var/openfaas/secrets
#   ENTRYPOINT ["/usr/local/bin/edgefaas-secrets.sh"]
#   CMD ["fwatchdog"]
set -eu
dir="${EDGEFAAS_SECRETS_DIR:-/tmp/openfaas-secrets}"
umask 077
mkdir -p "$dir"
for pair in ${EDGEFAAS_SECRETS:-}; do
  name="${pair%%=*}"
  case "$name" in
    ''|.|..|*/*) echo "edgefaas-secrets: skipping a secret with an unusable name" >&2; continue ;;
  esac
  printf '%s' "${pair#*=}" | base64 -d > "$dir/$name.tmp"
  mv "$dir/$name.tmp" "$dir/$name"
done
unset EDGEFAAS_SECRETS
exec "$@"
