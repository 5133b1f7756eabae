#!/bin/sh
# bootstrapper-imds: role credentials through IMDSv2 into the app's files, IMDS optionally
# locked down to root first. Installed as /usr/local/sbin/bootstrapper-imds; runs as root.
#
#   bootstrapper-imds setup     lockdown (if enabled) and make it and the refresh persistent
#   bootstrapper-imds lockdown  apply the IMDS owner-match firewall rules (idempotent)
#   bootstrapper-imds fetch     fetch credentials now and rewrite every credential file
#   bootstrapper-imds refresh   fetch only when the files are missing or near Expiration
#   bootstrapper-imds boot      lockdown, then refresh (per-boot hook and cron without systemd)
#
# This file is static: shellcheck, dash -n and checkbashisms check it as it stands, once, in
# the test suite. A render replaces the configuration block below with the profile's values
# (partials/bootstrapper-imds.conf.j2, every value through the sh filter) and leaves out the
# `#@ NAME` ... `#@ end` sections the profile does not use; every such variant is checked
# too. Comments are stripped from the installed copy (EC2 allows 16 KB of user-data).
#
# Nothing here prints a secret: cloud-init copies stdout and stderr into its log.

# --- configuration: a render writes this block from the profile -------------------------
IMDS='http://169.254.169.254'
ROLE=''
APP_USER='root'
ENV_FILE='/run/bootstrapper/credentials.env'
CP_FILE=''
AWS_CONFIG=''
TOKEN_TTL='21600'
DEADLINE='60'
ROLE_WAIT='10'
LOCKDOWN='0'
FIREWALL='auto'
ALLOW_USERS=''
ALLOW_FORWARDED='0'
REFRESH='1'
# --- end of configuration ---------------------------------------------------------------
set -eu
umask 077

# Refresh when Expiration is this close: above botocore's 15-minute advisory window, so a
# credential_process reader finds new keys before it starts asking.
REFRESH_BEFORE=1800
# Set once per run and read-only afterwards: WORK (this run's private directory), END (the
# fetch deadline), CLIENT and HDR (the HTTP client). TMP names the one temporary file not
# yet renamed into place, for the EXIT trap.
WORK=
TMP=

say() { printf 'bootstrapper-imds: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now() { date +%s; }
# ticks: centiseconds since boot, for the deadline (whole seconds would be a second off).
ticks() {
	read -r up _ </proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}
has() { command -v "$1" >/dev/null 2>&1; }

cleanup() {
	if [ -n "$TMP" ]; then rm -f "$TMP"; fi
	if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}

# --- HTTP: one request; the body into a file, the status printed (000: no complete answer)

# IMDSv2 starts with a PUT: curl, or GNU Wget 1.15+ (--method). Not BusyBox wget, not Wget 1.14
# (Amazon Linux 2, CentOS 7), and not Wget2, whose options differ.
pick_client() {
	if has curl; then
		CLIENT=curl HDR=
	elif wget --version 2>/dev/null | grep -q '^GNU Wget 1\.' &&
		wget --help 2>/dev/null | grep -q -- '--method'; then
		CLIENT=wget HDR='header = '
	else
		die "neither curl nor GNU Wget 1.15+ is installed (IMDSv2 needs a PUT): install curl, or render with --install-missing"
	fi
}

# set_header NAME VALUE: the one header of the next requests. Headers go through a 0600
# file, never argv: other users can read a process's argv.
set_header() { printf '%s%s: %s\n' "$HDR" "$1" "$2" >"$WORK/headers"; }

# max_time: seconds the next request may take: what is left, at most 3 and at least 1.
max_time() {
	left=$((END - $(ticks)))
	if [ "$left" -gt 300 ]; then left=300; elif [ "$left" -lt 100 ]; then left=100; fi
	printf '%d.%02d\n' $((left / 100)) $((left % 100))
}

# http_curl METHOD PATH OUT: an answer cut short (a timeout mid-body) is no answer: its
# status may say 200. Exit 2 is curl refusing its own command line (too old for -H @file):
# status 002, never retried.
http_curl() {
	rc=0
	code=$(curl -q -sS --noproxy '*' -X "$1" -H @"$WORK/headers" -o "$3" \
		-w '%{http_code}' --connect-timeout 1 --max-time "$(max_time)" \
		"$IMDS$2" 2>"$WORK/error") || rc=$?
	case $rc in 0) echo "$code" ;; 2) echo 002 ;; *) echo 000 ;; esac
}

