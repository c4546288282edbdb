"""Deterministic sample extracts: what each partner would send, quirks included."""
