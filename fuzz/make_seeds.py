#!/usr/bin/env python3
"""Writes the seed corpora fuzz/seeds/<target>/ from the project's fixtures (and a few minutiae
records from ../shared/data when present). Run from the repository root:
    python3 fuzz/make_seeds.py
Needs Python's `cryptography` (age decryption of the fixture batches, the RS256 JWS seeds)."""
import base64, hashlib, io, json, os, shutil, struct, subprocess, sys, tarfile, zlib
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
FIX = os.path.join(ROOT, "fixtures")


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 200_000, (target, name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(*p):
    with open(os.path.join(*p), "rb") as f:
        return f.read()


def png(w, h, pixels, color=0):
    """A PNG of 8-bit gray (color 0) or RGB (color 2) rows."""
    ch = 1 if color == 0 else 3
    raw = b"".join(b"\0" + pixels[y * w * ch:(y + 1) * w * ch] for y in range(h))
    def chunk(t, b):
        return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", 19685, 19685, 1))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


CAPTURE_TIME = struct.pack(">HBBBBBH", 2026, 11, 27, 6, 0, 0, 0)


def fir(reps, cert=False):
    body = b""
    for (pos, comp, w, h, image, quality) in reps:
        b = CAPTURE_TIME + bytes([0]) + struct.pack(">HH", 0, 0)
        b += bytes([1]) + struct.pack(">BHH", quality, 0, 0)
        if cert:
            b += bytes([1]) + struct.pack(">HB", 1, 1)
        b += bytes([pos, 0, 1]) + struct.pack(">HHHH", 500, 500, 500, 500)
        b += bytes([8, comp, 0]) + struct.pack(">HHI", w, h, len(image)) + image
        body += struct.pack(">I", 4 + len(b)) + b
    positions = len({r[0] for r in reps})
    return (b"FIR\x00020\x00" + struct.pack(">IHBB", 16 + len(body), len(reps), int(cert), positions)
            + body)


def fac(reps):
    body = b""
    for (dtype, w, h, image, landmarks) in reps:
        b = CAPTURE_TIME + bytes([0]) + struct.pack(">HH", 0, 0)
        b += bytes([1]) + struct.pack(">BHH", 80, 0, 0)
        b += struct.pack(">H", landmarks) + bytes(15)
        b += bytes(8) * landmarks
        b += bytes([1, dtype]) + struct.pack(">HHBHBBI", w, h, 0, 0, 0, 1, len(image)) + image
        body += struct.pack(">I", 4 + len(b)) + b
    return b"FAC\x00030\x00" + struct.pack(">IHBH", 17 + len(body), len(reps), 0, 0) + body


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    # ISO 19794-2 minutiae: a few commercial-SDK records from the shared data set.
    shared = os.path.join(ROOT, "..", "shared", "data", "fingerprints")
    n = 0
    for db in ("fvc2002-db1b", "fvc2004-db1b", "fvc2002-db4b-synthetic"):
        d = os.path.join(shared, db, "iso19794-2")
        if os.path.isdir(d):
            for f in sorted(os.listdir(d))[:6]:
                put("iso19794_2_minutiae", f"{db}-{f}", read(d, f))
                n += 1
    if n == 0:
        print("../shared/data not found: no minutiae seeds", file=sys.stderr)

    # ISO 19794-4 finger records around the 48x40 test finger (raw, PNG, JPEG 2000), one JPEG.
    td = os.path.join(ROOT, "src", "iso19794", "testdata")
    gray = read(td, "finger-48x40.gray")
    j2k = read(td, "finger-48x40.j2k")
    gpng = png(48, 40, gray)
    jpg = read(FIX, "frames", "astronaut-160x120.jpg")
    put("iso19794_4_finger", "raw", fir([(2, 0, 48, 40, gray, 60)]))
    put("iso19794_4_finger", "png", fir([(1, 6, 48, 40, gpng, 80)]))
    put("iso19794_4_finger", "j2k", fir([(7, 5, 48, 40, j2k, 255)]))
    put("iso19794_4_finger", "jpeg-certified", fir([(3, 3, 160, 120, jpg, 40)], cert=True))
    put("iso19794_4_finger", "slap", fir([(p, 6, 48, 40, gpng, 70) for p in (2, 3, 4, 5)]))
    # ISO 19794-5 face records (JPEG, PNG, JPEG 2000 gray, landmarks).
    rgbpng = read(FIX, "frames", "astronaut-64x48.yuyv.rgb.png")
    put("iso19794_5_face", "jpeg", fac([(0, 160, 120, jpg, 0)]))
    put("iso19794_5_face", "png-landmarks", fac([(3, 64, 48, rgbpng, 2)]))
    put("iso19794_5_face", "j2k", fac([(2, 48, 40, j2k, 0)]))
    put("iso19794_5_face", "two", fac([(3, 48, 40, gpng, 0), (0, 160, 120, jpg, 1)]))

    # Batches: the plain tars inside the fixture age files.
    key = os.path.join(FIX, "batches", "central-key.txt")
    tars = {}
    for f in sorted(os.listdir(os.path.join(FIX, "batches"))):
        if not f.endswith(".age") or f in ("truncated.age", "wrong-recipient.age"):
            continue
        out = subprocess.run([sys.executable, os.path.join(ROOT, "fuzz", "age_decrypt.py"), key,
                              os.path.join(FIX, "batches", f)], check=True, capture_output=True)
        tars[f[:-4]] = out.stdout
        put("batch_verify", f[:-4] + ".tar", out.stdout)
    members = {}
    with tarfile.open(fileobj=io.BytesIO(tars["valid-1"])) as t:
        for m in t.getmembers():
            if m.isfile():
                members[m.name] = t.extractfile(m).read()
    with tarfile.open(fileobj=io.BytesIO(tars["valid-2"])) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.startswith("data/records/"):
                members[m.name] = t.extractfile(m).read()
    put("batch_files", "bag-info", b"\0" + members["bag-info.txt"])
    put("batch_files", "manifest", b"\1" + members["manifest-sha256.txt"])
    put("batch_files", "tagmanifest", b"\1" + members["tagmanifest-sha256.txt"])
    put("batch_files", "sig", b"\2" + members["tagmanifest-sha256.txt.sig"])
    put("batch_files", "audit", b"\3" + members["data/audit.jsonl"])
    put("station_certificate", "KG1101", read(FIX, "batches", "station-KG1101.json"))
    for name, b in members.items():
        if name.startswith("data/station-"):
            put("station_certificate", "in-batch", b)
        if name.startswith("data/records/") and name.endswith(".json"):
            put("record_json", os.path.basename(name), b)
        if name.startswith("data/biometrics/"):
            put("png_intake", "batch-" + os.path.basename(name)[:12] + ".png", b)

    # Pictures: small PNGs and a JPEG.
    put("png_intake", "signature.png", read(FIX, "signature.png"))
    put("png_intake", "finger-48x40.png", gpng)
    put("png_intake", "rgb-64x48.png", rgbpng)
    put("png_intake", "astronaut-160x120.jpg", jpg)

    # SBI: JWS tokens (unsigned, RS256 with an x5c certificate) and the answers built on them.
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa, padding
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz device")])
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(k.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + timedelta(days=3650)).sign(k, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)

    def jws(payload):
        h = b64url(json.dumps({"alg": "RS256", "x5c": [base64.b64encode(der).decode()]}).encode())
        p = b64url(payload)
        s = k.sign(f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{h}.{p}.{b64url(s)}"

    digital_id = {"serialNo": "1", "make": "Fuzz", "model": "F1", "type": "Finger",
                  "deviceSubType": "Slap", "deviceProvider": "Fuzz", "deviceProviderId": "fuzz",
                  "dateTime": "2026-11-27T06:00:00Z"}
    did = json.dumps(digital_id).encode()
    put("sbi_jws", "signed", jws(did).encode())
    put("sbi_jws", "unsigned", b64url(did).encode())
    put("sbi_jws", "badly-signed", (jws(did)[:-4] + "AAAA").encode())
    put("sbi_jws", "alg-none", (b64url(b'{"alg":"none"}') + "." + b64url(did) + ".").encode())
    disc = [{"deviceId": "1", "deviceStatus": "Ready", "certification": "L0",
             "serviceVersion": "0.9.5", "deviceSubId": ["1", 2, "3"], "callbackId": "",
             "digitalId": b64url(did), "deviceCode": "c", "specVersion": ["0.9.5"],
             "purpose": "Registration", "error": {"errorCode": "0", "errorInfo": "Success"}}]
    put("sbi_answers", "discovery", b"\x00" + json.dumps(disc).encode())
    info = {"deviceStatus": "Ready", "deviceId": "1", "firmware": "1", "certification": "L0",
            "serviceVersion": "0.9.5", "deviceSubId": ["1", "2", "3"], "callbackId": "",
            "digitalId": jws(did), "deviceCode": "c", "env": "Staging",
            "purpose": "Registration", "specVersion": ["0.9.5"]}
    put("sbi_answers", "info-signed", b"\x10" + json.dumps([{"deviceInfo": jws(json.dumps(info).encode()), "error": None}]).encode())
    put("sbi_answers", "info-unsigned-training", b"\x90" + json.dumps([{"deviceInfo": b64url(json.dumps(info).encode())}]).encode())
    put("sbi_answers", "info-error", b"\x10" + json.dumps([{"deviceInfo": "", "error": {"errorCode": "100", "errorInfo": "busy"}}]).encode())

    def chain(prev, iso):
        return hashlib.sha256(bytes.fromhex(prev) + hashlib.sha256(iso).digest()).hexdigest()

    def capture(sel, entries, signed):
        prev = hashlib.sha256(b"").hexdigest()
        bios = []
        for sub, iso, bio_type in entries:
            data = {"digitalId": jws(did) if signed else b64url(did), "deviceCode": "c",
                    "deviceServiceVersion": "0.9.5", "bioType": bio_type, "bioSubType": sub,
                    "purpose": "Registration", "env": "Staging", "bioValue": b64url(iso),
                    "transactionId": "kattoo-fuzz", "timestamp": "2026-11-27T06:00:00Z",
                    "requestedScore": "40", "qualityScore": 80}
            payload = json.dumps(data).encode()
            h = chain(prev, iso)
            prev = h
            bios.append({"specVersion": "0.9.5", "data": jws(payload) if signed else b64url(payload),
                         "hash": h, "error": {"errorCode": "0", "errorInfo": "Success"}})
        return bytes([sel]) + json.dumps({"biometrics": bios}).encode()

    slap = [(s, fir([(p, 6, 48, 40, gpng, 70)]), "Finger")
            for s, p in (("Right IndexFinger", 2), ("Right MiddleFinger", 3),
                         ("Right RingFinger", 4), ("Right LittleFinger", 5))]
    # Selector s (low 7 bits, >= 32): s % 5 picks the set (0 face, 2 right slap, 4 right index),
    # bit 3 fixes the hash chain up, bit 7 is training.
    put("sbi_answers", "capture-right-slap-signed", capture(32, slap, True))
    put("sbi_answers", "capture-right-slap-unsigned", capture(0x80 | 42, slap, False))
    put("sbi_answers", "capture-index-j2k", capture(0x80 | 44, [("Right IndexFinger", fir([(2, 5, 48, 40, j2k, 60)]), "Finger")], False))
    put("sbi_answers", "capture-face", capture(0x80 | 40, [("", fac([(0, 160, 120, jpg, 0)]), "Face")], False))
    put("sbi_answers", "capture-face-signed", capture(35, [("", fac([(3, 64, 48, rgbpng, 0)]), "Face")], True))
    put("sbi_answers", "capture-error", b"\x28" + json.dumps({"biometrics": [{"data": "", "hash": "", "error": {"errorCode": "102", "errorInfo": "not detected"}}]}).encode())

    # SBI preview stream: Content-Type line, then multipart parts with and without a length.
    small = read(FIX, "frames", "astronaut-160x120.mjpg")
    body = (b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(small)
            + small + b"\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n" + small + b"\r\n--frame--\r\n")
    put("sbi_stream", "two-parts", b"multipart/x-mixed-replace; boundary=frame\n" + body)
    put("sbi_stream", "two-parts-decoded", b"multipart/x-mixed-replace;boundary=frame\n" + body)
    put("sbi_stream", "quoted-boundary", b'multipart/x-mixed-replace; boundary="--frame"\n' + body[:200])

    # Demographics.
    put("citizen_json", "aigul.json", read(FIX, "people", "aigul.json"))
    put("citizen_json", "empty.json", b"{}")
    put("citizen_json", "partial.json", json.dumps({"surname": "Asanov", "sex": "male", "birth_date": "1990-01-01", "pin": "21501199012345"}).encode())


main()
