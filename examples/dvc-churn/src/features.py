"""How a raw customer record becomes the model's feature vector.

Shared by prepare.py (training data) and serve.py (live requests) so that both encode a
customer exactly the same way. Standardisation (mean/std) is learnt by prepare.py on the
training split only and stored with the model, never recomputed at serving time.
"""

NUMERIC = ("tenure", "monthly_charges", "support_calls", "senior", "paperless_billing")
CATEGORICAL = {
    "contract": ("month-to-month", "one-year", "two-year"),
    "payment_method": ("card", "bank-transfer", "electronic-check"),
}
LABEL = "churn"


def feature_names():
    names = list(NUMERIC)
    for column, levels in CATEGORICAL.items():
        names.extend("%s=%s" % (column, level) for level in levels)
    return names


def encode(record):
    """Return the unscaled feature vector of one record (a dict of strings or numbers).

    Raises ValueError naming the field when a value is missing or not understood, so that
    serve.py can answer 400 with a message that says what to fix.
    """
    vector = []
    for column in NUMERIC:
        if column not in record:
            raise ValueError("missing field '%s'" % column)
        try:
            vector.append(float(record[column]))
        except (TypeError, ValueError):
            raise ValueError("field '%s' must be a number, got %r" % (column, record[column]))
    for column, levels in CATEGORICAL.items():
        value = record.get(column)
        if value not in levels:
            raise ValueError("field '%s' must be one of %s, got %r" % (column, ", ".join(levels), value))
        vector.extend(1.0 if value == level else 0.0 for level in levels)
    return vector


def standardise(vector, mean, std):
    return [(value - centre) / scale for value, centre, scale in zip(vector, mean, std)]
