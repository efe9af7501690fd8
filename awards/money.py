"""Money arithmetic for decisions: the default funder split and how amounts are written."""

from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")


def format_money(amount: Decimal | None, currency: str) -> str:
    """``EUR 48,500.00``: the code first, as in letters and registers read across countries."""
    if amount is None:
        return "—"
    return f"{currency} {amount:,.2f}"


def proportional_split(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` split in proportion to ``weights`` (funder id → commitment in the call's currency),
    in cents that add up exactly: each share is rounded down and the cents left over go to the
    largest remainders (ties to the lower id, so the split is the same on every run)."""
    total = sum(weights.values(), Decimal(0))
    if not weights or total <= 0:
        return {}
    exact = {key: amount * weight / total for key, weight in weights.items()}
    shares = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int(((amount - sum(shares.values(), Decimal(0))) / CENT).to_integral_value())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - shares[key]), key))
    for key in by_remainder[:left]:
        shares[key] += CENT
    return shares
