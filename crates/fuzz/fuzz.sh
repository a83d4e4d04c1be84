#!/usr/bin/env bash
# `make fuzz SECONDS=N [TARGETS="a b"] [JOBS=1] [RECORD=1]`: builds the AFL
# binary (afl.rs, on the stable toolchain) and runs every target for N
# seconds under AFL++, JOBS at a time (default 1: one core), then prints per
# target the executions, execs/s, crashes and hangs, and one summary line.
#
#   crates/fuzz/fuzz.sh --seconds N [--jobs J] [--record] [TARGET...]
#   crates/fuzz/fuzz.sh --cmin [TARGET...]   # minimise each corpus (afl-cmin)
#
# Each run starts from the committed corpus (crates/fuzz/corpus/TARGET/) plus
# the queue the previous run of that target left (target/fuzz/TARGET/queue/),
# so coverage builds up across runs, and writes its own AFL output folder
# (target/fuzz/TARGET/run-DATE/): its fuzzer_stats count only that run's
# executions. Every run is appended to target/fuzz/campaign.tsv; --record
# also adds it to crates/fuzz/CAMPAIGN.md (the committed campaign table).
# A crash or hang is copied to target/fuzz/TARGET/crashes/ (or hangs/) and
# makes the exit status 1; turn it into a regression test as the README says.
#
# The bounds per input (crates/fuzz/src/lib.rs): at most 1 MiB (AFL++'s
# MAX_FILE), 1000 ms (-t), 1024 MB of address space for the process (-m).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
FUZZ_DIR=$ROOT/crates/fuzz
OUT_DIR=$ROOT/target/fuzz
BIN=$ROOT/target/afl/release/corslab-fuzz
TIME_MS=1000     # lib.rs TIME_BOUND_MS
MEMORY_MB=1024   # lib.rs MEMORY_BOUND_MB

# In a container: no CPU governor to check, no core_pattern to change, no
# curses UI, and no pinning (the machine's cores are shared).
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_FAST_CAL=1
export AFL_SKIP_CRASHES=1  # a committed crash repro in the corpus is not an error

run_seconds=60
jobs=1
record=0
cmin=0
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) run_seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --record) record=1; shift ;;
    --cmin) cmin=1; shift ;;
    --one) one=$2; shift 2 ;;
    -*) echo "usage: $0 --seconds N [--jobs J] [--record] [TARGET...] | --cmin [TARGET...]" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

build() {
  # cargo-afl builds with opt-level 3, debug assertions and overflow checks
  # (an overflow is a crash, as in the tests); LTO off (the workspace's
  # release profile is tuned for the page's wasm size, and LTO only slows
  # this build). cargo-afl instruments every basic block
  # (`-sanitizer-coverage-prune-blocks=0`); pruning the blocks that add
  # nothing to edge coverage (libFuzzer's default) halves the map (210k to
  # 115k edges) and makes each execution about 1.5 times faster. A target
  # folder of its own, so the instrumented build never clobbers the others.
  RUSTFLAGS="${RUSTFLAGS:-} -C llvm-args=-sanitizer-coverage-prune-blocks=1" \
    CARGO_TARGET_DIR=$ROOT/target/afl CARGO_PROFILE_RELEASE_LTO=false \
    cargo afl build --release --locked -q -p corslab-fuzz --features afl
}

stat() { # stat FILE KEY: a fuzzer_stats value
  sed -n "s/^$2 *: *//p" "$1" | head -1
}

