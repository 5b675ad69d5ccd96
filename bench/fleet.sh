#!/usr/bin/env bash
# bench/fleet.sh: does a whole group stay within its AWS API budget, and how fast does a change spread?
#
# Runs com.nholuongut.ecs.bench.FleetSimulation (src/test/java): for groups of 10, 100, 1000 and 5000 members
# (or the sizes given as arguments) every member runs the real daemon code (scheduling, jitter, the budget
# formula, apply logic) on a virtual clock against an in-memory group that counts the DescribeInstances
# calls (one per 1000 members) each discovery costs. Reports the fleet-wide calls per second in steady
# state (average, and the busiest minute), the boot burst, and the time for a new member to reach every
# agent, in effective intervals. Goals: rate <= API_BUDGET, new member seen by all within 2 intervals.
#
# Environment: BUDGET (2 calls/s), REFRESH (60s). Exit 1 when a goal is missed. Makes no network call.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUDGET=${BUDGET:-2}
REFRESH=${REFRESH:-60s}
mkdir -p bench/out
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=bench/out/fleet.classpath \
    -Dmdep.includeScope=test >/dev/null
java -Xmx6g -XX:+UseParallelGC -Dbudget="$BUDGET" -Drefresh="$REFRESH" \
    -cp "target/classes:target/test-classes:$(cat bench/out/fleet.classpath)" \
    com.nholuongut.ecs.bench.FleetSimulation "$@" | tee bench/out/fleet.txt
# Scope standalone's fan-out under SCOPE_APPS=all and the default 3, from the agent's own rule.
java -cp "target/classes:target/test-classes:$(cat bench/out/fleet.classpath)" \
    com.nholuongut.ecs.bench.ScopeFanout | tee bench/out/scope-fanout.txt
