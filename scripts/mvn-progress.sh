#!/bin/bash
# Runs Maven with the given arguments and shows what a person waiting wants: one line per
# test class as it finishes, the C unit tests' summary, each error, and the totals. The whole
# log stays in target/mvn.log.
set -o pipefail
cd "$(dirname "$0")/.."
mkdir -p target
mvn -B -ntp "$@" 2>&1 | tee target/mvn.log | grep --line-buffered -E \
  '^\[(INFO|WARNING|ERROR)\] Tests run:|^\[ERROR\]|BUILD (SUCCESS|FAILURE)|Total time|: [0-9]+ tests, [0-9]+ checks|Results:'
