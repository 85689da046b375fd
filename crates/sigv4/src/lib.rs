//! AWS Signature Version 4 verification: parsing, canonicalisation, key derivation and
//! constant-time comparison. Pure: no IO, no async, no HTTP types.
