#!/bin/sh
# tests/usdt.sh - USDT argument specs of x86-64 and arm64, from a table.
exec "${EBPFQ_BUILDDIR:-.}/tests/usdt/usdt_test"
