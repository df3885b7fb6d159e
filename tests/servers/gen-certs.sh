#!/usr/bin/env bash
# Generates the TLS material of the integration tests into OUTDIR (EC prime256v1 keys, valid 10 years):
#   ca.pem                      test CA (its key ca.key) that signs the server certificates
#   server.pem / server.key     signed by ca.pem, valid for DNS:localhost, IP:127.0.0.1, IP:::1
#   wronghost.pem / .key        signed by ca.pem, valid for DNS:wrong.example only
#   selfsigned.pem / .key       self-signed for localhost/127.0.0.1/::1, trusted by nobody
#   client-ca.pem               CA (its key client-ca.key) that signs client certificates
#   client.pem / client.key     client certificate signed by client-ca.pem
#   client-encrypted.key        client.key encrypted (PKCS#8, AES-256) with the passphrase "secret"
# Idempotent: does nothing when every file is already there.
set -euo pipefail

out=${1:?usage: gen-certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"

files=(ca.pem server.pem server.key wronghost.pem wronghost.key selfsigned.pem selfsigned.key
       client-ca.pem client.pem client.key client-encrypted.key)
all_present=1
for f in "${files[@]}"; do [ -s "$f" ] || all_present=0; done
[ "$all_present" = 1 ] && exit 0

days=3650
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }

# make_ca NAME CN
make_ca() {
  newkey "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days "$days" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# make_leaf NAME CN ISSUER SAN EKU: a certificate for NAME.key signed by ISSUER (or self-signed if ISSUER is "-")
make_leaf() {
  local name=$1 cn=$2 issuer=$3 san=$4 eku=$5
  newkey "$name.key"
  local signer=()
  [ "$issuer" != "-" ] && signer=(-CA "$issuer.pem" -CAkey "$issuer.key")
  openssl req -x509 -new -key "$name.key" -out "$name.pem" -days "$days" -subj "/CN=$cn" "${signer[@]}" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
    -addext "extendedKeyUsage=$eku" ${san:+-addext "subjectAltName=$san"}
}

make_ca ca "WsClient Test CA"
make_leaf server localhost ca "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
make_leaf wronghost wrong.example ca "DNS:wrong.example" serverAuth
make_leaf selfsigned localhost - "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth
make_ca client-ca "WsClient Test Client CA"
make_leaf client "WsClient Test Client" client-ca "" clientAuth
openssl pkey -in client.key -out client-encrypted.key -aes256 -passout pass:secret
