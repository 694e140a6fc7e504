"""Stage `train`: logistic regression by full-batch gradient descent, standard library only.

    python3 src/train.py --lr 0.5 --epochs 60 --l2 0.001 --val-fraction 0.2

Reads data/train.csv and data/features.json. The last --val-fraction of the (already shuffled)
training rows is held out for validation. Each epoch appends one row
`epoch,loss,accuracy,val_loss,val_accuracy` to logs/train.csv and flushes it, so a reader
following the file (mlc's live charts) sees it grow while training runs. Writes the model to
models/model.json and a summary to metrics/train.json. The result depends only on the inputs
and the arguments: two runs produce byte-identical files.
"""

import argparse
import csv
import json
import math
import os
import sys
import time


def read_split(path):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [[float(value) for value in row] for row in reader if row]
    return header[:-1], [row[:-1] for row in rows], [int(row[-1]) for row in rows]


def sigmoid(z):
    # Split by sign so that exp never overflows for large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict(weights, bias, vector):
    # math.fsum, not sum: sum() of floats changed in Python 3.12 (compensated summation), and the
    # model file must be byte-identical whichever python3 runs the stage, or its hash would change.
    return sigmoid(bias + math.fsum(w * x for w, x in zip(weights, vector)))


def evaluate(weights, bias, vectors, labels, l2):
    """Mean log loss (plus the L2 penalty) and accuracy at threshold 0.5."""
    epsilon = 1e-12
    loss = 0.0
    correct = 0
    for vector, label in zip(vectors, labels):
        p = min(max(predict(weights, bias, vector), epsilon), 1.0 - epsilon)
        loss -= label * math.log(p) + (1 - label) * math.log(1.0 - p)
        correct += (p >= 0.5) == (label == 1)
    loss = loss / len(labels) + 0.5 * l2 * math.fsum(w * w for w in weights)
    return loss, correct / len(labels)


def gradient_step(weights, bias, vectors, labels, lr, l2):
    count = len(labels)
    gradient = [0.0] * len(weights)
    gradient_bias = 0.0
    for vector, label in zip(vectors, labels):
        error = predict(weights, bias, vector) - label
        gradient_bias += error
        for i, x in enumerate(vector):
            gradient[i] += error * x
    weights = [w - lr * (g / count + l2 * w) for w, g in zip(weights, gradient)]
    return weights, bias - lr * gradient_bias / count


def write_json(path, value):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")


def main():
    parser = argparse.ArgumentParser(description="Train a logistic-regression churn model.")
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--l2", type=float, default=0.0)
    parser.add_argument("--val-fraction", type=float, default=0.2)
    parser.add_argument("--epoch-delay", type=float, default=0.0, help="seconds to sleep per epoch (demo of live charts)")
    parser.add_argument("--data-dir", default="data")
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--metrics", default="metrics/train.json")
    parser.add_argument("--log", default="logs/train.csv")
    args = parser.parse_args()
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    run_id = os.environ.get("MLC_RUN_ID")
    print("train: run %s, lr=%s epochs=%d l2=%s" % (run_id or "(outside mlc)", args.lr, args.epochs, args.l2))

    names, vectors, labels = read_split(os.path.join(args.data_dir, "train.csv"))
    with open(os.path.join(args.data_dir, "features.json")) as handle:
        scaling = json.load(handle)
    validation_count = int(round(len(labels) * args.val_fraction))
    split = len(labels) - validation_count
    train_x, train_y = vectors[:split], labels[:split]
    val_x, val_y = (vectors[split:], labels[split:]) if validation_count > 0 else (train_x, train_y)

    weights = [0.0] * len(names)
    bias = 0.0
    os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
    with open(args.log, "w", newline="") as log:
        log.write("epoch,loss,accuracy,val_loss,val_accuracy\n")
        log.flush()
        for epoch in range(1, args.epochs + 1):
            weights, bias = gradient_step(weights, bias, train_x, train_y, args.lr, args.l2)
            loss, accuracy = evaluate(weights, bias, train_x, train_y, args.l2)
            val_loss, val_accuracy = evaluate(weights, bias, val_x, val_y, args.l2)
            log.write("%d,%.6f,%.6f,%.6f,%.6f\n" % (epoch, loss, accuracy, val_loss, val_accuracy))
            log.flush()
            if epoch == 1 or epoch % 10 == 0 or epoch == args.epochs:
                print("epoch %d/%d loss=%.4f accuracy=%.4f val_loss=%.4f val_accuracy=%.4f"
                      % (epoch, args.epochs, loss, accuracy, val_loss, val_accuracy))
                sys.stdout.flush()
            if args.epoch_delay > 0:
                time.sleep(args.epoch_delay)

    write_json(args.model, {
        "type": "logistic-regression",
        "features": names,
        "mean": scaling["mean"],
        "std": scaling["std"],
        "weights": weights,
        "bias": bias,
        "threshold": 0.5,
        "params": {"lr": args.lr, "epochs": args.epochs, "l2": args.l2, "val_fraction": args.val_fraction},
    })
    write_json(args.metrics, {
        "epochs": args.epochs,
        "loss": round(loss, 6),
        "accuracy": round(accuracy, 6),
        "val_loss": round(val_loss, 6),
        "val_accuracy": round(val_accuracy, 6),
    })
    print("train: wrote %s and %s" % (args.model, args.metrics))


if __name__ == "__main__":
    main()
