"""The command line: one entry point for all of socialcredit."""
