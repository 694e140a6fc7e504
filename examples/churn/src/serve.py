"""Serve a trained churn model over HTTP (standard library only).

    python3 src/serve.py --model models/model.json --port 8601

GET  /health   -> 200 {"status": "ok", "model": <path>, "sha256": <model file hash>, "requests": N}
POST /predict  -> body: one customer record or {"instances": [record, ...]}
                  200 {"predictions": [{"churn_probability": p, "churn": 0|1}, ...]}
                  400 {"error": "..."} when a record is malformed (the message names the field)

A record holds the raw columns of data/raw.csv: tenure, monthly_charges, support_calls,
senior, paperless_billing, contract, payment_method. The model file carries the scaling learnt
in training, so requests are standardised exactly like the training data. Stops cleanly on
SIGTERM or SIGINT (exit code 0), which is how a deployment stops an old version.
"""

import argparse
import hashlib
import json
import math
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import features

MAX_BODY_BYTES = 1 << 20


def load_model(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    model = json.loads(raw.decode("utf-8"))
    if model.get("features") != features.feature_names():
        raise SystemExit("serve: %s was trained on other features than src/features.py describes" % path)
    return model, hashlib.sha256(raw).hexdigest()


def predict(model, record):
    vector = features.standardise(features.encode(record), model["mean"], model["std"])
    z = model["bias"] + math.fsum(w * x for w, x in zip(model["weights"], vector))
    probability = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    return {"churn_probability": round(probability, 6), "churn": int(probability >= model.get("threshold", 0.5))}


def make_handler(model, model_path, digest):
    counter = {"requests": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        server_version = "churn-serve/1"

        def send_json(self, status, payload):
            body = (json.dumps(payload) + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.split("?")[0] != "/health":
                self.send_json(404, {"error": "unknown path %s; try GET /health or POST /predict" % self.path})
                return
            self.send_json(200, {"status": "ok", "model": model_path, "sha256": digest, "requests": counter["requests"]})

        def do_POST(self):
            if self.path.split("?")[0] != "/predict":
                self.send_json(404, {"error": "unknown path %s; try POST /predict" % self.path})
                return
            with lock:
                counter["requests"] += 1
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY_BYTES:
                self.send_json(400, {"error": "send a JSON body of at most %d bytes" % MAX_BODY_BYTES})
                return
            try:
                payload = json.loads(self.rfile.read(length).decode("utf-8"))
                records = payload["instances"] if isinstance(payload, dict) and "instances" in payload else [payload]
                if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                    raise ValueError("'instances' must be a list of objects")
                predictions = [predict(model, record) for record in records]
            except (ValueError, KeyError) as error:
                self.send_json(400, {"error": str(error)})
                return
            self.send_json(200, {"predictions": predictions})

        def log_message(self, format, *args):
            sys.stderr.write("serve: %s %s\n" % (self.address_string(), format % args))

    return Handler


def main():
    parser = argparse.ArgumentParser(description="Serve the churn model over HTTP.")
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8601)
    args = parser.parse_args()

    model, digest = load_model(args.model)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(model, args.model, digest))
    server.daemon_threads = True

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("serve: %s (sha256 %s) on http://%s:%d" % (args.model, digest[:12], args.host, server.server_address[1]))
    sys.stdout.flush()
    server.serve_forever()
    server.server_close()
    print("serve: stopped")


if __name__ == "__main__":
    main()
