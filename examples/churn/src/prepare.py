"""Stage `prepare`: split data/raw.csv into train and test sets and standardise the features.

    python3 src/prepare.py --seed 42 --split 0.2

Writes data/train.csv and data/test.csv (standardised features + the churn label) and
data/features.json (feature names, the training mean and standard deviation), which train.py
copies into the model so that serving scales inputs the same way.
"""

import argparse
import csv
import json
import math
import os
import random

import features


def read_raw(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def column_statistics(vectors):
    count = len(vectors)
    width = len(vectors[0])
    mean = [math.fsum(vector[i] for vector in vectors) / count for i in range(width)]
    std = []
    for i in range(width):
        variance = math.fsum((vector[i] - mean[i]) ** 2 for vector in vectors) / count
        # A constant column would divide by zero; scaling it by 1 leaves it harmless.
        std.append(math.sqrt(variance) if variance > 1e-12 else 1.0)
    return mean, std


def write_split(path, names, vectors, labels, mean, std):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names + [features.LABEL])
        for vector, label in zip(vectors, labels):
            scaled = features.standardise(vector, mean, std)
            writer.writerow(["%.6f" % value for value in scaled] + [label])


def main():
    parser = argparse.ArgumentParser(description="Split and standardise the raw data.")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--split", type=float, required=True, help="fraction of rows held out for testing")
    parser.add_argument("--raw", default="data/raw.csv")
    parser.add_argument("--out-dir", default="data")
    args = parser.parse_args()
    if not 0.0 < args.split < 1.0:
        parser.error("--split must be between 0 and 1, got %s" % args.split)

    rows = read_raw(args.raw)
    random.Random(args.seed).shuffle(rows)
    test_count = int(round(len(rows) * args.split))
    test_rows, train_rows = rows[:test_count], rows[test_count:]

    names = features.feature_names()
    train_vectors = [features.encode(row) for row in train_rows]
    test_vectors = [features.encode(row) for row in test_rows]
    # Rounded once here so that the training data and serving (which reads features.json) scale alike.
    mean, std = [[round(value, 9) for value in column] for column in column_statistics(train_vectors)]

    os.makedirs(args.out_dir, exist_ok=True)
    write_split(os.path.join(args.out_dir, "train.csv"), names, train_vectors, [r[features.LABEL] for r in train_rows], mean, std)
    write_split(os.path.join(args.out_dir, "test.csv"), names, test_vectors, [r[features.LABEL] for r in test_rows], mean, std)
    with open(os.path.join(args.out_dir, "features.json"), "w") as handle:
        json.dump({"names": names, "mean": mean, "std": std}, handle, indent=2)
        handle.write("\n")
    print("prepare: %d train rows, %d test rows, %d features" % (len(train_rows), len(test_rows), len(names)))


if __name__ == "__main__":
    main()
