"""The tamper-evident ledger under the whole-process record (RFC 9162 Merkle log)."""
