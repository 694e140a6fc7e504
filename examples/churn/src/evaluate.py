"""Stage `evaluate`: score the trained model on the held-out test set.

    python3 src/evaluate.py

Reads models/model.json and data/test.csv; writes metrics/eval.json (accuracy, precision,
recall, f1, auc), plots/roc.csv (the ROC curve, one row per distinct score) and
plots/confusion.csv (actual,predicted per test row: the confusion matrix plot).
"""

import argparse
import csv
import json
import math
import os


def read_split(path):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [[float(value) for value in row] for row in reader if row]
    return [row[:-1] for row in rows], [int(row[-1]) for row in rows]


def score(model, vector):
    z = model["bias"] + math.fsum(w * x for w, x in zip(model["weights"], vector))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def roc_curve(scores, labels):
    """Points (fpr, tpr, threshold) from the highest score down; ties move together."""
    positives = sum(labels)
    negatives = len(labels) - positives
    ranked = sorted(zip(scores, labels), key=lambda pair: -pair[0])
    points = [(0.0, 0.0, 1.0)]
    true_positives = false_positives = 0
    for index, (value, label) in enumerate(ranked):
        true_positives += label
        false_positives += 1 - label
        is_last_of_tie = index + 1 == len(ranked) or ranked[index + 1][0] != value
        if is_last_of_tie:
            points.append((false_positives / max(negatives, 1), true_positives / max(positives, 1), value))
    return points


def area_under(points):
    return math.fsum((x1 - x0) * (y0 + y1) / 2.0 for (x0, y0, _), (x1, y1, _) in zip(points, points[1:]))


def main():
    parser = argparse.ArgumentParser(description="Evaluate the churn model on the test set.")
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--test", default="data/test.csv")
    parser.add_argument("--metrics", default="metrics/eval.json")
    parser.add_argument("--roc", default="plots/roc.csv")
    parser.add_argument("--confusion", default="plots/confusion.csv")
    args = parser.parse_args()

    with open(args.model) as handle:
        model = json.load(handle)
    vectors, labels = read_split(args.test)
    scores = [score(model, vector) for vector in vectors]
    predicted = [1 if value >= model.get("threshold", 0.5) else 0 for value in scores]

    true_positives = sum(1 for p, y in zip(predicted, labels) if p == 1 and y == 1)
    false_positives = sum(1 for p, y in zip(predicted, labels) if p == 1 and y == 0)
    false_negatives = sum(1 for p, y in zip(predicted, labels) if p == 0 and y == 1)
    accuracy = sum(1 for p, y in zip(predicted, labels) if p == y) / len(labels)
    precision = true_positives / (true_positives + false_positives) if true_positives + false_positives else 0.0
    recall = true_positives / (true_positives + false_negatives) if true_positives + false_negatives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    points = roc_curve(scores, labels)

    metrics = {
        "accuracy": round(accuracy, 6),
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "auc": round(area_under(points), 6),
        "test_rows": len(labels),
    }
    for path in (args.metrics, args.roc, args.confusion):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(args.metrics, "w") as handle:
        json.dump(metrics, handle, indent=2)
        handle.write("\n")
    with open(args.roc, "w", newline="") as handle:
        handle.write("fpr,tpr,threshold\n")
        for fpr, tpr, threshold in points:
            handle.write("%.6f,%.6f,%.6f\n" % (fpr, tpr, threshold))
    classes = ("stayed", "churned")
    with open(args.confusion, "w", newline="") as handle:
        handle.write("actual,predicted\n")
        for actual, guess in zip(labels, predicted):
            handle.write("%s,%s\n" % (classes[actual], classes[guess]))
    print("evaluate: " + ", ".join("%s=%s" % item for item in metrics.items()))


if __name__ == "__main__":
    main()