# http_wget METHOD PATH OUT: GNU wget exits 8 for an HTTP error status, which is an answer;
# 2 for options it rejects.
http_wget() {
	rm -f "$3"
	rc=0
	wget --config="$WORK/headers" --no-proxy --tries=1 --timeout="$(max_time)" \
		--method="$1" --content-on-error -S -O "$3" -o "$WORK/error" "$IMDS$2" || rc=$?
	code=
	if [ "$rc" = 2 ]; then
		code=002
	elif [ "$rc" = 0 ] || [ "$rc" = 8 ]; then
		code=$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$WORK/error" | tail -n 1)
	fi
	echo "${code:-000}"
}

# backoff DELAY: the pause after DELAY before the next retry: 0.1, 0.2, 0.5, then 1 second.
backoff() {
	case $1 in 0) echo 0.1 ;; 0.1) echo 0.2 ;; 0.2) echo 0.5 ;; *) echo 1 ;; esac
}

pause() { sleep "$1" 2>/dev/null || sleep 1; }

# request METHOD PATH OUT: prints the status. No answer, 5xx and 429 are retried with
# backoff until the deadline; the check follows the pause, so no retry starts after END.
# Callers run it in $(...): its variables stay its own, and die ends the caller too.
request() {
	delay=0
	while :; do
		status=$("http_$CLIENT" "$1" "$2" "$3")
		case $status in
			002) die "$CLIENT rejected its options for $1 $2 (exit 2): install curl 7.55+ or GNU Wget 1.15+" ;;
			000 | 5?? | 429) ;;
			*) echo "$status" && return 0 ;;
		esac
		delay=$(backoff "$delay")
		pause "$delay"
		if [ "$(ticks)" -ge "$END" ]; then
			[ "$status" != 000 ] || die "no answer from IMDS at $IMDS for $1 $2 within the ${DEADLINE}s deadline"
			die "IMDS at $IMDS kept answering HTTP $status to $1 $2 until the ${DEADLINE}s deadline"
		fi
	done
}

# get_token: a new session token into the header file, which every later request sends.
get_token() {
	set_header X-aws-ec2-metadata-token-ttl-seconds "$TOKEN_TTL"
	put_status=$(request PUT /latest/api/token "$WORK/token")
	case $put_status in
		200) ;;
		403) die "IMDS refused a session token (HTTP 403): IMDS is disabled, or a proxy was in the way" ;;
		*) die "IMDS answered HTTP $put_status to the session token request" ;;
	esac
	IFS= read -r token <"$WORK/token" || true
	case $token in '' | *[!A-Za-z0-9+/=_-]*) die "IMDS sent an empty or malformed session token" ;; esac
	set_header X-aws-ec2-metadata-token "$token"
}

# get PATH OUT: GET with the session token, prints the status; an expired token (401) is
# replaced once.
get() {
	status=$(request GET "/latest/$1" "$2")
	if [ "$status" = 401 ]; then
		get_token
		status=$(request GET "/latest/$1" "$2")
	fi
	echo "$status"
}

# get_role_path PATH OUT: like get, but 404 is retried for ROLE_WAIT seconds, because early
# in boot IMDS can answer 404 for a moment before the instance profile is ready. The
# backoff carries across the 404s (each request starts its own from zero). Any status but
# 200 is an error.
get_role_path() {
	wait_end=$(($(ticks) + ROLE_WAIT * 100))
	delay=0
	status=$(get "$1" "$2")
	while [ "$status" = 404 ] && [ "$(ticks)" -lt "$wait_end" ] && [ "$(ticks)" -lt "$END" ]; do
		delay=$(backoff "$delay")
		pause "$delay"
		status=$(get "$1" "$2")
	done
	case $status in
		200) ;;
		404) die "no IAM role is attached to this instance (HTTP 404 for $1); attach an instance profile" ;;
		*) die "IMDS answered HTTP $status for $1" ;;
	esac
}

