#!/bin/sh
# Installs the Debian packages botwatch needs to build and test, only those that are missing.
# Usage: scripts/deps.sh [--record]   (--record adds the programs the fixture recorder runs)
set -eu
pkgs="build-essential pkg-config libpcap-dev libssl-dev libyaml-dev libnetfilter-queue-dev libcmocka-dev zlib1g-dev libpcre2-dev libvectorscan-dev tzdata tshark python3 clang time iproute2 tcpdump curl iptables"
if [ "${1:-}" = "--record" ]; then
    pkgs="$pkgs tcpdump iproute2 iputils-ping ethtool curl swaks python3-aiosmtpd nginx-light ngircd ii irssi tmux python3-irc microsocks tinyproxy openssl opentracker aria2 transmission-cli transmission-daemon openssh-server openssh-client python3-pyftpdlib dnsmasq-base bind9-dnsutils dovecot-imapd dovecot-pop3d samba smbclient nmap"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
