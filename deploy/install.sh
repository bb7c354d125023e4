#!/bin/sh
# Installs Liaison as systemd units on this machine (run as root from a checkout, after
# `swift build -c release --static-swift-stdlib`), or removes it again:
#
#   deploy/install.sh [--bin DIR] [--prefix DIR] [--destdir DIR] [--no-start]
#   deploy/install.sh --uninstall [--purge] [--prefix DIR] [--destdir DIR]
#
#   --bin DIR      where the built binaries are (default .build/release)
#   --prefix DIR   where they go (default /usr/local: DIR/bin, DIR/share/…)
#   --destdir DIR  stage the files under DIR (also $DESTDIR), as packagers do: no users, no
#                  systemctl, no ownership; the paths inside the files are those without DIR
#   --no-start     install and enable, but do not start liaison.target
#   --uninstall    stop and disable the units and remove every file the install wrote (listed in
#                  PREFIX/share/liaison/installed-files); the mesh file, the data and the users stay
#   --purge        with --uninstall: also /etc/liaison, /var/lib/liaison, /var/log/liaison,
#                  /var/backups/liaison and the users and groups
#
# What an install does, in order: creates the users and groups (sysusers.d/liaison.conf: one
# user per service; liaison, liaison-office, liaison-admin), installs the five binaries stripped,
# the units, sysusers.d and tmpfiles.d, the mesh file as /etc/liaison/mesh.json (an existing one
# is kept and the new one written beside it as mesh.json.new), the man page, the bash, zsh and
# fish completions, and the README and docs/ where the units' Documentation= points; then
# reloads systemd and enables (and starts) liaison.target.
# Grant people access with: usermod -aG liaison[-office|-admin] NAME
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin="$repo/.build/release"
prefix=/usr/local
destdir="${DESTDIR:-}"
start=yes
action=install
purge=no
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --destdir) destdir="$2"; shift 2 ;;
    --no-start) start=no; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=yes; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
if [ -z "$destdir" ]; then
  [ "$(id -u)" = 0 ] || { echo "install.sh: run it as root (or stage with --destdir DIR)" >&2; exit 77; }
fi
# Runs a command that changes the running system: not when staging.
system() { if [ -z "$destdir" ]; then "$@"; fi; }
units="liaison.target liaison-delegations.socket liaison-agreements.socket liaison-notifications.socket
  liaison-delegations.service liaison-agreements.service liaison-notifications.service liaison-backup.timer
  liaison-metrics.timer"
manifest="$destdir$prefix/share/liaison/installed-files"

if [ "$action" = uninstall ]; then
  if [ ! -f "$manifest" ] && [ "$purge" = no ]; then
    echo "install.sh: $manifest is missing: nothing installed here by install.sh" >&2
    exit 66
  fi
  # shellcheck disable=SC2086
  system systemctl disable --now $units liaison-supervisor.service 2>/dev/null || true
  if [ -f "$manifest" ]; then
    while IFS= read -r f; do rm -f "$destdir$f"; done < "$manifest"
    rm -f "$manifest"
  fi
  for d in "$prefix/share/doc/liaison/docs" "$prefix/share/doc/liaison" "$prefix/share/liaison"; do
    rmdir "$destdir$d" 2>/dev/null || true
  done
  system systemctl daemon-reload
  if [ "$purge" = yes ]; then
    rm -rf "$destdir/etc/liaison" "$destdir/var/lib/liaison" "$destdir/var/log/liaison" "$destdir/var/backups/liaison" \
      "$destdir/run/liaison"
    for u in liaison-delegations liaison-agreements liaison-notifications liaison-supervisor; do
      system userdel "$u" 2>/dev/null || true
    done
    for g in liaison-admin liaison-office liaison; do system groupdel "$g" 2>/dev/null || true; done
  fi
  echo "removed Liaison from $destdir$prefix$([ "$purge" = yes ] && echo ', with its configuration, data and users')"
  exit 0
fi

binaries="liaison liaison-supervisor liaison-delegations liaison-agreements liaison-notifications"
for b in $binaries; do
  [ -x "$bin/$b" ] || { echo "install.sh: $bin/$b is missing: build first (swift build -c release --static-swift-stdlib)" >&2; exit 66; }
done
written=""
# Installs SOURCE as the file TARGET (a path without DESTDIR) with MODE, and lists it.
put() {
  install -D -m "$3" "$1" "$destdir$2.new"
  mv -f "$destdir$2.new" "$destdir$2"
  written="$written$2
"
}

echo "users and groups"
put "$here/sysusers.d/liaison.conf" /etc/sysusers.d/liaison.conf 0644
system systemd-sysusers /etc/sysusers.d/liaison.conf

echo "binaries -> $destdir$prefix/bin"
for b in $binaries; do
  # A new file renamed over the old: a running service keeps its binary until it restarts.
  install -D -m 0755 -s "$bin/$b" "$destdir$prefix/bin/$b.new"
  mv -f "$destdir$prefix/bin/$b.new" "$destdir$prefix/bin/$b"
  written="$written$prefix/bin/$b
"
done