# --- credentials ------------------------------------------------------------------------

# discover_role: prints the one role IMDS lists.
discover_role() {
	get_role_path meta-data/iam/security-credentials/ "$WORK/roles"
	role=$(sed -n '/./p' "$WORK/roles")
	case $role in
		*"
"*) die "IMDS lists several IAM roles; choose one with --role" ;;
		'' | *[!A-Za-z0-9_+=,.@-]*) die "IMDS listed no usable IAM role name" ;;
	esac
	echo "$role"
}

# field KEY FILE: the string value of "KEY" in the JSON document FILE. The real service
# pretty-prints `"Key" : "value"`, others print compact JSON; both match.
field() {
	sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p' "$2" | head -n 1
}

# read_credentials ROLE FILE: the role's credential document into FILE, refused unless
# every value is a plain token (so the env file needs no quotes).
read_credentials() {
	get_role_path "meta-data/iam/security-credentials/$1" "$2"
	code=$(field Code "$2")
	if [ -n "$code" ] && [ "$code" != Success ]; then
		die "IMDS says the role credentials are not usable (Code: $code)"
	fi
	for key in AccessKeyId SecretAccessKey Token Expiration; do
		case $(field "$key" "$2") in
			'' | *[!A-Za-z0-9+/=:._-]*) die "the credential document has no usable $key" ;;
		esac
	done
}

# read_region: prints the instance's region.
read_region() {
	status=$(get meta-data/placement/region "$WORK/region")
	[ "$status" = 200 ] || die "IMDS answered HTTP $status for the region"
	IFS= read -r region <"$WORK/region" || true
	case $region in '' | *[!a-z0-9-]*) die "IMDS sent no usable region" ;; esac
	echo "$region"
}

# --- files: root-owned, group APP_GROUP, 0440: the app user reads them and cannot change,
# replace or back-date them; nobody else reads them. Temp file in the same directory, then one
# rename. Where the app user is root: 0400.

# app_group: sets APP_GROUP (the app user's primary group), FILE_MODE and WANT (its `ls -l`
# form) once per run. Refused unless the group is private to that user (no other account in
# /etc/passwd has it as primary group, no other member in /etc/group): a shared group such
# as `users` would let every member read the keys.
app_group() {
	APP_GROUP=$(id -g "$APP_USER") || die "user $APP_USER does not exist; create it first (cloud-config users:)"
	FILE_MODE=0440 WANT=-r--r-----
	if [ "$APP_GROUP" = 0 ]; then
		[ "$APP_USER" = root ] || die "user $APP_USER has group root: give it its own"
		FILE_MODE=0400 WANT=-r--------
		return 0
	fi
	others=$(grep "^[^:]*:[^:]*:[^:]*:$APP_GROUP:" /etc/passwd | grep -cv "^$APP_USER:" || :)
	members=$(sed -n "s/^[^:]*:[^:]*:$APP_GROUP:\(.*\)/\1/p" /etc/group)
	if [ "$others" != 0 ] || [ "${members:-$APP_USER}" != "$APP_USER" ]; then
		die "user $APP_USER shares its group (gid $APP_GROUP) with others: give it its own"
	fi
}

# check_tree PATH: every component root's and not writable by group or others (no sticky
# exception: a sticky /tmp lets anyone plant a file there), or a root-owned symlink (its
# target is checked by the caller). Anyone who can write an ancestor can swap what is below.
check_tree() {
	rest=${1#/} at=
	while [ -n "$rest" ]; do
		at="$at/${rest%%/*}"
		case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
		# ls -ldn is the portable way to read owner and mode.
		# shellcheck disable=SC2012,SC2046
		set -- $(ls -ldn "$at")
		# GNU ls may add an 11th character: `.` (SELinux context) or `+` (ACL).
		case $1 in
			d????w* | d???????w*) unsafe "$at" "writable by group or others" ;;
			[!dl]*) unsafe "$at" "not a directory" ;;
		esac
		[ "$3" = 0 ] || unsafe "$at" "not owned by root"
	done
}

unsafe() { die "refusing to write credentials under $1: it is $2"; }

