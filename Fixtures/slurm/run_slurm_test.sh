#!/bin/bash
# make test-slurm: cvat-ds export --shard auto under a real Slurm (Debian's slurm-wlm 22.05) on this machine.
#
#   run_slurm_test.sh CVAT_DS PYTHON
#
# Starts its own munged, slurmctld and slurmd (one node: this machine, with the CPUs and memory `slurmd -C`
# finds), all configured in a scratch folder: their own munge key and socket, state, spool, logs and ports, so
# nothing under /etc is read or changed and a Slurm or munged already running here is left alone. Then it
# starts the test server, syncs the sample project once into a shared cache, and for each array below submits
# Fixtures/slurm/cvat-ds-export.sbatch (the script docs/cluster.md shows) with `sbatch --wait`, merges the
# parts with merge-manifests, and checks that the merged export equals an unsharded one (compare_exports.py)
# and that each part's manifest records the SLURM_ARRAY_TASK_* values that slurmd set for its task; then that
# every task of an array given as a list (--array=0,1,5) refuses it.
# Every daemon it started is stopped on exit (also on failure or Ctrl-C), and the scratch folder removed;
# KEEP_SCRATCH=1 keeps it for reading the logs.
#
# Needs root: slurmd runs jobs as their submitter, and this setup runs both daemons as root.
set -euo pipefail

CVAT_DS=$(readlink -f "$1")
PYTHON=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JOB_SCRIPT=$HERE/cvat-ds-export.sbatch
# The export each array task makes a slice of: ragged-free images and per-sample boxes (box_offsets), so the
# merge has offsets to rebase.
EXPORT_ARGS=(--project 1 --transform bboxes --resize 64x48)
# Each entry: the --array spec | its task ids. 0-3 is the plain case, 1-4 proves the MIN arithmetic and
# 0-9:3 the STEP arithmetic, on the values a real slurmd exports.
ARRAYS=("0-3|0 1 2 3" "1-4|1 2 3 4" "0-9:3|0 3 6 9")
# The formats each array is exported in. A format is added here with its reader in compare_exports.py
# (exports.load_export): every array is then submitted once per format and compared with the unsharded
# export in the same format. webdataset parts are read back with the real webdataset package
# (exports.load_webdataset), sample keys included, so the merged tars must give the unsharded export's samples.
FORMATS=(npy webdataset)
TIMEOUT=${SLURM_TEST_TIMEOUT:-300}

[ "$(id -u)" = 0 ] || { echo "test-slurm: needs root (slurmd runs the jobs; run as root or with sudo)" >&2; exit 1; }
for tool in munged slurmctld slurmd sbatch sinfo squeue scancel; do
    command -v "$tool" >/dev/null || { echo "test-slurm: $tool is missing (make test-slurm installs it)" >&2; exit 1; }
done

started=$(date +%s)
SCRATCH=$(mktemp -d /tmp/cvat-ds-slurm.XXXXXX)
chmod 755 "$SCRATCH"
export SLURM_CONF=$SCRATCH/slurm.conf
server_pid=

log() { echo "== test-slurm [$(( $(date +%s) - started ))s] $*"; }

