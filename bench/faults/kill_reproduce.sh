#!/usr/bin/env bash
# Kills `intriguing reproduce --quick` with SIGKILL at seeded random times, resumes it until it finishes, and compares
# the results and checkpoints with an uninterrupted run (compare_results.py).
# Usage: bench/faults/kill_reproduce.sh WORKDIR KILLS MIN_SECONDS MAX_SECONDS [SEED]
# Needs a Release build of samples/Intriguing.Cli and INTRIGUING_DATA (or ../shared/data/mnist).
set -u
work=$1; kills=$2; lo=$3; hi=$4; seed=${5:-1}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cli="dotnet $repo/samples/Intriguing.Cli/bin/Release/net10.0/intriguing.dll"
data=${INTRIGUING_DATA:-$repo/../shared/data/mnist}
mkdir -p "$work" && cd "$work"
[ -f ref/results.json ] || $cli reproduce --quick --out ref --data "$data" > ref.out 2>&1
rm -rf run
for n in $(seq 1 "$kills"); do
  t=$(python3 -c "import random; random.seed($seed * 1000 + $n); print(random.randint($lo, $hi))")
  $cli reproduce --quick --out run --data "$data" > run.$n.out 2>&1 &
  pid=$!
  for _ in $(seq 1 "$t"); do sleep 1; kill -0 $pid 2>/dev/null || break; done
  if kill -0 $pid 2>/dev/null; then
    kill -9 $pid; wait $pid 2>/dev/null
    echo "run $n killed at ${t} s (last line: $(tail -1 run.$n.out | cut -c1-80)); $(find run -name '*.tmp*' | wc -l) temporary, $(find run -size 0 -type f | wc -l) empty files"
  else
    wait $pid; echo "run $n finished before its kill"; break
  fi
done
$cli reproduce --quick --out run --data "$data" > run.final.out 2>&1; echo "final run: exit code $?"
echo "temporary files left: $(find run -name '*.tmp*' | wc -l); empty files: $(find run -size 0 -type f | wc -l)"
python3 "$repo/bench/faults/compare_results.py" ref run