# target PATH: prints where PATH is written: its directory is checked as given and as
# resolved (symlinks followed), and the file goes into the resolved one, so nothing
# swapped in later can redirect the rename.
target() {
	dir=${1%/*}
	(umask 022 && mkdir -p "${dir:-/}") || die "cannot create the directory $dir"
	check_tree "${dir:-/}"
	real=$(cd -P "${dir:-/}" && pwd -P) || die "cannot resolve the directory $dir"
	check_tree "$real"
	[ -L "${real%/}/${1##*/}" ] || [ ! -d "${real%/}/${1##*/}" ] || die "$1 is a directory"
	echo "${real%/}/${1##*/}"
}

# write_file PATH FORMAT ARG...: printf's output (a builtin: the values never reach an
# argv) into a new file beside PATH, given to root:APP_GROUP with FILE_MODE, then renamed
# over PATH in one step.
write_file() {
	into=$(target "$1")
	TMP=$(mktemp "${into%/*}/.${into##*/}.XXXXXX") || die "cannot create a temporary file beside $1"
	shift
	# shellcheck disable=SC2059 # the formats are this file's own
	printf "$@" >"$TMP"
	chown -- "0:$APP_GROUP" "$TMP" || die "cannot give ${into##*/} to group $APP_GROUP"
	chmod "$FILE_MODE" "$TMP"
	mv -f -- "$TMP" "$into" || die "cannot rename the new $into into place"
	TMP=
}

# trusted PATH: a regular file, root's, group APP_GROUP, FILE_MODE: one this helper wrote.
# Anything else (planted, a link, loosened) is replaced by a fetch, and the log says why.
trusted() {
	[ -e "$1" ] || [ -L "$1" ] || return 1
	# shellcheck disable=SC2012,SC2046
	set -- "$1" $(ls -ldn "$1")
	case $2:$4:$5 in
		"$WANT:0:$APP_GROUP" | "$WANT.:0:$APP_GROUP") ;;
		*) say "replacing $1: $2 $4:$5 is not $WANT 0:$APP_GROUP" && return 1 ;;
	esac
}

# write_env_file DOC REGION
write_env_file() {
	write_file "$ENV_FILE" 'AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_SESSION_TOKEN=%s\nAWS_CREDENTIAL_EXPIRATION=%s\nAWS_REGION=%s\nAWS_DEFAULT_REGION=%s\n' \
		"$(field AccessKeyId "$1")" "$(field SecretAccessKey "$1")" "$(field Token "$1")" \
		"$(field Expiration "$1")" "$2" "$2"
}

#@ process
# write_process_files DOC REGION: the credential_process document and the AWS config whose
# `credential_process = cat ...` reads it.
write_process_files() {
	write_file "$CP_FILE" '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "%s"}\n' \
		"$(field AccessKeyId "$1")" "$(field SecretAccessKey "$1")" "$(field Token "$1")" \
		"$(field Expiration "$1")"
	write_file "$AWS_CONFIG" '# Written by bootstrapper: SDKs re-run credential_process before Expiration.\n[default]\ncredential_process = cat %s\nregion = %s\n' \
		"$CP_FILE" "$2"
}
#@ end

fetch() {
	pick_client
	WORK=$(mktemp -d) || die "cannot create a private working directory"
	END=$(($(ticks) + DEADLINE * 100))
	get_token
	if [ -z "$ROLE" ]; then ROLE=$(discover_role); fi
	read_credentials "$ROLE" "$WORK/credentials"
	region=$(read_region)
	write_env_file "$WORK/credentials" "$region"
	if [ -n "$CP_FILE" ]; then write_process_files "$WORK/credentials" "$region"; fi
	expires=$(field Expiration "$WORK/credentials")
	: >"$WORK/credentials" # the keys live on in the files written, not in the work directory
	say "credentials for role $ROLE written for user $APP_USER (expire $expires)"
}

