#!/bin/sh
# tests/vcheck.sh - the verifier-rule checker and the disassembler, from tables.
exec "${EBPFQ_BUILDDIR:-.}/tests/vcheck/vcheck_test"
