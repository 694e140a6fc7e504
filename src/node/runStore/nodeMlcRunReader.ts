import { createMlcRunReader } from '../../engine/runStore/mlcRunReader';
import type { RunReader } from '../../engine/runs/model';
import { isOwnerAlive } from './isOwnerAlive';

/** mlc's run store reader with a real liveness check, so a run whose process died shows `interrupted`. */
export const nodeMlcRunReader: RunReader = createMlcRunReader({ isOwnerAlive });
