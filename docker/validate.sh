#!/usr/bin/env bash
# Deployment checks without a Docker engine or a cluster (CI runs it after the Maven build):
#   1. dockerfilelint on docker/Dockerfile.jvm and docker/Dockerfile.native;
#   2. kubectl kustomize renders every overlay under k8s/ (each folder with a kustomization.yaml but base/ and
#      components/), and the result is validated against the Kubernetes OpenAPI schemas bundled in the npm packages
#      kubernetes-models and @kubernetes-models/prometheus-operator (ServiceMonitor included);
#   3. promtool check rules docs/alerts.yml, when promtool is installed (apt-get install prometheus); skipped if not;
#   4. bash -n on the shell scripts in docker/.
# The npm tools are installed once into docker/tools/node_modules (npm ci, versions pinned by package-lock.json).
# Exits non-zero when a check fails or a required tool (node, npm, kubectl) is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
step() { printf '== %s\n' "$*"; }

for tool in node npm kubectl; do
  command -v "$tool" >/dev/null || { echo "validate: $tool is required" >&2; exit 2; }
done

tools=docker/tools
if [ ! -f "$tools/node_modules/.installed" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.installed" ]; then
  step "installing validators (npm ci in $tools)"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
  touch "$tools/node_modules/.installed"
fi

step "dockerfilelint"
if ! "$tools/node_modules/.bin/dockerfilelint" docker/Dockerfile.jvm docker/Dockerfile.native; then
  fail=1
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
rendered=()
for dir in k8s/*/; do
  name="$(basename "$dir")"
  case "$name" in base|components) continue ;; esac
  [ -f "$dir/kustomization.yaml" ] || continue
  step "kubectl kustomize k8s/$name"
  if kubectl kustomize "$dir" >"$out/$name.yaml"; then
    echo "rendered $(grep -c '^kind:' "$out/$name.yaml") objects"
    rendered+=("$out/$name.yaml")
  else
    fail=1
  fi
done
if [ "${#rendered[@]}" -eq 0 ]; then
  echo "validate: no overlay rendered" >&2
  fail=1
else
  step "kubernetes schemas"
  node "$tools/validate-k8s.mjs" "${rendered[@]}" || fail=1
fi

step "promtool check rules docs/alerts.yml"
if command -v promtool >/dev/null; then
  promtool check rules docs/alerts.yml || fail=1
else
  echo "skipped: promtool not installed (apt-get install -y prometheus provides it)"
fi

step "bash -n docker/*.sh"
for f in docker/*.sh; do bash -n "$f" || fail=1; done

if [ "$fail" -ne 0 ]; then
  echo "validate: FAILED" >&2
  exit 1
fi
echo "validate: all deployment checks passed"
