import type { RunnerChoice } from '../runners/chooseRunner';
import { slurmArrayGroup } from '../runners/slurmJob';
import type { RunStatus } from '../runs/model';
import type { RunRecorder } from '../runStore/runRecorder';
import type { StageRunRecord } from '../runStore/runRecord';
import type { PlannedStage, RunPlan } from './planRun';
import { runStage } from './runStage';
import type { SchedulerDependencies } from './schedulerDependencies';
import { describeError } from '../engineError';

export interface ExecuteOptions {
  /** How many stages run at once (at least 1). */
  readonly jobs: number;
  /** After a failure, go on with every stage that does not depend on the failed one. */
  readonly keepGoing: boolean;
}

/**
 * Runs a plan with up to `jobs` stages at once, each as soon as everything it waits for has
 * finished well (so independent branches run side by side). A failure stops new starts (stages
 * already running finish), or with `keepGoing` skips only what depends on it. Aborting `signal`
 * kills the running stages and skips the rest. Returns the run's final status; every stage of
 * the plan ends with a final status in the recorder.
 */
export async function executePlan(
  plan: RunPlan,
  recorder: RunRecorder,
  dependencies: SchedulerDependencies,
  options: ExecuteOptions,
  signal: AbortSignal,
): Promise<RunStatus> {
  const jobs = Math.max(1, Math.floor(options.jobs));
  const waitingFor = new Map<string, number>();
  const downstream = new Map<string, PlannedStage[]>();
  const ready: PlannedStage[] = [];
  for (const planned of plan.stages) {
    waitingFor.set(planned.address, planned.upstream.length);
    for (const upstream of planned.upstream) {
      const list = downstream.get(upstream) ?? [];
      list.push(planned);
      downstream.set(upstream, list);
    }
    if (planned.upstream.length === 0) ready.push(planned);
  }
  /** Stages started and not finished yet (their records are still being completed). */
  let inFlight = 0;
  /** Job slots in use: like make's -j, a slot is held while a stage's commands run. */
  let slots = 0;
  let failed = false;
  let stopReason: string | undefined;
  /**
   * Stages handed ahead: waiting in the runner's queue for a slot (make's loop: a freed slot starts
   * the next stage without a round trip to this thread). Only when every stage runs here and the
   * runner can hold starts to exactly -j; at most -j of them, so the queue never runs dry between
   * two looks of this thread.
   */
  let handedAhead = 0;
  /**
   * Set when the runner dropped a stage handed ahead (a command failed): nothing more is handed
   * ahead until this thread has heard how that command's stage ended, else the runner would
   * drop each one again while the failure is on its way.
   */
  let handAheadPaused = false;
  // Asked for every ready stage on every start: chosen once per stage, not once per look.
  const runnerChoices = new Map<PlannedStage, RunnerChoice | undefined>();
  const runnerChoiceOf = (planned: PlannedStage) => {
    if (!runnerChoices.has(planned)) runnerChoices.set(planned, dependencies.runnerOf?.(planned.stage));
    return runnerChoices.get(planned);
  };
  const everyStageLocal = plan.stages.every((planned) => {
    const choice = runnerChoiceOf(planned);
    return !choice || (choice.ok && choice.runner.type === 'local');
  });
  const canHandAhead = everyStageLocal && dependencies.processRunner.limitConcurrency?.(jobs) === true;
  /** Cancels each stage still waiting in the runner's queue: nothing new starts once the run stops. */
  const cancelWaiting = new Set<() => void>();
  const stop = (reason: string) => {
    stopReason ??= reason;
    for (const cancel of cancelWaiting) cancel();
  };
  /** A stage may wait in the runner's queue when nothing must happen on this thread before it starts. */
  const mayWaitAhead = (planned: PlannedStage) =>
    planned.definite && !planned.stage.outs.some((out) => out.kind === 'plot');

  const arrayGroups = new Map<PlannedStage, string | undefined>();
  const arrayGroupOf = (planned: PlannedStage) => {
    if (!arrayGroups.has(planned)) arrayGroups.set(planned, slurmArrayGroup(planned.stage, runnerChoiceOf(planned)));
    return arrayGroups.get(planned);
  };
  const skip = (address: string, reason: string) => {
    const record = recorder.stage(address);
    if (record.status !== 'pending') return;
    recorder.update(() => {
      record.status = 'skipped';
      record.skipReason = reason;
    });
    dependencies.observer?.stageFinished?.(address, record);
  };
  const skipDownstream = (address: string, reason: string) => {
    const pending = [...(downstream.get(address) ?? [])];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (recorder.stage(next.address).status !== 'pending') continue;
      skip(next.address, reason);
      pending.push(...(downstream.get(next.address) ?? []));
    }
  };

  await new Promise<void>((resolveAll) => {
    const onFinished = (planned: PlannedStage, result: StageRunRecord, releaseSlot: (andPump: boolean) => void) => {
      inFlight--;
      if (result.status === 'pending') {
        // Handed ahead and dropped unstarted (another stage failed, or the run stopped): it goes
        // back to the ready stages if anything may still start, else it is skipped below.
        if (stopReason === undefined) ready.unshift(planned);
        handAheadPaused = true;
        releaseSlot(false);
        pump();
        return;
      }
      handAheadPaused = false;
      const isGood = result.status === 'succeeded' || result.status === 'up-to-date';
      if (result.status !== 'up-to-date') dependencies.observer?.stageFinished?.(planned.address, result);
      if (isGood) {
        for (const next of downstream.get(planned.address) ?? []) {
          const remaining = (waitingFor.get(next.address) ?? 1) - 1;
          waitingFor.set(next.address, remaining);
          if (remaining === 0 && recorder.stage(next.address).status === 'pending') ready.push(next);
        }
      } else if (result.status === 'failed') {
        failed = true;
        if (options.keepGoing) skipDownstream(planned.address, `upstream stage ${planned.address} failed`);
        else stop(`stage ${planned.address} failed`);
      }
      releaseSlot(false);
      pump();
    };
    const pump = () => {
      if (signal.aborted) stop('the run was cancelled');
      // Members of a foreach/matrix group on a Slurm runner start together, without a slot: they
      // share one job array (of as many tasks as members start now), Slurm applies -j as its throttle.
      const arraySizes = new Map<string, number>();
      for (const candidate of ready) {
        const group = arrayGroupOf(candidate);
        if (group !== undefined) arraySizes.set(group, (arraySizes.get(group) ?? 0) + 1);
      }
      while (stopReason === undefined && ready.length > 0) {
        const arrayMember = ready.findIndex((candidate) => arrayGroupOf(candidate) !== undefined);
        if (arrayMember < 0 && slots >= jobs) break;
        const planned = ready.splice(arrayMember < 0 ? 0 : arrayMember, 1)[0]!;
        inFlight++;
        if (arrayMember < 0) slots++;
        // The slot frees as soon as the commands end; hashing and recording the stage overlap
        // with the next stage's commands, while its dependents still wait for the whole stage.
        let holdsSlot = arrayMember < 0;
        const releaseSlot = (andPump: boolean) => {
          if (!holdsSlot) return;
          holdsSlot = false;
          slots--;
          if (andPump) pump();
        };
        start(planned, releaseSlot, {
          slurmArray: { throttle: jobs, members: arraySizes.get(arrayGroupOf(planned) ?? '') ?? 1 },
        });
      }
      while (canHandAhead && !handAheadPaused && stopReason === undefined && handedAhead < jobs) {
        const index = ready.findIndex(mayWaitAhead);
        if (index < 0) break;
        const planned = ready.splice(index, 1)[0]!;
        inFlight++;
        handedAhead++;
        let waiting = true;
        let holdsSlot = false;
        // Its own signal: aborted with the run's, or while it still waits when the run stops.
        const abort = new AbortController();
        const cancel = () => abort.abort();
        cancelWaiting.add(cancel);
        signal.addEventListener('abort', cancel, { once: true });
        const stopWaiting = () => {
          if (!waiting) return;
          waiting = false;
          handedAhead--;
          cancelWaiting.delete(cancel);
        };
        // The runner starts it when one of its -j slots frees: from then on it holds a slot here too.
        const onStarted = () => {
          stopWaiting();
          holdsSlot = true;
          slots++;
        };
        const releaseSlot = (andPump: boolean) => {
          stopWaiting();
          if (!holdsSlot) return;
          holdsSlot = false;
          slots--;
          if (andPump) pump();
        };
        start(planned, releaseSlot, { handedAhead: { onStarted } }, abort.signal, () =>
          signal.removeEventListener('abort', cancel),
        );
      }
      if (inFlight === 0) resolveAll();
    };
    const start = (
      planned: PlannedStage,
      releaseSlot: (andPump: boolean) => void,
      options: Parameters<typeof runStage>[5],
      stageSignal = signal,
      onSettled: () => void = () => undefined,
    ) => {
      runStage(planned, recorder, dependencies, stageSignal, () => releaseSlot(true), options).then(
        (result) => {
          onSettled();
          onFinished(planned, result, releaseSlot);
        },
        (error: unknown) => {
          const record = recorder.stage(planned.address);
          recorder.update(() => {
            record.status = 'failed';
            record.failure = { code: 'startFailed', message: describeError(error) };
          });
          onSettled();
          onFinished(planned, record, releaseSlot);
        },
      );
    };
    signal.addEventListener('abort', () => pump(), { once: true });
    pump();
  });

  const reason = stopReason ?? 'an upstream stage did not succeed';
  for (const planned of plan.stages) skip(planned.address, `not run: ${reason}`);
  if (signal.aborted) return 'cancelled';
  const anyBad = recorder.record.stages.some((stage) => stage.status === 'failed' || stage.status === 'cancelled');
  return failed || anyBad ? 'failed' : 'succeeded';
}
