#!/usr/bin/env bash
# A fresh clone, a bare venv, then every README command as a newcomer types it, timed (not run by CI:
# it trains; run by hand before a release: bash .ci/readme_commands.sh [repo]). Logs and a SUMMARY in /tmp/fresh_logs.
set -u
rm -rf /tmp/fresh /tmp/fresh_logs; mkdir -p /tmp/fresh_logs
git clone -q "${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}" /tmp/fresh && cd /tmp/fresh
python3 -m venv .venv && . .venv/bin/activate
L=/tmp/fresh_logs
run() { # name, command...
  local name=$1; shift
  local t0=$(date +%s.%N)
  ( eval "$@" ) > "$L/$name.log" 2>&1; local rc=$?
  local t1=$(date +%s.%N)
  local tb=$(grep -c Traceback "$L/$name.log")
  printf '%-22s rc=%-3s %7.1f s  tracebacks=%s  | %s\n' "$name" "$rc" "$(echo "$t1-$t0"|bc)" "$tb" "$*" | tee -a $L/SUMMARY
}
run first_command 'pip install -q -e . && tinygrad-ru train 2>&1 | while IFS= read -r l; do printf "%s %s\n" "$(date +%s)" "$l"; done'
run chain_rule 'python examples/chain_rule.py'
run explain 'cd /tmp && tinygrad-ru explain && ls -la backprop_steps.html'
run explain_gif 'cd /tmp && tinygrad-ru explain --gif /tmp/steps.gif && ls -la /tmp/steps.gif'
run model_graph 'python examples/model_graph.py && ls out'
run lab_quick 'python examples/optimizer_lab.py --quick'
run lab_full 'python examples/optimizer_lab.py'
run compare 'tinygrad-ru compare --epochs 1'
run landscape 'python examples/loss_landscape.py'
run lenet 'tinygrad-ru train --model lenet --epochs 1'
run fashion 'tinygrad-ru train --dataset fashion-mnist --epochs 1'
run cifar_nodl 'tinygrad-ru train --model cifar-cnn --dataset cifar10 --no-download --epochs 1'
run sgdbb 'python -m tinygrad_ru train --optimizer sgdbb --epochs 1'
run ckpt 'tinygrad-ru train --epochs 2 --checkpoint /tmp/run.ckpt && tinygrad-ru train --epochs 3 --resume /tmp/run.ckpt'
run bare 'tinygrad-ru'
run epochs0 'tinygrad-ru train --epochs 0'
run badsave 'tinygrad-ru train --epochs 1 --save /nonexistent/dir/w.npz'
run tune 'pip install -q -e ".[tune]" && tinygrad-ru tune --trials 3 --epochs 1 --storage sqlite:////tmp/study.db && tinygrad-ru tune --trials 1 --epochs 1 --storage sqlite:////tmp/study.db && tinygrad-ru train --config best.json --epochs 1'
