#!/usr/bin/env python3
"""Decrypts an age (X25519) file with an AGE-SECRET-KEY identity file; writes the plain bytes.

Used once to make the batch_verify seeds (the plain tars inside fixtures/batches/*.age):
    fuzz/age_decrypt.py fixtures/batches/central-key.txt fixtures/batches/valid-1.age > out.tar
Needs Python's `cryptography`. Header MAC is not checked (the fixtures are ours)."""
import base64, hashlib, hmac, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes, serialization

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

def bech32_data(s):
    s = s.lower()
    data = [CHARSET.index(c) for c in s[s.rindex("1") + 1:]][:-6]
    acc, bits, out = 0, 0, []
    for v in data:
        acc = (acc << 5) | v
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    return bytes(out)

def hkdf(ikm, salt, info):
    return HKDF(hashes.SHA256(), 32, salt, info).derive(ikm)

def b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))

def main(key_file, age_file):
    secret = next(l.strip() for l in open(key_file) if l.startswith("AGE-SECRET-KEY-"))
    ident = X25519PrivateKey.from_private_bytes(bech32_data(secret))
    pub = ident.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    data = open(age_file, "rb").read()
    end = data.index(b"\n---")
    header, rest = data[:end], data[end + 1:]
    body = rest[rest.index(b"\n") + 1:]
    lines = header.decode().split("\n")[1:]
    file_key = None
    i = 0
    while i < len(lines):
        args = lines[i][3:].split(" ")
        j = i + 1
        wrapped = ""
        while j < len(lines) and not lines[j].startswith("-> "):
            wrapped += lines[j]
            j += 1
        if args[0] == "X25519":
            share = b64(args[1])
            shared = ident.exchange(X25519PublicKey.from_public_bytes(share))
            k = hkdf(shared, share + pub, b"age-encryption.org/v1/X25519")
            try:
                file_key = ChaCha20Poly1305(k).decrypt(b"\0" * 12, b64(wrapped), None)
                break
            except Exception:
                pass
        i = j
    if file_key is None:
        sys.exit("no matching recipient")
    nonce, payload = body[:16], body[16:]
    pk = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload"))
    out, n, size = bytearray(), 0, 65536 + 16
    while payload:
        chunk, payload = payload[:size], payload[size:]
        last = 1 if not payload else 0
        out += pk.decrypt(n.to_bytes(11, "big") + bytes([last]), chunk, None)
        n += 1
    sys.stdout.buffer.write(bytes(out))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