# refresh: fetch unless every credential file is one this helper wrote (root's: nobody else
# can have changed it) and the env file's credentials stay valid past REFRESH_BEFORE.
refresh() {
	if [ -n "$CP_FILE" ] && { ! trusted "$CP_FILE" || ! trusted "$AWS_CONFIG"; }; then
		fetch
		return 0
	fi
	if trusted "$ENV_FILE"; then
		expires=$(sed -n 's/^AWS_CREDENTIAL_EXPIRATION=//p' "$ENV_FILE")
		soon=$(date -u -d "@$(($(now) + REFRESH_BEFORE))" +%Y-%m-%dT%H:%M:%SZ)
		# ISO 8601 UTC timestamps order as strings; expr compares non-numbers as strings.
		if [ -n "$expires" ] && expr "$expires" \> "$soon" >/dev/null; then
			return 0
		fi
	fi
	fetch
}

#@ lockdown
# --- lockdown: kernel owner-match rules; only root and ALLOW_USERS reach IMDS ------------
# Forwarded traffic (containers behind this host) is rejected too, unless ALLOW_FORWARDED.
IMDS_V4=169.254.169.254
IMDS_V6=fd00:ec2::254
CHAIN=BOOTSTRAPPER-IMDS

# ipt_rules TOOL ADDRESS UIDS: one iptables-restore transaction, applied whole or not at
# all. A chain declared in it starts empty, so stale rules (an AMI's saved chain, a shrunk
# allow list) are gone; every jump to it is deleted and one inserted first in OUTPUT and
# FORWARD, so an ACCEPT another tool inserted above it stops mattering at the next run.
ipt_rules() {
	echo '*filter'
	echo ":$CHAIN - [0:0]"
	echo ":$CHAIN-FWD - [0:0]"
	for uid in $3; do echo "-A $CHAIN -m owner --uid-owner $uid -j RETURN"; done
	for c in "$CHAIN" "$CHAIN-FWD"; do
		echo "-A $c -p tcp -j REJECT --reject-with tcp-reset"
		echo "-A $c -j REJECT"
	done
	for hook in OUTPUT:"$CHAIN" FORWARD:"$CHAIN-FWD"; do
		"$1" -w -S "${hook%%:*}" | grep -e "-j ${hook#*:}\$" | sed 's/^-A/-D/'
		if [ "${hook%%:*}" = FORWARD ] && [ "$ALLOW_FORWARDED" = 1 ]; then continue; fi
		echo "-I ${hook%%:*} 1 -d $2 -j ${hook#*:}"
	done
	echo COMMIT
}

# lockdown_family TOOL ADDRESS UIDS
lockdown_family() {
	if ! has "$1-restore" || ! "$1" -w -n -L OUTPUT >/dev/null 2>&1; then return 1; fi
	# Read the chains before the restore starts: legacy iptables-restore holds the xtables
	# lock while it waits for input, and `iptables -S` in the same pipe would wait for ever.
	rules=$(ipt_rules "$1" "$2" "$3") && echo "$rules" | "$1-restore" -w --noflush
}

# lockdown_iptables UIDS: IPv6 must hold too: where ip6tables is missing or fails, nft takes
# over (its table covers both families), else the lockdown fails.
lockdown_iptables() {
	lockdown_family iptables "$IMDS_V4" "$1" || die "lockdown: iptables failed"
	[ -e /proc/net/if_inet6 ] || return 0
	lockdown_family ip6tables "$IMDS_V6" "$1" && return 0
	say "lockdown: ip6tables failed; trying nft for both families"
	lockdown_nft "$1"
}

# lockdown_nft UIDS: one nft transaction replaces the whole table: no moment without rules,
# same result each run. A reject here is final whatever another table (or iptables-nft)
# accepts.
lockdown_nft() {
	has nft || die "lockdown: nft is not installed"
	forward="chain forward {
		type filter hook forward priority 0; policy accept;
		ip daddr $IMDS_V4 jump deny
		ip6 daddr $IMDS_V6 jump deny
	}"
	if [ "$ALLOW_FORWARDED" = 1 ]; then forward=; fi
	nft -f - <<EOF || die "lockdown: nft could not load the rules"
table inet bootstrapper_imds {}
delete table inet bootstrapper_imds
table inet bootstrapper_imds {
	chain deny {
		meta l4proto tcp reject with tcp reset
		reject
	}
	chain output {
		type filter hook output priority 0; policy accept;
		meta skuid { $(echo "$1" | sed 's/ /, /g') } accept
		ip daddr $IMDS_V4 jump deny
		ip6 daddr $IMDS_V6 jump deny
	}
	$forward
}
EOF
}

