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

# registration_shares LOG ID_REGEX DIR: from nestletd's "registered ID in N ms
# (..., virtual files M)" lines, the whole createRuntime registration into
# DIR/register.us and the virtual files' share into DIR/vfs.us (microseconds).
registration_shares() {
  grep -o "registered $2 in [0-9]* ms (.*virtual files [0-9]*)" "$1" > "$3/registered.txt" || true
  awk '{print $4 * 1000}' "$3/registered.txt" > "$3/register.us"
  sed 's/.*virtual files \([0-9]*\))/\1/' "$3/registered.txt" | awk '{print $1 * 1000}' > "$3/vfs.us"
}

# print_registration_rows DIR [CELLS]: table rows (label, runs, median, p90,
# p99 in ms, then CELLS) of what registration_shares wrote.
print_registration_rows() {
  local n m p90 p99 mx
  read -r n m p90 p99 mx < <(summarize "$1/register.us")
  printf '| of which: createRuntime in nestletd | %d | %.1f | %.1f | %.1f |%s\n' "$n" "$(bc -l <<< "$m/1000")" \
    "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")" "${2:-}"
  read -r n m p90 p99 mx < <(summarize "$1/vfs.us")
  printf '| of which: virtual files | %d | %.1f | %.1f | %.1f |%s\n' "$n" "$(bc -l <<< "$m/1000")" \
    "$(bc -l <<< "$p90/1000")" "$(bc -l <<< "$p99/1000")" "${2:-}"
}
