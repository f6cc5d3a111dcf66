# Sourced by bench scripts. summarize FILE: "n median p90 p99 max" of the
# numbers in FILE (one per line), nearest-rank percentiles.
summarize() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    n = NR
    m = v[int((n + 1) / 2)]
    p90 = v[int(n * 0.90 + 0.999999)]
    p99 = v[int(n * 0.99 + 0.999999)]
    printf "%d %s %s %s %s\n", n, m, p90, p99, v[n]
  }'
}
