#!/usr/bin/env bash
# A real one-node Slurm cluster test of the shard contract (docs/cluster.md).
#
# On Debian, as root: installs slurm-wlm and munge from the distribution if missing, writes a one-node slurm.conf for
# this host (CPUs from nproc, memory from /proc/meminfo) in a private folder, makes a munge key there, starts munged,
# slurmctld and slurmd (in the foreground of background jobs, so their PIDs are known), submits two job arrays
#   - an attack over a range of test examples split in 4 (sbatch --array=0-3),
#   - a quick adversarial-training comparison split by variant x seed (sbatch --array=0-2),
# waits for them with a time bound, runs `intriguing merge`, compares the merged results with the same commands run
# here in one process (timings aside), and stops exactly the daemons it started, by PID (trap on exit).
#
# Needs a built solution (dotnet build Dsl.sln -c Release) and the MNIST files (INTRIGUING_DATA or ../shared/data/mnist).
# Ends with one line "slurm: N passed, N failed". INTRIGUING_SKIP_SLURM=1 skips it (printing "slurm: skipped").
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  pass: $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL: $*"; }
finish() { echo "slurm: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

if [ "${INTRIGUING_SKIP_SLURM:-0}" = 1 ]; then echo "slurm: skipped (INTRIGUING_SKIP_SLURM=1)"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then fail "the Slurm test runs the daemons as root; run it as root (or set INTRIGUING_SKIP_SLURM=1)"; finish; fi

dll="$repo/samples/Intriguing.Cli/bin/Release/net10.0/intriguing.dll"
if [ ! -f "$dll" ]; then fail "no built command line at $dll (dotnet build Dsl.sln -c Release)"; finish; fi
if [ -z "${INTRIGUING_DATA:-}" ] && [ -d ../shared/data/mnist ]; then export INTRIGUING_DATA="$(cd ../shared/data/mnist && pwd)"; fi
if [ -z "${INTRIGUING_DATA:-}" ]; then fail "no MNIST files: set INTRIGUING_DATA"; finish; fi
budget=${SLURM_TEST_BUDGET:-420}   # seconds for the arrays to finish
started=$SECONDS

# 1. The packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  echo "== installing slurm-wlm and munge =="
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >/tmp/slurm-test-apt.log 2>&1; then
    tail -5 /tmp/slurm-test-apt.log
    fail "apt-get install slurm-wlm munge"
    finish
  fi
fi
pass "slurm-wlm and munge installed ($(slurmctld -V 2>/dev/null), $(munged -V 2>&1 | head -1))"

# 2. A private cluster: configuration, key, sockets, state and logs in one folder; ports free on this host.
dir=$(mktemp -d /tmp/intriguing-slurm.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  # Exactly the daemons this script started, by PID: SIGTERM, then SIGKILL after 10 s.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null; done
  [ "${KEEP_SLURM_DIR:-0}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
ctld_port=$(free_port)
slurmd_port=$(free_port)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/logs"
chmod 700 "$dir/munge"
cat > "$dir/slurm.conf" <<EOF
ClusterName=intriguing-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"

echo "== starting munged, slurmctld, slurmd ($host, $cpus CPUs, $memory MB; ports $ctld_port, $slurmd_port; in $dir) =="
munged --foreground --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/logs/munged.log" --seed-file="$dir/munge/munged.seed" >"$dir/logs/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -f "$dir/slurm.conf" >"$dir/logs/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$dir/slurm.conf" >"$dir/logs/slurmd.out" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1)
  case "$state" in idle|mix|alloc) ready=1; break ;; esac
  sleep 0.5
done
if [ "$ready" = 1 ]; then
  pass "one-node cluster up (node $host $state) in $((SECONDS - started)) s"
else
  fail "the node did not become idle (state '${state:-none}'); logs:"
  tail -5 "$dir"/logs/*.log "$dir"/logs/*.out 2>/dev/null
  finish
fi

# 3. Shared output folders (the cluster's jobs write straight into them), a trained model for the attack.
work="$dir/work"
mkdir -p "$work"
common="--quiet --threads 1"
echo "== training FC100-100-10 for one epoch (the attacked model) =="
if ! dotnet "$dll" train --model FC100-100-10 --epochs 1 $common --out "$work/model" >"$work/train.log" 2>&1; then
  tail -3 "$work/train.log"; fail "train"; finish
fi
for folder in local cluster; do mkdir -p "$work/$folder/checkpoints"; cp "$work/model/checkpoints/fc100-100-10.ckpt" "$work/$folder/checkpoints/"; done
attack="attack --model FC100-100-10 --source test --count 16"
advtrain="advtrain --quick --variants wd,input,layer2 --seeds 1 --robustness-count 2 --batch 500 --pool-size 20 --refresh-period 30 --candidates 1"

# The one-process runs first, timed, for the scaling figure (printed, not tested: these tiny jobs are dominated by
# process start-up and data loading, and the machine may be shared).
echo "== the same commands in one process =="
local_start=$SECONDS
dotnet "$dll" $attack $common --shard none --out "$work/local" >"$work/local-attack.out" 2>&1
local_attack=$((SECONDS - local_start))
dotnet "$dll" $advtrain $common --shard none --out "$work/local" >"$work/local-advtrain.out" 2>&1
local_total=$((SECONDS - local_start))
echo "  attack $local_attack s, advtrain $((local_total - local_attack)) s: $local_total s in one process"

echo "== submitting the arrays =="
submit() {  # submit NAME TASKS ARGUMENTS: one array task per shard, each on one CPU
  sbatch --parsable --job-name="$1" --array="0-$(($2 - 1))" --cpus-per-task=1 --mem=1500M --output="$work/logs/$1-%a.out" \
    --chdir="$work" --wrap="exec dotnet '$dll' $3 $common --out '$work/cluster'"
}
mkdir -p "$work/logs"
submit_start=$SECONDS
attack_job=$(submit attack 4 "$attack")
advtrain_job=$(submit advtrain 3 "$advtrain")
if [ -n "$attack_job" ] && [ -n "$advtrain_job" ]; then
  pass "sbatch accepted the arrays (jobs $attack_job and $advtrain_job) in $((SECONDS - submit_start)) s"
else
  fail "sbatch"; tail -5 "$dir"/logs/*.log; finish
fi

echo "== waiting for the arrays (at most $budget s) =="
done_in=
while [ $((SECONDS - submit_start)) -lt "$budget" ]; do
  if [ -z "$(squeue -h -j "$attack_job,$advtrain_job" 2>/dev/null)" ]; then done_in=$((SECONDS - submit_start)); break; fi
  sleep 2
done
if [ -n "$done_in" ]; then
  pass "both arrays finished in $done_in s after submission (one process on one thread: $local_total s; divided over $cpus CPUs: $((local_total / cpus)) s)"
else
  fail "the arrays did not finish in $budget s"
  squeue; scancel "$attack_job" "$advtrain_job" 2>/dev/null
fi
scontrol show job "$attack_job" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort | uniq -c | sed 's/^/  attack tasks: /'
scontrol show job "$advtrain_job" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort | uniq -c | sed 's/^/  advtrain tasks: /'
for log in "$work"/logs/attack-*.out "$work"/logs/advtrain-*.out; do [ -f "$log" ] && tail -1 "$log" | sed 's/^/  /'; done

echo "== merge =="
if dotnet "$dll" merge --quiet --out "$work/cluster" >"$work/logs/merge.out" 2>&1; then
  pass "merge of $(ls "$work/cluster/shards" | wc -l) jobs ($(find "$work/cluster/shards" -name '*-of-*.json' | wc -l) shard files)"
else
  tail -3 "$work/logs/merge.out"; fail "merge"
fi

# 4. The merged files against the one-process files: JSON without timing fields, Markdown without times, the rest byte for byte.
compare() {
  python3 - "$work/local" "$work/cluster" "$@" <<'EOF'
import hashlib, json, os, re, sys
local, cluster, names = sys.argv[1], sys.argv[2], sys.argv[3:]
def untimed(x):
    if isinstance(x, dict): return {k: untimed(v) for k, v in x.items() if not k.lower().endswith("seconds")}
    if isinstance(x, list): return [untimed(v) for v in x]
    return x
def content(path):
    data = open(path, "rb").read()
    if path.endswith(".json"): return json.dumps(untimed(json.loads(data)), sort_keys=True)
    if path.endswith(".md"): return re.sub(r"\d+(\.\d+)?\s?(s|ms|min)\b", "T", data.decode())
    return hashlib.sha256(data).hexdigest()
bad = [n for n in names if not os.path.exists(os.path.join(cluster, n)) or content(os.path.join(local, n)) != content(os.path.join(cluster, n))]
print("  differ: " + ", ".join(bad) if bad else "  identical: " + ", ".join(names))
sys.exit(1 if bad else 0)
EOF
}
stem=attack-fc100-100-10-mnist-test-layer0-every
if compare "$stem.json" "$stem.npy" "$stem.png"; then pass "attack: merged results equal the one-process run"; else fail "attack: merged results differ"; fi
if compare advtrain-quick.json advtrain-quick.md advtrain-quick.png; then pass "advtrain: merged results equal the one-process run"; else fail "advtrain: merged results differ"; fi

echo "== stopping the daemons (PIDs ${pids[*]}) =="
trap - EXIT
cleanup
stopped=1
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && stopped=0; done
if [ "$stopped" = 1 ]; then pass "munged, slurmctld and slurmd stopped"; else fail "a daemon is still running"; fi
echo "  total $((SECONDS - started)) s"
finish
