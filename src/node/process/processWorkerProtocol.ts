import type { OutputStream, ProcessResult, ProcessSpec } from '../../engine/scheduler/ports';

/** Messages between mlc and its process worker (src/node/workers/processWorker.ts), over Node IPC. */
export type ProcessWorkerRequest =
  | { readonly type: 'start'; readonly id: number; readonly spec: Omit<ProcessSpec, 'onLine'> }
  | { readonly type: 'abort'; readonly id: number };

export type ProcessWorkerMessage =
  | { readonly type: 'started'; readonly id: number; readonly pid: number | undefined }
  | {
      readonly type: 'line';
      readonly id: number;
      readonly stream: OutputStream;
      readonly line: string;
      readonly timestamp: number;
    }
  | { readonly type: 'result'; readonly id: number; readonly result: ProcessResult };