# run_one TARGET: one AFL run of TARGET, its line on stdout.
run_one() {
  local t=$1 dir=$OUT_DIR/$1 stamp in out stats execs rate crashes hangs
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  in=$dir/in-$stamp
  out=$dir/run-$stamp
  mkdir -p "$in" "$dir/queue"
  # The committed corpus, then the last queue, each content once.
  local -A seen=()
  local f h
  for f in "$FUZZ_DIR/corpus/$t"/* "$dir/queue"/*; do
    [ -f "$f" ] || continue
    h=$(sha1sum <"$f" | cut -c1-40)
    [ -n "${seen[$h]:-}" ] && continue
    seen[$h]=1
    cp "$f" "$in/${f##*/}"
  done
  cargo afl fuzz -i "$in" -o "$out" -V "$run_seconds" -t "$TIME_MS" -m "$MEMORY_MB" \
    -x "$FUZZ_DIR/cors.dict" -- "$BIN" "$t" >"$out.log" 2>&1 || {
      echo "fuzz: $t: afl-fuzz failed (see $out.log)" >&2
      tail -5 "$out.log" >&2
      return 1
    }
  rm -rf "$in"
  stats=$out/default/fuzzer_stats
  execs=$(stat "$stats" execs_done)
  rate=$(stat "$stats" execs_per_sec)
  crashes=$(stat "$stats" saved_crashes)
  hangs=$(stat "$stats" saved_hangs)
  # Keep the whole queue for the next run (short names).
  rm -rf "$dir/queue" && mkdir -p "$dir/queue"
  for f in "$out"/default/queue/id:*; do
    [ -f "$f" ] && cp "$f" "$dir/queue/q$(basename "$f" | cut -c4-9)"
  done
  for kind in crashes hangs; do
    for f in "$out/default/$kind"/id:*; do
      [ -f "$f" ] || continue
      mkdir -p "$dir/$kind"
      cp "$f" "$dir/$kind/$stamp-$(basename "$f" | cut -c4-9)"
    done
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$t" "$run_seconds" "$execs" "$rate" "$crashes" "$hangs" \
    >>"$OUT_DIR/campaign.tsv"
  printf 'fuzz: %-10s %12s execs %10s execs/s %3s crashes %3s hangs  (%s s; %s)\n' \
    "$t" "$execs" "$rate" "$crashes" "$hangs" "$run_seconds" "${out#"$ROOT"/}"
}

all_targets() {
  "$BIN" --list | awk '{print $1}'
}

if [ -n "${one:-}" ]; then
  run_one "$one"
  exit
fi

echo "fuzz: building the AFL binary (cargo afl build, target/afl/)"
build
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)
mkdir -p "$OUT_DIR"

if [ "$cmin" = 1 ]; then
  # Minimise each committed corpus: the seeds and the last run's queue
  # folded into the fewest files that keep the same coverage.
  for t in "${targets[@]}"; do
    src=$(mktemp -d) dst=$(mktemp -d)
    rm -rf "$dst"
    cp "$FUZZ_DIR/corpus/$t"/* "$OUT_DIR/$t/queue"/* "$src"/ 2>/dev/null || true
    cargo afl cmin -i "$src" -o "$dst" -t "$TIME_MS" -m "$MEMORY_MB" -- "$BIN" "$t" >/dev/null 2>&1
    # crash-* files (the regression inputs) are kept whatever cmin says.
    find "$FUZZ_DIR/corpus/$t" -type f ! -name 'crash-*' ! -name 'hang-*' -delete
    for f in "$dst"/*; do
      h=$(sha1sum "$f" | cut -c1-16)
      case ${f##*/} in seed-*) cp "$f" "$FUZZ_DIR/corpus/$t/${f##*/}" ;; *) cp "$f" "$FUZZ_DIR/corpus/$t/found-$h" ;; esac
    done
    echo "fuzz: $t: corpus minimised to $(ls "$FUZZ_DIR/corpus/$t" | wc -l) files ($(du -sk "$FUZZ_DIR/corpus/$t" | cut -f1) KB)"
    rm -rf "$src" "$dst"
  done
  exit
fi

started=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} "$0" --seconds "$run_seconds" --one {} | tee "$log"

total=$(awk '{s += $3} END {print s + 0}' "$log")
crashes=$(awk '{s += $7} END {print s + 0}' "$log")
hangs=$(awk '{s += $9} END {print s + 0}' "$log")
ran=$(wc -l <"$log")
if [ "$record" = 1 ]; then
  # The rows go at the end of the runs table, just above its end marker.
  rows=$(mktemp)
  awk -v d="$(date -u +%F)" '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", d, $2, $11, $3, $5, $7, $9}' "$log" \
    | sed 's/(//' >"$rows"
  awk -v rows="$rows" '/^<!-- end of runs -->$/ { while ((getline line < rows) > 0) print line } { print }' \
    "$FUZZ_DIR/CAMPAIGN.md" >"$rows.md" && mv "$rows.md" "$FUZZ_DIR/CAMPAIGN.md"
  rm -f "$rows"
fi
echo "fuzz: $ran targets, $total executions, $crashes crashes, $hangs hangs, ${run_seconds}s each, $(( $(date +%s) - started ))s in all"
[ "$ran" -eq "${#targets[@]}" ] && [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
