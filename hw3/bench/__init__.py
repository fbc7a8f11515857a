"""Speed measurements (`hw3 bench ...`): throughput, never correctness."""
