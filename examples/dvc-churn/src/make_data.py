"""Generate the synthetic customer-churn data set in data/raw.csv.

Run once; the CSV is committed so that every checkout trains on the same bytes. The generator
is seeded, so running it again reproduces the file exactly:

    python3 src/make_data.py --rows 2000 --seed 7 --out data/raw.csv

The signal is plausible rather than realistic: short tenure, high monthly charges, many support
calls and a month-to-month contract make a customer more likely to leave. Label noise keeps the
best achievable accuracy well below 1, so a model that scores ~0.8 is doing its job.
"""

import argparse
import csv
import math
import os
import random

CONTRACTS = ("month-to-month", "one-year", "two-year")
CONTRACT_WEIGHTS = (0.55, 0.25, 0.20)
CONTRACT_EFFECT = {"month-to-month": 1.35, "one-year": -0.75, "two-year": -2.4}
PAYMENT_METHODS = ("card", "bank-transfer", "electronic-check")


def churn_probability(tenure, monthly_charges, support_calls, contract, senior, paperless):
    """The true (hidden) model: a logistic function of the features."""
    logit = (
        -0.9
        - 0.08 * tenure
        + 0.045 * (monthly_charges - 65.0)
        + 0.8 * support_calls
        + CONTRACT_EFFECT[contract]
        + 0.5 * senior
        + 0.3 * paperless
    )
    return 1.0 / (1.0 + math.exp(-logit))


def make_rows(count, rng):
    rows = []
    for index in range(count):
        contract = rng.choices(CONTRACTS, weights=CONTRACT_WEIGHTS)[0]
        # Long contracts go with long tenure, as in real subscription businesses.
        tenure_scale = {"month-to-month": 14.0, "one-year": 30.0, "two-year": 45.0}[contract]
        tenure = min(72, 1 + int(rng.expovariate(1.0 / tenure_scale)))
        monthly_charges = round(min(120.0, max(18.0, rng.gauss(68.0, 24.0))), 2)
        support_calls = min(10, int(rng.expovariate(1.0 / 1.4)))
        senior = 1 if rng.random() < 0.16 else 0
        paperless = 1 if rng.random() < 0.6 else 0
        payment = rng.choice(PAYMENT_METHODS)
        probability = churn_probability(tenure, monthly_charges, support_calls, contract, senior, paperless)
        churn = 1 if rng.random() < probability else 0
        rows.append(
            {
                "customer_id": "C%05d" % (index + 1),
                "tenure": tenure,
                "monthly_charges": "%.2f" % monthly_charges,
                "support_calls": support_calls,
                "contract": contract,
                "payment_method": payment,
                "senior": senior,
                "paperless_billing": paperless,
                "churn": churn,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default="data/raw.csv")
    args = parser.parse_args()

    rows = make_rows(args.rows, random.Random(args.seed))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    churned = sum(row["churn"] for row in rows)
    print("wrote %d rows to %s (churn rate %.3f)" % (len(rows), args.out, churned / len(rows)))


if __name__ == "__main__":
    main()
