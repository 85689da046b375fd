//! The IAM policy language: parsing, validation, compilation and evaluation.
//! Pure: no IO, no async.
