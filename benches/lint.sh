#!/usr/bin/env bash
# Lint speed, in one run: the whole `goakit lint` of the vendor-style addon
# (fixtures/vendor-addon, 150+ templates) against the time Ruby Liquid 5.4
# takes only to parse the same templates (timed inside Ruby, so Ruby's own
# start-up is not counted; goakit's whole process is).
#   bash benches/lint.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
dir=fixtures/vendor-addon
n=$(find "$dir/templates" -name '*.html' | wc -l)
start=$(date +%s%N)
for _ in $(seq "$runs"); do ./target/release/goakit lint --dir "$dir" --format json >/dev/null || true; done
end=$(date +%s%N)
goakit_ms=$(awk -v s="$start" -v e="$end" -v r="$runs" 'BEGIN { printf "%.2f", (e - s) / 1e6 / r }')
ruby_ms=$(ruby -e '
  require "liquid"
  # goakit knows {% yield %}; give Ruby the same tag so it parses root.
  class Yield < Liquid::Tag; end
  Liquid::Template.register_tag("yield", Yield)
  files = Dir[ARGV[0] + "/templates/**/*.html"].map { |f| File.read(f) }
  runs = ARGV[1].to_i
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  runs.times { files.each { |src| Liquid::Template.parse(src, error_mode: :lax) } }
  t1 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  printf("%.2f", (t1 - t0) * 1000 / runs)
' "$dir" "$runs")
echo "lint of $n templates ($dir), mean of $runs runs:"
echo "  goakit lint (whole process, all rules): ${goakit_ms} ms"
echo "  Ruby Liquid 5.4, parse only:            ${ruby_ms} ms"
echo "  goakit is $(awk -v a="$ruby_ms" -v b="$goakit_ms" 'BEGIN { printf "%.2f", a / b }')x faster than Ruby's parse alone"
