import type { FileSystem } from '../engine/ports';
/** Writes through a temp file in the same folder, fsync, rename: readers never see half a file. */
export declare function writeFileAtomicSync(path: string, data: Uint8Array | string): void;
/** writeFileAtomicSync with the write, fsync and rename off the calling thread. */
export declare function writeFileAtomicAsync(path: string, data: Uint8Array | string): Promise<void>;
export declare const nodeFileSystem: FileSystem;
