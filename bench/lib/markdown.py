"""Small Markdown helpers the report sections share: numbers and tables."""


def fmt_ms(value):
    return f"{value:,.1f} ms" if value is not None else "n/a"


def ratio(a, b):
    return f"{a / b:.3g}" if a is not None and b else "n/a"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