echo "units, tmpfiles.d, mesh file, man page, completions, README and docs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for u in "$here"/systemd/*; do
  sed "s#/usr/local/#$prefix/#g" "$u" > "$tmp/$(basename "$u")"
  put "$tmp/$(basename "$u")" "/etc/systemd/system/$(basename "$u")" 0644
done
put "$here/tmpfiles.d/liaison.conf" /etc/tmpfiles.d/liaison.conf 0644
system systemd-tmpfiles --create /etc/tmpfiles.d/liaison.conf
install -d -m 0750 "$destdir/etc/liaison"
system chgrp liaison /etc/liaison
sed "s#/usr/local/#$prefix/#g" "$here/mesh.json" > "$tmp/mesh.json"
if [ -e "$destdir/etc/liaison/mesh.json" ]; then
  install -m 0640 "$tmp/mesh.json" "$destdir/etc/liaison/mesh.json.new"
  system chgrp liaison /etc/liaison/mesh.json.new
  echo "  kept /etc/liaison/mesh.json; the shipped one is /etc/liaison/mesh.json.new"
else
  install -m 0640 "$tmp/mesh.json" "$destdir/etc/liaison/mesh.json"
  system chgrp liaison /etc/liaison/mesh.json
fi
"$bin/liaison" man > "$tmp/liaison.1"
put "$tmp/liaison.1" "$prefix/share/man/man1/liaison.1" 0644
# A page per service binary, from its --help.
for b in liaison-supervisor liaison-delegations liaison-agreements liaison-notifications; do
  "$bin/$b" --help | awk -v name="$b" -v version="$("$bin/liaison" --version | awk '{print $2}')" '
    function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); sub(/^[.'"'"']/, "\\\\&&", s); return s }
    BEGIN { printf ".TH %s 1 \"\" \"liaison %s\" \"Liaison\"\n", toupper(name), version; part = "" }
    /^OVERVIEW: / { sub(/^OVERVIEW: [^ ]+ [^ ]+ /, ""); overview = $0; part = "overview"; next }
    /^USAGE: / { sub(/^USAGE: [^ ]+ ?/, ""); usage = $0; part = ""; next }
    /^OPTIONS:/ { part = "options"; next }
    /^$/ { if (part == "options") part = "discussion"; else if (part == "overview") part = ""; next }
    part == "overview" { sub(/^ +/, ""); overview = overview " " $0; next }
    part == "options" && /^-/ { split($0, a, /  +/); opts = opts ".TP\n.B " esc(a[1]) "\n" esc(a[2]) "\n"; next }
    part == "options" { sub(/^ +/, ""); opts = opts esc($0) "\n"; next }
    part == "discussion" { text = text esc($0) "\n"; next }
    END {
      printf ".SH NAME\n%s \\- %s\n.SH SYNOPSIS\n.B %s\n%s\n", esc(name), esc(overview), esc(name), esc(usage)
      if (text != "") printf ".SH DESCRIPTION\n%s", text
      printf ".SH OPTIONS\n%s", opts
      printf ".SH SEE ALSO\n.BR liaison (1)\n"
    }' > "$tmp/$b.1"
  put "$tmp/$b.1" "$prefix/share/man/man1/$b.1" 0644
done
"$bin/liaison" completion bash > "$tmp/liaison.bash"
put "$tmp/liaison.bash" "$prefix/share/bash-completion/completions/liaison" 0644
"$bin/liaison" completion zsh > "$tmp/_liaison"
put "$tmp/_liaison" "$prefix/share/zsh/site-functions/_liaison" 0644
"$bin/liaison" completion fish > "$tmp/liaison.fish"
put "$tmp/liaison.fish" "$prefix/share/fish/vendor_completions.d/liaison.fish" 0644
put "$repo/README.md" "$prefix/share/doc/liaison/README.md" 0644
for doc in "$repo"/docs/*.md "$repo/CHANGELOG.md"; do put "$doc" "$prefix/share/doc/liaison/${doc#"$repo"/}" 0644; done
install -d "$destdir$prefix/share/liaison"
printf '%s' "$written" > "$manifest"

# shellcheck disable=SC2086
system systemctl daemon-reload
system systemctl enable liaison.target liaison-delegations.socket liaison-agreements.socket liaison-notifications.socket \
  liaison-delegations.service liaison-agreements.service liaison-notifications.service liaison-backup.timer
# Metrics for Prometheus, where node_exporter's textfile collector reads them (Debian's
# prometheus-node-exporter); elsewhere enable liaison-metrics.timer once that directory exists.
metrics=no
if [ -z "$destdir" ] && [ -d /var/lib/prometheus/node-exporter ]; then
  systemctl enable liaison-metrics.timer
  metrics=yes
fi
if [ -n "$destdir" ]; then
  echo "staged under $destdir (no users created, no systemctl)"
elif [ "$start" = yes ]; then
  systemctl start liaison.target liaison-backup.timer
  if [ "$metrics" = yes ]; then systemctl start liaison-metrics.timer; fi
  echo "started: liaison status (as a member of the liaison group) shows each service"
fi
