"""End-to-end tests of the core runner through its command line."""
