#!/bin/sh
# Generates a throw-away TLS test PKI into directory $1 (created if needed):
#   ca.pem / ca-key.pem          test CA
#   server-cert.pem / server-key.pem   CN=localhost, SAN localhost, 127.0.0.1
#   client-cert.pem / client-key.pem   CN=client, SAN email client@nats.io
#   client2-cert.pem / client2-key.pem CN=alice,OU=nats.io,O=Synadia, SAN DNS alice.nats.io
#   other-ca.pem, rogue-cert.pem / rogue-key.pem  a client cert from another CA
# Nothing generated here is checked in.
set -e
d=${1:?usage: gen.sh <dir>}
mkdir -p "$d"
cd "$d"
O=${OPENSSL:-openssl}
days=3650

$O req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days $days \
    -subj "/CN=cnatsd test CA" >/dev/null 2>&1
$O req -x509 -newkey rsa:2048 -nodes -keyout other-ca-key.pem -out other-ca.pem -days $days \
    -subj "/CN=other test CA" >/dev/null 2>&1

leaf() { # name subject san [ca]
    ca=${4:-ca}
    $O req -newkey rsa:2048 -nodes -keyout "$1-key.pem" -out "$1.csr" -subj "$2" >/dev/null 2>&1
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" > "$1.ext"
    $O x509 -req -in "$1.csr" -CA "$ca.pem" -CAkey "$ca-key.pem" -CAcreateserial -out "$1-cert.pem" \
        -days $days -extfile "$1.ext" >/dev/null 2>&1
    rm -f "$1.csr" "$1.ext"
}
leaf server "/CN=localhost" "DNS:localhost,IP:127.0.0.1"
leaf client "/CN=client" "email:client@nats.io"
leaf client2 "/O=Synadia/OU=nats.io/CN=alice" "DNS:alice.nats.io"
leaf rogue "/CN=rogue" "DNS:rogue.nats.io" other-ca
