#!/usr/bin/env bash
# What `npm start`, `npm run dev` and `npm test` need from the system (Debian), checked before anything runs.
# Missing packages are installed with apt-get when we are root; otherwise this stops at once with one line
# naming them and the command that installs them.
# Usage: scripts/preflight.sh start|unit|e2e|editor|test
#   start   openssl (the sandbox makes its certificates with it); to build the n8n app once: make, g++, python3
#   unit    openssl (certificates made at test time)
#   e2e     + redis-server, postgresql, postgresql-client (n8n queue mode), and what building the apps needs
#   editor  + chromium (the editor check drives Debian's Chromium)
#   test    all of the above
set -euo pipefail

cache=${N8N_APP_CACHE:-$HOME/.cache/n8n-nodes-openai-certificates}

# Is a Debian package's program there? (Checked by what we use, so a non-Debian install counts too.)
present() {
	case $1 in
	chromium) [[ -x /usr/bin/chromium ]] ;;
	redis-server) [[ -x /usr/bin/redis-server ]] ;;
	postgresql) compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null ;;
	postgresql-client) command -v psql >/dev/null ;;
	python3) command -v python3 >/dev/null ;;
	*) command -v "$1" >/dev/null ;;
	esac
}

# Compilers are needed only while an app version is not installed yet (its SQLite binding is built from source).
build_tools_if_needed() {
	local version
	for version in "$@"; do
		if [[ ! -f "$cache/n8n-$version/.installed" ]]; then
			echo make g++ python3
			return
		fi
	done
}

wanted=()
for what in "$@"; do
	case $what in
	start) wanted+=(openssl $(build_tools_if_needed 2.41.1)) ;;
	unit) wanted+=(openssl) ;;
	e2e) wanted+=(openssl redis-server postgresql postgresql-client $(build_tools_if_needed 2.41.1 1.123.81)) ;;
	editor) wanted+=(openssl chromium $(build_tools_if_needed 2.41.1)) ;;
	test) wanted+=(openssl chromium redis-server postgresql postgresql-client $(build_tools_if_needed 2.41.1 1.123.81)) ;;
	*) echo "usage: preflight.sh start|unit|e2e|editor|test" >&2 && exit 2 ;;
	esac
done

missing=()
for package in $(printf '%s\n' "${wanted[@]}" | sort -u); do
	present "$package" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
	echo "Missing system packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

started=$SECONDS
echo "[preflight] installing ${missing[*]} with apt-get (once; about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
{
	apt-get -o DPkg::Lock::Timeout=600 update -qq &&
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
} >/tmp/preflight-apt-$$.log 2>&1 || {
	tail -n 20 /tmp/preflight-apt-$$.log >&2
	echo "[preflight] apt-get could not install ${missing[*]} (log above). Install them with: apt-get install -y ${missing[*]}" >&2
	exit 1
}
rm -f /tmp/preflight-apt-$$.log
still=()
for package in "${missing[@]}"; do present "$package" || still+=("$package"); done
[[ ${#still[@]} -eq 0 ]] || { echo "[preflight] still missing after apt-get: ${still[*]}" >&2; exit 1; }
echo "[preflight] installed ${missing[*]} in $((SECONDS - started)) s" >&2
