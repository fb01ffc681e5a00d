# gateway.sh — sourced by tests/integration/inline.sh and bench/inline.sh: three namespaces,
# "office" (10.79.1.2) -> "gateway" (10.79.1.1 | 10.79.2.1, forwarding) -> "outside"
# (10.79.2.2), joined by veth pairs with offloads off and no IPv6. The caller has created
# $NS_O and sets NS_G, NS_X; fail() is the caller's.
gateway_setup() {
    ip netns add "$NS_G" && ip netns add "$NS_X" || fail "ip netns add"
    ip link add bwo0 netns "$NS_O" type veth peer name bwg0 netns "$NS_G" || fail "veth"
    ip link add bwx0 netns "$NS_X" type veth peer name bwg1 netns "$NS_G" || fail "veth"
    for ns in "$NS_O" "$NS_G" "$NS_X"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_O" addr add 10.79.1.2/24 dev bwo0 && ip -n "$NS_O" link set bwo0 up
    ip -n "$NS_G" addr add 10.79.1.1/24 dev bwg0 && ip -n "$NS_G" link set bwg0 up
    ip -n "$NS_G" addr add 10.79.2.1/24 dev bwg1 && ip -n "$NS_G" link set bwg1 up
    ip -n "$NS_X" addr add 10.79.2.2/24 dev bwx0 && ip -n "$NS_X" link set bwx0 up
    ip -n "$NS_O" route add default via 10.79.1.1
    ip -n "$NS_X" route add default via 10.79.2.1
    ip netns exec "$NS_G" sysctl -qw net.ipv4.ip_forward=1
    for dev in bwo0:"$NS_O" bwg0:"$NS_G" bwg1:"$NS_G" bwx0:"$NS_X"; do
        ip netns exec "${dev#*:}" ethtool -K "${dev%%:*}" tx off tso off gso off >/dev/null 2>&1
    done
}