stop_pidfile() {  # the daemon whose pid file this run wrote, and wait (up to 10 s) until it is gone
    local file=$1 pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    set +e
    if [ -s "$SCRATCH/slurmctld.pid" ]; then
        # Jobs first, so that no slurmstepd outlives its slurmd.
        scancel --quiet --full "--name=cvat-ds-export" 2>/dev/null
        for _ in $(seq 100); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
    fi
    stop_pidfile "$SCRATCH/slurmd.pid"
    stop_pidfile "$SCRATCH/slurmctld.pid"
    stop_pidfile "$SCRATCH/munged.pid"
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    if [ "$status" != 0 ]; then
        for f in "$SCRATCH"/*.log "$SCRATCH"/logs/*; do
            [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }
        done
        echo "test-slurm: FAILED after $(( $(date +%s) - started ))s" >&2
    fi
    if [ "${KEEP_SCRATCH:-0}" = 1 ]; then echo "test-slurm: scratch kept in $SCRATCH"; else rm -rf "$SCRATCH"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for() {  # wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "test-slurm: $what not within ${seconds}s" >&2
    return 1
}

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# munge: a key of this run's own, read by a munged of its own on its own socket.
head -c 1024 /dev/urandom > "$SCRATCH/munge.key"
chmod 0400 "$SCRATCH/munge.key"
munged --socket="$SCRATCH/munge.socket" --key-file="$SCRATCH/munge.key" --pid-file="$SCRATCH/munged.pid" \
    --log-file="$SCRATCH/munged.log" --seed-file="$SCRATCH/munged.seed"
wait_for 10 "munged's socket" test -S "$SCRATCH/munge.socket"

# Slurm: one node, this machine. `slurmd -C` prints the node line with what slurmd will find (CPUs, sockets,
# cores, RealMemory), so the node never drains for a configuration that does not match.
host=$(hostname -s)
node=$(slurmd -C | head -1)
mkdir -p "$SCRATCH/state" "$SCRATCH/spool" "$SCRATCH/logs" "$SCRATCH/run"
cat > "$SLURM_CONF" <<EOF
ClusterName=cvatds
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SCRATCH/munge.socket
StateSaveLocation=$SCRATCH/state
SlurmdSpoolDir=$SCRATCH/spool
SlurmctldPidFile=$SCRATCH/slurmctld.pid
SlurmdPidFile=$SCRATCH/slurmd.pid
SlurmctldLogFile=$SCRATCH/slurmctld.log
SlurmdLogFile=$SCRATCH/slurmd.log
# No cgroups: the plain process tracker and no task plugin work in containers and on any kernel.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
wait_for 60 "the node idle in sinfo" bash -c '[ "$(sinfo -h -N -o %T)" = idle ]'
log "slurm up: $(sinfo -h -N -o '%N %T %c CPUs')"

# The test server with the sample dataset, and one sync into the cache that every task reads.
"$PYTHON" "$ROOT/Fixtures/server/cvat_test_server.py" --dataset "$ROOT/Fixtures/datasets/sample" --port 0 \
    --ready-file "$SCRATCH/server.url" > "$SCRATCH/server.log" 2>&1 &
server_pid=$!
wait_for 20 "the test server" test -s "$SCRATCH/server.url"
export CVAT_SERVER=$(cat "$SCRATCH/server.url")
export CVAT_CACHE=$SCRATCH/cache CVAT_DS
CVAT_ACCESS_TOKEN=cvat_pat_admin.0123456789abcdef \
    "$CVAT_DS" sync --quiet --server-host "$CVAT_SERVER" --cache-dir "$CVAT_CACHE" --project 1

for format in "${FORMATS[@]}"; do
    "$CVAT_DS" export --quiet --offline --server-host "$CVAT_SERVER" --cache-dir "$CVAT_CACHE" \
        "${EXPORT_ARGS[@]}" --format "$format" --out "$SCRATCH/whole-$format"
    for entry in "${ARRAYS[@]}"; do
        spec=${entry%%|*}
        read -r -a ids <<< "${entry#*|}"
        min=${ids[0]}; max=${ids[-1]}; step=1
        [ "${#ids[@]}" -gt 1 ] && step=$(( ids[1] - ids[0] ))
        export CVAT_OUT=$SCRATCH/run/$format-${spec//[:]/_}
        log "sbatch --array=$spec ($format)"
        timeout "$TIMEOUT" sbatch --wait --quiet --array="$spec" --output="$SCRATCH/logs/%A_%a.out" \
            "$JOB_SCRIPT" "${EXPORT_ARGS[@]}" --format "$format" \
            || { echo "test-slurm: the array $spec failed or timed out" >&2; exit 1; }
        "$CVAT_DS" merge-manifests --quiet "$CVAT_OUT" "$CVAT_OUT"/part-*
        "$PYTHON" "$HERE/check_parts.py" "$CVAT_OUT" --ids "${ids[@]}" --min "$min" --max "$max" --step "$step"
        "$PYTHON" "$ROOT/Fixtures/export/compare_exports.py" "$SCRATCH/whole-$format" "$CVAT_OUT" > "$SCRATCH/compare.json" \
            || { cat "$SCRATCH/compare.json"; echo "test-slurm: the merged array $spec differs from the whole export" >&2; exit 1; }
        log "array $spec ($format): ${#ids[@]} parts merged, equal to the unsharded export"
    done
done
# An array given as a list lies on no grid (Slurm sets MIN 0, MAX 5, COUNT 3, STEP 1): every task must refuse
# it with a usage error that says why, and write nothing.
export CVAT_OUT=$SCRATCH/run/list
log "sbatch --array=0,1,5 (each task must refuse it)"
if timeout "$TIMEOUT" sbatch --wait --quiet --array=0,1,5 --output="$SCRATCH/logs/list-%a.out" \
    "$JOB_SCRIPT" "${EXPORT_ARGS[@]}"; then
    echo "test-slurm: the array 0,1,5 was not refused" >&2; exit 1
fi
for id in 0 1 5; do
    grep -q "the array is not one range A-B\[:S\]" "$SCRATCH/logs/list-$id.out" \
        || { echo "test-slurm: task $id of the array 0,1,5 did not refuse it as a list" >&2; exit 1; }
done
[ ! -e "$CVAT_OUT" ] || { echo "test-slurm: the refused array 0,1,5 wrote $CVAT_OUT" >&2; exit 1; }
log "array 0,1,5 refused by each of its tasks"
log "passed"
