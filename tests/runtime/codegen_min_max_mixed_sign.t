args: -q -e 'BEGIN { @lo = min(-5); @lo = min((uint64)3); @hi = max((uint64)2); @hi = max(-1); exit(); }'
