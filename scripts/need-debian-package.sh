#!/usr/bin/env bash
# need-debian-package.sh PACKAGE EXECUTABLE: install Debian's PACKAGE when EXECUTABLE is missing.
# `make test` uses it for chromium (the end-to-end browser) and nginx (the deployment test). As root
# (CI) it runs apt-get; otherwise it stops with the command a person should run.
set -euo pipefail
package=$1 executable=$2
[ -x "$executable" ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "$executable is missing and installing it needs root: run  sudo apt-get install -y $package" >&2
  exit 1
fi
echo "installing Debian's $package (for $executable)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "$package" >/dev/null
[ -x "$executable" ] || { echo "$package installed but $executable is still missing" >&2; exit 1; }
