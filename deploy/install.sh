#!/bin/sh
# Installs Liaison as systemd units on this machine (run as root from a checkout, after
# `swift build -c release --static-swift-stdlib`):
#
#   deploy/install.sh [--bin DIR] [--prefix DIR] [--no-start]
#
#   --bin DIR     where the built binaries are (default .build/release)
#   --prefix DIR  where they go (default /usr/local: DIR/bin, DIR/share/doc/liaison)
#   --no-start    install and enable, but do not start liaison.target
#
# What it does, in order: creates the users and groups (sysusers.d/liaison.conf: one user per
# service; liaison, liaison-office, liaison-admin), installs the five binaries stripped, the
# units, tmpfiles.d (the socket directory), the mesh file as /etc/liaison/mesh.json (an existing
# one is kept and the new one written beside it as mesh.json.new) and the README and docs/ where the units'
# Documentation= points; then reloads systemd and enables (and starts) liaison.target.
# Grant people access with: usermod -aG liaison[-office|-admin] NAME
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin="$repo/.build/release"
prefix=/usr/local
start=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --no-start) start=no; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "install.sh: run it as root" >&2; exit 77; }

binaries="liaison liaison-supervisor liaison-delegations liaison-agreements liaison-notifications"
for b in $binaries; do
  [ -x "$bin/$b" ] || { echo "install.sh: $bin/$b is missing: build first (swift build -c release --static-swift-stdlib)" >&2; exit 66; }
done

echo "users and groups"
install -D -m 0644 "$here/sysusers.d/liaison.conf" /etc/sysusers.d/liaison.conf
systemd-sysusers /etc/sysusers.d/liaison.conf

echo "binaries -> $prefix/bin"
install -d -m 0755 "$prefix/bin"
for b in $binaries; do
  # A new file renamed over the old: a running service keeps its binary until it restarts.
  install -m 0755 -s "$bin/$b" "$prefix/bin/$b.new"
  mv -f "$prefix/bin/$b.new" "$prefix/bin/$b"
done

echo "units, tmpfiles.d, mesh file, README and docs"
for u in "$here"/systemd/*; do
  sed "s#/usr/local/#$prefix/#g" "$u" > "/etc/systemd/system/$(basename "$u")"
  chmod 0644 "/etc/systemd/system/$(basename "$u")"
done
install -D -m 0644 "$here/tmpfiles.d/liaison.conf" /etc/tmpfiles.d/liaison.conf
systemd-tmpfiles --create /etc/tmpfiles.d/liaison.conf
install -d -m 0750 -o root -g liaison /etc/liaison
if [ -e /etc/liaison/mesh.json ]; then
  sed "s#/usr/local/#$prefix/#g" "$here/mesh.json" > /etc/liaison/mesh.json.new
  chgrp liaison /etc/liaison/mesh.json.new && chmod 0640 /etc/liaison/mesh.json.new
  echo "  kept /etc/liaison/mesh.json; the shipped one is /etc/liaison/mesh.json.new"
else
  sed "s#/usr/local/#$prefix/#g" "$here/mesh.json" > /etc/liaison/mesh.json
  chgrp liaison /etc/liaison/mesh.json && chmod 0640 /etc/liaison/mesh.json
fi
install -D -m 0644 "$repo/README.md" "$prefix/share/doc/liaison/README.md"
for doc in "$repo"/docs/*.md "$repo/CHANGELOG.md"; do install -D -m 0644 "$doc" "$prefix/share/doc/liaison/${doc#"$repo"/}"; done

systemctl daemon-reload
systemctl enable liaison.target liaison-delegations.socket liaison-agreements.socket liaison-notifications.socket \
  liaison-delegations.service liaison-agreements.service liaison-notifications.service liaison-backup.timer
# Metrics for Prometheus, where node_exporter's textfile collector reads them (Debian's
# prometheus-node-exporter); elsewhere enable liaison-metrics.timer once that directory exists.
metrics=no
if [ -d /var/lib/prometheus/node-exporter ]; then
  systemctl enable liaison-metrics.timer
  metrics=yes
fi
if [ "$start" = yes ]; then
  systemctl start liaison.target liaison-backup.timer
  if [ "$metrics" = yes ]; then systemctl start liaison-metrics.timer; fi
  echo "started: liaison status (as a member of the liaison group) shows each service"
fi