# lockdown: an allowed user that does not exist (yet: a directory service late at boot)
# still gets the rules for root and the others applied, then a failure: stricter, never open.
lockdown() {
	uids=0 present='' missing=''
	for user in $ALLOW_USERS; do
		if uid=$(id -u "$user" 2>/dev/null); then
			uids="$uids $uid" present="$present $user"
		else
			missing="$missing $user"
		fi
	done
	case $FIREWALL in
		iptables) lockdown_iptables "$uids" ;;
		nftables) lockdown_nft "$uids" ;;
		*)
			if has nft; then
				lockdown_nft "$uids"
			elif has iptables; then
				lockdown_iptables "$uids"
			else
				die "lockdown: neither iptables nor nft is installed, so IMDS cannot be restricted"
			fi
			;;
	esac
	[ -z "$missing" ] || die "lockdown: allowed user(s)$missing do not exist: IMDS is open to root${present:+ and$present} only; rerun lockdown once they do"
	say "IMDS restricted to root${ALLOW_USERS:+ and $ALLOW_USERS}"
}
#@ end

# shield: the lockdown, where this profile has one.
shield() {
	if [ "$LOCKDOWN" = 1 ]; then lockdown; fi
}

#@ persist
# --- persistence: lockdown and refresh come back at every boot ----------------------------
SELF=/usr/local/sbin/bootstrapper-imds

persist() {
	if has systemctl && [ -d /etc/systemd/system ]; then
		persist_systemd
	else
		persist_cloud_init
	fi
}

persist_systemd() {
	units=
	if [ "$LOCKDOWN" = 1 ]; then units=bootstrapper-lockdown.service; fi
	if [ "$REFRESH" = 1 ]; then units="$units bootstrapper-credentials.service bootstrapper-credentials.timer"; fi
	# Without a running systemd (an image build, a chroot) enable only writes the links.
	if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	# shellcheck disable=SC2086 # a list of unit names
	systemctl enable $units
	if [ -d /run/systemd/system ] && [ "$REFRESH" = 1 ]; then systemctl start bootstrapper-credentials.timer; fi
}

# Without systemd: cloud-init runs per-boot scripts at every boot, and cron refreshes (after
# the lockdown, as the systemd unit does: a failed lockdown fetches nothing):
# /etc/cron.d (cron, cronie), else root's crontab of BusyBox crond (Alpine), added once.
persist_cloud_init() {
	mkdir -p /var/lib/cloud/scripts/per-boot
	printf '#!/bin/sh\nexec %s boot\n' "$SELF" >/var/lib/cloud/scripts/per-boot/bootstrapper-imds
	chmod 0700 /var/lib/cloud/scripts/per-boot/bootstrapper-imds
	[ "$REFRESH" = 1 ] || return 0
	if [ -d /etc/cron.d ]; then
		printf '*/5 * * * * root %s boot\n' "$SELF" >/etc/cron.d/bootstrapper-imds
		chmod 0644 /etc/cron.d/bootstrapper-imds
	elif [ -d /etc/crontabs ]; then
		job="*/5 * * * * $SELF boot"
		grep -qxF "$job" /etc/crontabs/root 2>/dev/null || printf '%s\n' "$job" >>/etc/crontabs/root
		echo root >>/etc/crontabs/cron.update # BusyBox crond rereads root's crontab
	else
		say "warning: no systemd and no cron: credentials are renewed only at boot"
	fi
}
#@ end

main() {
	trap cleanup EXIT
	trap 'exit 1' HUP INT TERM
	case ${1:-} in
		setup)
			shield
			if [ "$LOCKDOWN$REFRESH" != 00 ]; then persist; fi
			;;
		lockdown) shield ;;
		fetch)
			app_group
			fetch
			;;
		refresh)
			app_group
			refresh
			;;
		boot)
			shield
			if [ "$REFRESH" = 1 ]; then
				app_group
				refresh
			fi
			;;
		*) die "usage: bootstrapper-imds setup|lockdown|fetch|refresh|boot" ;;
	esac
}

main "$@"
